import type { BusinessHours } from '../../../protocol/BusinessHours';
import type { Holiday } from '../../../protocol/Holiday';
import type { OpenInterval } from '../../../protocol/OpenInterval';
import type { WeeklyHours } from '../../../protocol/WeeklyHours';

// The server's limits (`shopkeep-core` hours.rs).
export const MAX_INTERVALS_PER_DAY = 4;
export const MAX_HOLIDAYS = 100;

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

/** A holiday row: `to` empty for a single day. */
export interface HolidayRow {
  readonly from: string;
  readonly to: string;
}

export interface HoursForm {
  readonly alwaysOpen: boolean;
  readonly timeZone: string;
  readonly weekly: Readonly<Record<Day, readonly OpenInterval[]>>;
  readonly holidays: readonly HolidayRow[];
}

/** What a new set of hours starts as: weekdays 9 to 6 in the browser's zone. */
function defaultWeekly(): Record<Day, OpenInterval[]> {
  const nine = () => [{ open: '09:00', close: '18:00' }];
  return { mon: nine(), tue: nine(), wed: nine(), thu: nine(), fri: nine(), sat: [], sun: [] };
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The IANA zones this browser knows, or none when it cannot list them (a text field is offered then). */
export function timeZones(): readonly string[] {
  const intl = Intl as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function hoursForm(hours: BusinessHours | null): HoursForm {
  if (!hours) return { alwaysOpen: true, timeZone: browserTimeZone(), weekly: defaultWeekly(), holidays: [] };
  const weekly = Object.fromEntries(DAYS.map((d) => [d, hours.weekly[d].map((i) => ({ ...i }))])) as Record<Day, OpenInterval[]>;
  return {
    alwaysOpen: false,
    timeZone: hours.time_zone,
    weekly,
    holidays: hours.holidays.map((h) => ({ from: h.from, to: h.to ?? '' })),
  };
}

const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type HoursProblem =
  | { kind: 'time_zone' }
  | { kind: 'time'; day: Day }
  | { kind: 'order'; day: Day }
  | { kind: 'overlap'; day: Day }
  | { kind: 'too_many'; day: Day }
  | { kind: 'date'; number: number }
  | { kind: 'range'; number: number }
  | { kind: 'too_many_holidays' };

/**
 * The `hours` of a site patch: `null` when always open, else `BusinessHours` with each
 * day's intervals in order and a one-day holiday without `to`. Catches what a form can get
 * wrong; the server checks the rest (the zone's name, a holiday's length).
 */
export function businessHours(form: HoursForm): { ok: true; hours: BusinessHours | null } | { ok: false; problem: HoursProblem } {
  if (form.alwaysOpen) return { ok: true, hours: null };
  const timeZone = form.timeZone.trim();
  if (!timeZone) return { ok: false, problem: { kind: 'time_zone' } };
  const weekly = {} as WeeklyHours;
  for (const day of DAYS) {
    const intervals = form.weekly[day].map((i) => ({ open: i.open.trim(), close: i.close.trim() }));
    if (intervals.length > MAX_INTERVALS_PER_DAY) return { ok: false, problem: { kind: 'too_many', day } };
    if (intervals.some((i) => !TIME.test(i.open) || !TIME.test(i.close) || i.open === '24:00')) {
      return { ok: false, problem: { kind: 'time', day } };
    }
    // `HH:MM` strings compare in time order.
    if (intervals.some((i) => i.close <= i.open)) return { ok: false, problem: { kind: 'order', day } };
    intervals.sort((a, b) => a.open.localeCompare(b.open));
    if (intervals.some((i, n) => n > 0 && i.open < intervals[n - 1]!.close)) return { ok: false, problem: { kind: 'overlap', day } };
    weekly[day] = intervals;
  }
  if (form.holidays.length > MAX_HOLIDAYS) return { ok: false, problem: { kind: 'too_many_holidays' } };
  const holidays: Holiday[] = [];
  for (const [n, row] of form.holidays.entries()) {
    const from = row.from.trim();
    const to = row.to.trim();
    if (!DATE.test(from) || (to !== '' && !DATE.test(to))) return { ok: false, problem: { kind: 'date', number: n + 1 } };
    if (to !== '' && to < from) return { ok: false, problem: { kind: 'range', number: n + 1 } };
    holidays.push(to === '' || to === from ? { from } : { from, to });
  }
  return { ok: true, hours: { time_zone: timeZone, weekly, holidays } };
}
