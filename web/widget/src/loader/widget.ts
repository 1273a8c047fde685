// The widget on the page: the socket, the launcher, page reporting, the events of the
// page's API, and the chat panel, loaded on first open or when a bubble must show.
import type { Identified, Invitation, Panel, PanelModule } from '../contract';
import type * as Languages from './languages';
import { accent } from '../color';
import { pageLangs, pickLang, primary } from '../i18n/lang';
import { load, save, storageKey } from '../storage';
import { createLauncher } from './launcher';
import { openConnection } from './socket';
import { launcherStrings } from './strings';
import { startTracking } from './tracking';

/** The commands of the page's API (docs/js-api.md); arguments of the wrong type are ignored. */
export interface Widget {
  open(): void;
  close(): void;
  toggle(): void;
  identify(who: unknown): void;
  set(attributes: unknown): void;
  on(event: unknown, callback: unknown): void;
  page(): void;
  setLanguage(lang: unknown): void;
}

/** What `on('message')` callbacks get: the event, flattened. */
export interface MessageInfo {
  conversation_id: string;
  seq: number;
  author: 'visitor' | 'agent' | 'system';
  /** The operator's name. */
  name?: string;
  text: string;
  /** Milliseconds since the epoch. */
  at: number;
}

type Callback = (data?: unknown) => void;

// A callback of the page must not break the widget.
const safely = (callback: Callback, data?: unknown) => {
  try {
    callback(data);
  } catch (error) {
    console.error(error);
  }
};

// Nothing to do when the panel fails to load: the next open tries again.
const ignore = () => {};

/**
 * Starts the widget of `site`, served from `base` (an origin). `loadPanel` fetches the
 * chat panel module; it is called once, when the panel or a bubble is first needed.
 */
export function startWidget(
  site: string,
  base: string,
  loadPanel: () => Promise<PanelModule>,
  loadLanguages: () => Promise<typeof Languages>,
): Widget {
  const key = (name: Parameters<typeof storageKey>[1]) => storageKey(site, name);
  // The last look seen, so the launcher has the site's colour and language at once.
  let [color, lang] = (load('localStorage', key('look')) || '').split(' ');
  let isOpen = false;
  let online = false;
  let unread = 0;
  let ready = false;
  // The language the page chose with setLanguage; it wins over the site's and the page's.
  let chosen: string | undefined;
  const listeners: [unknown, Callback][] = [];
  // Later, not now: callbacks must not re-enter the widget, and those the page registers
  // right after a command still hear of it.
  const emit = (name: string, data?: unknown) =>
    setTimeout(() => listeners.forEach(([event, callback]) => event === name && safely(callback, data)));

  const connection = openConnection(
    // The page's own key: it can break only its own widget, and the server checks it.
    `${base.replace(/^http/, 'ws')}/v1/visitor?site=${site}`,
    key('token'),
    // The site's fixed language, known from an earlier welcome, else the visitor's.
    primary(lang || pageLangs().find(Boolean)),
  );
  const tracking = startTracking(connection);
  const launcher = createLauncher(toggle);
  const { root, button } = launcher;
  let languages: Promise<void> | undefined;
  const paint = () => {
    const shown = pickLang(chosen, lang, ...pageLangs());
    const strings = launcherStrings[shown];
    if (strings) launcher.paint(accent(color), isOpen, online, unread, shown, strings);
    else {
      // Not loaded yet: the launcher waits for its words rather than flash English. After
      // a failure (offline), the next paint tries again.
      languages ||= loadLanguages().then(
        (module) => {
          Object.assign(launcherStrings, module.languages);
          paint();
        },
        () => (languages = undefined),
      );
    }
    // Remembered for this tab, so the chat stays open across the shop's pages.
    save('sessionStorage', key('open'), isOpen ? '1' : null);
  };

  connection.subscribe((frame) => {
    if (frame.type === 'welcome') {
      online = frame.operators_online;
      color = frame.look.color;
      lang = frame.look.lang || '';
      save('localStorage', key('look'), `${color} ${lang}`);
      if (!ready) emit('ready');
      ready = true;
    } else if (frame.type === 'status') {
      online = frame.operators_online;
    } else if (frame.type === 'event') {
      const { author, body } = frame.event;
      if (body.kind !== 'message') return;
      const info: MessageInfo = { ...frame.event, author: author.kind, name: (author as { name?: string }).name, text: body.text };
      emit('message', info);
      if (isOpen || author.kind !== 'agent') return;
      emit('unread', ++unread);
    } else {
      // An invitation, or the greeting of an identified customer.
      if (frame.type === 'invitation' || (frame as Identified).greeting) {
        getPanel().then((p) => p.bubble(frame as Invitation | Identified), ignore);
      }
      return;
    }
    paint();
  });

  let panel: Promise<Panel> | undefined;
  const getPanel = () =>
    (panel ||= loadPanel().then(
      (module) => module.mount({ root, connection, site, base, launcher: button, open, close, emit }),
      (error) => {
        // Let the next open try again (the visitor may have been offline).
        panel = undefined;
        throw error;
      },
    ));

  function open(focus = true) {
    if (!isOpen) emit('open');
    if (unread) emit('unread', 0);
    isOpen = true;
    unread = 0;
    paint();
    getPanel().then(
      (p) => isOpen && p.show(focus),
      () => {
        isOpen = false;
        paint();
      },
    );
  }

  function close() {
    if (!isOpen) return;
    emit('close');
    isOpen = false;
    paint();
    panel?.then((p) => p.hide());
  }

  function toggle() {
    if (isOpen) close();
    else open();
  }

  // Open on the tab's previous page: open again, but leave the focus to the page.
  if (load('sessionStorage', key('open'))) open(false);
  else {
    paint();
    // Messages typed on an earlier page and not yet stored: the panel sends them, unseen.
    if (load('sessionStorage', key('outbox'))) getPanel().catch(ignore);
  }

  return {
    ...tracking,
    open,
    close,
    toggle,
    on(event, callback) {
      if (typeof callback !== 'function') return;
      listeners.push([event, callback as Callback]);
      // Registered late: `ready` is a state as much as an event.
      if (event === 'ready' && ready) setTimeout(safely, 0, callback);
    },
    setLanguage(code) {
      if (typeof code !== 'string' || !code) return;
      chosen = code;
      tracking.setLanguage(code);
      paint();
    },
  };
}
