import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { Panel, PanelHost, PanelModule } from '../src/contract';
import { startWidget } from '../src/loader/widget';
import { FakeSocket } from './fake-socket';
import { event, welcome } from './fixtures';

const SITE = 'pk_test';
const BASE = 'https://chat.example';

let panel: { show: Mock<(focus: boolean) => void>; hide: Mock<() => void> };
let hosts: PanelHost[];
let loadPanel: Mock<() => Promise<PanelModule>>;

beforeEach(() => {
  FakeSocket.sockets = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  hosts = [];
  panel = { show: vi.fn(), hide: vi.fn() };
  loadPanel = vi.fn(async () => ({
    mount(host: PanelHost): Panel {
      hosts.push(host);
      return panel;
    },
  }));
});

function start() {
  const widget = startWidget(SITE, BASE, loadPanel);
  const host = document.body.querySelector('shopkeep-widget') as HTMLElement;
  const root = host.shadowRoot!;
  const button = root.querySelector('button')!;
  const socket = FakeSocket.last();
  socket.open();
  return { widget, host, root, button, socket, status: () => root.querySelector('#s')!.textContent };
}

const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('launcher', () => {
  it('connects to the server it was loaded from', () => {
    start();
    expect(FakeSocket.last().url).toBe('wss://chat.example/v1/visitor?site=pk_test');
  });

  it('is a labelled button in a shadow root, touching nothing of the page', () => {
    const before = document.head.innerHTML;
    const { host, button } = start();
    expect(host.style.getPropertyValue('all')).toBe('initial');
    expect(host.style.getPropertyPriority('all')).toBe('important');
    expect(host.style.getPropertyValue('position')).toBe('fixed');
    expect(button.getAttribute('aria-label')).toBe('Chat with us');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(document.querySelectorAll('button, style')).toHaveLength(0);
    expect(document.head.innerHTML).toBe(before);
  });

  it('reflects whether operators are online', () => {
    const { button, socket, status } = start();
    expect(status()).toBe('Leave a message');
    socket.receive(welcome({ operators_online: true }));
    expect(status()).toBe('We’re online');
    expect(button.classList.contains('on')).toBe(true);
    socket.receive({ type: 'status', operators_online: false });
    expect(status()).toBe('Leave a message');
    expect(button.classList.contains('on')).toBe(false);
  });

  it('takes the site’s colour, keeping text readable, and remembers it for the next page', () => {
    const { host, socket } = start();
    socket.receive(welcome({ look: { site_name: 'Acme', color: '#ffd400', lang: null } }));
    expect(host.style.getPropertyValue('--sk-accent')).toBe('#ffd400');
    expect(host.style.getPropertyValue('--sk-on-accent')).toBe('#111827');

    document.body.replaceChildren();
    const next = start();
    expect(next.host.style.getPropertyValue('--sk-accent')).toBe('#ffd400');
  });

  it('refuses a colour that is not #rrggbb', () => {
    const { host, socket } = start();
    socket.receive(welcome({ look: { site_name: 'Acme', color: 'red;background:url(x)', lang: null } }));
    expect(host.style.getPropertyValue('--sk-accent')).toBe('#2563eb');
  });

  it('speaks the page’s language, unless the site fixes one', () => {
    document.documentElement.lang = 'ja';
    const { button, socket, status } = start();
    expect(button.getAttribute('aria-label')).toBe('チャットで相談');
    expect(socket.sent[0]).toMatchObject({ type: 'hello', lang: 'ja' });
    socket.receive(welcome({ operators_online: true, look: { site_name: 'Acme', color: '#336699', lang: 'ru' } }));
    expect(button.getAttribute('aria-label')).toBe('Напишите нам');
    expect(status()).toBe('Мы на связи');

    // The next page knows the fixed language before the socket says it.
    document.body.replaceChildren();
    const next = start();
    expect(next.button.getAttribute('aria-label')).toBe('Напишите нам');
    expect(next.socket.sent[0]).toMatchObject({ type: 'hello', lang: 'ru' });
  });

  it('counts agent messages that arrive while closed', () => {
    const { root, button, socket } = start();
    socket.receive(welcome());
    socket.receive({ type: 'event', event: event(1) });
    socket.receive({ type: 'event', event: event(2, { body: { kind: 'joined' } }) });
    expect(root.querySelector('b')!.hidden).toBe(false);
    expect(root.querySelector('b')!.textContent).toBe('1');
    expect(button.getAttribute('aria-label')).toBe('Chat with us. Unread messages: 1');
    button.click();
    expect(root.querySelector('b')!.hidden).toBe(true);
  });
});

describe('panel loading', () => {
  it('loads the panel once, on first open, and hands it the shadow root and the socket', async () => {
    const { widget, root, button } = start();
    expect(loadPanel).not.toHaveBeenCalled();
    button.click();
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(hosts[0]!.root).toBe(root);
    expect(hosts[0]!.site).toBe(SITE);
    expect(panel.show).toHaveBeenCalledWith(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');

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

  it('returns focus to the launcher when closed from inside the panel', async () => {
    const { widget, root, button } = start();
    widget.open();
    await settle();
    const inside = document.createElement('textarea');
    root.append(inside);
    inside.focus();
    hosts[0]!.close();
    await settle();
    expect(root.activeElement).toBe(button);
    expect(button.getAttribute('aria-expanded')).toBe('false');
  });

  it('reopens after a page change without taking focus from the page', async () => {
    const first = start();
    first.widget.open();
    await settle();
    document.body.replaceChildren();
    start();
    await settle();
    expect(panel.show).toHaveBeenLastCalledWith(false);
  });

  it('loads the panel unseen to send messages left unsent on an earlier page', async () => {
    sessionStorage.setItem(`shopkeep:${SITE}:outbox`, '[{"id":"a","text":"hi","at":1}]');
    const { button } = start();
    await settle();
    expect(loadPanel).toHaveBeenCalledOnce();
    expect(panel.show).not.toHaveBeenCalled();
    expect(button.getAttribute('aria-expanded')).toBe('false');
  });

  it('lets the next open retry when the panel failed to load', async () => {
    loadPanel.mockRejectedValueOnce(new Error('offline'));
    const { widget, button } = start();
    widget.open();
    await settle();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    widget.open();
    await settle();
    expect(loadPanel).toHaveBeenCalledTimes(2);
    expect(panel.show).toHaveBeenCalledOnce();
  });
});
