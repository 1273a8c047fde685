// Choosing the widget's language. Shared by the loader and the panel, so it stays tiny.

export const LANGS = ['en', 'ru', 'uk', 'ja'] as const;
export type Lang = (typeof LANGS)[number];

/** The primary subtag of a BCP 47 tag, lower-cased: `pt-BR` → `pt`. */
export const primary = (tag: string | null | undefined): string =>
  (tag || '').split(/[-_]/)[0]!.toLowerCase();

/**
 * The first supported language among `candidates`, most binding first (the site's fixed
 * language, the page's, the browser's); English when none is supported.
 */
export function pickLang(...candidates: (string | null | undefined)[]): Lang {
  for (const tag of candidates) {
    const lang = primary(tag) as Lang;
    if (LANGS.includes(lang)) return lang;
  }
  return 'en';
}

/** What the visitor reads: the page's declared language, then the browser's. */
export const pageLangs = (): string[] => [document.documentElement.lang, navigator.language];

/** Fills `{name}` placeholders. The result is text, never markup. */
export const format = (template: string, vars: Record<string, string | number>): string =>
  template.replace(/\{(\w+)\}/g, (_, key: string) => String(vars[key] ?? ''));
