// Turns web addresses in plain text into links, by code: the text is never parsed as
// markup, and only http(s) addresses become links.

export type Part = string | { href: string };

const ADDRESS = /\bhttps?:\/\/[^\s<>"']+/gi;
// Characters that usually end the sentence rather than the address.
const TRAILING = '.,;:!?]';

/** The text split into plain strings and links, in order; joined, they give the text back. */
export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let rest = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const href = trimAddress(match[0]);
    if (match.index > rest) parts.push(text.slice(rest, match.index));
    parts.push({ href });
    rest = match.index + href.length;
  }
  if (rest < text.length) parts.push(text.slice(rest));
  return parts;
}

function trimAddress(address: string): string {
  for (;;) {
    const last = address.slice(-1);
    // A closing parenthesis stays when it closes one in the address (Wikipedia-style links).
    const strayParen = last === ')' && count(address, '(') < count(address, ')');
    if (!strayParen && !TRAILING.includes(last)) return address;
    address = address.slice(0, -1);
  }
}

const count = (text: string, char: string): number => text.split(char).length - 1;
