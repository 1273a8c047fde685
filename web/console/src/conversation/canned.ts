/**
 * Canned answers in the composer, as pure functions: which answers match what the
 * operator typed after `/`, and the text one inserts for this visitor.
 */
import type { Canned } from '../../../protocol/Canned';

/** What a canned answer's placeholders stand for; a missing value leaves an empty string. */
export interface CannedContext {
  readonly visitorName?: string | null;
  readonly visitorEmail?: string | null;
  readonly operatorName?: string | null;
  readonly siteName?: string | null;
  /** The visitor's language as a BCP 47 tag (`ru-RU`), if known. */
  readonly visitorLang?: string | null;
}

const PLACEHOLDER = /\{(visitor\.name|visitor\.email|operator\.name|site\.name)\}/g;

/**
 * Fills the placeholders in one pass, so a value that itself reads `{operator.name}`
 * stays as typed. The result is plain text: markup in it is shown, never interpreted.
 */
export function fillPlaceholders(text: string, ctx: CannedContext): string {
  const values: Record<string, string | null | undefined> = {
    'visitor.name': ctx.visitorName,
    'visitor.email': ctx.visitorEmail,
    'operator.name': ctx.operatorName,
    'site.name': ctx.siteName,
  };
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
}

/** The answer's text in the visitor's language when it has a variant for it, else its own text. */
export function cannedText(canned: Canned, lang: string | null | undefined): string {
  const base = lang?.toLowerCase().split(/[-_]/)[0];
  const variant = base ? canned.variants[base] : undefined;
  return variant !== undefined && variant.trim() !== '' ? variant : canned.text;
}

/** What is inserted into the composer for this visitor. */
export function fillCanned(canned: Canned, ctx: CannedContext): string {
  return fillPlaceholders(cannedText(canned, ctx.visitorLang), ctx);
}

/**
 * The query while the composer holds `/` plus a word at its very start and nothing
 * else (no space yet), else null: `/ship` → `ship`.
 */
export function cannedQuery(draft: string): string | null {
  const m = /^\/([^\s/]*)$/.exec(draft);
  return m ? m[1]!.toLowerCase() : null;
}

/** Answers whose shortcut starts with the query first, then those whose shortcut or title contains it. */
export function matchCanned(list: readonly Canned[], query: string): Canned[] {
  const q = query.toLowerCase();
  const rank = (c: Canned): number => {
    const shortcut = c.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q)) return 1;
    if (c.title.toLowerCase().includes(q)) return 2;
    return -1;
  };
  return list
    .map((c) => ({ c, r: rank(c) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.c.shortcut.localeCompare(b.c.shortcut))
    .map((x) => x.c);
}
