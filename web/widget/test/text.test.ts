import { describe, expect, it } from 'vitest';
import { linkify } from '../src/panel/linkify';
import { charCount, cleanText } from '../src/panel/text';

describe('message text', () => {
  it('counts code points like the server, not UTF-16 units', () => {
    expect(charCount('😀😀')).toBe(2);
    expect(charCount('日本')).toBe(2);
  });

  it('normalises line breaks and drops invisible control characters', () => {
    expect(cleanText('a\r\nb\rc\u0000d\u0007e\tf\u009f')).toBe('a\nb\ncde\tf');
  });
});

describe('linkify', () => {
  const links = (text: string) => linkify(text).filter((p) => typeof p !== 'string');

  it('links http and https addresses and gives the text back unchanged', () => {
    const text = 'See https://shop.example/item?id=1&x=2, or http://example.org.';
    const parts = linkify(text);
    expect(parts).toEqual([
      'See ',
      { href: 'https://shop.example/item?id=1&x=2' },
      ', or ',
      { href: 'http://example.org' },
      '.',
    ]);
    expect(parts.map((p) => (typeof p === 'string' ? p : p.href)).join('')).toBe(text);
  });

  it('never links other schemes', () => {
    expect(links('javascript:alert(1) data:text/html,<b>x</b> ftp://x.example')).toEqual([]);
  });

  it('keeps parentheses that belong to the address', () => {
    expect(links('(see https://en.wikipedia.org/wiki/Tea_(meal))')).toEqual([
      { href: 'https://en.wikipedia.org/wiki/Tea_(meal)' },
    ]);
  });

  it('stops at markup characters', () => {
    expect(links('<a href="https://evil.example/">x</a>')).toEqual([{ href: 'https://evil.example/' }]);
  });
});
