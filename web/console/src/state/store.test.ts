import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECEIPT_DELAY_MS } from '../live/receipts';
import { anna, summary, textEvent } from '../test/fixtures';
import { mineActive, storeHarness } from '../test/store';
import { VISITOR_TYPING_TTL_MS } from './store';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('new waiting conversations', () => {
  it('alert when one appears, but not for the inbox found on load or for updates', () => {
    const h = storeHarness();
    h.welcome([summary('old')]);
    expect(h.deps.onNewWaiting).not.toHaveBeenCalled();

    h.receive({ type: 'conversation', conversation: summary('old', { last_seq: 2 }) });
    expect(h.deps.onNewWaiting).not.toHaveBeenCalled();

    const fresh = summary('fresh', { last_seq: 1, last_message: textEvent('fresh', 1, 'hello?') });
    h.receive({ type: 'conversation', conversation: fresh });
    expect(h.deps.onNewWaiting).toHaveBeenCalledExactlyOnceWith(fresh);
  });

  it('alert for conversations that started waiting while the socket was down', () => {
    const h = storeHarness();
    h.welcome([summary('old')]);
    h.welcome([summary('old'), summary('during-outage')]);
    expect(h.deps.onNewWaiting).toHaveBeenCalledExactlyOnceWith(summary('during-outage'));
  });
});

describe('the open conversation', () => {
  it('loads after the welcome, reports receipts once, and counts as read while viewed', () => {
    const h = storeHarness();
    h.store.open('a');
    expect(h.take('sync')).toEqual([]);

    h.welcome([mineActive('a', { last_seq: 2, last_message: textEvent('a', 2, 'still there?') })]);
    expect(h.take('sync')).toEqual([{ type: 'sync', conversation_id: 'a', after_seq: 0 }]);

    h.receive({ type: 'history', conversation_id: 'a', events: [textEvent('a', 1, 'hi'), textEvent('a', 2, 'still there?')], last_seq: 2 });
    expect(h.store.delivery.value.threads.get('a')?.events).toHaveLength(2);
    expect(h.store.unreadTotal.value).toBe(0);

    vi.advanceTimersByTime(RECEIPT_DELAY_MS);
    expect(h.take('received')).toEqual([{ type: 'received', conversation_id: 'a', seq: 2 }]);
  });

  it('reports events of chats I hold as delivered without opening them, but not others', () => {
    const h = storeHarness();
    h.welcome([mineActive('a'), summary('b')]);
    h.receive({ type: 'event', event: textEvent('a', 3, 'are you there?') });
    h.receive({ type: 'event', event: textEvent('b', 1, 'hello?') });
    vi.advanceTimersByTime(RECEIPT_DELAY_MS);
    expect(h.take('received')).toEqual([{ type: 'received', conversation_id: 'a', seq: 3 }]);
    expect(h.take('read')).toEqual([]);
  });

  it('counts messages as unread while the console is out of sight, and clears them on return', () => {
    const h = storeHarness();
    h.welcome([mineActive('a'), summary('b')]);
    h.store.open('a');
    h.store.setViewing(false);
    h.receive({ type: 'event', event: textEvent('a', 1, 'hello') });
    h.receive({ type: 'event', event: textEvent('b', 1, 'hi') });
    expect(h.store.unreadTotal.value).toBe(2);

    h.store.setViewing(true);
    expect(h.store.unreadTotal.value).toBe(1);
  });

  it('shows the visitor typing until told otherwise, a message arrives, or the notice goes stale', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.receive({ type: 'typing', conversation_id: 'a', side: 'visitor', active: true });
    h.receive({ type: 'typing', conversation_id: 'a', side: 'agent', active: false });
    expect(h.store.visitorTyping.value.has('a')).toBe(true);
    h.receive({ type: 'event', event: textEvent('a', 1, 'hi') });
    expect(h.store.visitorTyping.value.has('a')).toBe(false);

    h.receive({ type: 'typing', conversation_id: 'a', side: 'visitor', active: true });
    vi.advanceTimersByTime(VISITOR_TYPING_TTL_MS);
    expect(h.store.visitorTyping.value.has('a')).toBe(false);
  });
});

describe('sending', () => {
  it('resends an unacked message after a reconnect and shows it once', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.store.open('a');
    h.receive({ type: 'history', conversation_id: 'a', events: [], last_seq: 0 });
    h.take('sync');

    h.setUp(false);
    expect(h.store.send('a', '  Hello <b>there</b>  ')).toBe(true);
    expect(h.store.delivery.value.outbox).toMatchObject([{ clientMsgId: 'msg-1', text: 'Hello <b>there</b>', state: 'pending' }]);

    h.setUp(true);
    h.welcome([mineActive('a')]);
    expect(h.take('send')).toEqual([{ type: 'send', conversation_id: 'a', client_msg_id: 'msg-1', text: 'Hello <b>there</b>' }]);

    h.receive({ type: 'ack', client_msg_id: 'msg-1', conversation_id: 'a', seq: 1, at: 1, duplicate: false });
    h.receive({ type: 'event', event: { ...textEvent('a', 1, 'Hello <b>there</b>', anna), client_msg_id: 'msg-1' } });
    expect(h.store.delivery.value.outbox).toEqual([]);
    expect(h.store.delivery.value.threads.get('a')?.events.map((e) => e.seq)).toEqual([1]);
  });

  it('refuses empty and oversized text, counting code points like the server', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    expect(h.store.send('a', ' \n ')).toBe(false);
    expect(h.store.send('a', '😀'.repeat(4001))).toBe(false);
    expect(h.store.send('a', '😀'.repeat(4000))).toBe(true);
  });

  it('marks a refused message on the message, other errors as a notice', () => {
    const h = storeHarness();
    h.welcome([summary('w')]);
    h.store.send('w', 'hi');
    h.receive({ type: 'error', code: 'conversation_closed', message: 'closed', client_msg_id: 'msg-1' });
    expect(h.store.delivery.value.outbox[0]).toMatchObject({ state: 'failed', error: 'conversation_closed' });
    expect(h.store.notice.value).toBeNull();

    h.store.take('w');
    expect(h.store.pending.value).toEqual({ id: 'w', action: 'take' });
    h.receive({ type: 'error', code: 'already_taken', message: 'taken' });
    expect(h.store.notice.value).toBe('already_taken');
    expect(h.store.pending.value).toBeNull();
  });

  it('waits on take until the conversation changes hands', () => {
    const h = storeHarness();
    h.welcome([summary('w')]);
    h.store.take('w');
    expect(h.take('take')).toEqual([{ type: 'take', conversation_id: 'w' }]);
    h.receive({ type: 'conversation', conversation: summary('w', { last_seq: 3 }) });
    expect(h.store.pending.value).not.toBeNull();
    h.receive({ type: 'conversation', conversation: mineActive('w') });
    expect(h.store.pending.value).toBeNull();
    expect(h.store.sections.value.mine.map((c) => c.id)).toEqual(['w']);
  });
});

describe('status', () => {
  it('follows status frames from other tabs and reports a switch made offline', () => {
    const h = storeHarness();
    h.welcome([]);
    h.receive({ type: 'status', status: 'away' });
    expect(h.store.status.value).toBe('away');
    h.store.setStatus('online');
    expect(h.take('set_status')).toEqual([{ type: 'set_status', status: 'online' }]);
    h.setUp(false);
    h.store.setStatus('offline');
    expect(h.store.status.value).toBe('online');
    expect(h.store.notice.value).toBe('network');
  });
});

describe('drafts', () => {
  it('keeps a draft per conversation, tells the visitor I type, and clears it on send', () => {
    const h = storeHarness();
    h.welcome([mineActive('a'), mineActive('b')]);
    h.store.setDraft('a', 'Hel');
    h.store.setDraft('b', 'Other');
    expect(h.store.drafts.value.get('a')).toBe('Hel');
    expect(h.take('typing')).toEqual([
      { type: 'typing', conversation_id: 'a', active: true },
      { type: 'typing', conversation_id: 'a', active: false },
      { type: 'typing', conversation_id: 'b', active: true },
    ]);

    h.store.send('b', 'Other');
    expect(h.store.drafts.value.has('b')).toBe(false);
    expect(h.store.drafts.value.get('a')).toBe('Hel');
    expect(h.take('typing')).toEqual([{ type: 'typing', conversation_id: 'b', active: false }]);
  });
});
