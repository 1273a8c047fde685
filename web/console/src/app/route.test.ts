import { expect, it } from 'vitest';
import { conversationPath, parseRoute } from './route';

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
