import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TeamMember } from '../../../protocol/TeamMember';
import { ME, T0, bo, summary, textEvent } from '../test/fixtures';
import { mineActive, storeHarness } from '../test/store';
import { AGENT_TYPING_TTL_MS, departmentList, teamMembers } from './store';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sue = { id: 'staff-sue', name: 'Sue' };
const member = (id: string, name: string): TeamMember => ({
  id,
  name,
  role: 'operator',
  status: 'online',
  departments: [],
  max_chats: 3,
  active_chats: 1,
  photo: null,
});

describe('team and departments', () => {
  it('come with the welcome and are replaced by their own frames', () => {
    const h = storeHarness();
    h.receive({ type: 'welcome', me: ME, conversations: [], team: [member('a', 'A')], departments: [] });
    expect(teamMembers.value.map((m) => m.id)).toEqual(['a']);
    h.receive({ type: 'team', members: [member('b', 'B')] });
    expect(h.store.team.value.map((m) => m.id)).toEqual(['b']);
    h.receive({
      type: 'departments',
      departments: [
        { id: 'd', site_id: 'site-1', position: 0, name: 'Sales', routing: 'manual', public: true, pages: [], notify_address: null, members: [] },
      ],
    });
    expect(departmentList.value.map((d) => d.name)).toEqual(['Sales']);
  });
});

describe('viewing and reading', () => {
  it('says which conversation is on screen, and none when it is left', () => {
    const h = storeHarness();
    h.welcome([mineActive('a'), mineActive('b')]);
    h.take('viewing');
    h.store.open('a');
    h.store.open('b');
    h.store.open(null);
    expect(h.take('viewing').map((f) => f.conversation_id)).toEqual(['a', 'b', null]);
  });

  it('reports read up to what is on screen, only while the console is focused', () => {
    const h = storeHarness();
    h.welcome([mineActive('a', { last_seq: 2 })]);
    h.store.setViewing(false);
    h.store.open('a');
    h.receive({ type: 'history', conversation_id: 'a', events: [textEvent('a', 1, 'hi'), textEvent('a', 2, 'there')], last_seq: 2 });
    expect(h.take('read')).toEqual([]);
    h.store.setViewing(true);
    expect(h.take('read')).toEqual([{ type: 'read', conversation_id: 'a', seq: 2 }]);
    h.store.setViewing(true);
    expect(h.take('read')).toEqual([]);
  });

  it('shows colleagues viewing, never me', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.receive({ type: 'viewers', conversation_id: 'a', staff: [sue, { id: ME.id, name: ME.name }] });
    expect(h.store.viewers.value.get('a')).toEqual([sue]);
    h.receive({ type: 'viewers', conversation_id: 'a', staff: [] });
    expect(h.store.viewers.value.has('a')).toBe(false);
  });
});

describe('typing', () => {
  it('shows a colleague typing until they stop, send, or go quiet', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.receive({ type: 'typing', conversation_id: 'a', side: 'agent', active: true, agent: sue });
    h.receive({ type: 'typing', conversation_id: 'a', side: 'agent', active: true, agent: { id: ME.id, name: ME.name } });
    expect(h.store.agentTyping.value.get('a')).toEqual([sue]);
    vi.advanceTimersByTime(AGENT_TYPING_TTL_MS);
    expect(h.store.agentTyping.value.has('a')).toBe(false);
  });

  it('keeps the visitor’s unsent text as a sneak peek until the message arrives', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.receive({ type: 'draft', conversation_id: 'a', text: 'where is my ord' });
    expect(h.store.visitorDrafts.value.get('a')).toBe('where is my ord');
    h.receive({ type: 'event', event: textEvent('a', 1, 'where is my order?') });
    expect(h.store.visitorDrafts.value.has('a')).toBe(false);
  });
});

describe('whispers and notes', () => {
  it('are sent with their own frames and do not tell the visitor I am typing', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.store.setDraft('a', 'psst', false);
    expect(h.take('typing')).toEqual([]);
    h.store.send('a', 'psst', 'whisper');
    h.store.send('a', 'remember', 'note');
    expect(h.take('whisper')).toEqual([{ type: 'whisper', conversation_id: 'a', client_msg_id: 'msg-1', text: 'psst' }]);
    expect(h.take('note').map((f) => f.text)).toEqual(['remember']);
  });

  it('alert me for a visitor message or a colleague’s whisper in my chats only', () => {
    const h = storeHarness();
    h.welcome([mineActive('a'), summary('w'), summary('o', { status: 'active', assignee: sue })]);
    h.store.open('a');
    h.store.open('o');
    h.receive({ type: 'history', conversation_id: 'a', events: [], last_seq: 0 });
    h.receive({ type: 'history', conversation_id: 'o', events: [], last_seq: 0 });
    const whisper = { conversation_id: 'a', seq: 1, at: T0, author: bo, body: { kind: 'whisper' as const, text: 'psst' } };
    h.receive({ type: 'event', event: whisper });
    h.receive({ type: 'event', event: textEvent('o', 1, 'hello') });
    expect(h.deps.onChatEvent).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ id: 'a' }), whisper);
  });
});

describe('transfers', () => {
  it('keep an offer to me until I answer it', () => {
    const h = storeHarness();
    h.welcome([summary('a', { status: 'active', assignee: sue })]);
    h.receive({ type: 'transfer_offer', conversation_id: 'a', from: sue, note: 'VIP', expires_at: T0 + 30_000 });
    expect(h.deps.onTransferOffer).toHaveBeenCalledOnce();
    expect(h.store.transferOffers.value.map((o) => o.note)).toEqual(['VIP']);
    h.store.answerTransfer('a', true);
    expect(h.take('answer_transfer')).toEqual([{ type: 'answer_transfer', conversation_id: 'a', accept: true }]);
    expect(h.store.transferOffers.value).toEqual([]);
  });

  it('drop an offer to me that ended elsewhere', () => {
    const h = storeHarness();
    h.welcome([]);
    h.receive({ type: 'transfer_offer', conversation_id: 'a', from: sue, note: null, expires_at: T0 });
    h.receive({ type: 'transfer_ended', conversation_id: 'a', to: { id: ME.id, name: ME.name }, outcome: 'cancelled' });
    expect(h.store.transferOffers.value).toEqual([]);
    expect(h.store.transferResults.value).toEqual([]);
  });

  it('send my transfer with its note and show how it ended', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.store.transfer('a', { kind: 'operator', id: sue.id }, '  wants a refund ');
    expect(h.take('transfer')).toEqual([
      { type: 'transfer', conversation_id: 'a', to: { kind: 'operator', id: sue.id }, note: 'wants a refund' },
    ]);
    expect(h.store.pending.value?.action).toBe('transfer');
    h.receive({ type: 'transfer_ended', conversation_id: 'a', to: sue, outcome: 'declined' });
    expect(h.store.pending.value).toBeNull();
    expect(h.store.transferResults.value.map((r) => r.outcome)).toEqual(['declined']);
  });

  it('show a refused transfer as a notice', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    h.store.transfer('a', { kind: 'operator', id: sue.id }, '');
    expect(h.take('transfer')[0]).not.toHaveProperty('note');
    h.receive({ type: 'error', code: 'target_offline', message: 'offline' });
    expect(h.store.notice.value).toBe('target_offline');
    expect(h.store.pending.value).toBeNull();
  });
});

describe('the tab title count', () => {
  it('adds chats offered to me to the unread messages', () => {
    const h = storeHarness();
    h.welcome([mineActive('a', { last_seq: 1, last_message: textEvent('a', 1, 'hi') })]);
    h.receive({ type: 'event', event: textEvent('a', 2, 'hello?') });
    const before = h.store.attention.value;
    h.receive({ type: 'transfer_offer', conversation_id: 'b', from: sue, note: null, expires_at: T0 + 30_000 });
    expect(h.store.attention.value).toBe(before + 1);
  });
});
