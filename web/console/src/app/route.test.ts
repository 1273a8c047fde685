import { expect, it } from 'vitest';
import { conversationPath, pagePath, parseRoute, PLAIN_PAGES, rulesPath, visitorsPath } from './route';

it('reads the page from the address under /console/', () => {
  expect(parseRoute('/console/', '')).toEqual({ page: 'inbox' });
  expect(parseRoute('/console/setup', '?token=abc')).toEqual({ page: 'setup', token: 'abc' });
  expect(parseRoute('/console/setup', '')).toEqual({ page: 'setup', token: null });
  expect(parseRoute('/console/anything/else', '')).toEqual({ page: 'inbox' });
  expect(parseRoute('/console/c/%E0%A4%A', '')).toEqual({ page: 'inbox' });
});

it('round-trips conversation ids through the address', () => {
  const id = 'conv/1 ä';
  const path = conversationPath(id);
  expect(path).toBe('/console/c/conv%2F1%20%C3%A4');
  expect(parseRoute(path, '')).toEqual({ page: 'conversation', id });
});

it('reads the visitor list, a visitor on it and the rules of a site', () => {
  expect(parseRoute('/console/visitors', '')).toEqual({ page: 'visitors', id: null });
  expect(parseRoute(visitorsPath('v/1'), '')).toEqual({ page: 'visitors', id: 'v/1' });
  expect(parseRoute('/console/rules', '')).toEqual({ page: 'rules', site: null });
  expect(parseRoute(rulesPath('site-1'), '')).toEqual({ page: 'rules', site: 'site-1' });
  expect(parseRoute('/console/visitors/%E0%A4%A', '')).toEqual({ page: 'inbox' });
  expect(parseRoute('/console/c', '')).toEqual({ page: 'inbox' });
});

it('reads the team pages, each at its own name', () => {
  for (const page of PLAIN_PAGES) expect(parseRoute(pagePath(page), '')).toEqual({ page });
  expect(parseRoute('/console/team/x', '')).toEqual({ page: 'inbox' });
});
