import { describe, expect, it } from 'vitest';
import { EventSync } from '../src/panel/sync';
import { CONV, event, events, view } from './fixtures';

const seqs = (list: { seq: number }[]) => list.map((e) => e.seq);

describe('EventSync', () => {
  it('asks for the whole conversation after a page load', () => {
    const sync = new EventSync();
    expect(sync.welcome(view(7))).toEqual({ conversation_id: CONV, after_seq: 0 });
  });

  it('asks nothing when there is no conversation or nothing new', () => {
    const sync = new EventSync();
    expect(sync.welcome(null)).toBeNull();
    expect(sync.welcome(view(0))).toBeNull();
  });

  it('asks for what is missing of a conversation the visitor is moved to, once', () => {
    const sync = new EventSync();
    sync.welcome(view(2));
    sync.history({ conversation_id: CONV, events: events(1, 2), last_seq: 2 });
    expect(sync.view(view(1, 'c-2'))).toEqual({ conversation_id: 'c-2', after_seq: 0 });
    // Already asking: the answer brings it.
    expect(sync.view(view(1, 'c-2'))).toBeNull();
    expect(sync.view(view(2))).toBeNull();
    expect(sync.view(view(4))).toEqual({ conversation_id: CONV, after_seq: 2 });
  });

  it('asks again from the last applied seq after a reconnect', () => {
    const sync = new EventSync();
    sync.welcome(view(3));
    sync.history({ conversation_id: CONV, events: events(1, 3), last_seq: 3 });
    expect(sync.welcome(view(5))).toEqual({ conversation_id: CONV, after_seq: 3 });
    expect(sync.welcome(view(3))).toBeNull();
  });

  it('applies events in order and drops duplicates', () => {
    const sync = new EventSync();
    expect(seqs(sync.event(event(1)).applied)).toEqual([1]);
    expect(seqs(sync.event(event(2)).applied)).toEqual([2]);
    expect(sync.event(event(2))).toEqual({ applied: [], request: null });
    expect(sync.event(event(1))).toEqual({ applied: [], request: null });
    expect(sync.last(CONV)).toBe(2);
  });

  it('holds an event past a gap, asks for the gap, then applies everything in order', () => {
    const sync = new EventSync();
    sync.event(event(1));
    const held = sync.event(event(4));
    expect(held).toEqual({ applied: [], request: { conversation_id: CONV, after_seq: 1 } });

    // A second event past the gap while the sync is in flight: no second request.
    expect(sync.event(event(5))).toEqual({ applied: [], request: null });

    const filled = sync.history({ conversation_id: CONV, events: events(2, 4), last_seq: 4 });
    expect(seqs(filled.applied)).toEqual([2, 3, 4, 5]);
    expect(filled.request).toBeNull();
    expect(sync.last(CONV)).toBe(5);
  });

  it('applies an in-order event that arrives while the gap is being filled', () => {
    const sync = new EventSync();
    sync.event(event(1));
    sync.event(event(3));
    expect(seqs(sync.event(event(2)).applied)).toEqual([2, 3]);
    // The history that answers the earlier request only brings duplicates now.
    expect(sync.history({ conversation_id: CONV, events: events(2, 3), last_seq: 3 })).toEqual({
      applied: [],
      request: null,
    });
  });

  it('pages through a long history', () => {
    const sync = new EventSync();
    sync.welcome(view(1200));
    const first = sync.history({ conversation_id: CONV, events: events(1, 500), last_seq: 1200 });
    expect(first.applied).toHaveLength(500);
    expect(first.request).toEqual({ conversation_id: CONV, after_seq: 500 });
    const second = sync.history({ conversation_id: CONV, events: events(501, 1000), last_seq: 1200 });
    expect(second.request).toEqual({ conversation_id: CONV, after_seq: 1000 });
    const last = sync.history({ conversation_id: CONV, events: events(1001, 1200), last_seq: 1200 });
    expect(last.request).toBeNull();
    expect(sync.last(CONV)).toBe(1200);
  });

  it('does not loop when an answer brings nothing new', () => {
    const sync = new EventSync();
    sync.welcome(view(9));
    expect(sync.history({ conversation_id: CONV, events: [], last_seq: 9 }).request).toBeNull();
  });

  it('asks again after a reconnect even when a request was in flight', () => {
    const sync = new EventSync();
    sync.event(event(1));
    expect(sync.event(event(3)).request).not.toBeNull();
    // The socket died before the answer; the new socket must ask again.
    expect(sync.welcome(view(3))).toEqual({ conversation_id: CONV, after_seq: 1 });
  });

  it('keeps conversations apart', () => {
    const sync = new EventSync();
    sync.event(event(1));
    sync.event(event(2));
    const other = sync.event(event(1, { conversation_id: 'c-2' }));
    expect(seqs(other.applied)).toEqual([1]);
    expect(sync.last(CONV)).toBe(2);
    expect(sync.last('c-2')).toBe(1);
    // A new conversation seen first past its start: the gap is asked for from 0.
    expect(sync.event(event(2, { conversation_id: 'c-3' })).request).toEqual({ conversation_id: 'c-3', after_seq: 0 });
  });
});
