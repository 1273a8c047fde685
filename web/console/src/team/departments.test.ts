import { expect, it } from 'vitest';
import type { Department } from '../../../protocol/Department';
import { siteDepartments } from './departments';

const dept = (id: string, site_id: string, position: number, name = id): Department => ({
  id,
  site_id,
  position,
  name,
  routing: 'round_robin',
  public: true,
  pages: [],
  notify_address: null,
  members: [],
});

it('lists one site’s departments by position, then by name', () => {
  const list = [dept('c', 'site-1', 2), dept('x', 'site-2', 0), dept('b', 'site-1', 1, 'Beta'), dept('a', 'site-1', 1, 'Alpha')];
  expect(siteDepartments(list, 'site-1').map((d) => d.id)).toEqual(['a', 'b', 'c']);
  expect(siteDepartments(list, 'site-3')).toEqual([]);
  expect(list.map((d) => d.id)).toEqual(['c', 'x', 'b', 'a']);
});
