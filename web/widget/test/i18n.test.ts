import { describe, expect, it } from 'vitest';
import * as en from '../src/i18n/en';
import * as ja from '../src/i18n/ja';
import { format, pickLang, primary } from '../src/i18n/lang';
import * as ru from '../src/i18n/ru';
import * as uk from '../src/i18n/uk';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('language choice', () => {
  it('takes the primary subtag', () => {
    expect(primary('pt-BR')).toBe('pt');
    expect(primary('UK_ua')).toBe('uk');
    expect(primary('')).toBe('');
    expect(primary(null)).toBe('');
  });

  it('prefers the site’s fixed language, then the page’s, then the browser’s', () => {
    expect(pickLang('ja', 'ru', 'uk-UA')).toBe('ja');
    expect(pickLang(null, 'ru-RU', 'uk-UA')).toBe('ru');
    expect(pickLang(null, '', 'uk-UA')).toBe('uk');
  });

  it('skips languages without a catalog and falls back to English', () => {
    expect(pickLang('de', 'fr', 'ru')).toBe('ru');
    expect(pickLang(null, 'de', 'fr-CA')).toBe('en');
    expect(pickLang()).toBe('en');
  });

  it('fills placeholders as text', () => {
    expect(format('{name} joined', { name: '<b>Anna</b>' })).toBe('<b>Anna</b> joined');
    expect(format('left: {n}', { n: 3 })).toBe('left: 3');
  });
});

describe('catalogs', () => {
  const catalogs = { en, ru, uk, ja };

  for (const part of ['launcher', 'panel'] as const) {
    it(`have the same ${part} keys and placeholders in every language`, () => {
      const reference = catalogs.en[part] as Record<string, string>;
      for (const [lang, catalog] of Object.entries(catalogs)) {
        const strings = catalog[part] as Record<string, string>;
        expect(Object.keys(strings).sort(), lang).toEqual(Object.keys(reference).sort());
        for (const [key, text] of Object.entries(strings)) {
          expect(text.trim(), `${lang}.${part}.${key}`).not.toBe('');
          expect(placeholders(text), `${lang}.${part}.${key}`).toEqual(placeholders(reference[key]!));
        }
      }
    });
  }

  it('are translated, not copied from English', () => {
    for (const catalog of [ru, uk, ja]) {
      expect(catalog.panel.send).not.toBe(en.panel.send);
      expect(catalog.launcher[0]).not.toBe(en.launcher[0]);
    }
  });
});
