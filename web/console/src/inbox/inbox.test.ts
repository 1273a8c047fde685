import { describe, expect, it } from 'vitest';
import { ME, T0, anna, bo, summary, textEvent, visitor } from '../test/fixtures';
import { UNANSWERED_ALERT_MS, allChats, filterCounts, filterSections, inboxSections, queuePositions, unansweredFor } from './inbox';
import { markRead, noUnread, noteEvent, noteSummary, unreadCount, unreadTotal, type Unread } from './unread';

const mine = { id: ME.id, name: ME.name };
const colleague = { id: 'staff-bo', name: 'Bo' };

describe('inbox sections', () => {
  const all = [
    summary('w-new', { created_at: T0 + 5000 }),
    summary('m-old', { status: 'active', assignee: mine, updated_at: T0 + 100 }),
    summary('w-old', { created_at: T0 + 1000, updated_at: T0 + 9000 }),
    summary('theirs', { status: 'active', assignee: colleague }),
    summary('c-old', { status: 'closed', assignee: mine, updated_at: T0 + 10 }),
    summary('m-new', { status: 'active', assignee: mine, updated_at: T0 + 200 }),
    summary('c-new', { status: 'closed', updated_at: T0 + 20 }),
  ];
  const sections = inboxSections(all, ME.id);
  const ids = (list: readonly { id: string }[]) => list.map((c) => c.id);

  it('lists waiting conversations oldest first, whatever their last activity', () => {
    expect(ids(sections.waiting)).toEqual(['w-old', 'w-new']);
  });

  it('lists my active conversations by latest activity and leaves out colleagues’', () => {
    expect(ids(sections.mine)).toEqual(['m-new', 'm-old']);
  });

  it('lists closed conversations most recent first', () => {
    expect(ids(sections.closed)).toEqual(['c-new', 'c-old']);
  });
});

describe('unread counting', () => {
  it('counts each visitor message once, whichever way it arrives', () => {
    let u: Unread = noteSummary(noUnread, summary('a', { last_seq: 1, last_message: textEvent('a', 1, 'hi') }));
    u = noteEvent(u, textEvent('a', 1, 'hi'));
    u = noteEvent(u, textEvent('a', 2, 'anyone?'));
    u = noteSummary(u, summary('a', { last_seq: 2, last_message: textEvent('a', 2, 'anyone?') }));
    expect(unreadCount(u, 'a')).toBe(2);
  });

  it('does not count my own messages or system lines', () => {
    let u = noteEvent(noUnread, textEvent('a', 1, 'hello', anna));
    u = noteEvent(u, textEvent('a', 2, 'hi', bo));
    u = noteEvent(u, { ...textEvent('a', 3, ''), body: { kind: 'closed' }, author: { kind: 'system' } });
    expect(unreadCount(u, 'a')).toBe(0);
  });

  it('takes what staff already received as read on first sight', () => {
    const seen = summary('a', {
      last_seq: 4,
      receipts: { agent_delivered: 4, visitor_delivered: 4, agent_read: 0, visitor_read: 0 },
      last_message: textEvent('a', 4, 'thanks'),
    });
    const u = noteSummary(noUnread, seen);
    expect(unreadCount(u, 'a')).toBe(0);
    expect(unreadCount(noteEvent(u, textEvent('a', 5, 'one more', visitor)), 'a')).toBe(1);
  });

  it('clears on reading and ignores older messages arriving late', () => {
    let u = noteEvent(noUnread, textEvent('a', 1, 'x'));
    u = noteEvent(u, textEvent('a', 2, 'y'));
    u = noteEvent(u, textEvent('a', 3, 'z'));
    u = markRead(u, 'a', 2);
    expect(unreadCount(u, 'a')).toBe(1);
    u = markRead(u, 'a', 3);
    u = noteEvent(u, textEvent('a', 2, 'y'));
    expect(unreadCount(u, 'a')).toBe(0);
  });

  it('totals only the conversations asked for', () => {
    let u = noteEvent(noUnread, textEvent('a', 1, 'x'));
    u = noteEvent(u, textEvent('b', 1, 'y'));
    u = noteEvent(u, textEvent('b', 2, 'z'));
    u = noteEvent(u, textEvent('closed', 1, 'old'));
    expect(unreadTotal(u, ['a', 'b'])).toBe(3);
  });
});

describe('offline and missed filters', () => {
  it('keeps only the flagged conversations in every section, and counts them', () => {
    const sections = inboxSections(
      [
        summary('a'),
        summary('b', { offline: true }),
        summary('c', { status: 'active', assignee: { id: 'me', name: 'Me' }, offline: true }),
        summary('d', { status: 'closed', missed: true }),
        summary('e', { status: 'closed', offline: true, missed: false }),
      ],
      'me',
    );
    const ids = (s: ReturnType<typeof filterSections>) => [s.waiting, s.mine, s.closed].map((l) => l.map((c) => c.id));
    expect(ids(filterSections(sections, 'all'))).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
    expect(ids(filterSections(sections, 'offline'))).toEqual([['b'], ['c'], ['e']]);
    expect(ids(filterSections(sections, 'missed'))).toEqual([[], [], ['d']]);
    expect(filterCounts(sections)).toEqual({ all: 5, offline: 3, missed: 1 });
  });
});

describe('queue places and the supervisor’s list', () => {
  const sales = { id: 'dep-sales', name: 'Sales' };
  const list = [
    summary('s2', { created_at: T0 + 3000, department: sales }),
    summary('q1', { created_at: T0 + 1000 }),
    summary('s1', { created_at: T0 + 2000, department: sales }),
    summary('q2', { created_at: T0 + 4000 }),
    summary('other-site', { created_at: T0 + 500, site_id: 'site-2' }),
    summary('busy', { status: 'active', assignee: colleague, unanswered_since: T0 + 100 }),
    summary('calm', { status: 'active', assignee: mine, unanswered_since: null }),
    summary('done', { status: 'closed' }),
  ];

  it('counts places oldest first within each site’s and department’s queue', () => {
    const places = queuePositions(list);
    expect(Object.fromEntries(places)).toEqual({ q1: 1, q2: 2, s1: 1, s2: 2, 'other-site': 1 });
  });

  it('lists every open chat: waiting first, then active ones longest unanswered first', () => {
    expect(allChats(list).map((c) => c.id)).toEqual(['other-site', 'q1', 's1', 's2', 'q2', 'busy', 'calm']);
  });

  it('measures unanswered time only for active chats', () => {
    expect(unansweredFor(list[5]!, T0 + 100 + UNANSWERED_ALERT_MS + 1)).toBeGreaterThan(UNANSWERED_ALERT_MS);
    expect(unansweredFor(list[6]!, T0)).toBeNull();
    expect(unansweredFor(summary('w', { unanswered_since: T0 }), T0 + 5)).toBeNull();
  });

  it('counts a chat I joined as mine', () => {
    const joined = summary('j', { status: 'active', assignee: colleague, participants: [mine] });
    expect(inboxSections([joined], ME.id).mine.map((c) => c.id)).toEqual(['j']);
  });
});
