import type { Canned } from '../../../protocol/Canned';
import type { CannedDraft } from '../../../protocol/CannedDraft';
import { LANGS, type Lang, type MessageKey } from '../i18n/i18n';
import { chars } from '../ui/validate';

// The server's limits (`shopkeep-core` canned.rs).
export const MAX_SHORTCUT_CHARS = 40;
export const MAX_TITLE_CHARS = 100;
export const MAX_CANNED_TEXT_CHARS = 4000;

/** Placeholders the server fills in when an answer is used. */
export const PLACEHOLDERS = ['{visitor.name}', '{visitor.email}', '{operator.name}', '{site.name}'] as const;

export interface CannedForm {
  readonly shortcut: string;
  readonly title: string;
  readonly text: string;
  readonly variants: Readonly<Record<Lang, string>>;
  readonly shared: boolean;
}

export function cannedForm(c: Canned | null): CannedForm {
  const variants = Object.fromEntries(LANGS.map((l) => [l, c?.variants[l] ?? ''])) as Record<Lang, string>;
  return { shortcut: c?.shortcut ?? '', title: c?.title ?? '', text: c?.text ?? '', variants, shared: c?.shared ?? false };
}


export function cannedDraft(f: CannedForm): { ok: true; draft: CannedDraft } | { ok: false; reason: MessageKey } {
  const shortcut = f.shortcut.trim().replace(/^\/+/, '').toLowerCase();
  if (!shortcut || chars(shortcut) > MAX_SHORTCUT_CHARS || !/^[\p{L}\p{N}_-]+$/u.test(shortcut)) return { ok: false, reason: 'canned.shortcut_invalid' };
  const title = f.title.trim();
  if (!title || chars(title) > MAX_TITLE_CHARS) return { ok: false, reason: 'canned.title_invalid' };
  const text = f.text.trim();
  if (!text || chars(text) > MAX_CANNED_TEXT_CHARS) return { ok: false, reason: 'canned.text_invalid' };
  const variants: Record<string, string> = {};
  for (const l of LANGS) {
    const v = f.variants[l].trim();
    if (chars(v) > MAX_CANNED_TEXT_CHARS) return { ok: false, reason: 'canned.text_invalid' };
    if (v) variants[l] = v;
  }
  return { ok: true, draft: { shortcut, title, text, variants, shared: f.shared } };
}

/** Answers whose shortcut, title or any text contains every word of the query, case-insensitively. */
export function searchCanned(list: readonly Canned[], query: string): Canned[] {
  const words = query.toLowerCase().replace(/^\//, '').split(/\s+/).filter(Boolean);
  const sorted = [...list].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  if (!words.length) return sorted;
  return sorted.filter((c) => {
    const hay = [c.shortcut, c.title, c.text, ...Object.values(c.variants)].join('\n').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
