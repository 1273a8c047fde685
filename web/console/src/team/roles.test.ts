import { expect, it } from 'vitest';
import { mayEditShared, mayManageStaff, mayOpen, maySeeStaff, navPages } from './roles';

it('shows operators no admin pages', () => {
  expect(navPages('operator')).toEqual(['inbox', 'visitors', 'history', 'canned', 'team', 'rules']);
  expect(mayOpen('operator', 'departments')).toBe(false);
  expect(mayOpen('operator', 'audit')).toBe(false);
  expect(maySeeStaff('operator')).toBe(false);
  expect(mayEditShared('operator')).toBe(false);
});

it('lets supervisors read staff and edit shared answers, but not manage staff or departments', () => {
  expect(navPages('supervisor')).not.toContain('departments');
  expect(navPages('supervisor')).not.toContain('audit');
  expect(maySeeStaff('supervisor')).toBe(true);
  expect(mayManageStaff('supervisor')).toBe(false);
  expect(mayEditShared('supervisor')).toBe(true);
});

it('shows admins everything', () => {
  expect(navPages('admin')).toEqual(['inbox', 'visitors', 'history', 'canned', 'team', 'rules', 'departments', 'audit']);
  expect(mayManageStaff('admin')).toBe(true);
});
