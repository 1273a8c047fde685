import { expect, it } from 'vitest';
import type { Role } from '../../../protocol/Role';
import { ME } from '../test/fixtures';
import { mount } from '../test/render';
import { storeHarness } from '../test/store';
import { Nav } from '../ui/Header';

const links = (role: Role) => {
  const h = storeHarness();
  h.store.me.value = { ...ME, role };
  const root = mount(<Nav store={h.store} />);
  return [...root.querySelectorAll('a')].map((a) => a.textContent);
};

it('shows an operator no admin pages', () => {
  expect(links('operator')).toEqual(['Conversations', 'Visitors', 'History', 'Canned answers', 'Team', 'Rules']);
});

it('shows an administrator departments and the audit log too', () => {
  expect(links('admin')).toEqual(['Conversations', 'Visitors', 'History', 'Canned answers', 'Team', 'Rules', 'Departments', 'Audit log']);
  expect(links('supervisor')).not.toContain('Departments');
});
