import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { Panel } from '../src/contract';
import { mount } from '../src/panel/index';
import { AGENT, CONV, event, FakeConnection, receipts, view, welcome } from './fixtures';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  "{{constructor.constructor('alert(1)')()}}",
  '<a href="javascript:alert(1)">click</a> &amp; &lt;b&gt;',
];

let conn: FakeConnection;
let root: ShadowRoot;
let panel: Panel;
let close: Mock<() => void>;
let launcher: HTMLButtonElement;

const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
const $$ = (selector: string) => [...root.querySelectorAll<HTMLElement>(selector)];
const deliver = (...frames: Parameters<FakeConnection['deliver']>[0][]) =>
  act(() => frames.forEach((frame) => conn.deliver(frame)));

function type(text: string) {
  const field = $<HTMLTextAreaElement>('textarea');
  act(() => {
    field.value = text;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  });
  return field;
}

function press(key: string, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
  act(() => {
    $('textarea').dispatchEvent(event);
  });
  return event;
}

beforeEach(() => {
  conn = new FakeConnection();
  const host = document.createElement('div');
  document.body.append(host);
  root = host.attachShadow({ mode: 'open' });
  launcher = document.createElement('button');
  root.append(launcher);
  close = vi.fn<() => void>();
  act(() => {
    panel = mount({ root, connection: conn, site: 'pk_test', base: 'https://chat.example', launcher, open: vi.fn(), close, emit: vi.fn() });
  });
  deliver(welcome({ conversation: view(0) }));
  conn.take();
});

describe('panel', () => {
  it('is a labelled dialog with the site name, a polite log and a labelled composer', () => {
    const dialog = $('[role=dialog]');
    expect(root.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Acme Shop');
    const log = $('[role=log]');
    expect(log.getAttribute('aria-live')).toBe('polite');
    expect(log.getAttribute('aria-busy')).toBe('false');
    const field = $<HTMLTextAreaElement>('textarea');
    expect(root.querySelector(`label[for="${field.id}"]`)!.textContent).toBe('Message');
    expect($('button[type=submit]').getAttribute('aria-label')).toBe('Send');
  });

  it('renders markup in messages as literal text', () => {
    deliver(...PAYLOADS.map((text, i) => ({ type: 'event' as const, event: event(i + 1, { body: { kind: 'message', text } }) })));
    const bubbles = $$('.b');
    expect(bubbles.map((b) => b.textContent)).toEqual(PAYLOADS);
    expect(root.querySelectorAll('img, script, a').length).toBe(0);
    expect(document.querySelectorAll('img, script').length).toBe(0);
  });

  it('renders the visitor’s own markup literally too', () => {
    for (const text of PAYLOADS) {
      type(text);
      press('Enter');
    }
    expect($$('.me .b').map((b) => b.textContent)).toEqual(PAYLOADS);
    expect(root.querySelectorAll('img, script, a').length).toBe(0);
  });

  it('links web addresses by code, opening them safely', () => {
    deliver({ type: 'event', event: event(1, { body: { kind: 'message', text: 'Look: https://shop.example/p/1.' } }) });
    const link = $<HTMLAnchorElement>('.b a');
    expect(link.getAttribute('href')).toBe('https://shop.example/p/1');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect($('.b').textContent).toBe('Look: https://shop.example/p/1.');
  });

  it('marks the visitor’s message sending, sent, then delivered', () => {
    type('Hello');
    press('Enter');
    const status = () => $('.me .meta .sr').textContent;
    expect(status()).toBe('Sending');
    const [sent] = conn.take('send');
    deliver({ type: 'ack', client_msg_id: sent!.client_msg_id, conversation_id: CONV, seq: 1, at: 0, duplicate: false });
    expect(status()).toBe('Sent');
    deliver(
      { type: 'event', event: event(1, { author: { kind: 'visitor' }, body: { kind: 'message', text: 'Hello' }, client_msg_id: sent!.client_msg_id }) },
      { type: 'receipts', conversation_id: CONV, receipts: receipts({ agent_delivered: 1, visitor_delivered: 1 }) },
    );
    expect(status()).toBe('Delivered');
    expect($$('.me')).toHaveLength(1);
  });

  it('offers to retry a refused message and says why it was refused', () => {
    type('Hello');
    press('Enter');
    const [sent] = conn.take('send');
    deliver({ type: 'error', code: 'rate_limited', message: 'slow down', client_msg_id: sent!.client_msg_id });
    expect($('[role=alert]').textContent).toContain('You are sending messages too quickly');
    act(() => $('.retry').click());
    expect(conn.take('send')).toEqual([sent]);
    act(() => ($('[role=alert] button') as HTMLButtonElement).click());
    expect($('[role=alert]').textContent).toBe('');
  });

  it('shows joins, leaves and the end of the chat', () => {
    deliver(
      { type: 'event', event: event(1, { body: { kind: 'joined' } }) },
      { type: 'event', event: event(2, { body: { kind: 'left' } }) },
      { type: 'event', event: event(3, { author: { kind: 'system' }, body: { kind: 'closed' } }) },
    );
    expect($$('.sys').map((line) => line.textContent)).toEqual(['Anna joined the chat', 'Anna left the chat', 'Chat ended']);
  });

  it('shows who is typing', () => {
    deliver({ type: 'typing', conversation_id: CONV, side: 'agent', name: AGENT.kind === 'agent' ? AGENT.name : '', active: true });
    expect($('.ty').textContent).toBe('Anna is typing…');
    deliver({ type: 'typing', conversation_id: CONV, side: 'agent', active: false });
    expect(root.querySelector('.ty')).toBeNull();
  });

  it('sends on Enter, keeps Shift+Enter and input-method Enter for the text', () => {
    const field = type('line one');
    expect(press('Enter', { shiftKey: true }).defaultPrevented).toBe(false);
    expect(press('Enter', { isComposing: true }).defaultPrevented).toBe(false);
    expect(conn.take('send')).toEqual([]);
    expect(press('Enter').defaultPrevented).toBe(true);
    expect(conn.take('send')).toMatchObject([{ text: 'line one' }]);
    expect(field.value).toBe('');
  });

  it('counts characters near the limit', () => {
    type('a'.repeat(3700));
    expect(root.querySelector('#sk-count')).toBeNull();
    type('a'.repeat(3900));
    expect($('#sk-count').textContent).toBe('Characters left: 100');
    type('a'.repeat(4010));
    expect($('#sk-count').textContent).toBe('Characters over the limit: 10');
    press('Enter');
    expect(conn.take('send')).toEqual([]);
    expect($('[role=alert]').textContent).toContain('at most 4000 characters');
  });

  it('moves focus into the panel when shown, and closes on Escape', () => {
    act(() => panel.show(true));
    expect(root.activeElement).toBe($('textarea'));
    press('Escape');
    expect(close).toHaveBeenCalledOnce();
  });

  it('gives the focus back to the launcher when hidden with the focus inside', () => {
    act(() => panel.show(true));
    act(() => panel.hide());
    expect(root.activeElement).toBe(launcher);
  });

  it('leaves the focus where it is when hidden from outside', () => {
    const field = document.createElement('input');
    document.body.append(field);
    act(() => panel.show(false));
    field.focus();
    act(() => panel.hide());
    expect(document.activeElement).toBe(field);
    expect(root.activeElement).toBeNull();
  });

  it('closes with the close button', () => {
    act(() => $('button[aria-label="Close chat"]').click());
    expect(close).toHaveBeenCalledOnce();
  });

  it('speaks the language the loader chose, and follows it', async () => {
    const element = root.host as HTMLElement;
    element.lang = 'ja';
    await new Promise((resolve) => setTimeout(resolve));
    act(() => {});
    expect($('button[type=submit]').getAttribute('aria-label')).toBe('送信');
    expect($('[role=dialog]').getAttribute('lang')).toBe('ja');
  });

  it('speaks the site’s fixed language', () => {
    deliver(welcome({ look: { site_name: 'Ацме', color: '#000000', lang: 'uk' } }));
    expect($('button[type=submit]').getAttribute('aria-label')).toBe('Надіслати');
    expect($('[role=dialog]').getAttribute('lang')).toBe('uk');
  });

  it('says when it is reconnecting', () => {
    deliver({ type: 'disconnected' });
    expect($('.h p').textContent).toBe('Connecting…');
    deliver(welcome({ operators_online: false }));
    expect($('.h p').textContent).toBe('Leave a message');
  });
});
