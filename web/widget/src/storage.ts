// Web Storage throws in some privacy modes and sandboxed frames; the widget then
// simply works without memory instead of failing.

type Area = 'localStorage' | 'sessionStorage';

export function load(area: Area, key: string): string | null {
  try {
    return window[area].getItem(key);
  } catch {
    return null;
  }
}

/** Stores `value` under `key`, or removes the key when `value` is null. */
export function save(area: Area, key: string, value: string | null): void {
  try {
    if (value == null) window[area].removeItem(key);
    else window[area].setItem(key, value);
  } catch {
    // Full or forbidden: nothing to remember then.
  }
}

/**
 * Every key the widget stores, per site: the visitor's token and the site's last look
 * (localStorage), whether the panel is open, the unsent messages and the offline message
 * left (sessionStorage).
 */
export const storageKey = (site: string, name: 'token' | 'look' | 'open' | 'outbox' | 'offline'): string =>
  `shopkeep:${site}:${name}`;
