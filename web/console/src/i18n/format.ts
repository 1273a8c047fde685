import { lang, type Lang } from './i18n';

// Intl objects are costly to build and the inbox formats on every clock tick.
const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat>(
  key: string,
  build: (l: Lang) => T,
): T {
  const l = lang.value;
  const id = `${l}|${key}`;
  let format = cache.get(id);
  if (!format) {
    format = build(l);
    cache.set(id, format);
  }
  return format as T;
}

const dateFormat = (key: string, options: Intl.DateTimeFormatOptions) =>
  cached(key, (l) => new Intl.DateTimeFormat(l, options));
const unitFormat = (unit: 'minute' | 'hour' | 'day') =>
  cached(unit, (l) => new Intl.NumberFormat(l, { style: 'unit', unit, unitDisplay: 'short' }));

export function formatNumber(n: number): string {
  return cached('number', (l) => new Intl.NumberFormat(l)).format(n);
}

/** Hours and minutes, for today's messages. */
export function formatClock(ms: number): string {
  return dateFormat('clock', { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** Date and time in full, for tooltips and older items. */
export function formatFull(ms: number): string {
  return dateFormat('full', { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** The clock for today, the day and month before that. */
export function formatWhen(ms: number, now: number): string {
  const then = new Date(ms);
  const today = new Date(now);
  const sameDay =
    then.getFullYear() === today.getFullYear() &&
    then.getMonth() === today.getMonth() &&
    then.getDate() === today.getDate();
  return sameDay ? formatClock(ms) : dateFormat('day', { day: 'numeric', month: 'short' }).format(ms);
}

/** A waiting time in the largest whole unit: `4 min`, `2 hr`, `3 days`. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return unitFormat('minute').format(minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return unitFormat('hour').format(hours);
  return unitFormat('day').format(Math.floor(hours / 24));
}
