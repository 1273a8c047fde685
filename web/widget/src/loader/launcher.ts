// The launcher button, drawn in the widget's shadow root so that the shop's CSS and
// the widget's CSS cannot touch each other.
import type { LauncherCatalog } from '../i18n/en';

export interface LauncherState {
  /** The site's colour and a readable text colour on it, for the launcher and the panel. */
  colors: [string, string];
  open: boolean;
  online: boolean;
  unread: number;
  strings: LauncherCatalog;
}

export interface Launcher {
  /** The shadow root the panel mounts into as well. */
  root: ShadowRoot;
  button: HTMLButtonElement;
  paint(state: LauncherState): void;
}

const HOST_STYLE =
  'all:initial!important;position:fixed!important;right:0!important;bottom:0!important;z-index:2147483000!important';

// Scoped to #l: the panel shares this shadow root.
const CSS =
  '#l{position:fixed;right:20px;bottom:20px;display:flex;align-items:center;gap:10px;margin:0;padding:10px 18px 10px 12px;' +
  'border:1px solid #0000;border-radius:28px;background:var(--sk-accent);color:var(--sk-on-accent);' +
  'font:600 15px/1.25 system-ui,sans-serif;text-align:left;cursor:pointer;box-shadow:0 4px 16px #0004}' +
  '#l:focus-visible{outline:2px solid #fff;box-shadow:0 0 0 5px #111}' +
  '#l svg{width:28px;flex:none}' +
  '#s{display:flex;align-items:center;gap:6px;font-size:13px;font-weight:400}' +
  '#l i{width:8px;height:8px;border:2px solid;border-radius:50%;background:#9ca3af}' +
  '#l.on i{background:#22c55e}' +
  '#l b{position:absolute;top:-6px;left:-6px;padding:0 7px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;line-height:20px}';

/** Creates the host element (appended to `<body>` once there is one) and its launcher. */
export function createLauncher(onClick: () => void): Launcher {
  const host = document.createElement('shopkeep-widget');
  // Open, so that assistive technology and end-to-end tests can reach inside.
  const root = host.attachShadow({ mode: 'open' });
  // Constant markup only; everything that varies is set as text below.
  root.innerHTML =
    `<style>${CSS}</style><button id=l type=button aria-expanded=false aria-describedby=s>` +
    '<svg viewBox="0 0 24 24" aria-hidden=true><path fill=currentColor d="M2 3h20v14H9l-5 4v-4H2z"/></svg>' +
    '<span><span id=t></span><span id=s><i></i><span></span></span></span><b aria-hidden=true hidden></b></button>';
  const button = root.querySelector('button')!;
  const [title, status] = root.querySelectorAll<HTMLElement>('#t,#s>span');
  const badge = root.querySelector('b')!;
  button.onclick = onClick;

  const attach = () => document.body.append(host);
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach);

  return {
    root,
    button,
    paint({ colors: [accent, text], open, online, unread: count, strings }) {
      host.setAttribute('style', `${HOST_STYLE};--sk-accent:${accent};--sk-on-accent:${text}`);
      button.setAttribute('aria-expanded', String(open));
      // The unread count is in the name: the badge itself is only a picture of it.
      button.setAttribute('aria-label', count ? `${strings.chat}. ${strings.unread}: ${count}` : strings.chat);
      button.className = online ? 'on' : '';
      title!.textContent = strings.chat;
      status!.textContent = online ? strings.online : strings.offline;
      badge.hidden = !count;
      badge.textContent = String(count);
    },
  };
}
