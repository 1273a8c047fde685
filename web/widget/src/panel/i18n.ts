// The panel's strings in every language, the wording of server refusals, plural forms
// and the queue's line.
import type { ErrorCode } from '../../../protocol/ErrorCode';
import type { QueuePlace } from '../../../protocol/QueuePlace';
import { panel as en, type PanelCatalog } from '../i18n/en';
import { panel as ja } from '../i18n/ja';
import { format, type Lang } from '../i18n/lang';
import { panel as ru } from '../i18n/ru';
import { panel as uk } from '../i18n/uk';
import { intl } from './intl';

export const catalogs: Record<Lang, PanelCatalog> = { en, ru, uk, ja };

const ERROR_KEYS: Partial<Record<ErrorCode, keyof PanelCatalog>> = {
  text_too_long: 'errTooLong',
  text_empty: 'errEmpty',
  text_invalid: 'errInvalid',
  rate_limited: 'errRateLimited',
  unavailable: 'errUnavailable',
};

/** What to tell the visitor about a refusal; the codes they cannot act on read as a generic failure. */
export const errorText = (strings: PanelCatalog, code: ErrorCode): string =>
  strings[ERROR_KEYS[code] ?? 'errGeneric'];

// CLDR plural categories in the order catalogs list their forms; a language lists only
// those it has, and the last form stands for the rest ('other' in English).
const PLURAL_ORDER = ['one', 'few', 'many', 'other'];

/** `template`'s form for `n` (forms separated by `|`), with `{n}` filled. */
export function plural(lang: Lang, template: string, n: number): string {
  const forms = template.split('|');
  const index = PLURAL_ORDER.indexOf(intl(`plural ${lang}`, () => new Intl.PluralRules(lang)).select(n));
  return format(forms[Math.min(index < 0 ? forms.length : index, forms.length - 1)]!, { n });
}

/** A wait, said roughly: "less than a minute", "about 3 min", "about 2 hours". */
export function waitText(strings: PanelCatalog, lang: Lang, ms: number): string {
  if (ms < 60_000) return strings.waitUnderMinute;
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? plural(lang, strings.waitMinutes, minutes) : plural(lang, strings.waitHours, Math.round(minutes / 60));
}

/** "You are number 3 in line · about 4 min"; without the estimate when there is none. */
export function queueText(strings: PanelCatalog, lang: Lang, place: QueuePlace): string {
  const line = plural(lang, strings.queuePlace, place.position);
  return place.wait_ms === null ? line : `${line} · ${waitText(strings, lang, place.wait_ms)}`;
}
