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
