// Entry of dist/loader.js, the script shops embed. Built as an IIFE; the content-hashed
// paths of the modules it loads later are defined at build time.
import type { PanelModule } from './contract';
import type * as Languages from './loader/languages';
import { installApi, type ShopkeepApi } from './loader/commands';
import { startWidget } from './loader/widget';

declare const __PANEL_PATH__: string;
declare const __LANGUAGES_PATH__: string;

const win = window as { Shopkeep?: ShopkeepApi };
const script = document.currentScript as HTMLScriptElement | null;

if (script && !win.Shopkeep?.loaded) {
  // The server that served this script: the shop page itself is on another origin.
  const base = new URL(script.src).origin;
  installApi(win, script.dataset.site, (site) =>
    startWidget(
      site,
      base,
      () => import(/* @vite-ignore */ base + __PANEL_PATH__) as Promise<PanelModule>,
      () => import(/* @vite-ignore */ base + __LANGUAGES_PATH__) as Promise<typeof Languages>,
    ),
  );
}
