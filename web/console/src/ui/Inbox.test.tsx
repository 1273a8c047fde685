import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, anna, summary, textEvent } from '../test/fixtures';
import { mount } from '../test/render';
import { mineActive, storeHarness } from '../test/store';
import { Inbox } from './Inbox';
import { pageTitle } from './title';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 + 5 * 60_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const section = (root: HTMLElement, id: string) => root.querySelector(`[aria-labelledby="${id}"], #${id}`)!.closest('section, details')!;
const labels = (el: Element) => [...el.querySelectorAll('.row__label')].map((l) => l.textContent);

function inbox() {
  const h = storeHarness();
  h.welcome([
    summary('late', { created_at: T0 + 4 * 60_000, last_seq: 1, last_message: textEvent('late', 1, '<b>hi</b>') }),
    summary('early', { created_at: T0, last_seq: 1, last_message: textEvent('early', 1, 'first\nsecond') }),
    mineActive('mine', { last_seq: 2, last_message: textEvent('mine', 2, 'Sure', anna), receipts: { agent_delivered: 2, visitor_delivered: 2, agent_read: 0, visitor_read: 0 } }),
    summary('done', { status: 'closed' }),
  ]);
  return { h, root: mount(<Inbox store={h.store} />) };
}

describe('Inbox', () => {
  it('lists waiting chats oldest first with their waiting time, mine, and closed ones folded away', () => {
    const { root } = inbox();
    const waiting = section(root, 'inbox-waiting');
    expect(labels(waiting)).toEqual(['Visitor early', 'Visitor late']);
    expect([...waiting.querySelectorAll('.row__waiting')].map((w) => w.textContent)).toEqual(['Waiting 5 min', 'Waiting 1 min']);
    expect(labels(section(root, 'inbox-mine'))).toEqual(['Visitor mine']);
    const closed = root.querySelector('details')!;
    expect(closed.open).toBe(false);
    expect(labels(closed)).toEqual(['Visitor done']);
  });

  it('previews the last message as one line of plain text', () => {
    const { root } = inbox();
    const previews = [...root.querySelectorAll('.row__preview')].map((p) => p.textContent);
    expect(previews).toEqual(['first second', '<b>hi</b>', 'You: Sure', '']);
    expect(root.querySelector('.row b')).toBeNull();
  });

  it('badges unread messages and updates live', () => {
    const { h, root } = inbox();
    const badge = (id: string) => root.querySelector(`a[href$="/c/${id}"] .badge`)?.textContent ?? null;
    expect(badge('early')).toBe('1Unread: 1');
    expect(badge('mine')).toBeNull();

    act(() => h.receive({ type: 'event', event: textEvent('mine', 3, 'one more question') }));
    expect(badge('mine')).toBe('1Unread: 1');
    expect(h.store.unreadTotal.value).toBe(3);
    expect(pageTitle(h.store.unreadTotal.value)).toBe('(3) Shopkeep');
  });

  it('adds a new waiting conversation live', () => {
    const { h, root } = inbox();
    act(() => h.receive({ type: 'conversation', conversation: summary('new', { created_at: T0 + 5 * 60_000 }) }));
    expect(labels(section(root, 'inbox-waiting'))).toEqual(['Visitor early', 'Visitor late', 'Visitor new']);
    expect(root.querySelector('a[href$="/c/new"] .row__waiting')?.textContent).toBe('Just arrived');
  });
});

describe('pageTitle', () => {
  it('puts the unread count first and leaves it out at zero', () => {
    expect(pageTitle(3)).toBe('(3) Shopkeep');
    expect(pageTitle(0)).toBe('Shopkeep');
  });
});

describe('offline messages and missed chats', () => {
  function flagged() {
    const h = storeHarness();
    h.welcome([
      summary('chat', { created_at: T0 }),
      summary('form', { created_at: T0 + 1, offline: true, last_seq: 1, last_message: textEvent('form', 1, 'Do you ship to Norway?') }),
      mineActive('answering', { offline: true }),
      summary('gone', { status: 'closed', missed: true }),
      summary('done', { status: 'closed' }),
    ]);
    return { h, root: mount(<Inbox store={h.store} />) };
  }
  const chip = (root: HTMLElement, filter: string) => root.querySelector<HTMLButtonElement>(`button[data-filter="${filter}"]`)!;
  const flags = (root: HTMLElement, label: string) => {
    const row = [...root.querySelectorAll('.row')].find((r) => r.querySelector('.row__label')?.textContent === label)!;
    return [...row.querySelectorAll('.flag')].map((f) => f.textContent);
  };

  it('marks rows "Offline message" and "Missed"', () => {
    const { root } = flagged();
    expect(flags(root, 'Visitor form')).toEqual(['Offline message']);
    expect(flags(root, 'Visitor answering')).toEqual(['Offline message']);
    expect(flags(root, 'Visitor gone')).toEqual(['Missed']);
    expect(flags(root, 'Visitor chat')).toEqual([]);
    // The row's link is named with its marks, so a screen reader hears them.
    expect(root.querySelector('a.row[href$="/c/form"]')?.textContent).toContain('Offline message');
  });

  it('filters to offline messages or missed chats, with their counts', () => {
    const { root } = flagged();
    expect(root.querySelector('[role="group"]')?.getAttribute('aria-label')).toBe('Show');
    expect([...root.querySelectorAll('[role="group"] button')].map((b) => b.textContent)).toEqual(['All 5', 'Offline messages 2', 'Missed 1']);
    expect(chip(root, 'all').getAttribute('aria-pressed')).toBe('true');

    act(() => chip(root, 'offline').click());
    expect(chip(root, 'offline').getAttribute('aria-pressed')).toBe('true');
    expect(chip(root, 'all').getAttribute('aria-pressed')).toBe('false');
    expect(labels(section(root, 'inbox-waiting'))).toEqual(['Visitor form']);
    expect(labels(section(root, 'inbox-mine'))).toEqual(['Visitor answering']);
    expect(labels(root.querySelector('details')!)).toEqual([]);

    act(() => chip(root, 'missed').click());
    expect(labels(section(root, 'inbox-waiting'))).toEqual([]);
    expect(labels(root.querySelector('details')!)).toEqual(['Visitor gone']);

    act(() => chip(root, 'all').click());
    expect(labels(section(root, 'inbox-waiting'))).toEqual(['Visitor chat', 'Visitor form']);
  });
});
