import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { Identified, Invitation, Panel, PanelHost, PanelModule } from '../src/contract';
import * as languagesModule from '../src/loader/languages';
import { launcherStrings } from '../src/loader/strings';
import { startWidget } from '../src/loader/widget';
import { FakeSocket } from './fake-socket';
import { event, welcome } from './fixtures';

const SITE = 'pk_test';
const BASE = 'https://chat.example';

let panel: { [K in keyof Panel]: Mock<Panel[K]> };
let hosts: PanelHost[];
let loadPanel: Mock<() => Promise<PanelModule>>;
let loadLanguages: Mock<() => Promise<typeof languagesModule>>;

beforeEach(() => {
  FakeSocket.sockets = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  hosts = [];
  panel = { show: vi.fn(), hide: vi.fn(), bubble: vi.fn() };
  loadPanel = vi.fn(async () => ({
    mount(host: PanelHost): Panel {
      hosts.push(host);
      return panel;
    },
  }));
  loadLanguages = vi.fn(async () => languagesModule);
  // As on a fresh page: English only, until the other languages are loaded.
  for (const lang of ['ru', 'uk', 'ja'] as const) delete launcherStrings[lang];
});

function start() {
  const widget = startWidget(SITE, BASE, loadPanel, loadLanguages);
  const socket = FakeSocket.last();
  socket.open();
  // The newest host: a test may play several pages.
  const host = () => [...document.querySelectorAll<HTMLElement>('shopkeep-widget')].at(-1)!;
  const root = () => host().shadowRoot!;
  const button = () => root().querySelector('button')!;
  return {
    widget,
    socket,
    host,
    root,
    button,
    label: () => button().getAttribute('aria-label'),
    status: () => root().querySelector('#s')!.textContent,
    badge: () => root().querySelector('b')!,
  };
}

/** The visitor goes to another page of the shop: the old widget is gone with it. */
function nextPage() {
  document.querySelectorAll('shopkeep-widget').forEach((host) => host.remove());
  return start();
}

const settle = () => new Promise((resolve) => setTimeout(resolve));

/** Records what the page's `on` callbacks hear. */
function listen(widget: ReturnType<typeof start>['widget'], ...events: string[]) {
  const heard: [string, unknown][] = [];
  for (const name of events) widget.on(name, (data: unknown) => heard.push([name, data]));
  return heard;
}

describe('launcher', () => {
  it('connects to the server it was loaded from', () => {
    start();
    expect(FakeSocket.last().url).toBe('wss://chat.example/v1/visitor?site=pk_test');
  });

  it('is a labelled button in a shadow root, touching nothing of the page', () => {
    const before = document.head.innerHTML;
    const { host, button } = start();
    expect(host().parentElement).toBe(document.documentElement);
    expect(host().style.getPropertyValue('all')).toBe('initial');
    expect(host().style.getPropertyPriority('all')).toBe('important');
    expect(host().style.getPropertyValue('position')).toBe('fixed');
    expect(button().getAttribute('aria-label')).toBe('Chat with us');
    expect(button().getAttribute('aria-expanded')).toBe('false');
    expect(document.querySelectorAll('button, style')).toHaveLength(0);
    expect(document.head.innerHTML).toBe(before);
  });

  it('reflects whether operators are online', () => {
    const { button, socket, status } = start();
    expect(status()).toBe('Leave a message');
    socket.receive(welcome({ operators_online: true }));
    expect(status()).toBe('We’re online');
    expect(button().classList.contains('on')).toBe(true);
    socket.receive({ type: 'status', operators_online: false });
    expect(status()).toBe('Leave a message');
    expect(button().classList.contains('on')).toBe(false);
  });

  it('takes the site’s colour, keeping text readable, and remembers it for the next page', () => {
    const { host, socket } = start();
    socket.receive(welcome({ look: { site_name: 'Acme', color: '#ffd400', lang: null } }));
    expect(host().style.getPropertyValue('--sk-accent')).toBe('#ffd400');
    expect(host().style.getPropertyValue('--sk-on-accent')).toBe('#111827');
    socket.receive(welcome({ look: { site_name: 'Acme', color: '#1e3a8a', lang: null } }));
    expect(host().style.getPropertyValue('--sk-on-accent')).toBe('#fff');

    const next = nextPage();
    expect(next.host().style.getPropertyValue('--sk-accent')).toBe('#1e3a8a');
  });

  it('refuses a colour that is not #rrggbb', () => {
    const { host, socket } = start();
    socket.receive(welcome({ look: { site_name: 'Acme', color: 'red;background:url(x)', lang: null } }));
    expect(host().style.getPropertyValue('--sk-accent')).toBe('#2563eb');
  });

  it('speaks the page’s language, unless the site fixes one', async () => {
    document.documentElement.lang = 'ja';
    const { label, socket, status, host } = start();
    expect(socket.sent[0]).toMatchObject({ type: 'hello', lang: 'ja' });
    // Other languages than English come in a module of their own; until it is there,
    // the launcher waits rather than flash English.
    expect(document.querySelector('shopkeep-widget')).toBeNull();
    await settle();
    expect(loadLanguages).toHaveBeenCalledOnce();
    expect(label()).toBe('チャットで相談');
    expect(host().lang).toBe('ja');
    socket.receive(welcome({ operators_online: true, look: { site_name: 'Acme', color: '#336699', lang: 'ru' } }));
    expect(label()).toBe('Напишите нам');
    expect(status()).toBe('Мы на связи');
    expect(host().lang).toBe('ru');
    expect(loadLanguages).toHaveBeenCalledOnce();

    // The next page knows the fixed language before the socket says it.
    const next = nextPage();
    await settle();
    expect(next.label()).toBe('Напишите нам');
    expect(next.socket.sent[0]).toMatchObject({ type: 'hello', lang: 'ru' });
  });

  it('loads no other language for English', () => {
    document.documentElement.lang = 'en-GB';
    start();
    expect(loadLanguages).not.toHaveBeenCalled();
  });

  it('tries the languages again after failing to load them', async () => {
    document.documentElement.lang = 'uk';
    loadLanguages.mockRejectedValueOnce(new Error('offline'));
    const { socket, label } = start();
    await settle();
    expect(document.querySelector('shopkeep-widget')).toBeNull();
    socket.receive(welcome());
    await settle();
    expect(loadLanguages).toHaveBeenCalledTimes(2);
    expect(label()).toBe('Напишіть нам');
  });

  it('switches language when the page says so, and tells the server', async () => {
    const { widget, label, status, socket, host } = start();
    socket.receive(welcome());
    widget.setLanguage('ja');
    await settle();
    expect(label()).toBe('チャットで相談');
    expect(status()).toBe('オンライン対応中');
    expect(host().lang).toBe('ja');
    expect(socket.sent.at(-1)).toEqual({ type: 'language', lang: 'ja' });
    // The page's choice wins over the site's fixed language.
    socket.receive(welcome({ look: { site_name: 'Acme', color: '#336699', lang: 'ru' } }));
    expect(label()).toBe('チャットで相談');
    // A language without a catalog: the server hears it, the launcher falls back.
    widget.setLanguage('de');
    expect(label()).toBe('Напишите нам');
    expect(socket.sent.at(-1)).toEqual({ type: 'language', lang: 'de' });
    widget.setLanguage(42);
    widget.setLanguage('');
    expect(socket.sent.at(-1)).toEqual({ type: 'language', lang: 'de' });
  });

  it('counts agent messages that arrive while closed', () => {
    const { badge, label, button, socket } = start();
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
    socket.receive({ type: 'event', event: event(2, { body: { kind: 'joined' } }) });
    socket.receive({ type: 'event', event: event(3, { author: { kind: 'visitor' }, body: { kind: 'message', text: 'hi' } }) });
    expect(badge().hidden).toBe(false);
    expect(badge().textContent).toBe('1');
    expect(label()).toBe('Chat with us. Unread: 1');
    button().click();
    expect(badge().hidden).toBe(true);
  });
});

describe('page API events', () => {
  it('says ready on the first welcome only, also to callbacks registered later', async () => {
    const { widget, socket } = start();
    const heard = listen(widget, 'ready');
    socket.receive(welcome());
    socket.lose();
    FakeSocket.last().open();
    FakeSocket.last().receive(welcome());
    await settle();
    expect(heard).toEqual([['ready', undefined]]);
    const late = listen(widget, 'ready');
    await settle();
    expect(late).toEqual([['ready', undefined]]);
  });

  it('says open and close on every change, whoever made it', async () => {
    const { widget, button } = start();
    const heard = listen(widget, 'open', 'close');
    widget.open();
    widget.open();
    button().click();
    widget.close();
    widget.toggle();
    await settle();
    expect(heard.map(([name]) => name)).toEqual(['open', 'close', 'open']);
  });

  it('tells of each new message of the conversation, flattened', async () => {
    const { widget, socket } = start();
    const heard = listen(widget, 'message');
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
    socket.receive({ type: 'event', event: event(2, { author: { kind: 'visitor' }, body: { kind: 'message', text: 'Thanks' } }) });
    socket.receive({ type: 'event', event: event(3, { author: { kind: 'system' }, body: { kind: 'closed' } }) });
    await settle();
    expect(heard.map(([, data]) => data)).toEqual([
      expect.objectContaining({ conversation_id: 'c-1', seq: 1, author: 'agent', name: 'Anna', text: 'message 1', at: event(1).at }),
      expect.objectContaining({ conversation_id: 'c-1', seq: 2, author: 'visitor', name: undefined, text: 'Thanks' }),
    ]);
  });

  it('tells of the unread count as it changes', async () => {
    const { widget, socket } = start();
    const heard = listen(widget, 'unread');
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
    socket.receive({ type: 'event', event: event(2) });
    widget.open();
    widget.close();
    await settle();
    expect(heard.map(([, count]) => count)).toEqual([1, 2, 0]);
  });

  it('hands the panel a way to tell of events', async () => {
    const { widget } = start();
    const heard = listen(widget, 'invitation');
    widget.open();
    await settle();
    hosts[0]!.emit('invitation', { text: 'Hi', agent: 'Anna' });
    await settle();
    expect(heard).toEqual([['invitation', { text: 'Hi', agent: 'Anna' }]]);
  });

  it('survives callbacks that throw, and tells the console', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { widget, socket, badge } = start();
    const after: unknown[] = [];
    widget.on('message', () => {
      throw new Error('shop bug');
    });
    widget.on('message', (data: unknown) => after.push(data));
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
    await settle();
    expect(after).toHaveLength(1);
    expect(error).toHaveBeenCalledWith(new Error('shop bug'));
    expect(badge().textContent).toBe('1');
  });

  it('ignores callbacks that are not functions', () => {
    const { widget, socket } = start();
    widget.on('message', 'alert(1)');
    widget.on('ready', null);
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
  });
});

describe('tracking', () => {
  it('reports the page, the identity, attributes and language after every welcome', () => {
    const { widget, socket } = start();
    widget.identify({ id: '42', hash: 'ab' });
    widget.set({ cart_total: 20, items: 2 });
    widget.set({ items: null });
    widget.setLanguage('ru');
    socket.receive(welcome());
    const first = socket.sent.slice(1);
    expect(first).toEqual([
      { type: 'page', url: location.href, title: document.title },
      { type: 'activity', active: true },
      { type: 'language', lang: 'ru' },
      { type: 'identify', id: '42', hash: 'ab' },
      { type: 'set', attributes: { cart_total: 20, items: null } },
    ]);

    socket.lose();
    FakeSocket.last().open();
    FakeSocket.last().receive(welcome());
    expect(FakeSocket.last().sent.slice(1)).toEqual(first);
  });

  it('reports single-page navigations', () => {
    vi.useFakeTimers();
    const { socket } = start();
    socket.receive(welcome());
    history.pushState(null, '', '/catalog/boots');
    vi.advanceTimersByTime(100);
    expect(socket.sent.at(-1)).toMatchObject({ type: 'page', url: 'http://localhost:3000/catalog/boots' });
    history.replaceState(null, '', '/');
  });
});

describe('bubbles', () => {
  const invitation: Invitation = {
    type: 'invitation',
    invitation_id: 'i-1',
    agent: { id: 's-1', name: 'Anna' },
    photo: '/v1/staff/s-1/photo',
    text: 'Can I help?',
  };

  it('loads the panel for an invitation, unseen, and hands it over', async () => {
    const { socket, button } = start();
    socket.receive(welcome());
    socket.receive(invitation);
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(panel.bubble).toHaveBeenCalledExactlyOnceWith(invitation);
    expect(panel.show).not.toHaveBeenCalled();
    expect(button().getAttribute('aria-expanded')).toBe('false');
  });

  it('loads the panel for the greeting of a returning customer, not for a plain identify', async () => {
    const { socket } = start();
    socket.receive(welcome());
    socket.receive({ type: 'identified', verified: false, greeting: null, conversation: null });
    await settle();
    expect(loadPanel).not.toHaveBeenCalled();
    const identified: Identified = { type: 'identified', verified: true, greeting: 'Welcome back, Ann!', conversation: null };
    socket.receive(identified);
    await settle();
    expect(panel.bubble).toHaveBeenCalledExactlyOnceWith(identified);
  });

  it('opens the panel when the panel asks (an accepted invitation)', async () => {
    const { socket, button } = start();
    socket.receive(invitation);
    await settle();
    hosts[0]!.open();
    await settle();
    expect(panel.show).toHaveBeenCalledWith(true);
    expect(button().getAttribute('aria-expanded')).toBe('true');
    expect(hosts[0]!.base).toBe(BASE);
    expect(hosts[0]!.launcher).toBe(button());
  });
});

describe('panel loading', () => {
  it('loads the panel once, on first open, and hands it the shadow root and the socket', async () => {
    const { widget, root, button } = start();
    expect(loadPanel).not.toHaveBeenCalled();
    button().click();
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(hosts[0]!.root).toBe(root());
    expect(hosts[0]!.site).toBe(SITE);
    expect(panel.show).toHaveBeenCalledWith(true);
    expect(button().getAttribute('aria-expanded')).toBe('true');

    widget.close();
    widget.open();
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(panel.hide).toHaveBeenCalledOnce();
    expect(panel.show).toHaveBeenCalledTimes(2);
  });

  it('shares the live connection with the panel', async () => {
    const { widget, socket } = start();
    widget.open();
    await settle();
    const { connection } = hosts[0]!;
    const seen: string[] = [];
    connection.subscribe((frame) => seen.push(frame.type));
    socket.receive(welcome());
    expect(connection.welcome).not.toBeNull();
    expect(connection.send({ type: 'typing', active: true })).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: 'typing', active: true });
    expect(seen).toEqual(['welcome']);
  });

  it('lets the panel close itself', async () => {
    const { widget, button } = start();
    widget.open();
    await settle();
    hosts[0]!.close();
    await settle();
    expect(panel.hide).toHaveBeenCalledOnce();
    expect(button().getAttribute('aria-expanded')).toBe('false');
  });

  it('reopens after a page change without taking focus from the page', async () => {
    const first = start();
    first.widget.open();
    await settle();
    nextPage();
    await settle();
    expect(panel.show).toHaveBeenLastCalledWith(false);
  });

  it('loads the panel unseen to send messages left unsent on an earlier page', async () => {
    sessionStorage.setItem(`shopkeep:${SITE}:outbox`, '[{"id":"a","text":"hi","at":1}]');
    const { button } = start();
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(panel.show).not.toHaveBeenCalled();
    expect(button().getAttribute('aria-expanded')).toBe('false');
  });

  it('lets the next open retry when the panel failed to load', async () => {
    loadPanel.mockRejectedValueOnce(new Error('offline'));
    const { widget, button } = start();
    widget.open();
    await settle();
    expect(button().getAttribute('aria-expanded')).toBe('false');
    widget.open();
    await settle();
    expect(loadPanel).toHaveBeenCalledTimes(2);
    expect(panel.show).toHaveBeenCalledOnce();
  });
});
