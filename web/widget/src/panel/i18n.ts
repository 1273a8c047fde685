// The panel's strings in every language, and the wording of server refusals.
import type { ErrorCode } from '../../../protocol/ErrorCode';
import { panel as en, type PanelCatalog } from '../i18n/en';
import { panel as ja } from '../i18n/ja';
import type { Lang } from '../i18n/lang';
import { panel as ru } from '../i18n/ru';
import { panel as uk } from '../i18n/uk';

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
