import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../protocol/Role';
import type { StaffAccount } from '../../../protocol/StaffAccount';
import { fakeApi, json, type Call } from '../test/api';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { storeHarness } from '../test/store';
import { TeamPage } from './TeamPage';

const account = (id: string, name: string, fields: Partial<StaffAccount> = {}): StaffAccount => ({
  id,
  name,
  email: `${id}@shop.example`,
  role: 'operator',
  status: 'offline',
  departments: [],
  max_chats: 4,
  active_chats: 0,
  photo: null,
  ...fields,
});

async function page(role: Role, answer: (call: Call) => unknown = () => undefined) {
  const h = storeHarness();
  h.welcome([]);
  h.store.me.value = { ...ME, role };
  const { email: _email, ...bo } = account('bo', 'Bo', { status: 'online', active_chats: 2 });
  h.receive({ type: 'team', members: [bo] });
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.path === '/staff' && call.method === 'GET') return [account('bo', 'Bo'), account('cy', 'Cy <i>')];
    return json(500, { error: 'internal', message: 'unexpected' });
  });
  const root = mount(<TeamPage store={h.store} api={api} />);
  await settle();
  return { root, calls };
}

describe('team page', () => {
  it('shows operators the team from the socket, without staff accounts', async () => {
    const { root, calls } = await page('operator');
    expect(calls).toEqual([]);
    expect(root.querySelector('[data-staff-id="bo"]')?.textContent).toContain('2 of 4');
    expect(root.textContent).not.toContain('@shop.example');
  });

  it('shows supervisors staff accounts read-only, with live presence', async () => {
    const { root } = await page('supervisor');
    const bo = root.querySelector('[data-staff-id="bo"]')!;
    expect(bo.textContent).toContain('bo@shop.example');
    expect(bo.textContent).toContain('Online');
    expect(bo.textContent).toContain('2 of 4');
    expect(root.querySelector('[data-staff-id="cy"] th')?.textContent).toBe('Cy <i>');
    expect(root.textContent).toContain('Only administrators can add staff');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).toEqual([]);
  });

  it('lets admins change a role and the chats at once', async () => {
    const { root, calls } = await page('admin', (call) =>
      call.method === 'PATCH' ? account('cy', 'Cy <i>', call.body as Partial<StaffAccount>) : undefined,
    );
    act(() => root.querySelector<HTMLButtonElement>('[data-staff-id="cy"] button')!.click());
    const row = root.querySelector<HTMLElement>('[data-staff-id="cy"]')!;
    const role = row.querySelector<HTMLSelectElement>('select')!;
    act(() => {
      role.value = 'supervisor';
      role.dispatchEvent(new Event('change', { bubbles: true }));
    });
    type(byLabel(row, 'Chats at once'), '0');
    act(() => button(row, 'Save').click());
    expect(row.textContent).toContain('Chats at once is a whole number from 1 to 50.');
    type(byLabel(row, 'Chats at once'), '6');
    act(() => button(row, 'Save').click());
    await settle();
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([
      expect.objectContaining({ path: '/staff/cy', body: { role: 'supervisor', max_chats: 6 } }),
    ]);
    expect(root.querySelector('[data-staff-id="cy"]')?.textContent).toContain('Supervisor');
  });

  it('lets admins add staff, checking the password length first', async () => {
    const { root, calls } = await page('admin', (call) => (call.method === 'POST' ? account('dee', 'Dee') : undefined));
    act(() => button(root, 'Add a member of staff').click());
    type(byLabel(root, 'Email'), 'dee@shop.example');
    type(byLabel(root, 'Name'), 'Dee');
    type(byLabel(root, 'Password'), 'short');
    act(() => button(root, 'Create account').click());
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('The password needs at least 10 characters.');
    type(byLabel(root, 'Password'), 'long enough password');
    act(() => button(root, 'Create account').click());
    await settle();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([
      expect.objectContaining({
        path: '/staff',
        body: { email: 'dee@shop.example', name: 'Dee', role: 'operator', password: 'long enough password', max_chats: 4 },
      }),
    ]);
    expect(root.querySelector('[data-staff-id="dee"]')).not.toBeNull();
  });
});
