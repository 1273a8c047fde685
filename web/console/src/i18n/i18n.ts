import { signal } from '@preact/signals';
import { en, type Catalog, type MessageKey } from './en';
import { ja } from './ja';
import { ru } from './ru';
import { uk } from './uk';

export type { MessageKey } from './en';

export const LANGS = ['en', 'ru', 'uk', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

// Language names stay in their own language: an operator looks for the one they can read.
export const LANG_NAMES: Record<Lang, string> = {
  en: 'English',
  ru: 'Русский',
  uk: 'Українська',
  ja: '日本語',
};

export const catalogs: Record<Lang, Catalog> = { en, ru, uk, ja };

/** The first supported language among BCP 47 tags such as `ru-RU`; English otherwise. */
export function pickLang(tags: readonly string[]): Lang {
  for (const tag of tags) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    const found = LANGS.find((l) => l === base);
    if (found) return found;
  }
  return 'en';
}

/** The console's language: the browser's until the operator's own choice is known. */
export const lang = signal<Lang>(pickLang(navigator.languages));

export type Params = Readonly<Record<string, string | number>>;

/** A catalog string with `{name}` placeholders filled in. Reading it subscribes to `lang`. */
export function t(key: MessageKey, params?: Params): string {
  const text = catalogs[lang.value][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

function isKey(key: string): key is MessageKey {
  return key in en;
}

/** The readable text for a protocol or REST error code; unknown codes read as a server error. */
export function errorText(code: string): string {
  const key = `error.${code}`;
  return t(isKey(key) ? key : 'error.internal');
}
