import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvitationView } from '../../../protocol/InvitationView';
import { liveVisitor, T0 } from '../test/fixtures';
import { storeHarness } from '../test/store';
import { INVITE_SETTLE_MS, NOTICE_MS } from './store';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const ids = (h: ReturnType<typeof storeHarness>) => [...h.store.visitors.rows.value.keys()].sort();

function watching() {
  const h = storeHarness();
  h.welcome([]);
  const stop = h.store.visitors.watch();
  return { h, stop };
}

const invitation = (state: InvitationView['state']): InvitationView => ({
  id: 'inv-1',
  agent: { id: 'staff-anna', name: 'Anna' },
  rule_id: null,
  text: 'Hi!',
  state,
  at: T0,
});

describe('watching the live list', () => {
  it('asks the server when the first watcher starts and stops after the last one', () => {
    const h = storeHarness();
    h.welcome([]);
    const one = h.store.visitors.watch();
    const two = h.store.visitors.watch();
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: true }]);
    one();
    one();
    expect(h.take('watch_visitors')).toEqual([]);
    two();
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: false }]);
  });

  it('asks again after every reconnect while watching, and not when nobody watches', () => {
    const { h, stop } = watching();
    h.take('watch_visitors');
    h.welcome([]);
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: true }]);
    stop();
    h.take('watch_visitors');
    h.welcome([]);
    expect(h.take('watch_visitors')).toEqual([]);
  });
});

describe('applying the list', () => {
  it('takes a snapshot, then upserts whole rows and removes the ones that left', () => {
    const { h } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a'), liveVisitor('b')] });
    expect(h.store.visitors.synced.value).toBe(false);
    h.paint();
    expect(ids(h)).toEqual(['a', 'b']);
    expect(h.store.visitors.synced.value).toBe(true);

    const moved = liveVisitor('a', { page: { url: 'https://shop.example/cart', title: 'Cart', at: T0 + 1000 } });
    h.receive({ type: 'visitors_changed', changed: [moved, liveVisitor('c')], left: ['b'] });
    h.paint();
    expect(ids(h)).toEqual(['a', 'c']);
    expect(h.store.visitors.rows.value.get('a')).toEqual(moved);
  });

  it('applies everything that arrived within one frame at once, in order', () => {
    const { h } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a')] });
    h.receive({ type: 'visitors_changed', changed: [liveVisitor('b')], left: [] });
    h.receive({ type: 'visitors_changed', changed: [], left: ['b'] });
    h.receive({ type: 'visitors_changed', changed: [liveVisitor('a', { visit_number: 3 })], left: [] });
    expect(h.frames).toHaveLength(1);
    const before = h.store.visitors.rows.value;
    expect(h.store.visitors.view.value).toEqual([]);
    h.paint();
    expect(h.store.visitors.rows.value).not.toBe(before);
    expect(ids(h)).toEqual(['a']);
    expect(h.store.visitors.rows.value.get('a')?.visit_number).toBe(3);
  });

  it('replaces the list with the snapshot after a reconnect', () => {
    const { h } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a'), liveVisitor('b')] });
    h.paint();
    h.receive({ type: 'visitors_changed', changed: [liveVisitor('stale')], left: [] });
    h.welcome([]);
    expect(h.store.visitors.synced.value).toBe(false);
    h.paint();
    expect(ids(h)).toEqual(['a', 'b']);

    h.receive({ type: 'visitors', visitors: [liveVisitor('b'), liveVisitor('d')] });
    h.paint();
    expect(ids(h)).toEqual(['b', 'd']);
    expect(h.store.visitors.synced.value).toBe(true);
  });

  it('forgets the list when nobody watches and ignores frames meanwhile', () => {
    const { h, stop } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a')] });
    h.paint();
    stop();
    expect(ids(h)).toEqual([]);
    h.receive({ type: 'visitors_changed', changed: [liveVisitor('b')], left: [] });
    h.paint();
    expect(ids(h)).toEqual([]);
  });

  it('counts visitors on the site and those chatting', () => {
    const { h } = watching();
    h.receive({
      type: 'visitors',
      visitors: [liveVisitor('a'), liveVisitor('b', { chat: { conversation_id: 'c1', assignee: null } }), liveVisitor('c')],
    });
    h.paint();
    expect(h.store.visitors.counts.value).toEqual({ total: 3, chatting: 1 });
  });
});

describe('invitations', () => {
  it('sends the text, holds the button until the row catches up, and refuses bad lengths', () => {
    const { h } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a')] });
    h.paint();
    const visitors = h.store.visitors;
    visitors.openInvite('a');
    expect(visitors.invite('a', '   ')).toBe(false);
    expect(visitors.invite('a', 'x'.repeat(501))).toBe(false);
    expect(h.take('invite')).toEqual([]);

    expect(visitors.invite('a', '  Need a hand?  ')).toBe(true);
    expect(h.take('invite')).toEqual([{ type: 'invite', visitor_id: 'a', text: 'Need a hand?' }]);
    expect(visitors.inviting.value).toBeNull();
    expect(visitors.invited.value.has('a')).toBe(true);

    h.receive({ type: 'visitors_changed', changed: [liveVisitor('a', { invitation: invitation('pending') })], left: [] });
    h.paint();
    expect(visitors.invited.value.has('a')).toBe(false);
  });

  it('frees the button after a while when no change arrives, or when the server refuses', () => {
    const { h } = watching();
    h.store.visitors.invite('a', 'Hello');
    vi.advanceTimersByTime(INVITE_SETTLE_MS);
    expect(h.store.visitors.invited.value.size).toBe(0);

    h.store.visitors.invite('a', 'Hello');
    h.receive({ type: 'error', code: 'not_found', message: 'gone' });
    expect(h.store.visitors.invited.value.size).toBe(0);
  });

  it('keeps the dialog open and warns when the socket is down', () => {
    const { h } = watching();
    h.setUp(false);
    h.store.visitors.openInvite('a');
    expect(h.store.visitors.invite('a', 'Hello')).toBe(false);
    expect(h.store.visitors.inviting.value).toBe('a');
    expect(h.store.notice.value).toBe('network');
  });

  it('shows the answer on the row and as a notice that goes away', () => {
    const { h } = watching();
    h.receive({ type: 'visitors', visitors: [liveVisitor('a', { invitation: invitation('pending') })] });
    h.paint();
    h.receive({ type: 'invitation', visitor_id: 'a', invitation: invitation('declined') });
    h.paint();
    expect(h.store.visitors.rows.value.get('a')?.invitation?.state).toBe('declined');
    expect(h.store.visitors.notices.value).toMatchObject([{ visitorId: 'a', state: 'declined' }]);
    vi.advanceTimersByTime(NOTICE_MS);
    expect(h.store.visitors.notices.value).toEqual([]);
  });
});
