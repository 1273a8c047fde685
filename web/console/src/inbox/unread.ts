/**
 * Unread visitor messages per conversation, as pure functions.
 *
 * A conversation's mark is the seq up to which the operator has seen it, plus the
 * seqs of visitor messages after it that reached the console (as live events or as
 * the summary's last message); counting seqs makes the two sources agree.
 */
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Event } from '../../../protocol/Event';

export interface UnreadMark {
  readonly readSeq: number;
  readonly unseen: readonly number[];
}

export type Unread = ReadonlyMap<ConversationId, UnreadMark>;

export const noUnread: Unread = new Map();

const isVisitorMessage = (e: Event) => e.author.kind === 'visitor' && e.body.kind === 'message';

/** A visitor message reached the console. */
export function noteEvent(u: Unread, event: Event): Unread {
  if (!isVisitorMessage(event)) return u;
  const mark = u.get(event.conversation_id) ?? { readSeq: 0, unseen: [] };
  if (event.seq <= mark.readSeq || mark.unseen.includes(event.seq)) return u;
  return new Map(u).set(event.conversation_id, { ...mark, unseen: [...mark.unseen, event.seq] });
}

/**
 * A summary arrived. On first sight, whatever a staff client has already received
 * counts as seen, so a reload does not mark every old conversation unread.
 */
export function noteSummary(u: Unread, summary: ConversationSummary): Unread {
  const known = u.has(summary.id)
    ? u
    : new Map(u).set(summary.id, { readSeq: summary.receipts.agent_delivered, unseen: [] });
  return summary.last_message ? noteEvent(known, summary.last_message) : known;
}

/** The operator has seen the conversation up to `seq`. */
export function markRead(u: Unread, id: ConversationId, seq: number): Unread {
  const mark = u.get(id);
  if (mark && mark.readSeq >= seq && mark.unseen.length === 0) return u;
  const readSeq = Math.max(seq, mark?.readSeq ?? 0);
  return new Map(u).set(id, { readSeq, unseen: (mark?.unseen ?? []).filter((s) => s > readSeq) });
}

export function unreadCount(u: Unread, id: ConversationId): number {
  return u.get(id)?.unseen.length ?? 0;
}

export function unreadTotal(u: Unread, ids: Iterable<ConversationId>): number {
  let total = 0;
  for (const id of ids) total += unreadCount(u, id);
  return total;
}
