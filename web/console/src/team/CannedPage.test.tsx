import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { Canned } from '../../../protocol/Canned';
import type { Role } from '../../../protocol/Role';
import { fakeApi, type Call } from '../test/api';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { storeHarness } from '../test/store';
import { CannedPage } from './CannedPage';

const canned = (id: string, fields: Partial<Canned>): Canned => ({
  id,
  site_id: 'site-1',
  owner: ME.id,
  updated_at: 0,
  shortcut: id,
  title: id,
  text: `${id} text`,
  variants: {},
  shared: false,
  ...fields,
});

async function page(role: Role, answer: (call: Call) => unknown = () => undefined) {
  const h = storeHarness();
  h.welcome([]);
  h.store.me.value = { ...ME, role };
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.path === '/sites') return [{ id: 'site-1', name: 'Shop' }];
    if (call.path === '/canned?site_id=site-1')
      return [canned('ship', { title: 'Shipping <soon>', shared: true, owner: 'staff-bo' }), canned('hi', { title: 'Hello' })];
    return undefined;
  });
  const root = mount(<CannedPage store={h.store} api={api} />);
  await settle();
  await settle();
  return { root, calls };
}

describe('canned answers', () => {
  it('lets an operator edit only their own answers, and search', async () => {
    const { root } = await page('operator');
    expect(root.querySelector('[data-canned-id="ship"] h3')?.textContent).toBe('/ship Shipping <soon>');
    expect(root.querySelector('[data-canned-id="ship"] button')).toBeNull();
    expect(root.querySelector('[data-canned-id="hi"] button')).not.toBeNull();
    type(byLabel(root, 'Search by shortcut, title or text'), 'ship');
    expect([...root.querySelectorAll('[data-canned-id]')].map((e) => e.getAttribute('data-canned-id'))).toEqual(['ship']);
    act(() => button(root, 'New answer').click());
    expect(root.querySelector('#canned-shared')).toBeNull();
    expect(root.textContent).toContain('{visitor.name}, {visitor.email}, {operator.name}, {site.name}');
  });

  it('lets a supervisor write shared answers with texts per language', async () => {
    const { root, calls } = await page('supervisor', (call) =>
      call.method === 'POST' ? canned('new', { ...(call.body as object) }) : undefined,
    );
    expect(root.querySelector('[data-canned-id="ship"] button')).not.toBeNull();
    act(() => button(root, 'New answer').click());
    type(byLabel(root, 'Shortcut'), '/thanks');
    type(byLabel(root, 'Title'), 'Thanks');
    type(byLabel(root, 'Text'), 'Thank you, {visitor.name}!');
    type(byLabel(root, 'Text in 日本語'), 'ありがとうございます');
    act(() => byLabel<HTMLInputElement>(root, 'Share with every operator of the site').click());
    act(() => button(root, 'Save answer').click());
    await settle();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      expect.objectContaining({
        path: '/canned',
        body: { site_id: 'site-1', shortcut: 'thanks', title: 'Thanks', text: 'Thank you, {visitor.name}!', variants: { ja: 'ありがとうございます' }, shared: true },
      }),
    ]);
  });
});
