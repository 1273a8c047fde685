import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DepartmentChoice } from '../../protocol/DepartmentChoice';
import type { Event as ChatEvent } from '../../protocol/Event';
import type { Panel } from '../src/contract';
import { mount } from '../src/panel/index';
import { CONV, event, FakeConnection, receipts, view, welcome } from './fixtures';

const SALES: DepartmentChoice = { id: 'd-sales', name: 'Sales', online: true };
const DELIVERY: DepartmentChoice = { id: 'd-delivery', name: 'Delivery', online: false };
const BORIS = { id: 's-2', name: 'Boris' };
const SUE = { id: 's-3', name: 'Sue' };

let conn: FakeConnection;
let root: ShadowRoot;
let panel: Panel;

const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
const $$ = (selector: string) => [...root.querySelectorAll<HTMLElement>(selector)];
const deliver = (...frames: Parameters<FakeConnection['deliver']>[0][]) => act(() => frames.forEach((frame) => conn.deliver(frame)));
const events = (...list: ChatEvent[]) => deliver(...list.map((e) => ({ type: 'event' as const, event: e })));
const button = (name: string) => $$('button').find((b) => b.textContent === name || b.getAttribute('aria-label') === name)!;

beforeEach(() => {
  conn = new FakeConnection();
  const host = document.createElement('div');
  document.body.append(host);
  root = host.attachShadow({ mode: 'open' });
  const launcher = document.createElement('button');
  root.append(launcher);
  act(() => {
    panel = mount({ root, connection: conn, site: 'pk_test', base: 'https://chat.example', launcher, open: vi.fn(), close: vi.fn(), emit: vi.fn() });
  });
});

describe('department choice', () => {
  beforeEach(() => {
    deliver(welcome({ chat: { departments: [SALES, DELIVERY], sneak_peek: false } }));
    conn.take();
  });

  it('is a labelled group of buttons in place of the composer, focused first', () => {
    const group = $('[role=group]');
    expect(root.getElementById(group.getAttribute('aria-labelledby')!)!.textContent).toBe('What can we help with?');
    expect([...group.querySelectorAll('button')].map((b) => b.textContent)).toEqual([
      'Sales',
      'Deliverynobody in right now, leave a message',
    ]);
    expect(root.querySelector('textarea')).toBeNull();
    act(() => panel.show(true));
    expect(root.activeElement).toBe(group.querySelector('button'));
  });

  it('opens the composer for an online department and sends the choice with the first message', () => {
    act(() => button('Sales').click());
    const field = $<HTMLTextAreaElement>('textarea');
    expect(root.activeElement).toBe(field);
    expect($('.dc').textContent).toBe('Your chat goes to: Sales Change');
    act(() => {
      field.value = 'Is this in stock?';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => {
      $('form.c').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(conn.take('send')).toMatchObject([{ text: 'Is this in stock?', department_id: 'd-sales' }]);
    expect(root.querySelector('.dc')).toBeNull();
  });

  it('lets the visitor change their mind before writing', () => {
    act(() => button('Sales').click());
    act(() => button('Change').click());
    expect($('[role=group]')).not.toBeNull();
  });

  it('takes a message for a department nobody in is online through the offline form', () => {
    act(() => $$('.dep button')[1]!.click());
    expect(root.activeElement).toBe($('#sk-name'));
    act(() => button('Back to chat').click());
    expect($('[role=group]')).not.toBeNull();
  });

  it('follows who is online', () => {
    deliver({ type: 'status', operators_online: true, departments: [SALES, { ...DELIVERY, online: true }] });
    expect($$('.dep button').map((b) => b.textContent)).toEqual(['Sales', 'Delivery']);
  });
});

describe('queue', () => {
  beforeEach(() => {
    deliver(welcome({ conversation: { ...view(0), status: 'waiting' } }));
  });

  it('tells the visitor their place and the wait, live, next to the way out', () => {
    const line = () => $('.q [role=status]').textContent;
    expect(line()).toBe('');
    expect(button('Leave a message instead')).toBeDefined();
    deliver({ type: 'queue', conversation_id: CONV, place: { position: 3, wait_ms: 200_000 } });
    expect(line()).toBe('You are number 3 in line · about 3 min');
    deliver({ type: 'queue', conversation_id: CONV, place: { position: 1, wait_ms: 20_000 } });
    expect(line()).toBe('You are number 1 in line · less than a minute');
    deliver({ type: 'queue', conversation_id: CONV, place: { position: 2, wait_ms: null } });
    expect(line()).toBe('You are number 2 in line');
    deliver({ type: 'queue', conversation_id: CONV, place: null });
    expect(line()).toBe('');
  });

  it('speaks Russian plurals', () => {
    deliver(welcome({ conversation: { ...view(0), status: 'waiting' }, look: { site_name: 'Ацме', color: '#000000', lang: 'ru' } }));
    deliver({ type: 'queue', conversation_id: CONV, place: { position: 2, wait_ms: 21 * 60_000 } });
    expect($('.q [role=status]').textContent).toBe('Ваш номер в очереди: 2 · около 21 минуты');
  });
});

describe('staff in the chat', () => {
  beforeEach(() => {
    deliver(welcome({ conversation: { ...view(0), assignee: { id: 's-1', name: 'Anna' } } }));
  });
  const header = () => $('.h p').textContent;
  const notices = () => $$('.sys').map((p) => p.textContent);

  it('tells of transfers, joins and leaves, and names who is in the chat in the header', () => {
    expect(header()).toBe('Anna');
    events(event(1, { body: { kind: 'transferred', to: BORIS } }));
    expect(notices()).toEqual(['Boris took over the chat']);
    expect(header()).toBe('Boris');
    events(event(2, { author: { kind: 'agent', ...SUE }, body: { kind: 'joined' } }));
    expect(notices().at(-1)).toBe('Sue joined the chat');
    expect(header()).toBe('Boris and Sue');
    events(event(3, { author: { kind: 'agent', ...SUE }, body: { kind: 'left' } }));
    expect(notices().at(-1)).toBe('Sue left the chat');
    expect(header()).toBe('Boris');
  });

  it('tells of a transfer to a department', () => {
    events(event(1, { body: { kind: 'transferred', department: { id: 'd-1', name: 'Delivery' } } }));
    expect(notices()).toEqual(['You were transferred to Delivery']);
    expect(header()).toBe('We’re online');
  });

  it('never renders a whisper or a note, should one arrive', () => {
    events(
      event(1, { body: { kind: 'message', text: 'Hello!' } }),
      event(2, { body: { kind: 'whisper', text: 'psst, VIP' } }),
      event(3, { body: { kind: 'note', text: 'refund pending' } }),
      event(4, { body: { kind: 'message', text: 'How can I help?' } }),
    );
    expect($$('.b').map((b) => b.textContent)).toEqual(['Hello!', 'How can I help?']);
    expect(root.textContent).not.toContain('VIP');
    expect(root.textContent).not.toContain('refund');
    expect($('[role=log]').children.length).toBe(3);
  });
});

describe('read receipts', () => {
  it('says "Read" under the visitor’s messages staff has read, delivered before that', () => {
    deliver(welcome({ conversation: view(0) }));
    const mine = (seq: number) => event(seq, { author: { kind: 'visitor' }, body: { kind: 'message', text: `m${seq}` } });
    events(mine(1), mine(2));
    deliver({ type: 'receipts', conversation_id: CONV, receipts: receipts({ agent_delivered: 2, agent_read: 1 }) });
    const states = () => $$('.me .st').map((s) => [s.className, s.textContent]);
    expect(states()).toEqual([
      ['st read', 'Read'],
      ['st delivered', 'Delivered'],
    ]);
    // Only "Read" is in words on screen; "Delivered" is for screen readers.
    expect($('.me .st.delivered span').className).toBe('sr');
    expect($('.me .st.read span').className).toBe('');
  });
});
