import { signal } from '@preact/signals';
import type { ConversationId } from '../../../protocol/ConversationId';

/** Where the console is served; the server answers index.html for every path under it. */
export const BASE = import.meta.env.BASE_URL;

export type Route =
  | { page: 'setup'; token: string | null }
  | { page: 'inbox' }
  | { page: 'conversation'; id: ConversationId };

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  if (rest === 'setup') return { page: 'setup', token: new URLSearchParams(search).get('token') };
  const match = /^c\/([^/]+)$/.exec(rest);
  if (match) {
    try {
      return { page: 'conversation', id: decodeURIComponent(match[1]!) };
    } catch {
      // A mangled address falls back to the inbox.
    }
  }
  return { page: 'inbox' };
}

export const conversationPath = (id: ConversationId) => `${BASE}c/${encodeURIComponent(id)}`;

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

/** Click handler for in-app links: plain clicks navigate in place, modified ones keep the browser's behaviour. */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const href = (event.currentTarget as HTMLAnchorElement).getAttribute('href');
  if (!href) return;
  event.preventDefault();
  navigate(href);
}
