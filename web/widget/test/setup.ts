import { afterEach, beforeEach, vi } from 'vitest';

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  document.documentElement.lang = '';
});

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
});
