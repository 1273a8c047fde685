// The launcher button, drawn in the widget's shadow root so that the shop's CSS and
// the widget's CSS cannot touch each other.
import type { LauncherCatalog } from '../i18n/en';
import type { Lang } from '../i18n/lang';

export interface Launcher {
  /** The shadow root the panel mounts into as well. */
  root: ShadowRoot;
  button: HTMLButtonElement;
  /**
   * Draws the launcher: `colors` are the site's colour and a readable text colour on it
   * (for the panel too), `unread` the agent messages that arrived while closed, `strings`
   * the catalog of `lang`, the widget's language.
   */
  paint(colors: [string, string], open: boolean, online: boolean, unread: number, lang: Lang, strings: LauncherCatalog): void;
}

// Positioned for the z-index only: what it holds is positioned itself.
const HOST_STYLE = 'all:initial!important;position:fixed!important;z-index:2147483000!important';

// Scoped to #l: the panel shares this shadow root.
const CSS =
  '#l{position:fixed;right:20px;bottom:20px;display:flex;align-items:center;gap:10px;padding:10px 18px 10px 12px;' +
  'border:1px solid #0000;border-radius:28px;background:var(--sk-accent);color:var(--sk-on-accent);' +
  'font:600 15px/1.25 system-ui;text-align:left;cursor:pointer;box-shadow:0 4px 16px #0004}' +
  '#l:focus-visible{outline:2px solid #fff;box-shadow:0 0 0 5px #111}' +
  // The icon: a speech bubble, its tail the square corner.
  '#l:before{content:"";width:24px;height:20px;border-radius:7px 7px 7px 0;background:currentColor}' +
  '#s{display:flex;align-items:center;gap:6px;font:13px system-ui}' +
  '#s:before{content:"";padding:4px;border:2px solid;border-radius:50%;background:#9ca3af}' +
  '.on #s:before{background:#22c55e}' +
  '#l b{position:absolute;top:-6px;left:-6px;padding:0 7px;border-radius:10px;background:#dc2626;color:#fff;font:600 12px/20px system-ui}';

/**
 * Creates the host element and its launcher. The host goes into `<html>` on the first
 * paint: outside `<body>`, as there may be none yet and some shops replace it on navigation.
 */
export function createLauncher(onClick: () => void): Launcher {
  const host = document.createElement('shopkeep-widget');
  // Open, so that assistive technology and end-to-end tests can reach inside.
  const root = host.attachShadow({ mode: 'open' });
  // Constant markup only; everything that varies is set as text below. The button's name
  // is its aria-label and what a button holds is presentational, so neither the icon nor
  // the unread badge needs hiding from assistive technology.
  root.innerHTML =
    `<style>${CSS}</style><button id=l aria-describedby=s>` +
    '<span><span id=t></span><span id=s></span></span><b></b></button>';
  const button = root.lastChild as HTMLButtonElement;
  const [title, status, badge] = root.querySelectorAll<HTMLElement>('#t,#s,b');
  button.onclick = onClick;

  return {
    root,
    button,
    paint([accent, text], open, online, count, lang, [chat, onlineText, offlineText, unreadText]) {
      // Shown once it has words.
      if (!host.isConnected) document.documentElement.append(host);
      host.setAttribute('style', `${HOST_STYLE};--sk-accent:${accent};--sk-on-accent:${text}`);
      // The language of everything in the widget, the panel's too.
      host.lang = lang;
      button.setAttribute('aria-expanded', `${open}`);
      // The unread count is in the name: the badge itself is only a picture of it.
      button.setAttribute('aria-label', count ? `${chat}. ${unreadText}: ${count}` : chat);
      button.className = online ? 'on' : '';
      title!.textContent = chat;
      status!.textContent = online ? onlineText : offlineText;
      badge!.hidden = !count;
      badge!.textContent = `${count}`;
    },
  };
}
