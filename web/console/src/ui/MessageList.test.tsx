import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { anna, bo, summary, textEvent } from '../test/fixtures';
import { mount } from '../test/render';
import { mineActive, storeHarness } from '../test/store';
import { MessageList } from './MessageList';

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(1)</script>',
  "{{constructor.constructor('alert(1)')()}}",
  '"><svg onload=alert(1)>',
  'line one\n<b>line two</b>',
];

function open(conversation = mineActive('a')) {
  const h = storeHarness();
  h.welcome([conversation]);
  h.store.open(conversation.id);
  return h;
}

const texts = (root: HTMLElement) => [...root.querySelectorAll('.msg__text')].map((p) => p.textContent);

describe('MessageList', () => {
  it('shows markup in messages as literal text and creates no elements from it', () => {
    const h = open();
    h.receive({
      type: 'history',
      conversation_id: 'a',
      events: PAYLOADS.map((text, i) => textEvent('a', i + 1, text)),
      last_seq: PAYLOADS.length,
    });
    h.store.send('a', '<img src=y onerror=alert(2)>');

    const root = mount(<MessageList store={h.store} conversation={h.store.conversations.value.get('a')!} />);

    expect(texts(root)).toEqual([...PAYLOADS, '<img src=y onerror=alert(2)>']);
    expect(root.querySelector('img, script, svg, b')).toBeNull();
    expect(document.querySelector('img, script')).toBeNull();
  });

  it('is a live log that shows system lines and marks my messages sent or delivered', () => {
    const h = open(mineActive('a', { receipts: { agent_delivered: 3, visitor_delivered: 2, agent_read: 0, visitor_read: 0 } }));
    h.receive({
      type: 'history',
      conversation_id: 'a',
      events: [
        { ...textEvent('a', 1, ''), author: anna, body: { kind: 'joined' } },
        textEvent('a', 2, 'Hello', anna),
        textEvent('a', 3, 'Anything else?', anna),
        textEvent('a', 4, 'Colleague here', bo),
      ],
      last_seq: 4,
    });
    const root = mount(<MessageList store={h.store} conversation={h.store.conversations.value.get('a')!} />);

    expect(root.querySelector('[role="log"]')?.getAttribute('aria-label')).toBe('Chat history');
    expect(root.querySelector('.system')?.textContent).toContain('Anna joined');
    const states = [...root.querySelectorAll('.msg')].map((m) => m.querySelector('.msg__state')?.textContent ?? null);
    expect(states).toEqual(['Delivered', 'Sent', null]);
    const authors = [...root.querySelectorAll('.msg')].map((m) => m.querySelector('.msg__author')?.textContent ?? null);
    expect(authors).toEqual(['You', null, 'Bo']);
  });

  it('shows an unsent message as sending, then replaces it with the stored one', () => {
    const h = open();
    h.receive({ type: 'history', conversation_id: 'a', events: [], last_seq: 0 });
    h.store.send('a', 'On my way');
    const conversation = h.store.conversations.value.get('a')!;
    const root = mount(<MessageList store={h.store} conversation={conversation} />);
    expect(root.querySelector('.msg__state')?.textContent).toBe('Sending…');

    act(() => {
      h.receive({ type: 'ack', client_msg_id: 'msg-1', conversation_id: 'a', seq: 1, at: 1, duplicate: false });
    });
    expect(root.querySelector('.msg__state')?.textContent).toBe('Sent');

    act(() => {
      h.receive({ type: 'event', event: { ...textEvent('a', 1, 'On my way', anna), client_msg_id: 'msg-1' } });
    });
    expect(texts(root)).toEqual(['On my way']);
  });

  it('mounts the live region only with the loaded history, so the backlog is not announced', () => {
    const h = open();
    const root = mount(<MessageList store={h.store} conversation={h.store.conversations.value.get('a')!} />);
    expect(root.querySelector('[role="log"]')).toBeNull();
    expect(root.textContent).toBe('Loading messages…');

    act(() => {
      h.receive({ type: 'history', conversation_id: 'a', events: [textEvent('a', 1, 'Hi')], last_seq: 1 });
    });
    expect(root.querySelector('[role="log"]')?.textContent).toContain('Hi');
  });

  it('offers retry and discard for a refused message', () => {
    const h = open();
    h.store.send('a', 'hi');
    h.receive({ type: 'error', code: 'rate_limited', message: 'slow', client_msg_id: 'msg-1' });
    const root = mount(<MessageList store={h.store} conversation={summary('a')} />);
    expect(root.querySelector('.msg__state')?.textContent).toBe('Not sent: Too many attempts. Wait a minute and try again.');

    act(() => {
      [...root.querySelectorAll('button')].find((b) => b.textContent === 'Discard')!.click();
    });
    expect(texts(root)).toEqual([]);
    expect(h.store.delivery.value.outbox).toEqual([]);
  });
});
