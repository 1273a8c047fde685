import { expect, it } from 'vitest';
import { closedText } from '../src/panel/offline';
import { catalogs } from '../src/panel/i18n';
import { intl } from '../src/panel/intl';

it('keeps one Intl object per key and retries one that failed to build', () => {
  const first = intl('test en', () => new Intl.PluralRules('en'));
  expect(intl('test en', () => new Intl.PluralRules('en'))).toBe(first);
  expect(intl('test ru', () => new Intl.PluralRules('ru'))).not.toBe(first);
  expect(() => intl('test bad', () => new Intl.DateTimeFormat('en', { timeZone: 'Nowhere/Else' }))).toThrow(RangeError);
  expect(intl('test bad', () => 'built')).toBe('built');
});

it('builds the closed-form text’s formats once, not per keystroke', () => {
  const real = Intl.DateTimeFormat;
  let built = 0;
  const counting = new Proxy(real, {
    construct(target, args: ConstructorParameters<typeof real>) {
      built++;
      return new target(...args);
    },
  });
  (Intl as { DateTimeFormat: typeof real }).DateTimeFormat = counting;
  try {
    const now = Date.UTC(2026, 10, 23, 12);
    const closed = { open: false, back_at: Date.UTC(2026, 10, 27, 8), time_zone: 'Asia/Tokyo', consent_text: null };
    const text = closedText(catalogs.en, 'en', closed, now);
    const first = built;
    expect(first).toBeGreaterThan(0);
    expect(closedText(catalogs.en, 'en', closed, now)).toBe(text);
    expect(built).toBe(first);
  } finally {
    (Intl as { DateTimeFormat: typeof real }).DateTimeFormat = real;
  }
});
