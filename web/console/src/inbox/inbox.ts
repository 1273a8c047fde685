import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { StaffId } from '../../../protocol/StaffId';

export interface InboxSections {
  /** Unassigned, oldest first: whoever has waited longest is answered first. */
  readonly waiting: readonly ConversationSummary[];
  /** Active and held by me or joined by me, most recent activity first. */
  readonly mine: readonly ConversationSummary[];
  /** Closed, most recently changed first. */
  readonly closed: readonly ConversationSummary[];
}

const byCreated = (a: ConversationSummary, b: ConversationSummary) =>
  a.created_at - b.created_at || a.id.localeCompare(b.id);
const byUpdatedDesc = (a: ConversationSummary, b: ConversationSummary) =>
  b.updated_at - a.updated_at || a.id.localeCompare(b.id);

const isIn = (c: ConversationSummary, me: StaffId) =>
  c.assignee?.id === me || c.participants.some((p) => p.id === me);

/** Splits the known conversations into the inbox's sections. Colleagues' active chats are not listed here. */
export function inboxSections(conversations: Iterable<ConversationSummary>, me: StaffId): InboxSections {
  const waiting: ConversationSummary[] = [];
  const mine: ConversationSummary[] = [];
  const closed: ConversationSummary[] = [];
  for (const c of conversations) {
    if (c.status === 'waiting') waiting.push(c);
    else if (c.status === 'closed') closed.push(c);
    else if (isIn(c, me)) mine.push(c);
  }
  return {
    waiting: waiting.sort(byCreated),
    mine: mine.sort(byUpdatedDesc),
    closed: closed.sort(byUpdatedDesc),
  };
}

/** Which conversations the inbox lists: all, only offline messages, or only missed chats. */
export type InboxFilter = 'all' | 'offline' | 'missed';

const FILTERS: Record<InboxFilter, (c: ConversationSummary) => boolean> = {
  all: () => true,
  offline: (c) => c.offline === true,
  missed: (c) => c.missed === true,
};

export function filterSections(sections: InboxSections, filter: InboxFilter): InboxSections {
  if (filter === 'all') return sections;
  const keep = FILTERS[filter];
  return { waiting: sections.waiting.filter(keep), mine: sections.mine.filter(keep), closed: sections.closed.filter(keep) };
}

/** How many listed conversations each filter would show. */
export function filterCounts(sections: InboxSections): Record<InboxFilter, number> {
  const all = [...sections.waiting, ...sections.mine, ...sections.closed];
  return { all: all.length, offline: all.filter(FILTERS.offline).length, missed: all.filter(FILTERS.missed).length };
}

/** Which queue a waiting chat stands in: its site's, or its department's. */
export const queueKey = (c: ConversationSummary) => `${c.site_id}/${c.department?.id ?? ''}`;

/**
 * Each waiting chat's place in its own queue (1 is next), oldest first as the server
 * routes them. Counted over every waiting chat, so a filtered list keeps the real places.
 */
export function queuePositions(conversations: Iterable<ConversationSummary>): ReadonlyMap<ConversationSummary['id'], number> {
  const waiting = [...conversations].filter((c) => c.status === 'waiting').sort(byCreated);
  const counts = new Map<string, number>();
  const places = new Map<ConversationSummary['id'], number>();
  for (const c of waiting) {
    const key = queueKey(c);
    const place = (counts.get(key) ?? 0) + 1;
    counts.set(key, place);
    places.set(c.id, place);
  }
  return places;
}

/** Every open chat, for supervisors: waiting ones first (oldest first), then active ones, longest unanswered first. */
export function allChats(conversations: Iterable<ConversationSummary>): ConversationSummary[] {
  const open = [...conversations].filter((c) => c.status !== 'closed');
  const waiting = open.filter((c) => c.status === 'waiting').sort(byCreated);
  const active = open
    .filter((c) => c.status === 'active')
    .sort(
      (a, b) =>
        (a.unanswered_since ?? Infinity) - (b.unanswered_since ?? Infinity) || byCreated(a, b),
    );
  return [...waiting, ...active];
}

/** A visitor left unanswered longer than this is flagged in the supervisor's list. */
export const UNANSWERED_ALERT_MS = 2 * 60_000;

export function unansweredFor(c: ConversationSummary, now: number): number | null {
  return c.status === 'active' && c.unanswered_since !== null ? Math.max(0, now - c.unanswered_since) : null;
}
