import { signal } from '@preact/signals';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type { AgentStatus } from '../../../protocol/AgentStatus';
import type { LinkState } from '../live/connection';
import { setAwayMinutes, watchAway } from './awayWatch';

beforeEach(() => {
  vi.useFakeTimers();
  setAwayMinutes(10);
});
afterEach(() => {
  vi.useRealTimers();
});

function target() {
  const status = signal<AgentStatus>('online');
  const set: AgentStatus[] = [];
  return {
    status,
    linkState: signal<LinkState>('open'),
    set,
    setStatus: (s: AgentStatus) => {
      set.push(s);
      status.value = s;
    },
  };
}

it('sets away after the timeout without input and back online on input', () => {
  const t = target();
  const stop = watchAway(t, () => Date.now());
  vi.advanceTimersByTime(9 * 60_000);
  dispatchEvent(new Event('keydown'));
  vi.advanceTimersByTime(9 * 60_000);
  expect(t.set).toEqual([]);
  vi.advanceTimersByTime(2 * 60_000);
  expect(t.set).toEqual(['away']);
  dispatchEvent(new Event('pointerdown'));
  expect(t.set).toEqual(['away', 'online']);
  stop();
});

it('leaves an away the operator chose', () => {
  const t = target();
  const stop = watchAway(t, () => Date.now());
  t.status.value = 'away';
  vi.advanceTimersByTime(30 * 60_000);
  dispatchEvent(new Event('keydown'));
  expect(t.set).toEqual([]);
  stop();
});

it('waits for the connection before switching', () => {
  const t = target();
  t.linkState.value = 'down';
  const stop = watchAway(t, () => Date.now());
  vi.advanceTimersByTime(11 * 60_000);
  expect(t.set).toEqual([]);
  t.linkState.value = 'open';
  vi.advanceTimersByTime(15_000);
  expect(t.set).toEqual(['away']);
  stop();
});
