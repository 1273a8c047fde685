import { expect, it } from 'vitest';
import { summary } from '../test/fixtures';
import { appendPage, dayStart, historyQuery, nextBefore, noFilters, rangeReversed } from './query';

it('sends only the filters that are set', () => {
  expect(historyQuery(noFilters)).toBe('limit=50');
  expect(historyQuery({ ...noFilters, site: 's1', tag: ' VIP ', assignee: 'bo', department: 'd1', status: 'closed' })).toBe(
    'site_id=s1&tag=vip&assignee=bo&department=d1&status=closed&limit=50',
  );
});

it('covers whole local days and pages with before', () => {
  const q = new URLSearchParams(historyQuery({ ...noFilters, from: '2026-03-01', to: '2026-03-02' }, { updated_at: 12345, id: 'c7' }));
  expect(Number(q.get('from'))).toBe(new Date(2026, 2, 1).getTime());
  expect(Number(q.get('to'))).toBe(new Date(2026, 2, 3).getTime() - 1);
  expect(q.get('before')).toBe('12345');
  expect(q.get('before_id')).toBe('c7');
  expect(historyQuery({ ...noFilters, from: '2026-02-31' })).toBe('limit=50');
  expect(dayStart('yesterday')).toBeNull();
  expect(rangeReversed({ ...noFilters, from: '2026-03-02', to: '2026-03-01' })).toBe(true);
  expect(rangeReversed({ ...noFilters, from: '2026-03-02' })).toBe(false);
});

it('pages on until a short page, without repeating rows', () => {
  const full = Array.from({ length: 50 }, (_, i) => summary(`c${i}`, { updated_at: 1000 - i }));
  expect(nextBefore(full)).toEqual({ updated_at: 951, id: 'c49' });
  expect(nextBefore(full.slice(0, 3))).toBeNull();
  expect(appendPage([summary('a'), summary('b')], [summary('b'), summary('c')]).map((r) => r.id)).toEqual(['a', 'b', 'c']);
});
