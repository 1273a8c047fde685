import { signal, type ReadonlySignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

const TICK_MS = 1_000;
const clock = signal(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * A clock ticking every second while any component uses it. Components that read
 * `.value` re-render each tick, so only the small ones showing running times should.
 */
export function useClock(): ReadonlySignal<number> {
  useEffect(() => {
    if (users++ === 0) {
      clock.value = Date.now();
      timer = setInterval(() => {
        clock.value = Date.now();
      }, TICK_MS);
    }
    return () => {
      if (--users === 0) clearInterval(timer);
    };
  }, []);
  return clock;
}
