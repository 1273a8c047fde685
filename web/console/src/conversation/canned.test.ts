import { describe, expect, it } from 'vitest';
import type { Canned } from '../../../protocol/Canned';
import { cannedQuery, cannedText, fillCanned, fillPlaceholders, matchCanned } from './canned';

const canned = (shortcut: string, fields: Partial<Canned> = {}): Canned => ({
  id: `c-${shortcut}`,
  site_id: 'site-1',
  owner: 'staff-anna',
  updated_at: 0,
  shortcut,
  title: `Title ${shortcut}`,
  text: `Text ${shortcut}`,
  variants: {},
  shared: true,
  ...fields,
});

describe('canned placeholders', () => {
  const ctx = { visitorName: 'Kim', visitorEmail: 'kim@example.com', operatorName: 'Anna', siteName: 'Tea Shop' };

  it('fills every known placeholder', () => {
    expect(fillPlaceholders('Hi {visitor.name} ({visitor.email}), {operator.name} of {site.name} here.', ctx)).toBe(
      'Hi Kim (kim@example.com), Anna of Tea Shop here.',
    );
  });

  it('leaves an empty string for unknown values and keeps other braces', () => {
    expect(fillPlaceholders('Hi {visitor.name}! {unknown} {x}', { operatorName: 'Anna' })).toBe('Hi ! {unknown} {x}');
  });

  it('does not expand a placeholder that arrives inside a value', () => {
    expect(fillPlaceholders('Hi {visitor.name}', { ...ctx, visitorName: '{operator.name}' })).toBe('Hi {operator.name}');
  });

  it('keeps markup literal', () => {
    const out = fillPlaceholders('<b>{visitor.name}</b>', { visitorName: '<img src=x onerror=alert(1)>' });
    expect(out).toBe('<b><img src=x onerror=alert(1)></b>');
  });
});

describe('canned text by language', () => {
  const c = canned('hi', { text: 'Hello', variants: { ru: 'Здравствуйте', ja: '' } });

  it('uses the variant for the visitor’s language, by its base tag', () => {
    expect(cannedText(c, 'ru-RU')).toBe('Здравствуйте');
  });

  it('falls back to the text for an unknown, missing or empty variant', () => {
    expect(cannedText(c, 'de')).toBe('Hello');
    expect(cannedText(c, null)).toBe('Hello');
    expect(cannedText(c, 'ja')).toBe('Hello');
  });

  it('fills the chosen variant', () => {
    const v = canned('bye', { text: 'Bye {visitor.name}', variants: { uk: 'Бувайте, {visitor.name}' } });
    expect(fillCanned(v, { visitorName: 'Ola', visitorLang: 'uk' })).toBe('Бувайте, Ola');
  });
});

describe('canned search', () => {
  it('reads a query only from a slash at the very start with no space', () => {
    expect(cannedQuery('/')).toBe('');
    expect(cannedQuery('/Ship')).toBe('ship');
    expect(cannedQuery('/ship now')).toBeNull();
    expect(cannedQuery('hi /ship')).toBeNull();
  });

  it('ranks shortcut prefixes before other matches', () => {
    const list = [canned('reship', { title: 'Again' }), canned('other', { title: 'Shipping costs' }), canned('ship')];
    expect(matchCanned(list, 'ship').map((c) => c.shortcut)).toEqual(['ship', 'reship', 'other']);
    expect(matchCanned(list, '').length).toBe(3);
    expect(matchCanned(list, 'zzz')).toEqual([]);
  });
});
