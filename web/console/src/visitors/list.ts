import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import type { VisitorId } from '../../../protocol/VisitorId';

export type VisitorMap = ReadonlyMap<VisitorId, LiveVisitor>;

/** Changes waiting for the next frame: a row to put (whole) or `null` for a visitor who left. */
export type Pending = Map<VisitorId, LiveVisitor | null>;

/** The live list after a snapshot (when one came) and the changes after it, in order. */
export function applyChanges(rows: VisitorMap, snapshot: readonly LiveVisitor[] | null, changes: Pending): Map<VisitorId, LiveVisitor> {
  const next = snapshot ? new Map(snapshot.map((v) => [v.visitor_id, v])) : new Map(rows);
  for (const [id, row] of changes) {
    if (row) next.set(id, row);
    else next.delete(id);
  }
  return next;
}

/** The tail the server uses for anonymous labels ("Visitor 3f9a"): the id's last four hex digits. */
export const idTail = (id: VisitorId) => id.replace(/[^0-9a-zA-Z]/g, '').slice(-4);

export type ChatFilter = 'any' | 'chatting' | 'not_chatting';
export type ActivityFilter = 'any' | 'active' | 'idle';

export interface VisitorFilter {
  /** Matched, case-insensitively, against name, email, page title and URL. */
  readonly text: string;
  /** ISO code, or empty for every country. */
  readonly country: string;
  readonly returningOnly: boolean;
  readonly chat: ChatFilter;
  readonly activity: ActivityFilter;
}

export const NO_FILTER: VisitorFilter = { text: '', country: '', returningOnly: false, chat: 'any', activity: 'any' };

export const isFiltered = (f: VisitorFilter) =>
  f.text.trim() !== '' || f.country !== '' || f.returningOnly || f.chat !== 'any' || f.activity !== 'any';

export type SortKey = 'time_on_site' | 'time_on_page' | 'visit' | 'country' | 'page';
export type SortDir = 'asc' | 'desc';

export interface VisitorSort {
  readonly key: SortKey;
  readonly dir: SortDir;
}

/** Newest arrivals first: they are the ones an operator may want to greet. */
export const DEFAULT_SORT: VisitorSort = { key: 'time_on_site', dir: 'asc' };

// Rows are replaced whole on every change, so a row's search text can be kept with the row itself.
const haystacks = new WeakMap<LiveVisitor, string>();

function haystack(v: LiveVisitor): string {
  let text = haystacks.get(v);
  if (text === undefined) {
    const { name, email } = v.identity;
    text = [name, email, v.page?.title, v.page?.url].filter(Boolean).join('\n').toLowerCase();
    haystacks.set(v, text);
  }
  return text;
}

export function matches(v: LiveVisitor, filter: VisitorFilter, needle = filter.text.trim().toLowerCase()): boolean {
  if (needle && !haystack(v).includes(needle)) return false;
  if (filter.country && v.country?.toUpperCase() !== filter.country) return false;
  if (filter.returningOnly && v.visit_number <= 1) return false;
  if (filter.chat === 'chatting' && !v.chat) return false;
  if (filter.chat === 'not_chatting' && v.chat) return false;
  if (filter.activity === 'active' && !v.active) return false;
  if (filter.activity === 'idle' && v.active) return false;
  return true;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

type Key = number | string | null;

/**
 * Each sort as a key of one row and its natural ascending order. Time keys are the
 * moments the visit and the page began: "longer on site" is an earlier start, so the
 * order stays put while the clock ticks and needs no resorting.
 */
function sortKey(key: SortKey, v: LiveVisitor): Key {
  switch (key) {
    case 'time_on_site':
      return -v.visit_started_at;
    case 'time_on_page':
      return v.page ? -v.page.at : null;
    case 'visit':
      return v.visit_number;
    case 'country':
      return v.country?.toUpperCase() ?? null;
    case 'page':
      return v.page ? v.page.title || v.page.url : null;
  }
}

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** The rows to show, filtered then sorted; rows without the sorted value go last either way. */
export function visibleRows(rows: VisitorMap, filter: VisitorFilter, sort: VisitorSort): LiveVisitor[] {
  const needle = filter.text.trim().toLowerCase();
  const keyed: { v: LiveVisitor; k: Key }[] = [];
  for (const v of rows.values()) if (matches(v, filter, needle)) keyed.push({ v, k: sortKey(sort.key, v) });
  const sign = sort.dir === 'asc' ? 1 : -1;
  keyed.sort((x, y) => {
    if (x.k === null || y.k === null) {
      if (x.k !== y.k) return x.k === null ? 1 : -1;
    } else {
      const order = compareKeys(x.k, y.k);
      if (order !== 0) return sign * order;
    }
    // Ties keep a stable order between renders.
    return x.v.visitor_id < y.v.visitor_id ? -1 : x.v.visitor_id > y.v.visitor_id ? 1 : 0;
  });
  return keyed.map((e) => e.v);
}

export interface Counts {
  readonly total: number;
  readonly chatting: number;
}

export function countRows(rows: VisitorMap): Counts {
  let chatting = 0;
  for (const v of rows.values()) if (v.chat) chatting++;
  return { total: rows.size, chatting };
}

/** The countries present, for the filter's choices. */
export function countriesOf(rows: VisitorMap): string[] {
  const found = new Set<string>();
  for (const v of rows.values()) if (v.country) found.add(v.country.toUpperCase());
  return [...found].sort();
}

/** Whether the operator may invite this visitor now. */
export const canInvite = (v: LiveVisitor) => !v.chat && v.invitation?.state !== 'pending';
