import { describe, expect, it } from 'vitest';
import type { Author } from '../../../protocol/Author';
import type { Event } from '../../../protocol/Event';
import {
  discardMessage,
  emptyDelivery,
  loadThread,
  queueMessage,
  receiveAck,
  receiveEvent,
  receiveHistory,
  refuseMessage,
  retryMessage,
  welcome,
  type Delivery,
  type Step,
} from './delivery';

const ME = 'staff-me';
const C = 'conv-1';
const visitor: Author = { kind: 'visitor' };
const me: Author = { kind: 'agent', id: ME, name: 'Anna' };

function message(seq: number, text = `m${seq}`, author: Author = visitor, client_msg_id?: string): Event {
  return {
    conversation_id: C,
    seq,
    at: 1_700_000_000_000 + seq,
    author,
    body: { kind: 'message', text },
    ...(client_msg_id ? { client_msg_id } : {}),
  };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => message(from + i));

const seqs = (d: Delivery, id = C) => d.threads.get(id)?.events.map((e) => e.seq);

/** A delivery with conversation C loaded and events 1..n applied. */
function loadedWith(n: number): Delivery {
  const loaded = loadThread(emptyDelivery(ME), C).delivery;
  return receiveHistory(loaded, { conversation_id: C, events: range(1, n), last_seq: n }).delivery;
}

describe('loading a conversation', () => {
  it('syncs from the beginning once', () => {
    const first = loadThread(emptyDelivery(ME), C);
    expect(first.send).toEqual([{ type: 'sync', conversation_id: C, after_seq: 0 }]);
    expect(first.delivery.threads.get(C)?.ready).toBe(false);
    expect(loadThread(first.delivery, C).send).toEqual([]);
  });

  it('asks again while the history ends below last_seq, then stops', () => {
    let step: Step = loadThread(emptyDelivery(ME), C);
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(1, 500), last_seq: 620 });
    expect(step.send).toEqual([{ type: 'sync', conversation_id: C, after_seq: 500 }]);
    expect(step.applied).toHaveLength(500);

    step = receiveHistory(step.delivery, { conversation_id: C, events: range(501, 620), last_seq: 620 });
    expect(step.send).toEqual([]);
    expect(seqs(step.delivery)).toEqual(range(1, 620).map((e) => e.seq));
    expect(step.delivery.threads.get(C)).toMatchObject({ applied: 620, syncing: false, ready: true });
  });

  it('stops on an empty answer even if last_seq is ahead', () => {
    const step = receiveHistory(loadThread(emptyDelivery(ME), C).delivery, {
      conversation_id: C,
      events: [],
      last_seq: 3,
    });
    expect(step.send).toEqual([]);
    expect(step.delivery.threads.get(C)?.ready).toBe(true);
  });

  it('skips history events it already applied', () => {
    const step = receiveHistory(loadedWith(3), { conversation_id: C, events: range(2, 4), last_seq: 4 });
    expect(step.applied.map((e) => e.seq)).toEqual([4]);
    expect(seqs(step.delivery)).toEqual([1, 2, 3, 4]);
  });
});

describe('live events', () => {
  it('applies the next seq and drops duplicates', () => {
    let step = receiveEvent(loadedWith(2), message(3));
    expect(step.applied.map((e) => e.seq)).toEqual([3]);
    step = receiveEvent(step.delivery, message(3));
    expect(step.applied).toEqual([]);
    step = receiveEvent(step.delivery, message(1));
    expect(step.applied).toEqual([]);
    expect(seqs(step.delivery)).toEqual([1, 2, 3]);
  });

  it('ignores conversations that are not loaded', () => {
    const d = loadedWith(1);
    const step = receiveEvent(d, { ...message(1), conversation_id: 'other' });
    expect(step.delivery).toBe(d);
    expect(step.send).toEqual([]);
  });

  it('holds events past a gap, syncs once, and applies everything once in order', () => {
    let step = receiveEvent(loadedWith(2), message(5));
    expect(step.applied).toEqual([]);
    expect(step.send).toEqual([{ type: 'sync', conversation_id: C, after_seq: 2 }]);

    step = receiveEvent(step.delivery, message(4));
    expect(step.send).toEqual([]);
    step = receiveEvent(step.delivery, message(5));
    expect(step.delivery.threads.get(C)?.held.map((e) => e.seq)).toEqual([4, 5]);

    step = receiveHistory(step.delivery, { conversation_id: C, events: range(3, 5), last_seq: 5 });
    expect(step.applied.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(step.send).toEqual([]);
    expect(seqs(step.delivery)).toEqual([1, 2, 3, 4, 5]);
    expect(step.delivery.threads.get(C)?.held).toEqual([]);
  });

  it('applies held events that follow on from a history which stops short of them', () => {
    let step = receiveEvent(loadedWith(1), message(4));
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(2, 3), last_seq: 3 });
    expect(step.applied.map((e) => e.seq)).toEqual([2, 3, 4]);
    expect(step.send).toEqual([]);
  });

  it('keeps syncing while a held event is still out of reach', () => {
    let step = receiveEvent(loadedWith(1), message(6));
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(2, 3), last_seq: 3 });
    expect(step.send).toEqual([{ type: 'sync', conversation_id: C, after_seq: 3 }]);
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(4, 6), last_seq: 6 });
    expect(seqs(step.delivery)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(step.send).toEqual([]);
  });

  it('fills the gap from a live event that arrives while the sync is in flight', () => {
    let step = receiveEvent(loadedWith(1), message(3));
    step = receiveEvent(step.delivery, message(2));
    expect(step.applied.map((e) => e.seq)).toEqual([2, 3]);
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(2, 3), last_seq: 3 });
    expect(step.applied).toEqual([]);
    expect(seqs(step.delivery)).toEqual([1, 2, 3]);
  });
});

describe('reconnecting', () => {
  it('re-syncs every loaded conversation from its last applied seq', () => {
    let d = loadedWith(7);
    d = loadThread(d, 'conv-2').delivery;
    const step = welcome(d);
    expect(step.send).toEqual([
      { type: 'sync', conversation_id: C, after_seq: 7 },
      { type: 'sync', conversation_id: 'conv-2', after_seq: 0 },
    ]);
  });

  it('sends a gap sync again after a reconnect dropped the first one', () => {
    let step = receiveEvent(loadedWith(1), message(3));
    step = welcome(step.delivery);
    step = receiveHistory(step.delivery, { conversation_id: C, events: range(2, 3), last_seq: 3 });
    expect(seqs(step.delivery)).toEqual([1, 2, 3]);
  });

  it('resends only unacked messages, under their original ids', () => {
    let d = loadedWith(1);
    d = queueMessage(d, C, 'a', 'first', 1).delivery;
    d = queueMessage(d, C, 'b', 'second', 2).delivery;
    d = queueMessage(d, C, 'c', 'third', 3).delivery;
    d = receiveAck(d, { client_msg_id: 'a', conversation_id: C, seq: 2, at: 5, duplicate: false }).delivery;
    d = refuseMessage(d, 'c', 'text_invalid').delivery;

    const sends = welcome(d).send.filter((f) => f.type === 'send');
    expect(sends).toEqual([{ type: 'send', conversation_id: C, client_msg_id: 'b', text: 'second' }]);
  });
});

describe('outbox', () => {
  it('keeps a message pending until acked, then replaces it with its event exactly once', () => {
    let step = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10);
    expect(step.send).toEqual([{ type: 'send', conversation_id: C, client_msg_id: 'id-1', text: 'hello' }]);
    expect(step.delivery.outbox[0]?.state).toBe('pending');

    step = receiveAck(step.delivery, { client_msg_id: 'id-1', conversation_id: C, seq: 2, at: 11, duplicate: false });
    expect(step.delivery.outbox[0]).toMatchObject({ state: 'acked', seq: 2 });

    step = receiveEvent(step.delivery, message(2, 'hello', me, 'id-1'));
    expect(step.delivery.outbox).toEqual([]);
    expect(seqs(step.delivery)).toEqual([1, 2]);
  });

  it('drops the copy when the event comes before the ack, and the late ack adds nothing', () => {
    let d = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10).delivery;
    d = receiveEvent(d, message(2, 'hello', me, 'id-1')).delivery;
    expect(d.outbox).toEqual([]);
    d = receiveAck(d, { client_msg_id: 'id-1', conversation_id: C, seq: 2, at: 11, duplicate: false }).delivery;
    expect(d.outbox).toEqual([]);
  });

  it('matches a resent message coming back in a history after a reconnect', () => {
    let d = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10).delivery;
    d = welcome(d).delivery;
    d = receiveHistory(d, { conversation_id: C, events: [message(2, 'hello', me, 'id-1')], last_seq: 2 }).delivery;
    d = receiveAck(d, { client_msg_id: 'id-1', conversation_id: C, seq: 2, at: 11, duplicate: true }).delivery;
    expect(d.outbox).toEqual([]);
    expect(seqs(d)).toEqual([1, 2]);
  });

  it('drops an acked copy whose event came without the id', () => {
    let d = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10).delivery;
    d = receiveAck(d, { client_msg_id: 'id-1', conversation_id: C, seq: 2, at: 11, duplicate: false }).delivery;
    d = receiveEvent(d, message(2, 'hello', me)).delivery;
    expect(d.outbox).toEqual([]);
  });

  it('never lets someone else’s event replace my copy', () => {
    const colleague: Author = { kind: 'agent', id: 'staff-other', name: 'Bo' };
    let d = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10).delivery;
    d = receiveEvent(d, message(2, 'hi', colleague, 'id-1')).delivery;
    d = receiveEvent(d, message(3, 'hi', visitor, 'id-1')).delivery;
    expect(d.outbox.map((o) => o.clientMsgId)).toEqual(['id-1']);
  });

  it('marks a refused message failed; retry resends the same id, discard removes it', () => {
    let d = queueMessage(loadedWith(1), C, 'id-1', 'hello', 10).delivery;
    d = refuseMessage(d, 'id-1', 'rate_limited').delivery;
    expect(d.outbox[0]).toMatchObject({ state: 'failed', error: 'rate_limited' });

    const retried = retryMessage(d, 'id-1');
    expect(retried.send).toEqual([{ type: 'send', conversation_id: C, client_msg_id: 'id-1', text: 'hello' }]);
    expect(retried.delivery.outbox[0]).toMatchObject({ state: 'pending', error: undefined });

    expect(discardMessage(retried.delivery, 'id-1').delivery.outbox).toHaveLength(1);
    expect(discardMessage(d, 'id-1').delivery.outbox).toEqual([]);
  });
});

describe('whispers and notes', () => {
  it('are sent with their own frame type, under the same outbox rules', () => {
    const step = queueMessage(emptyDelivery('me'), 'c1', 'm1', 'psst', 0, 'whisper');
    expect(step.send).toEqual([{ type: 'whisper', conversation_id: 'c1', client_msg_id: 'm1', text: 'psst' }]);
    const note = queueMessage(step.delivery, 'c1', 'm2', 'noted', 0, 'note');
    expect(welcome(note.delivery).send.map((f) => f.type)).toEqual(['whisper', 'note']);
  });
});
