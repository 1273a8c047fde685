import { signal, type ReadonlySignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

/**
 * A hook for a clock that ticks every `tickMs` while any component uses it, and
 * stops when the last one unmounts.
 */
export function sharedClock(tickMs: number): () => ReadonlySignal<number> {
  const clock = signal(Date.now());
  let users = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  return () => {
    useEffect(() => {
      if (users++ === 0) {
        clock.value = Date.now();
        timer = setInterval(() => {
          clock.value = Date.now();
        }, tickMs);
      }
      return () => {
        if (--users === 0) clearInterval(timer);
      };
    }, []);
    return clock;
  };
}

/**
 * A clock ticking every second. Components that read `.value` re-render each tick,
 * so only the small ones showing running times should.
 */
export const useClock = sharedClock(1_000);
