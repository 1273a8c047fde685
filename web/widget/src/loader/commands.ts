// The page's API: `Shopkeep('init', {site})`, `Shopkeep('open' | 'close' | 'toggle')`.
import type { Widget } from './widget';

/** `window.Shopkeep`: the snippet's queueing stub until the loader replaces it. */
export interface ShopkeepApi {
  (...args: unknown[]): void;
  /** Calls made before the loader ran, as `arguments` objects. */
  q?: ArrayLike<unknown>[];
  /** Set on the loader's own function, so a second copy of the loader does nothing. */
  loaded?: true;
}

type Options = { site?: unknown } | undefined;

/**
 * Replays the calls queued by the stub, then replaces it with a function that runs
 * commands at once. The widget starts with the site of an `init` call, else `scriptSite`
 * (the loader tag's `data-site`); commands given before there is a site wait for one.
 */
export function installApi(
  win: { Shopkeep?: ShopkeepApi },
  scriptSite: string | undefined,
  start: (site: string) => Widget,
): void {
  const queued = win.Shopkeep?.q || [];
  const waiting: unknown[] = [];
  let widget: Widget | undefined;

  const run = (name: unknown, options?: Options) => {
    if (name === 'init') {
      const site = options?.site;
      if (widget || typeof site !== 'string' || !site) return;
      widget = start(site);
      waiting.splice(0).forEach((command) => run(command));
    } else if (name === 'open' || name === 'close' || name === 'toggle') {
      if (widget) widget[name]();
      else waiting.push(name);
    }
  };

  const init = queued.find((args) => args[0] === 'init');
  run('init', { site: (init?.[1] as Options)?.site || scriptSite });
  for (const args of queued) run(args[0], args[1] as Options);

  const api: ShopkeepApi = (name, options) => run(name, options as Options);
  api.loaded = true;
  win.Shopkeep = api;
}
