import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import type { Invitation, Panel } from '../src/contract';
import { mount } from '../src/panel/index';
import { initials } from '../src/panel/ui/Bubble';
import { CONV, event, FakeConnection, view, welcome } from './fixtures';

const BASE = 'https://chat.example';
const XSS = '<img src=x onerror=alert(1)>';

let conn: FakeConnection;
let root: ShadowRoot;
let panel: Panel;
let launcher: HTMLButtonElement;
let open: Mock<() => void>;
let emit: Mock<(event: string, data?: unknown) => void>;

const invitation = (change: Partial<Invitation> = {}): Invitation => ({
  type: 'invitation',
  invitation_id: 'inv-1',
  agent: { id: 's-1', name: 'Anna Lee' },
  photo: '/v1/staff/s-1/photo',
  text: 'Hi! Can I help you find a size?',
  ...change,
});

const deliver = (...frames: Parameters<FakeConnection['deliver']>[0][]) =>
  act(() => frames.forEach((frame) => conn.deliver(frame)));
const bubble = (frame: Parameters<Panel['bubble']>[0]) => act(() => panel.bubble(frame));

/** The button with this accessible name (its text, or its aria-label). */
function button(name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].filter(
    (b) => (b.getAttribute('aria-label') ?? b.textContent) === name && !b.closest('[hidden]'),
  );
  expect(found, `one button named ${name}`).toHaveLength(1);
  return found[0]!;
}

const named = (name: string) =>
  [...root.querySelectorAll('button')].filter((b) => (b.getAttribute('aria-label') ?? b.textContent) === name && !b.closest('[hidden]'));
const click = (name: string) => act(() => button(name).click());
const outside = () => root.querySelector<HTMLElement>('.bub:not(.in)');
const inside = () => root.querySelector<HTMLElement>('.bub.in');

beforeEach(() => {
  conn = new FakeConnection();
  const host = document.createElement('div');
  document.body.append(host);
  root = host.attachShadow({ mode: 'open' });
  launcher = document.createElement('button');
  launcher.setAttribute('aria-label', 'Chat with us');
  root.append(launcher);
  open = vi.fn();
  emit = vi.fn();
  act(() => {
    panel = mount({ root, connection: conn, site: 'pk_test', base: BASE, launcher, open, close: vi.fn(), emit });
  });
  deliver(welcome({ conversation: view(0) }));
  conn.take();
});

describe('invitation bubble', () => {
  it('shows the operator’s photo, name and words above the launcher', () => {
    bubble(invitation());
    const card = outside()!;
    expect(card.getAttribute('aria-label')).toBe('Message from Anna Lee');
    expect(card.querySelector('.who')!.textContent).toBe('Anna Lee');
    expect(card.querySelector('.bt')!.textContent).toBe('Hi! Can I help you find a size?');
    const photo = card.querySelector('img')!;
    expect(photo.getAttribute('src')).toBe('https://chat.example/v1/staff/s-1/photo');
    expect(photo.getAttribute('alt')).toBe('');
    expect(named('Reply')).toHaveLength(1);
    expect(named('Dismiss')).toHaveLength(1);
    // Announced, not focused: the visitor was doing something else.
    expect(card.closest('[aria-live=polite]')).not.toBeNull();
    expect(root.activeElement).toBeNull();
  });

  it('tells the page', () => {
    bubble(invitation());
    expect(emit).toHaveBeenCalledExactlyOnceWith('invitation', { text: 'Hi! Can I help you find a size?', agent: 'Anna Lee' });
    bubble(invitation({ agent: null }));
    expect(emit).toHaveBeenLastCalledWith('invitation', { text: 'Hi! Can I help you find a size?', agent: null });
  });

  it('accepts: answers the server and asks the loader to open the chat', () => {
    bubble(invitation());
    click('Reply');
    expect(conn.take()).toEqual([{ type: 'answer_invitation', invitation_id: 'inv-1', accept: true }]);
    expect(open).toHaveBeenCalledOnce();
    expect(outside()).toBeNull();
  });

  it('dismisses: answers the server, hides the bubble and gives the focus to the launcher', () => {
    bubble(invitation());
    button('Dismiss').focus();
    click('Dismiss');
    expect(conn.take()).toEqual([{ type: 'answer_invitation', invitation_id: 'inv-1', accept: false }]);
    expect(open).not.toHaveBeenCalled();
    expect(outside()).toBeNull();
    expect(root.activeElement).toBe(launcher);
  });

  it('waits for the connection before answering', () => {
    bubble(invitation());
    deliver({ type: 'disconnected' });
    click('Reply');
    expect(open).not.toHaveBeenCalled();
    expect(outside()).not.toBeNull();
    deliver(welcome());
    conn.take();
    click('Reply');
    expect(conn.take('answer_invitation')).toHaveLength(1);
  });

  it('shows markup in the words and the name as text', () => {
    bubble(invitation({ text: `${XSS} <script>alert(2)</script>`, agent: { id: 's-1', name: XSS }, photo: null }));
    const card = outside()!;
    expect(card.querySelector('.bt')!.textContent).toBe(`${XSS} <script>alert(2)</script>`);
    expect(card.querySelector('.who')!.textContent).toBe(XSS);
    expect(card.getAttribute('aria-label')).toBe(`Message from ${XSS}`);
    expect(root.querySelectorAll('img, script')).toHaveLength(0);
    expect(document.querySelectorAll('img, script')).toHaveLength(0);
  });

  it('shows initials without a photo, or when the photo is not a path on the Shopkeep server', () => {
    for (const photo of [null, 'https://elsewhere.example/p.png', '//elsewhere.example/p.png', 'javascript:alert(1)', '/a b"><x']) {
      bubble(invitation({ photo }));
      expect(outside()!.querySelector('img'), String(photo)).toBeNull();
      expect(outside()!.querySelector('.av')!.textContent).toBe('AL');
    }
  });

  it('falls back to the initials when the photo does not load', () => {
    bubble(invitation());
    act(() => {
      outside()!.querySelector('img')!.dispatchEvent(new Event('error'));
    });
    expect(outside()!.querySelector('img')).toBeNull();
    expect(outside()!.querySelector('.av')!.textContent).toBe('AL');
  });

  it('names the support team when no operator is named', () => {
    bubble(invitation({ agent: null, photo: null }));
    expect(outside()!.querySelector('.who')!.textContent).toBe('Support');
  });

  it('shows a newer invitation in place of the older', () => {
    bubble(invitation());
    bubble(invitation({ invitation_id: 'inv-2', text: 'Free shipping today!' }));
    expect(root.querySelectorAll('.bub')).toHaveLength(1);
    click('Reply');
    expect(conn.take()).toEqual([{ type: 'answer_invitation', invitation_id: 'inv-2', accept: true }]);
  });

  it('shows inside the open panel, and above the launcher again once it is closed', () => {
    act(() => panel.show(false));
    bubble(invitation());
    expect(outside()).toBeNull();
    expect(inside()!.querySelector('.bt')!.textContent).toBe('Hi! Can I help you find a size?');
    act(() => panel.hide());
    expect(inside()).toBeNull();
    expect(outside()).not.toBeNull();
    act(() => panel.show(false));
    click('Dismiss');
    expect(conn.take()).toEqual([{ type: 'answer_invitation', invitation_id: 'inv-1', accept: false }]);
    expect(inside()).toBeNull();
  });

  it('speaks the widget’s language', async () => {
    (root.host as HTMLElement).lang = 'ru';
    await new Promise((resolve) => setTimeout(resolve));
    bubble(invitation());
    expect(named('Ответить')).toHaveLength(1);
    expect(named('Не сейчас')).toHaveLength(1);
    expect(outside()!.getAttribute('lang')).toBe('ru');
  });
});

describe('accepted invitation', () => {
  it('takes the conversation the server opened as the current one and shows it', () => {
    bubble(invitation());
    click('Reply');
    conn.take();
    deliver({ type: 'conversation', conversation: { ...view(1, 'c-2'), status: 'active', assignee: { id: 's-1', name: 'Anna Lee' } } });
    expect(conn.take('sync')).toEqual([{ type: 'sync', conversation_id: 'c-2', after_seq: 0 }]);
    // The operator's first message is news: screen readers hear it.
    expect(root.querySelector('[role=log]')!.getAttribute('aria-busy')).toBe('false');
    deliver({
      type: 'history',
      conversation_id: 'c-2',
      events: [event(1, { conversation_id: 'c-2', body: { kind: 'message', text: 'Hi! Can I help you find a size?' } })],
      last_seq: 1,
    });
    expect([...root.querySelectorAll('.b')].map((b) => b.textContent)).toEqual(['Hi! Can I help you find a size?']);
    // Typing notices of the new conversation show.
    deliver({ type: 'typing', conversation_id: 'c-2', side: 'agent', name: 'Anna Lee', active: true });
    expect(root.querySelector('.ty')!.textContent).toBe('Anna Lee is typing…');
  });
});

describe('returning customer', () => {
  const identified = (greeting: string | null, conversation = null as ReturnType<typeof view> | null) =>
    ({ type: 'identified', verified: true, greeting, conversation }) as const;

  it('greets in a bubble above the launcher and at the top of the chat', () => {
    bubble(identified('Welcome back, Ann!'));
    expect(outside()!.querySelector('.bt')!.textContent).toBe('Welcome back, Ann!');
    expect(root.querySelector('.greet')!.textContent).toBe('Welcome back, Ann!');
    button('Hide greeting').focus();
    click('Hide greeting');
    expect(outside()).toBeNull();
    expect(root.activeElement).toBe(launcher);
    expect(root.querySelector('.greet')!.textContent).toBe('Welcome back, Ann!');
  });

  it('greets once per page load', () => {
    bubble(identified('Welcome back, Ann!'));
    click('Hide greeting');
    bubble(identified('Welcome back, Ann!'));
    bubble(identified('Welcome back, Bob!'));
    expect(outside()).toBeNull();
    expect(root.querySelector('.greet')!.textContent).toBe('Welcome back, Ann!');
  });

  it('greets only in the chat when it is open', () => {
    act(() => panel.show(false));
    bubble(identified('Welcome back, Ann!'));
    act(() => panel.hide());
    expect(outside()).toBeNull();
    expect(root.querySelector('.greet')!.textContent).toBe('Welcome back, Ann!');
  });

  it('lets an invitation take the place of the greeting, not the other way round', () => {
    bubble(invitation());
    bubble(identified('Welcome back, Ann!'));
    expect(outside()!.getAttribute('aria-label')).toBe('Message from Anna Lee');
  });

  it('still says so when nobody is in', () => {
    deliver({ type: 'status', operators_online: false });
    bubble(identified('Welcome back, Ann!'));
    expect([...root.querySelectorAll('.greet')].map((p) => p.textContent)).toEqual([
      'Welcome back, Ann!',
      'We’re away. Leave a message and we’ll reply here.',
    ]);
  });

  it('shows the greeting as text', () => {
    bubble(identified(`Welcome back, ${XSS}`));
    expect(outside()!.querySelector('.bt')!.textContent).toBe(`Welcome back, ${XSS}`);
    expect(root.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows the customer’s conversation from another device, as history', () => {
    deliver(identified(null, view(2, 'c-9')));
    expect(conn.take('sync')).toEqual([{ type: 'sync', conversation_id: 'c-9', after_seq: 0 }]);
    expect(root.querySelector('[role=log]')!.getAttribute('aria-busy')).toBe('true');
    deliver({ type: 'history', conversation_id: 'c-9', events: [1, 2].map((seq) => event(seq, { conversation_id: 'c-9' })), last_seq: 2 });
    expect(root.querySelector('[role=log]')!.getAttribute('aria-busy')).toBe('false');
    expect([...root.querySelectorAll('.b')].map((b) => b.textContent)).toEqual(['message 1', 'message 2']);
    // The same conversation again: nothing to fetch.
    deliver(identified(null, view(2, 'c-9')));
    expect(conn.take('sync')).toEqual([]);
  });

  it('keeps the current conversation when the identity brings none', () => {
    deliver({ type: 'event', event: event(1) });
    deliver(identified(null, null));
    deliver({ type: 'typing', conversation_id: CONV, side: 'agent', active: true });
    expect(root.querySelector('.ty')).not.toBeNull();
  });
});

describe('initials', () => {
  it('takes the first letter of up to two words, in any script', () => {
    expect(initials('Anna Lee')).toBe('AL');
    expect(initials('  anna   maria lee ')).toBe('AM');
    expect(initials('Оля')).toBe('О');
    expect(initials('山田 花子')).toBe('山花');
    expect(initials('𝒜lice')).toBe('𝒜');
  });
});
