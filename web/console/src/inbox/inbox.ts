import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { StaffId } from '../../../protocol/StaffId';

export interface InboxSections {
  /** Unassigned, oldest first: whoever has waited longest is answered first. */
  readonly waiting: readonly ConversationSummary[];
  /** Active and assigned to me, most recent activity first. */
  readonly mine: readonly ConversationSummary[];
  /** Closed, most recently changed first. */
  readonly closed: readonly ConversationSummary[];
}

const byCreated = (a: ConversationSummary, b: ConversationSummary) =>
  a.created_at - b.created_at || a.id.localeCompare(b.id);
const byUpdatedDesc = (a: ConversationSummary, b: ConversationSummary) =>
  b.updated_at - a.updated_at || a.id.localeCompare(b.id);

/** Splits the known conversations into the inbox's sections. Colleagues' active chats are not listed. */
export function inboxSections(conversations: Iterable<ConversationSummary>, me: StaffId): InboxSections {
  const waiting: ConversationSummary[] = [];
  const mine: ConversationSummary[] = [];
  const closed: ConversationSummary[] = [];
  for (const c of conversations) {
    if (c.status === 'waiting') waiting.push(c);
    else if (c.status === 'closed') closed.push(c);
    else if (c.assignee?.id === me) mine.push(c);
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
