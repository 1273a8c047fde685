import { signal } from '@preact/signals';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { SiteId } from '../../../protocol/SiteId';
import type { VisitorId } from '../../../protocol/VisitorId';

/** Where the console is served; the server answers index.html for every path under it. */
export const BASE = import.meta.env.BASE_URL;

export type Route =
  | { page: 'setup'; token: string | null }
  | { page: 'inbox' }
  | { page: 'conversation'; id: ConversationId }
  | { page: 'visitors'; id: VisitorId | null }
  | { page: 'rules'; site: SiteId | null }
  | { page: 'history' | 'canned' | 'team' | 'departments' | 'audit' };

/** Pages with nothing after their name, each at `BASE + name`. */
export const PLAIN_PAGES = ['history', 'canned', 'team', 'departments', 'audit'] as const;
export type PlainPage = (typeof PLAIN_PAGES)[number];

/** The one path segment after `prefix/`, decoded; null when absent, undefined when mangled. */
function segment(rest: string, prefix: string): string | null | undefined {
  if (rest === prefix) return null;
  const match = new RegExp(`^${prefix}/([^/]+)$`).exec(rest);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const plain = PLAIN_PAGES.find((p) => p === rest);
  if (plain) return { page: plain };
  if (rest === 'setup') return { page: 'setup', token: new URLSearchParams(search).get('token') };
  // A mangled address falls back to the inbox.
  const conversation = segment(rest, 'c');
  if (conversation) return { page: 'conversation', id: conversation };
  const visitor = segment(rest, 'visitors');
  if (visitor !== undefined) return { page: 'visitors', id: visitor };
  const site = segment(rest, 'rules');
  if (site !== undefined) return { page: 'rules', site };
  return { page: 'inbox' };
}

export const conversationPath = (id: ConversationId) => `${BASE}c/${encodeURIComponent(id)}`;
export const visitorsPath = (id: VisitorId | null = null) => `${BASE}visitors${id ? `/${encodeURIComponent(id)}` : ''}`;
export const rulesPath = (site: SiteId | null = null) => `${BASE}rules${site ? `/${encodeURIComponent(site)}` : ''}`;

export const pagePath = (page: PlainPage) => `${BASE}${page}`;

export const route = signal<Route>(parseRoute(location.pathname, location.search));

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route.value = parseRoute(location.pathname, location.search);
}

/** Keeps `route` in step with the browser's back and forward buttons. */
export function watchHistory(): void {
  addEventListener('popstate', () => {
    route.value = parseRoute(location.pathname, location.search);
  });
}

/** A click that follows a link in this tab: the main button, no modifier, not handled already. */
export const plainClick = (event: MouseEvent) =>
  !event.defaultPrevented && event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;

/** Click handler for in-app links: plain clicks navigate in place, modified ones keep the browser's behaviour. */

export function followLink(event: MouseEvent): void {
  if (!plainClick(event)) return;
  const href = (event.currentTarget as HTMLAnchorElement).getAttribute('href');
  if (!href) return;
  event.preventDefault();
  navigate(href);
}
