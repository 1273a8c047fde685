import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { summary, textEvent } from '../test/fixtures';
import { button, byLabel, mount, type } from '../test/render';
import { mineActive, storeHarness } from '../test/store';
import { ConversationPane } from './ConversationPane';

function showing(conversation = summary('w')) {
  const h = storeHarness();
  h.welcome([conversation]);
  h.store.open(conversation.id);
  h.receive({ type: 'history', conversation_id: conversation.id, events: [textEvent(conversation.id, 1, 'Hi')], last_seq: 1 });
  const root = mount(<ConversationPane store={h.store} />);
  return { h, root };
}

const hasButton = (root: HTMLElement, name: string) => [...root.querySelectorAll('button')].some((b) => b.textContent === name);

function press(target: HTMLElement, key: string, shiftKey = false) {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }));
  });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a waiting conversation', () => {
  it('offers Take in place of the composer until the chat is mine, then opens it', () => {
    const { h, root } = showing();
    expect(root.querySelector('textarea')).toBeNull();
    expect(root.textContent).toContain('Take this chat to reply.');

    act(() => button(root, 'Take').click());
    expect(h.take('take')).toEqual([{ type: 'take', conversation_id: 'w' }]);
    expect(button(root, 'Take').disabled).toBe(true);

    act(() => h.receive({ type: 'conversation', conversation: mineActive('w', { last_seq: 2 }) }));
    expect(hasButton(root, 'Take')).toBe(false);
    expect(byLabel<HTMLTextAreaElement>(root, 'Message').disabled).toBe(false);
    expect(document.activeElement).toBe(byLabel(root, 'Message'));
  });
});

describe('a conversation I hold', () => {
  it('sends on Enter, breaks the line on Shift+Enter', () => {
    const { h, root } = showing(mineActive('a'));
    const composer = byLabel<HTMLTextAreaElement>(root, 'Message');

    type(composer, 'Hello');
    press(composer, 'Enter', true);
    expect(h.take('send')).toEqual([]);

    press(composer, 'Enter');
    expect(h.take('send')).toEqual([{ type: 'send', conversation_id: 'a', client_msg_id: 'msg-1', text: 'Hello' }]);
    expect(byLabel<HTMLTextAreaElement>(root, 'Message').value).toBe('');
  });

  it('counts characters and refuses more than 4000', () => {
    const { h, root } = showing(mineActive('a'));
    const composer = byLabel<HTMLTextAreaElement>(root, 'Message');
    type(composer, 'é'.repeat(12));
    expect(root.querySelector('#composer-count')?.textContent).toBe('12 of 4,000 characters');

    type(composer, 'x'.repeat(4003));
    expect(root.querySelector('#composer-count')?.textContent).toBe('3 characters over the limit');
    expect(button(root, 'Send').disabled).toBe(true);
    press(composer, 'Enter');
    expect(h.take('send')).toEqual([]);
  });

  it('closes the chat', () => {
    const { h, root } = showing(mineActive('a'));
    act(() => button(root, 'Close chat').click());
    expect(h.take('close')).toEqual([{ type: 'close', conversation_id: 'a' }]);
  });

  it('shows the visitor typing', () => {
    const { h, root } = showing(mineActive('a'));
    act(() => h.receive({ type: 'typing', conversation_id: 'a', side: 'visitor', active: true }));
    expect(root.querySelector('.pane__typing')?.textContent).toBe('Visitor a is typing…');
  });
});

describe('a colleague’s conversation', () => {
  it('offers an operator neither Take nor Close nor a composer, and says who holds it', () => {
    const { root } = showing(summary('c', { status: 'active', assignee: { id: 'staff-bo', name: 'Bo' } }));
    expect(hasButton(root, 'Take')).toBe(false);
    expect(hasButton(root, 'Close chat')).toBe(false);
    expect(hasButton(root, 'Join')).toBe(false);
    expect(root.querySelector('textarea')).toBeNull();
    expect(root.textContent).toContain('Only Bo can reply in this chat.');
  });
});
