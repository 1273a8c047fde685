import { afterEach, beforeEach, vi } from 'vitest';

// The loader wraps these; each test starts from the browser's own.
const { pushState, replaceState } = history;

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  document.documentElement.lang = '';
});

afterEach(() => {
  vi.useRealTimers();
  document.body.replaceChildren();
  // The widget's host lives in <html>, outside <body>.
  document.querySelectorAll('shopkeep-widget').forEach((host) => host.remove());
  history.pushState = pushState;
  history.replaceState = replaceState;
});
