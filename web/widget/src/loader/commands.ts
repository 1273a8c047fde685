// The page's API: `Shopkeep(name, ...args)`, documented in docs/js-api.md.
import type { Widget } from './widget';

/** `window.Shopkeep`: the snippet's queueing stub until the loader replaces it. */
export interface ShopkeepApi {
  (...args: unknown[]): void;
  /** Calls made before the loader ran, as `arguments` objects. */
  q?: Iterable<unknown>[];
  /** Set on the loader's own function, so a second copy of the loader does nothing. */
  loaded?: true;
}

/**
 * Replays the calls queued by the stub, then replaces it with a function that runs
 * commands at once. The widget starts with the site of the first `init` call, else
 * `scriptSite` (the loader tag's `data-site`); commands given before there is a site
 * wait for one.
 */
export function installApi(
  win: { Shopkeep?: ShopkeepApi },
  scriptSite: string | undefined,
  start: (site: string) => Widget,
): void {
  const waiting: Iterable<unknown>[] = [];
  let widget: Widget | undefined;

  const run = (call: Iterable<unknown>) => {
    const [name, ...args] = call;
    if (name === 'init') {
      const site = (args[0] as { site?: unknown } | undefined)?.site;
      if (widget || typeof site !== 'string' || !site) return;
      widget = start(site);
      waiting.splice(0).forEach(run);
    } else if (!widget) {
      waiting.push(call);
    } else {
      // Never throw into the page: unknown commands and unusable arguments are ignored.
      try {
        (widget[name as keyof Widget] as (...args: unknown[]) => void)(...args);
      } catch {}
    }
  };

  win.Shopkeep?.q?.forEach(run);
  run(['init', { site: scriptSite }]);
  const api: ShopkeepApi = (...call) => run(call);
  api.loaded = true;
  win.Shopkeep = api;
}
