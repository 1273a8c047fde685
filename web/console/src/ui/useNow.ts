import { signal } from '@preact/signals';
import { useEffect } from 'preact/hooks';

const TICK_MS = 15_000;
const now = signal(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** The current time, refreshed every 15 s while any component shows a relative time. */
export function useNow(): number {
  useEffect(() => {
    if (users++ === 0) {
      now.value = Date.now();
      timer = setInterval(() => {
        now.value = Date.now();
      }, TICK_MS);
    }
    return () => {
      if (--users === 0) clearInterval(timer);
    };
  }, []);
  return now.value;
}
