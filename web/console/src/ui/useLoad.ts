import { useEffect, useState } from 'preact/hooks';
import { apiErrorText } from './apiError';

export type Loaded<T> = { kind: 'loading' } | { kind: 'failed'; message: string } | { kind: 'ready'; value: T };

/** Loads once per change of `deps`; a late answer for old deps is dropped. `set` replaces the value after edits. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, (value: T) => void] {
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  useEffect(() => {
    let current = true;
    setState({ kind: 'loading' });
    load().then(
      (value) => current && setState({ kind: 'ready', value }),
      (e: unknown) => current && setState({ kind: 'failed', message: apiErrorText(e) }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return [state, (value: T) => setState({ kind: 'ready', value })];
}
