import { act } from 'preact/test-utils';
import { afterEach, expect, it } from 'vitest';
import { navigate, route } from '../app/route';
import { fakeApi, type Call } from '../test/api';
import { summary } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { storeHarness } from '../test/store';
import { HistoryPage } from './HistoryPage';

afterEach(() => {
  navigate('/console/', { replace: true });
});

const full = (prefix: string, top: number) =>
  Array.from({ length: 50 }, (_, i) => summary(`${prefix}${i}`, { status: 'closed', updated_at: top - i, tags: ['vip'] }));

it('searches with the filters, pages with Load more and opens a conversation', async () => {
  const h = storeHarness();
  h.welcome([]);
  const searches: string[] = [];
  const { api } = fakeApi((call: Call) => {
    if (call.path === '/sites') return [{ id: 'site-1', name: 'Shop' }];
    if (call.path.startsWith('/conversations/search?')) {
      const q = new URLSearchParams(call.path.split('?')[1]);
      searches.push(call.path.split('?')[1]!);
      if (q.get('before')) return [summary('last', { status: 'closed', updated_at: 1, visitor_label: '<b>Eve</b>', tags: [] })];
      return full('c', 1000);
    }
    return undefined;
  });
  const root = mount(<HistoryPage store={h.store} api={api} />);
  await settle();
  await settle();
  expect(searches).toEqual(['limit=50']);
  expect(root.querySelectorAll('tbody tr')).toHaveLength(50);

  type(byLabel(root, 'Tag'), 'VIP');
  const status = byLabel<HTMLSelectElement>(root, 'Status');
  act(() => {
    status.value = 'closed';
    status.dispatchEvent(new Event('change', { bubbles: true }));
  });
  act(() => button(root, 'Search').click());
  await settle();
  expect(searches[1]).toBe('tag=vip&status=closed&limit=50');

  act(() => button(root, 'Load more').click());
  await settle();
  expect(searches[2]).toBe('tag=vip&status=closed&before=951&before_id=c49&limit=50');
  expect(root.querySelectorAll('tbody tr')).toHaveLength(51);
  expect(root.textContent).not.toContain('Load more');

  const last = root.querySelector<HTMLAnchorElement>('[data-conversation-id="last"] a')!;
  expect(last.textContent).toBe('<b>Eve</b>');
  // A modified click is the browser's (a new tab): this console neither moves nor learns the chat.
  act(() => {
    last.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, ctrlKey: true }));
  });
  expect(route.value).not.toEqual({ page: 'conversation', id: 'last' });
  expect(h.store.conversations.value.has('last')).toBe(false);
  act(() => last.click());
  expect(route.value).toEqual({ page: 'conversation', id: 'last' });
  expect(h.store.conversations.value.has('last')).toBe(true);
});

it('refuses a range that ends before it starts', async () => {
  const h = storeHarness();
  const { api, calls } = fakeApi((call) => (call.path === '/sites' ? [] : []));
  const root = mount(<HistoryPage store={h.store} api={api} />);
  await settle();
  type(byLabel(root, 'From'), '2026-03-02');
  type(byLabel(root, 'To'), '2026-03-01');
  const before = calls.length;
  act(() => button(root, 'Search').click());
  expect(root.querySelector('[role="alert"]')?.textContent).toBe('The end date is before the start date.');
  expect(calls.length).toBe(before);
});
