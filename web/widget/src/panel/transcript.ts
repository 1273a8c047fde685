// The visitor's copy of a conversation, built in the browser from the events the panel
// holds: plain text, a self-contained HTML file, and a print view. What people wrote is
// only ever text: escaped in the HTML file, textContent in the print view.
import type { Event } from '../../../protocol/Event';
import type { PanelCatalog } from '../i18n/en';
import { format, type Lang } from '../i18n/lang';
import { intl } from './intl';

/**
 * What a notice in the conversation says (someone joined, left, took over; the chat
 * ended), or null for a message and for what the visitor must not see: whispers and notes
 * between staff, and kinds this widget does not know.
 */
export function noticeText({ author, body }: Event, strings: PanelCatalog): string | null {
  const name = author.kind === 'agent' ? author.name : strings.support;
  switch (body.kind) {
    case 'joined':
      return format(strings.joined, { name });
    case 'left':
      return format(strings.left, { name });
    case 'closed':
      return strings.ended;
    case 'transferred':
      if (body.to) return format(strings.tookOver, { name: body.to.name });
      return body.department ? format(strings.transferredTo, { department: body.department.name }) : strings.transferred;
    default:
      return null;
  }
}

/** One line of the transcript: who, when, what. */
export interface Line {
  who: string;
  at: number;
  text: string;
}

export interface Transcript {
  /** "Transcript — <site name>": the print view's and the HTML file's title. */
  title: string;
  lang: Lang;
  lines: Line[];
}

/** The events as lines; only what the visitor may see (the store filters too, this is the last line of defence). */
export function transcriptOf(events: readonly Event[], site: string, strings: PanelCatalog, lang: Lang): Transcript {
  const lines = events.flatMap((event): Line[] => {
    const { author, body, at } = event;
    if (body.kind === 'message') return [{ who: author.kind === 'visitor' ? strings.you : author.kind === 'agent' ? author.name : strings.support, at, text: body.text }];
    const text = noticeText(event, strings);
    return text === null ? [] : [{ who: '', at, text }];
  });
  return { title: format(strings.transcriptTitle, { site }), lang, lines };
}

const stamp = (lang: Lang, at: number) =>
  intl(`stamp ${lang}`, () => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' })).format(at);

/** Plain text: a heading line, then each line as "time · who" and the text under it. */
export function transcriptText({ title, lang, lines }: Transcript): string {
  const blocks = lines.map(({ who, at, text }) => `${stamp(lang, at)}${who ? ` · ${who}` : ''}\n${text}`);
  return `${title}\n\n${blocks.join('\n\n')}\n`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** Shared by the HTML file and the print view: no widget chrome, just the conversation. */
const STYLE =
  'body{margin:2rem auto;max-width:42rem;padding:0 1rem;color:#111;font:15px/1.5 system-ui,sans-serif}' +
  'h1{font-size:1.3rem;margin:0 0 1.5rem}ol{margin:0;padding:0;list-style:none}' +
  'li{margin:0 0 1rem;break-inside:avoid}p{margin:0}' +
  '.meta{color:#555;font-size:.85rem}.text{white-space:pre-wrap;overflow-wrap:anywhere}' +
  '@media print{body{margin:0;max-width:none}}';

/**
 * A self-contained HTML document: escaped text, inline styles, and a policy that forbids
 * every script and fetch, should a browser ever find something to run.
 */
export function transcriptHtml({ title, lang, lines }: Transcript): string {
  const items = lines.map(
    ({ who, at, text }) =>
      `<li><p class="meta">${who ? `<b>${escapeHtml(who)}</b> · ` : ''}<time datetime="${new Date(at).toISOString()}">` +
      `${escapeHtml(stamp(lang, at))}</time></p><p class="text">${escapeHtml(text)}</p></li>`,
  );
  return (
    `<!doctype html>\n<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><ol>${items.join('')}</ol></body></html>\n`
  );
}

/** Fills `doc` (an empty document) with the print view, by DOM calls and textContent only. */
export function buildPrintView(doc: Document, { title, lang, lines }: Transcript): void {
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) => {
    const node = doc.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  doc.documentElement.lang = lang;
  doc.title = title;
  const style = el('style', STYLE);
  doc.head.append(style);
  const list = el('ol');
  for (const { who, at, text } of lines) {
    const meta = el('p', undefined, 'meta');
    if (who) meta.append(el('b', who), ' · ');
    const time = el('time', stamp(lang, at));
    time.dateTime = new Date(at).toISOString();
    meta.append(time);
    const item = el('li');
    item.append(meta, el('p', text, 'text'));
    list.append(item);
  }
  doc.body.replaceChildren(el('h1', title), list);
}

/**
 * Prints the transcript from a window of its own, which the visitor can also read and
 * close; where pop-ups are blocked, from a hidden frame in `parent`.
 */
export function printTranscript(transcript: Transcript, parent: ShadowRoot): void {
  const win = window.open('', '_blank');
  if (win) {
    // The view needs nothing from the shop's page, and the page nothing from it.
    win.opener = null;
    buildPrintView(win.document, transcript);
    win.focus();
    win.print();
    return;
  }
  const frame = document.createElement('iframe');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.style.cssText = 'position:fixed;width:0;height:0;border:0;visibility:hidden';
  parent.append(frame);
  const view = frame.contentWindow!;
  buildPrintView(view.document, transcript);
  view.addEventListener('afterprint', () => frame.remove());
  view.print();
}

/** Offers `content` as a file to save, from a Blob URL. */
export function download(content: string, type: string, name: string, parent: ShadowRoot): void {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  parent.append(link);
  link.click();
  link.remove();
  // Late enough for the browser to have started the download.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `transcript-2026-11-23.txt`: the day of the conversation's last line. */
export const fileName = (transcript: Transcript, extension: string): string => {
  const last = transcript.lines[transcript.lines.length - 1]?.at ?? Date.now();
  const date = new Date(last - new Date(last).getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
  return `transcript-${date}.${extension}`;
};
