import { afterEach, describe, expect, it } from 'vitest';
import { en } from './en';
import { catalogs, errorText, lang, LANGS, pickLang, t } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => {
  lang.value = 'en';
});

describe('catalogs', () => {
  it.each(LANGS)('%s has exactly the English keys, all filled, with the same placeholders', (l) => {
    const catalog = catalogs[l];
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(catalog)) {
      expect(text.trim(), key).not.toBe('');
      expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
    }
  });

  it('are really translated, not copies of English', () => {
    for (const l of LANGS.filter((x) => x !== 'en')) {
      expect(catalogs[l]['login.submit']).not.toBe(en['login.submit']);
      expect(catalogs[l]['conv.close']).not.toBe(en['conv.close']);
    }
  });
});

describe('t', () => {
  it('fills placeholders in the current language', () => {
    expect(t('event.joined', { name: 'Anna' })).toBe('Anna joined');
    lang.value = 'ru';
    expect(t('conv.typing', { name: 'Олег' })).toBe('Олег печатает…');
  });

  it('reads error codes, and unknown ones as a server error', () => {
    expect(errorText('already_taken')).toBe(en['error.already_taken']);
    expect(errorText('something_new')).toBe(en['error.internal']);
  });
});

describe('pickLang', () => {
  it('takes the first supported base language, else English', () => {
    expect(pickLang(['uk-UA', 'ru'])).toBe('uk');
    expect(pickLang(['', 'de-DE', 'ja-JP'])).toBe('ja');
    expect(pickLang(['fr'])).toBe('en');
  });
});
