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

/** Elapsed time as a running clock: `0:07`, `12:03`, `1:02:03`. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const displayNames = new Map<string, Intl.DisplayNames | null>();

function displayName(type: 'region' | 'language', code: string): string | null {
  const id = `${lang.value}|${type}`;
  let names = displayNames.get(id);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames(lang.value, { type, fallback: 'none' });
    } catch {
      names = null;
    }
    displayNames.set(id, names);
  }
  try {
    return names?.of(code) ?? null;
  } catch {
    // Not a well-formed code.
    return null;
  }
}

const COUNTRY_CODE = /^[A-Za-z]{2}$/;

/** The flag emoji of an ISO 3166 alpha-2 code; null for anything else. */
export function countryFlag(code: string): string | null {
  if (!COUNTRY_CODE.test(code)) return null;
  return String.fromCodePoint(...[...code.toUpperCase()].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

/** The country's name in the console's language, falling back to the code as given. */
export function countryName(code: string): string {
  return (COUNTRY_CODE.test(code) && displayName('region', code.toUpperCase())) || code;
}

/** A language tag's name in the console's language (`ru` → "Russian"), or the tag as given. */
export function languageName(tag: string): string {
  return displayName('language', tag) || tag;
}
