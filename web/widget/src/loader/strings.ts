// The launcher's strings. English ships in the loader; the other languages are a small
// module of their own (languages.ts), loaded when the launcher first needs one of them,
// so that every shop page does not carry all four.
import type { Lang } from '../i18n/lang';
import { launcher as en, type LauncherCatalog } from '../i18n/en';

export type LauncherStrings = Partial<Record<Lang, LauncherCatalog>>;

/** The catalogs at hand: English, and the others once loaded. */
export const launcherStrings: LauncherStrings = { en };
