// The launcher's strings in every language. Only the `launcher` parts of the catalogs
// are imported, so the panel's strings stay out of the loader.
import type { Lang } from '../i18n/lang';
import { launcher as en, type LauncherCatalog } from '../i18n/en';
import { launcher as ja } from '../i18n/ja';
import { launcher as ru } from '../i18n/ru';
import { launcher as uk } from '../i18n/uk';

export const launcherStrings: Record<Lang, LauncherCatalog> = { en, ru, uk, ja };
