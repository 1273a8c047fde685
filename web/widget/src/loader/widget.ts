// The widget on the page: the socket, the launcher, and the chat panel loaded on first open.
import type { Panel, PanelModule } from '../contract';
import { accent } from '../color';
import { pageLangs, pickLang, primary } from '../i18n/lang';
import { load, save, storageKey } from '../storage';
import { createLauncher } from './launcher';
import { openConnection } from './socket';
import { launcherStrings } from './strings';

export interface Widget {
  open(): void;
  close(): void;
  toggle(): void;
}

/**
 * Starts the widget of `site`, served from `base` (an origin). `loadPanel` fetches the
 * chat panel module; it is called on the first open only.
 */
export function startWidget(site: string, base: string, loadPanel: () => Promise<PanelModule>): Widget {
  const key = (name: Parameters<typeof storageKey>[1]) => storageKey(site, name);
  // The last look seen, so the launcher has the site's colour and language at once.
  const [color, fixedLang] = (load('localStorage', key('look')) || '').split(' ');
  const state = { open: false, online: false, unread: 0, color, lang: fixedLang };

  const connection = openConnection(
    `${base.replace(/^http/, 'ws')}/v1/visitor?site=${encodeURIComponent(site)}`,
    key('token'),
    // The site's fixed language, known from an earlier welcome, else the visitor's.
    primary(fixedLang || pageLangs().find(Boolean)),
  );
  const launcher = createLauncher(() => toggle());
  const { root, button } = launcher;
  const paint = () => {
    launcher.paint({
      ...state,
      colors: accent(state.color),
      strings: launcherStrings[pickLang(state.lang, ...pageLangs())],
    });
    // Remembered for this tab, so the chat stays open across the shop's pages.
    save('sessionStorage', key('open'), state.open ? '1' : null);
  };

  connection.subscribe((frame) => {
    if (frame.type === 'welcome') {
      const { look } = frame;
      state.online = frame.operators_online;
      state.lang = look.lang || '';
      state.color = look.color;
      save('localStorage', key('look'), `${look.color} ${state.lang}`);
    } else if (frame.type === 'status') {
      state.online = frame.operators_online;
    } else if (
      frame.type === 'event' &&
      !state.open &&
      frame.event.author.kind === 'agent' &&
      frame.event.body.kind === 'message'
    ) {
      state.unread++;
    } else {
      return;
    }
    paint();
  });

  let panel: Promise<Panel> | undefined;
  const getPanel = () =>
    (panel ||= loadPanel().then(
      (module) => module.mount({ root, connection, site, close }),
      (error) => {
        // Let the next open try again (the visitor may have been offline).
        panel = undefined;
        throw error;
      },
    ));

  function open(focus = true) {
    state.open = true;
    state.unread = 0;
    paint();
    getPanel().then(
      (p) => state.open && p.show(focus),
      () => {
        state.open = false;
        paint();
      },
    );
  }

  function close() {
    if (!state.open) return;
    state.open = false;
    paint();
    panel?.then((p) => {
      // Return focus only if it was in the panel: an API call must not steal it from the page.
      const inside = root.activeElement && root.activeElement !== button;
      p.hide();
      if (inside) button.focus();
    });
  }

  const toggle = () => (state.open ? close() : open());

  // Open on the tab's previous page: open again, but leave the focus to the page.
  if (load('sessionStorage', key('open'))) open(false);
  else {
    paint();
    // Messages typed on an earlier page and not yet stored: the panel sends them, unseen.
    if (load('sessionStorage', key('outbox'))) getPanel().catch(() => {});
  }
  return { open, close, toggle };
}
