import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DepartmentChoice } from '../../protocol/DepartmentChoice';
import { DRAFT_EVERY_MS, ChatStore, READ_DELAY_MS, TYPING_IDLE_MS } from '../src/panel/store';
import { CONV, event, events, FakeConnection, receipts, view, welcome } from './fixtures';

const SALES: DepartmentChoice = { id: 'd-sales', name: 'Sales', online: true };
const DELIVERY: DepartmentChoice = { id: 'd-delivery', name: 'Delivery', online: false };
const BORIS = { id: 's-2', name: 'Boris' };
const SUE = { id: 's-3', name: 'Sue' };

let conn: FakeConnection;
let store: ChatStore;

beforeEach(() => {
  conn = new FakeConnection();
  store = new ChatStore(conn, 'pk_test');
});

const chat = (departments: DepartmentChoice[], sneak_peek = false) => ({ departments, sneak_peek });

describe('ChatStore: departments', () => {
  it('asks which department when the site offers a choice and no chat is open', () => {
    conn.deliver(welcome({ chat: chat([SALES, DELIVERY]) }));
    expect(store.choosing.value).toBe(true);
    store.choose(SALES);
    expect(store.choosing.value).toBe(false);
    store.send('Do you ship to Norway?');
    expect(conn.take('send')).toMatchObject([{ text: 'Do you ship to Norway?', department_id: 'd-sales' }]);
  });

  it('sends the choice again with a message resent after a reconnect', () => {
    conn.deliver(welcome({ chat: chat([SALES]) }));
    store.choose(SALES);
    store.send('Hello');
    const [first] = conn.take('send');
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome({ chat: chat([SALES]) }));
    expect(conn.take('send')).toEqual([first]);
    expect(first!.department_id).toBe('d-sales');
  });

  it('does not ask without departments, nor while a chat is open', () => {
    conn.deliver(welcome({ chat: chat([]) }));
    expect(store.choosing.value).toBe(false);
    store.send('Hi');
    expect(conn.take('send')[0]).not.toHaveProperty('department_id');
    conn.deliver(welcome({ chat: chat([SALES]), conversation: { ...view(3), status: 'waiting' } }));
    expect(store.choosing.value).toBe(false);
  });

  it('asks again once the chat has ended', () => {
    conn.deliver(welcome({ chat: chat([SALES]), conversation: view(0) }));
    expect(store.choosing.value).toBe(false);
    conn.deliver({ type: 'event', event: event(1, { author: { kind: 'system' }, body: { kind: 'closed' } }) });
    expect(store.choosing.value).toBe(true);
  });

  it('leads to the offline form for a department nobody in is online, which carries it', () => {
    conn.deliver(welcome({ chat: chat([SALES, DELIVERY]) }));
    conn.take();
    store.choose(DELIVERY);
    expect(store.mode.value).toBe('form');
    expect(store.department.value).toBeNull();
    store.offline.submit({ name: 'Ann', email: 'ann@example.com', phone: '', message: 'Where is my parcel?', consent: false, website: '' });
    expect(conn.take('offline_message')).toMatchObject([{ department_id: 'd-delivery' }]);
  });

  it('leaves the department out of a message left from the queue', () => {
    conn.deliver(welcome({ chat: chat([SALES]), conversation: { ...view(1), status: 'waiting' } }));
    conn.take();
    store.offline.leave();
    store.offline.submit({ name: 'Ann', email: 'ann@example.com', phone: '', message: 'Later', consent: false, website: '' });
    expect(conn.take('offline_message')[0]).not.toHaveProperty('department_id');
  });

  it('follows who is online in each department', () => {
    conn.deliver(welcome({ chat: chat([SALES, DELIVERY]) }));
    conn.deliver({ type: 'status', operators_online: true, departments: [SALES, { ...DELIVERY, online: true }] });
    expect(store.departments.value.map((d) => d.online)).toEqual([true, true]);
    // A status without departments leaves them as they were.
    conn.deliver({ type: 'status', operators_online: true });
    expect(store.departments.value).toHaveLength(2);
  });
});

describe('ChatStore: queue', () => {
  beforeEach(() => conn.deliver(welcome({ conversation: { ...view(0), status: 'waiting' } })));

  it('shows the place of the visitor’s waiting chat, live, until it is taken', () => {
    expect(store.queuePlace.value).toBeNull();
    conn.deliver({ type: 'queue', conversation_id: CONV, place: { position: 3, wait_ms: 240_000 } });
    expect(store.queuePlace.value).toEqual({ position: 3, wait_ms: 240_000 });
    conn.deliver({ type: 'queue', conversation_id: CONV, place: { position: 2, wait_ms: null } });
    expect(store.queuePlace.value).toEqual({ position: 2, wait_ms: null });
    conn.deliver({ type: 'queue', conversation_id: CONV, place: null });
    expect(store.queuePlace.value).toBeNull();
  });

  it('hides the place once an operator joins, and ignores other conversations', () => {
    conn.deliver({ type: 'queue', conversation_id: 'c-9', place: { position: 1, wait_ms: 0 } });
    expect(store.queuePlace.value).toBeNull();
    conn.deliver({ type: 'queue', conversation_id: CONV, place: { position: 1, wait_ms: 0 } });
    conn.deliver({ type: 'event', event: event(1, { body: { kind: 'joined' } }) });
    expect(store.queuePlace.value).toBeNull();
  });
});

describe('ChatStore: staff in the chat', () => {
  const names = () => store.team.value.map((agent) => agent.name);

  it('starts from the view and follows transfers, joins and leaves', () => {
    conn.deliver(welcome({ conversation: { ...view(2), assignee: { id: 's-1', name: 'Anna' } } }));
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 2), last_seq: 2 });
    expect(names()).toEqual(['Anna']);
    conn.deliver({ type: 'event', event: event(3, { body: { kind: 'transferred', to: BORIS } }) });
    expect(names()).toEqual(['Boris']);
    conn.deliver({ type: 'event', event: event(4, { author: { kind: 'agent', ...SUE }, body: { kind: 'joined' } }) });
    expect(names()).toEqual(['Boris', 'Sue']);
    conn.deliver({ type: 'event', event: event(5, { author: { kind: 'agent', ...SUE }, body: { kind: 'left' } }) });
    expect(names()).toEqual(['Boris']);
  });

  it('does not replay the history over the view’s team', () => {
    conn.deliver(welcome({ conversation: { ...view(3), assignee: BORIS, participants: [SUE] } }));
    conn.deliver({
      type: 'history',
      conversation_id: CONV,
      events: [
        event(1, { body: { kind: 'joined' } }),
        event(2, { body: { kind: 'transferred', to: BORIS } }),
        event(3, { author: { kind: 'agent', ...SUE }, body: { kind: 'joined' } }),
      ],
      last_seq: 3,
    });
    expect(names()).toEqual(['Boris', 'Sue']);
  });

  it('puts a chat transferred to a department back in the queue', () => {
    conn.deliver(welcome({ conversation: view(1) }));
    conn.deliver({ type: 'event', event: event(1, { body: { kind: 'joined' } }) });
    conn.deliver({ type: 'event', event: event(2, { body: { kind: 'transferred', department: { id: 'd-1', name: 'Delivery' } } }) });
    expect(names()).toEqual([]);
    expect(store.status.value).toBe('waiting');
  });
});

describe('ChatStore: staff-only events', () => {
  it('never shows whispers or notes, nor lets them change the chat, even if one arrives', () => {
    conn.deliver(welcome({ conversation: { ...view(0), status: 'waiting' } }));
    conn.deliver({ type: 'event', event: event(1, { author: { kind: 'visitor' }, body: { kind: 'message', text: 'Hi' } }) });
    conn.deliver({ type: 'event', event: event(2, { body: { kind: 'whisper', text: 'VIP, be nice' } }) });
    conn.deliver({ type: 'event', event: event(3, { body: { kind: 'note', text: 'refund pending' } }) });
    expect(store.items.value.map((item) => item.kind === 'event' && item.event.seq)).toEqual([1]);
    expect(store.transcript.value.map((e) => e.seq)).toEqual([1]);
    expect(store.status.value).toBe('waiting');
    // They still count for the order: the next event is not held back.
    conn.deliver({ type: 'event', event: event(4) });
    expect(store.items.value).toHaveLength(2);
  });
});

describe('ChatStore: read receipts', () => {
  let visibility: DocumentVisibilityState;
  beforeEach(() => {
    vi.useFakeTimers();
    visibility = 'visible';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
    conn.deliver(welcome({ conversation: view(0) }));
    conn.take();
  });

  it('says what was read while the panel is open and the tab visible, once per burst', () => {
    conn.deliver({ type: 'event', event: event(1) });
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([]);
    store.shown.value = true;
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([{ type: 'read', conversation_id: CONV, seq: 1 }]);
    conn.deliver({ type: 'event', event: event(2) });
    vi.advanceTimersByTime(READ_DELAY_MS / 2);
    conn.deliver({ type: 'event', event: event(3) });
    vi.advanceTimersByTime(READ_DELAY_MS / 2);
    expect(conn.take('read')).toEqual([]);
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([{ type: 'read', conversation_id: CONV, seq: 3 }]);
    vi.advanceTimersByTime(READ_DELAY_MS * 5);
    expect(conn.take('read')).toEqual([]);
  });

  it('waits for the tab to be visible again', () => {
    store.shown.value = true;
    visibility = 'hidden';
    conn.deliver({ type: 'event', event: event(1) });
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([]);
    visibility = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([{ type: 'read', conversation_id: CONV, seq: 1 }]);
  });

  it('does not say again what the server knows was read', () => {
    conn.deliver(welcome({ conversation: { ...view(2), receipts: receipts({ visitor_read: 2 }) } }));
    conn.deliver({ type: 'history', conversation_id: CONV, events: events(1, 2), last_seq: 2 });
    store.shown.value = true;
    vi.advanceTimersByTime(READ_DELAY_MS);
    expect(conn.take('read')).toEqual([]);
  });

  it('marks the visitor’s messages read once staff has read up to them', () => {
    conn.deliver({ type: 'receipts', conversation_id: CONV, receipts: receipts({ agent_delivered: 3, agent_read: 2 }) });
    expect([1, 2, 3, 4].map((seq) => store.delivery(CONV, seq))).toEqual(['read', 'read', 'delivered', 'sent']);
  });
});

describe('ChatStore: sneak peek', () => {
  beforeEach(() => vi.useFakeTimers());

  /** Types `text` one character every `every` ms; returns the typing frames with when they went out. */
  function typeOut(text: string, every: number) {
    const frames: { at: number; draft?: string; active: boolean }[] = [];
    const start = Date.now();
    const collect = () => conn.take('typing').forEach((f) => frames.push({ at: Date.now() - start, active: f.active, ...(f.draft !== undefined && { draft: f.draft }) }));
    for (let i = 1; i <= text.length; i++) {
      store.typed(text.slice(0, i));
      collect();
      for (let t = 0; t < every; t += 10) {
        vi.advanceTimersByTime(10);
        collect();
      }
    }
    return { frames, collect };
  }

  it('sends the draft at most every 300 ms while typing, and the last of it when typing pauses', () => {
    conn.deliver(welcome({ chat: chat([], true) }));
    conn.take();
    const text = 'Where is my order #12345?';
    const { frames, collect } = typeOut(text, 50);
    vi.advanceTimersByTime(DRAFT_EVERY_MS);
    collect();
    expect(frames.length).toBeGreaterThan(3);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.at - frames[i - 1]!.at).toBeGreaterThanOrEqual(DRAFT_EVERY_MS);
    expect(frames[0]).toEqual({ at: 0, active: true, draft: 'W' });
    expect(frames.at(-1)).toMatchObject({ active: true, draft: text });
    // Quiet for long enough: it stopped, with what is left in the composer.
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(conn.take('typing')).toEqual([{ type: 'typing', active: false, draft: text }]);
  });

  it('says the draft is gone once the message is sent', () => {
    conn.deliver(welcome({ chat: chat([], true) }));
    conn.take();
    store.typed('Hi');
    store.send('Hi');
    expect(conn.take('typing')).toEqual([
      { type: 'typing', active: true, draft: 'Hi' },
      { type: 'typing', active: false, draft: '' },
    ]);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(conn.take('typing')).toEqual([]);
  });

  it('cuts the draft to the length of a message', () => {
    conn.deliver(welcome({ chat: chat([], true) }));
    conn.take();
    store.typed('😀'.repeat(4100));
    const [frame] = conn.take('typing');
    expect([...frame!.draft!]).toHaveLength(4000);
    expect(frame!.draft!.endsWith('😀')).toBe(true);
  });

  it('never sends a draft when the site has no sneak peek', () => {
    conn.deliver(welcome({ chat: chat([], false) }));
    conn.take();
    const { frames } = typeOut('secret text', 100);
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    const all = [...frames, ...conn.take('typing')];
    expect(all.length).toBeGreaterThan(0);
    for (const frame of all) expect(frame).not.toHaveProperty('draft');
  });

  it('nor with a server that does not say', () => {
    conn.deliver(welcome());
    conn.take();
    store.typed('secret');
    store.send('secret');
    expect(conn.take('typing')).toEqual([
      { type: 'typing', active: true },
      { type: 'typing', active: false },
    ]);
  });
});
