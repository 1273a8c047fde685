import { sharedClock } from './useClock';

const clock = sharedClock(15_000);

/** The current time, refreshed every 15 s while any component shows a relative time. */
export function useNow(): number {
  return clock().value;
}
