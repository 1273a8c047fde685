import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { TYPING_IDLE_MS, TYPING_REPEAT_MS, TypingNotifier } from './typing';

let notices: [string, boolean][];
let typing: TypingNotifier;

beforeEach(() => {
  vi.useFakeTimers();
  notices = [];
  typing = new TypingNotifier((id, active) => notices.push([id, active]));
});
afterEach(() => {
  typing.stop();
  vi.useRealTimers();
});

it('sends active at most once per repeat interval while typing', () => {
  for (let i = 0; i < 10; i++) {
    typing.input('a', true);
    vi.advanceTimersByTime(TYPING_REPEAT_MS / 5);
  }
  expect(notices).toEqual([
    ['a', true],
    ['a', true],
  ]);
});

it('sends inactive after a pause, when emptied, or when another chat is typed in', () => {
  typing.input('a', true);
  vi.advanceTimersByTime(TYPING_IDLE_MS);
  expect(notices).toEqual([['a', true], ['a', false]]);

  typing.input('a', true);
  typing.input('a', false);
  typing.input('a', false);
  expect(notices.slice(2)).toEqual([['a', true], ['a', false]]);

  typing.input('a', true);
  typing.input('b', true);
  expect(notices.slice(4)).toEqual([['a', true], ['a', false], ['b', true]]);
});
