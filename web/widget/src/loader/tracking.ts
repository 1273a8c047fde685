// What the visitor is doing and who the shop says they are (docs/js-api.md). A new socket
// is a new start for the server, so all of it is said again after every welcome.
import type { VisitorClientFrame } from '../../../protocol/VisitorClientFrame';
import type { Connection } from '../contract';

/** A single-page navigation is reported this long after it: shops set the title after the URL. */
export const NAVIGATION_DELAY_MS = 100;

type Frame<T extends VisitorClientFrame['type']> = Extract<VisitorClientFrame, { type: T }>;

export interface Tracking {
  /** Reports the current page now. */
  page(): void;
  identify(who: unknown): void;
  /** Merges custom attributes; `null` removes one. */
  set(attributes: unknown): void;
  setLanguage(lang: string): void;
}

export function startTracking(connection: Connection): Tracking {
  const send = (frame: VisitorClientFrame) => connection.send(frame);
  // The latest of each, said again after every welcome, in this order. Language first:
  // the server words the greeting of an identified customer in it.
  const said: VisitorClientFrame[] = (connection.said = []);
  const say = (frame: VisitorClientFrame, slot: 0 | 1 | 2) => send((said[slot] = frame));
  // The URL reported last: a navigation to the same URL is not a new page.
  let reported: string;
  let timer: ReturnType<typeof setTimeout>;

  // A navigation report still pending after this finds the URL reported.
  const page = () =>
    send({ type: 'page', url: (reported = location.href), title: document.title, referrer: document.referrer || undefined });

  const navigated = () => {
    clearTimeout(timer);
    timer = setTimeout(() => location.href !== reported && page(), NAVIGATION_DELAY_MS);
  };

  // Single-page shops change the URL through the History API, which tells no one.
  for (const name of ['pushState', 'replaceState'] as const) {
    const original = history[name];
    history[name] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      navigated();
    };
  }
  addEventListener('popstate', navigated);
  const activity = () => send({ type: 'activity', active: !document.hidden });
  document.addEventListener('visibilitychange', activity);

  connection.subscribe((frame) => {
    if (frame.type !== 'welcome') return;
    page();
    // A tab opened in the background is not being looked at.
    activity();
    said.forEach(send);
  });

  return {
    page,
    identify(who) {
      const frame: Frame<'identify'> = { type: 'identify' };
      for (const field of ['id', 'name', 'email', 'phone', 'hash'] as const) {
        if (typeof (who as Frame<'identify'>)[field] === 'string') frame[field] = (who as Frame<'identify'>)[field];
      }
      say(frame, 1);
    },
    set(attributes) {
      // A copy as JSON now: later changes by the page do not leak in, and what cannot be
      // sent (cycles, BigInt) throws here, where the command is ignored.
      const change = JSON.parse(JSON.stringify(attributes));
      if (change?.constructor !== Object) return;
      // Only the change now, so that a call the server refuses spoils no other. After a
      // welcome all of them at once; removed keys stay as null, to remove them again.
      said[2] = { type: 'set', attributes: { ...(said[2] as Frame<'set'> | undefined)?.attributes, ...change } };
      send({ type: 'set', attributes: change });
    },
    setLanguage(lang) {
      say({ type: 'language', lang }, 0);
    },
  };
}
