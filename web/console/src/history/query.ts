import type { ConversationStatus } from '../../../protocol/ConversationStatus';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';

export const HISTORY_PAGE = 50;

/** Where the next page starts: after the last row shown (rows of one millisecond told apart by id). */
export interface PageCursor {
  readonly updated_at: number;
  readonly id: string;
}

/** The history filters as the form holds them; empty means any. */
export interface HistoryFilters {
  readonly site: string;
  readonly tag: string;
  readonly assignee: string;
  readonly department: string;
  readonly status: '' | ConversationStatus;
  /** `yyyy-mm-dd` in the operator's own time zone. */
  readonly from: string;
  readonly to: string;
}

export const noFilters: HistoryFilters = { site: '', tag: '', assignee: '', department: '', status: '', from: '', to: '' };

/** Local midnight of a `yyyy-mm-dd` date in ms, or null when it is not one. */
export function dayStart(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return d.getMonth() === Number(m[2]) - 1 && d.getDate() === Number(m[3]) ? d.getTime() : null;
}

/**
 * The search query for a page of history: filters as given (tags lower case, as stored),
 * the date range covering both whole days, and `before` the last row already shown.
 */
export function historyQuery(f: HistoryFilters, before: PageCursor | null = null, limit = HISTORY_PAGE): string {
  const q = new URLSearchParams();
  const put = (key: string, value: string) => {
    const v = value.trim();
    if (v) q.set(key, v);
  };
  put('site_id', f.site);
  put('tag', f.tag.toLowerCase());
  put('assignee', f.assignee);
  put('department', f.department);
  put('status', f.status);
  const from = dayStart(f.from);
  if (from !== null) q.set('from', String(from));
  const to = dayStart(f.to);
  if (to !== null) {
    const next = new Date(to);
    next.setDate(next.getDate() + 1);
    q.set('to', String(next.getTime() - 1));
  }
  if (before !== null) {
    q.set('before', String(before.updated_at));
    q.set('before_id', before.id);
  }
  q.set('limit', String(limit));
  return q.toString();
}

/** The range runs backwards: "to" before "from". */
export function rangeReversed(f: HistoryFilters): boolean {
  const from = dayStart(f.from);
  const to = dayStart(f.to);
  return from !== null && to !== null && to < from;
}

/** Where the next page starts, or null when the last page was not full. */
export function nextBefore(page: readonly ConversationSummary[], limit = HISTORY_PAGE): PageCursor | null {
  const last = page.at(-1);
  return page.length < limit || !last ? null : { updated_at: last.updated_at, id: last.id };
}

/** Rows appended by a later page, each conversation once (rows updated between pages may repeat). */
export function appendPage(rows: readonly ConversationSummary[], page: readonly ConversationSummary[]): ConversationSummary[] {
  const seen = new Set(rows.map((r) => r.id));
  return [...rows, ...page.filter((r) => !seen.has(r.id))];
}
