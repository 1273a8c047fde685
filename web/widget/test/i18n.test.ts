import { describe, expect, it } from 'vitest';
import * as en from '../src/i18n/en';
import * as ja from '../src/i18n/ja';
import { format, pickLang, primary } from '../src/i18n/lang';
import { plural, queueText, waitText } from '../src/panel/i18n';
import * as ru from '../src/i18n/ru';
import * as uk from '../src/i18n/uk';

// Each plural form repeats its placeholders: the set is what must match.
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

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

describe('plurals and waits', () => {
  const strings = { en: en.panel, ru: ru.panel, uk: uk.panel, ja: ja.panel };

  it('picks the plural form of each language', () => {
    const hours = (lang: keyof typeof strings, n: number) => plural(lang, strings[lang].waitHours, n);
    expect([1, 2].map((n) => hours('en', n))).toEqual(['about 1 hour', 'about 2 hours']);
    expect([1, 2, 5, 11, 21, 22].map((n) => plural('ru', ru.panel.waitMinutes, n))).toEqual([
      'около 1 минуты',
      'около 2 минут',
      'около 5 минут',
      'около 11 минут',
      'около 21 минуты',
      'около 22 минут',
    ]);
    expect([1, 3, 5, 21].map((n) => hours('uk', n))).toEqual(['близько 1 години', 'близько 3 годин', 'близько 5 годин', 'близько 21 години']);
    expect([1, 7].map((n) => hours('ja', n))).toEqual(['約1時間', '約7時間']);
  });

  it('says a wait roughly: under a minute, minutes, then hours', () => {
    const wait = (ms: number) => waitText(en.panel, 'en', ms);
    expect(wait(0)).toBe('less than a minute');
    expect(wait(59_000)).toBe('less than a minute');
    expect(wait(60_000)).toBe('about 1 min');
    expect(wait(3 * 60_000 + 20_000)).toBe('about 3 min');
    expect(wait(59 * 60_000)).toBe('about 59 min');
    expect(wait(60 * 60_000)).toBe('about 1 hour');
    expect(wait(150 * 60_000)).toBe('about 3 hours');
    expect(waitText(uk.panel, 'uk', 30_000)).toBe('менше хвилини');
    expect(waitText(ja.panel, 'ja', 5 * 60_000)).toBe('約5分');
  });

  it('puts the place and the wait on one line, or the place alone', () => {
    expect(queueText(en.panel, 'en', { position: 4, wait_ms: 120_000 })).toBe('You are number 4 in line · about 2 min');
    expect(queueText(ja.panel, 'ja', { position: 4, wait_ms: null })).toBe('お待ちの順番：4番目');
    expect(queueText(uk.panel, 'uk', { position: 2, wait_ms: 2 * 3_600_000 })).toBe('Ваш номер у черзі: 2 · близько 2 годин');
  });
});
