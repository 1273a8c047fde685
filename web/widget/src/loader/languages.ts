// Entry of dist/assets/languages-<hash>.js: the launcher's strings in the languages
// other than English, imported by the loader when the launcher first needs one.
import { launcher as ja } from '../i18n/ja';
import { launcher as ru } from '../i18n/ru';
import { launcher as uk } from '../i18n/uk';
import type { LauncherStrings } from './strings';

export const languages: LauncherStrings = { ru, uk, ja };
