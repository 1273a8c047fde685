import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { Department } from '../../../protocol/Department';
import type { SiteView } from '../../../protocol/SiteView';
import type { TeamMember } from '../../../protocol/TeamMember';
import { json, fakeApi, type Call } from '../test/api';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { storeHarness } from '../test/store';
import { DepartmentsPage } from './DepartmentsPage';

const site = { id: 'site-1', name: 'Shop' } as SiteView;
const member = (id: string, name: string): TeamMember => ({
  id,
  name,
  role: 'operator',
  status: 'online',
  departments: [],
  max_chats: 4,
  active_chats: 0,
  photo: null,
});
const sales: Department = {
  id: 'd1',
  site_id: 'site-1',
  position: 0,
  name: 'Sales',
  routing: 'round_robin',
  public: true,
  pages: ['/shop'],
  notify_address: null,
  members: ['bo'],
};

async function page(answer: (call: Call) => unknown = () => undefined) {
  const h = storeHarness();
  h.welcome([]);
  h.store.me.value = { ...ME, role: 'admin' };
  h.receive({ type: 'team', members: [member('bo', 'Bo <b>'), member('cy', 'Cy')] });
  h.receive({ type: 'departments', departments: [sales] });
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.path === '/sites') return [site];
    return json(500, { error: 'internal', message: 'unexpected' });
  });
  const root = mount(<DepartmentsPage store={h.store} api={api} />);
  await settle();
  await settle();
  // After every change the server sends all departments to every console.
  const departments = (departments: Department[]) => act(() => h.receive({ type: 'departments', departments }));
  return { root, calls, departments };
}

const writes = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('departments', () => {
  it('lists the site’s departments with routing and members by name', async () => {
    const { root } = await page();
    const row = root.querySelector('[data-dept-id="d1"]')!;
    expect(row.querySelector('h3')?.textContent).toBe('Sales');
    expect(row.textContent).toContain('Round robin');
    expect(row.textContent).toContain('Bo <b>');
    expect(row.querySelector('b')).toBeNull();
  });

  it('shows what is wrong next to each field before sending anything', async () => {
    const { root, calls } = await page();
    act(() => button(root, 'New department').click());
    type(byLabel(root, 'Pages'), 'x'.repeat(201));
    type(byLabel(root, 'Send its offline messages to'), 'not an address');
    act(() => button(root, 'Save department').click());
    const name = byLabel<HTMLInputElement>(root, 'Department name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(root.querySelector('#dept-name-error')?.textContent).toBe('Give the department a name of up to 60 characters.');
    expect(name.getAttribute('aria-describedby')).toContain('dept-name-error');
    expect(root.querySelector('[data-error-for="pages"]')?.textContent).toBe('Up to 20 page patterns of up to 200 characters each.');
    expect(root.querySelector('[data-error-for="notify"]')?.textContent).toBe('This is not a valid email address.');
    expect(writes(calls)).toEqual([]);
  });

  it('puts the server’s refusal next to the field it names', async () => {
    const { root } = await page((call) =>
      call.method === 'POST' ? json(422, { error: 'invalid_input', message: 'the notify address is not a valid email address' }) : undefined,
    );
    act(() => button(root, 'New department').click());
    type(byLabel(root, 'Department name'), 'Support');
    type(byLabel(root, 'Send its offline messages to'), 'help@shop.example');
    act(() => button(root, 'Save department').click());
    await settle();
    expect(root.querySelector('[data-error-for="notify"]')?.textContent).toContain('the notify address is not a valid email address');
    expect(root.querySelector('[data-error-for="name"]')).toBeNull();
  });

  it('creates a department with its routing, pages and members', async () => {
    const support = { ...sales, id: 'd2', position: 1 };
    const { root, calls, departments } = await page((call) => (call.method === 'POST' ? { ...support, ...(call.body as object) } : undefined));
    act(() => button(root, 'New department').click());
    type(byLabel(root, 'Department name'), ' Support ');
    act(() => byLabel<HTMLInputElement>(root, 'Manual').click());
    act(() => byLabel<HTMLInputElement>(root, 'Offer it to visitors in the widget').click());
    type(byLabel(root, 'Pages'), '/help\n\n /faq ');
    act(() => byLabel<HTMLInputElement>(root, 'Cy').click());
    act(() => button(root, 'Save department').click());
    await settle();
    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/departments',
        body: { site_id: 'site-1', name: 'Support', routing: 'manual', public: false, pages: ['/help', '/faq'], notify_address: null, members: ['cy'] },
      }),
    ]);
    departments([sales, { ...support, name: 'Support' }]);
    expect(root.querySelector('[data-dept-id="d2"] h3')?.textContent).toBe('Support');
  });

  it('deletes only after confirming', async () => {
    const { root, calls, departments } = await page((call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined));
    act(() => button(root, 'Delete').click());
    expect(writes(calls)).toEqual([]);
    act(() => button(root, 'Delete the department').click());
    await settle();
    expect(writes(calls)).toEqual([expect.objectContaining({ method: 'DELETE', path: '/departments/d1' })]);
    departments([]);
    expect(root.querySelector('[data-dept-id="d1"]')).toBeNull();
  });

  it('follows the departments the server sends, changed here or elsewhere, in their order', async () => {
    const { root, calls, departments } = await page();
    expect(calls.filter((c) => c.path === '/departments')).toEqual([]);
    departments([{ ...sales, id: 'd3', name: 'Returns', position: 1 }, { ...sales, members: [] }, { ...sales, id: 'd4', site_id: 'site-2', name: 'Other site' }]);
    expect([...root.querySelectorAll('[data-dept-id] h3')].map((h) => h.textContent)).toEqual(['Sales', 'Returns']);
    expect(root.querySelector('[data-dept-id="d1"]')?.textContent).toContain('0 members');
  });
});
