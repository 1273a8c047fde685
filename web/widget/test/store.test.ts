import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatStore, RECEIVED_DELAY_MS, TYPING_IDLE_MS, TYPING_SHOWN_MS } from '../src/panel/store';
import { AGENT, CONV, event, events, FakeConnection, receipts, view, welcome } from './fixtures';

const SITE = 'pk_test';

let conn: FakeConnection;
let store: ChatStore;

beforeEach(() => {
  conn = new FakeConnection();
  store = new ChatStore(conn, SITE);
});

/** Plays the server's answer to the visitor's last `send`. */
function ackLast(seq: number, conversation_id = CONV) {
  const [sent] = conn.take('send').slice(-1);
  conn.deliver({ type: 'ack', client_msg_id: sent!.client_msg_id, conversation_id, seq, at: 0, duplicate: false });
  return sent!;
}

const mine = (seq: number, id: string, text: string, conversation_id = CONV) =>
  event(seq, { author: { kind: 'visitor' }, body: { kind: 'message', text }, client_msg_id: id, conversation_id });

describe('ChatStore: history', () => {
  it('syncs the conversation from the start on welcome and shows its history', () => {
    conn.deliver(welcome({ conversation: view(2) }));
    expect(conn.take('sync')).toEqual([{ type: 'sync', conversation_id: CONV, after_seq: 0 }]);
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 2), last_seq: 2 });
    expect(store.items.value.map((item) => item.key)).toEqual([`${CONV}:1`, `${CONV}:2`]);
  });

  it('marks the history loading after a page load, until its last page', () => {
    conn.deliver(welcome({ conversation: view(600) }));
    expect(store.loadingHistory.value).toBe(true);
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 500), last_seq: 600 });
    expect(store.loadingHistory.value).toBe(true);
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(501, 600), last_seq: 600 });
    expect(store.loadingHistory.value).toBe(false);
    // Catching up after a reconnect is news, not history.
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome({ conversation: view(602) }));
    expect(conn.take('sync').at(-1)).toEqual({ type: 'sync', conversation_id: CONV, after_seq: 600 });
    expect(store.loadingHistory.value).toBe(false);
  });

  it('starts from the welcome the loader already had when the panel mounts', () => {
    const early = new FakeConnection();
    early.deliver(welcome({ conversation: view(4) }));
    const late = new ChatStore(early, SITE);
    expect(late.ready.value).toBe(true);
    expect(early.take('sync')).toEqual([{ type: 'sync', conversation_id: CONV, after_seq: 0 }]);
  });

  it('shows each event once when live events and history overlap', () => {
    conn.deliver(welcome({ conversation: view(2) }));
    conn.deliver({ type: 'event', event: event(3) });
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 3), last_seq: 3 });
    conn.deliver({ type: 'event', event: event(3) });
    expect(store.items.value.map((item) => item.key)).toEqual([`${CONV}:1`, `${CONV}:2`, `${CONV}:3`]);
  });

  it('reports received events once, batched', () => {
    vi.useFakeTimers();
    conn.deliver(welcome());
    conn.deliver({ type: 'event', event: event(1) });
    conn.deliver({ type: 'event', event: event(2) });
    expect(conn.take('received')).toEqual([]);
    vi.advanceTimersByTime(RECEIVED_DELAY_MS);
    expect(conn.take('received')).toEqual([{ type: 'received', conversation_id: CONV, seq: 2 }]);
    vi.advanceTimersByTime(RECEIVED_DELAY_MS);
    expect(conn.take('received')).toEqual([]);
  });

  it('starts afresh when the server made a new visitor', () => {
    conn.deliver(welcome({ conversation: view(1) }));
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 1), last_seq: 1 });
    conn.deliver({ type: 'disconnected' });
    conn.deliver({ type: 'error', code: 'invalid_token', message: 'unknown visitor token' });
    conn.deliver(welcome({ visitor_id: 'v-2' }));
    expect(store.items.value).toEqual([]);
    expect(store.error.value).toBeNull();
  });
});

describe('ChatStore: sending', () => {
  beforeEach(() => {
    conn.deliver(welcome({ conversation: view(0) }));
    conn.take();
  });

  it('shows a message as sending, then sent once acked, then delivered by receipt', () => {
    expect(store.send('  Hello  ')).toBe(true);
    const [item] = store.items.value;
    expect(item).toMatchObject({ kind: 'outgoing', message: { text: 'Hello', state: 'sending' } });

    const sent = ackLast(1);
    expect(sent.text).toBe('Hello');
    const acked = store.outgoing.value[0]!;
    expect(acked).toMatchObject({ state: 'sent', seq: 1, conversation_id: CONV });
    expect(store.delivery(CONV, 1)).toBe('sent');

    conn.deliver({ type: 'receipts', conversation_id: CONV, receipts: receipts({ agent_delivered: 1, visitor_delivered: 0 }) });
    expect(store.delivery(CONV, 1)).toBe('delivered');
  });

  it('replaces the optimistic copy with the event, never showing the message twice', () => {
    store.send('Hello');
    const { client_msg_id } = ackLast(1);
    conn.deliver({ type: 'event', event: mine(1, client_msg_id, 'Hello') });
    expect(store.items.value).toHaveLength(1);
    expect(store.items.value[0]).toMatchObject({ kind: 'event', key: client_msg_id });
  });

  it('also when the event comes before the ack', () => {
    store.send('Hello');
    const { client_msg_id } = conn.take('send')[0]!;
    conn.deliver({ type: 'event', event: mine(1, client_msg_id, 'Hello') });
    conn.deliver({ type: 'ack', client_msg_id, conversation_id: CONV, seq: 1, at: 0, duplicate: false });
    expect(store.items.value).toHaveLength(1);
    expect(store.items.value[0]!.kind).toBe('event');
  });

  it('keeps a message typed offline and sends it with the same id after the welcome', () => {
    conn.deliver({ type: 'disconnected' });
    store.send('Are you there?');
    expect(conn.take('send')).toEqual([]);
    conn.deliver(welcome({ conversation: view(0) }));
    const [resent] = conn.take('send');
    expect(resent).toMatchObject({ text: 'Are you there?' });
    expect(resent!.client_msg_id).toBe(store.outgoing.value[0]!.id);
  });

  it('resends an unacked message after a reconnect, with the same id', () => {
    store.send('Hello');
    const [first] = conn.take('send');
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome({ conversation: view(0) }));
    expect(conn.take('send')).toEqual([first]);
    // Acked: not resent on the next reconnect.
    conn.deliver({ type: 'ack', client_msg_id: first!.client_msg_id, conversation_id: CONV, seq: 1, at: 0, duplicate: true });
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome({ conversation: view(1) }));
    expect(conn.take('send')).toEqual([]);
  });

  it('keeps an unacked message across a page load and resends it', () => {
    store.send('Typed before leaving');
    const [first] = conn.take('send');

    const nextPage = new FakeConnection();
    const reloaded = new ChatStore(nextPage, SITE);
    expect(reloaded.outgoing.value).toMatchObject([{ id: first!.client_msg_id, state: 'sending' }]);
    nextPage.deliver(welcome({ conversation: view(0) }));
    expect(nextPage.take('send')).toEqual([first]);
  });

  it('follows the new conversation the server opened after a closed one', () => {
    conn.deliver({ type: 'event', event: event(1, { body: { kind: 'closed' }, author: { kind: 'system' } }) });
    store.send('One more question');
    ackLast(1, 'c-2');
    expect(store.current.value).toBe('c-2');
    conn.deliver({ type: 'typing', conversation_id: 'c-2', side: 'agent', name: 'Anna', active: true });
    expect(store.typing.value).toBe('Anna');
  });

  it('marks a refused message as failed and retries it with the same id', () => {
    store.send('Hello');
    const [sent] = conn.take('send');
    conn.deliver({ type: 'error', code: 'rate_limited', message: 'slow down', client_msg_id: sent!.client_msg_id });
    expect(store.outgoing.value[0]!.state).toBe('failed');
    expect(store.error.value).toBe('rate_limited');
    expect(sessionStorage.getItem(`shopkeep:${SITE}:outbox`)).toBeNull();

    store.retry(sent!.client_msg_id);
    expect(conn.take('send')).toEqual([sent]);
    expect(store.outgoing.value[0]!.state).toBe('sending');
  });

  it('refuses blank and oversized text without sending', () => {
    expect(store.send(' \n\t ')).toBe(false);
    expect(store.send('я'.repeat(4001))).toBe(false);
    expect(store.error.value).toBe('text_too_long');
    expect(conn.take('send')).toEqual([]);
    expect(store.send('я'.repeat(4000))).toBe(true);
  });

  it('tells the agent when the visitor types and stops', () => {
    vi.useFakeTimers();
    store.typed();
    store.typed();
    expect(conn.take('typing')).toEqual([{ type: 'typing', active: true }]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(conn.take('typing')).toEqual([{ type: 'typing', active: false }]);
  });
});

describe('ChatStore: presence', () => {
  it('shows the agent typing until they stop, send, or go quiet', () => {
    vi.useFakeTimers();
    conn.deliver(welcome({ conversation: view(0) }));
    const typing = (active: boolean) =>
      conn.deliver({ type: 'typing', conversation_id: CONV, side: 'agent', name: 'Anna', active });

    typing(true);
    expect(store.typing.value).toBe('Anna');
    typing(false);
    expect(store.typing.value).toBeNull();

    typing(true);
    conn.deliver({ type: 'event', event: event(1, { author: AGENT }) });
    expect(store.typing.value).toBeNull();

    typing(true);
    vi.advanceTimersByTime(TYPING_SHOWN_MS);
    expect(store.typing.value).toBeNull();
  });

  it('follows operator presence and the connection', () => {
    conn.deliver(welcome({ operators_online: false }));
    expect(store.operatorsOnline.value).toBe(false);
    conn.deliver({ type: 'status', operators_online: true });
    expect(store.operatorsOnline.value).toBe(true);
    conn.deliver({ type: 'disconnected' });
    expect(store.ready.value).toBe(false);
  });
});
