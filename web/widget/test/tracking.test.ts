import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NAVIGATION_DELAY_MS, startTracking, type Tracking } from '../src/loader/tracking';
import { FakeConnection, welcome } from './fixtures';

let conn: FakeConnection;
let tracking: Tracking;

const pages = () => conn.take('page').map((frame) => frame.url);

beforeEach(() => {
  vi.useFakeTimers();
  history.replaceState(null, '', '/start');
  document.title = 'Start';
  conn = new FakeConnection();
  tracking = startTracking(conn);
  conn.deliver(welcome());
});

describe('page reporting', () => {
  it('reports the page after every welcome, with its title and referrer', () => {
    vi.spyOn(document, 'referrer', 'get').mockReturnValue('https://search.example/?q=boots');
    conn.take();
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome());
    expect(conn.take()).toEqual([
      { type: 'page', url: 'http://localhost:3000/start', title: 'Start', referrer: 'https://search.example/?q=boots' },
      { type: 'activity', active: true },
    ]);
  });

  it('leaves the referrer out when there is none', () => {
    expect(conn.take('page')).toEqual([{ type: 'page', url: 'http://localhost:3000/start', title: 'Start' }]);
  });

  it('reports a single-page navigation once the title has changed, once per URL', () => {
    conn.take();
    history.pushState(null, '', '/boots');
    document.title = 'Boots';
    expect(pages()).toEqual([]);
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS);
    expect(conn.take('page')).toEqual([{ type: 'page', url: 'http://localhost:3000/boots', title: 'Boots' }]);

    // The same URL again is not a new page.
    history.replaceState({ scrolled: true }, '', '/boots');
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS);
    expect(pages()).toEqual([]);
  });

  it('coalesces quick navigations into one report of where the visitor ends up', () => {
    conn.take();
    history.pushState(null, '', '/a');
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS / 2);
    history.replaceState(null, '', '/b');
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS / 2);
    history.pushState(null, '', '/c');
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS);
    expect(pages()).toEqual(['http://localhost:3000/c']);
  });

  it('reports back and forward navigation', () => {
    conn.take();
    // What the browser does on Back: the URL changes without pushState, then popstate.
    History.prototype.replaceState.call(history, null, '', '/previous');
    window.dispatchEvent(new PopStateEvent('popstate'));
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS);
    expect(pages()).toEqual(['http://localhost:3000/previous']);
  });

  it('keeps what pushState and replaceState do', () => {
    history.pushState({ product: 7 }, '', '/p/7');
    expect(location.pathname).toBe('/p/7');
    expect(history.state).toEqual({ product: 7 });
  });

  it('reports the page at once when asked, even the same one', () => {
    conn.take();
    document.title = 'Start, sorted';
    tracking.page();
    tracking.page();
    expect(conn.take('page').map((frame) => frame.title)).toEqual(['Start, sorted', 'Start, sorted']);
    // A navigation pending meanwhile finds the URL reported.
    history.pushState(null, '', '/boots');
    tracking.page();
    conn.take();
    vi.advanceTimersByTime(NAVIGATION_DELAY_MS);
    expect(pages()).toEqual([]);
  });

  it('says when the tab is hidden or visible again', () => {
    conn.take();
    const hidden = vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    document.dispatchEvent(new Event('visibilitychange'));
    hidden.mockReturnValue(false);
    document.dispatchEvent(new Event('visibilitychange'));
    expect(conn.take('activity')).toEqual([
      { type: 'activity', active: false },
      { type: 'activity', active: true },
    ]);
  });

  it('says after a welcome whether the tab is seen: one opened in the background is not', () => {
    vi.spyOn(document, 'hidden', 'get').mockReturnValue(true);
    conn.take();
    conn.deliver(welcome());
    expect(conn.take('activity')).toEqual([{ type: 'activity', active: false }]);
  });
});

describe('identity, attributes and language', () => {
  it('keeps the latest identify where the panel finds it', () => {
    tracking.identify({ name: 'Ann', email: 'ann@example.com' });
    expect(conn.said?.[1]).toEqual({ type: 'identify', name: 'Ann', email: 'ann@example.com' });
  });

  it('sends them at once and again after every welcome, language first', () => {
    conn.take();
    tracking.identify({ id: '42', name: 'Ann', email: 'ann@example.com', phone: '+1 555', hash: 'ab12' });
    tracking.set({ cart_total: 59.9 });
    tracking.setLanguage('uk');
    const sent = conn.take();
    expect(sent).toEqual([
      { type: 'identify', id: '42', name: 'Ann', email: 'ann@example.com', phone: '+1 555', hash: 'ab12' },
      { type: 'set', attributes: { cart_total: 59.9 } },
      { type: 'language', lang: 'uk' },
    ]);
    conn.deliver({ type: 'disconnected' });
    conn.deliver(welcome());
    expect(conn.take()).toEqual([
      { type: 'page', url: 'http://localhost:3000/start', title: 'Start' },
      { type: 'activity', active: true },
      { type: 'language', lang: 'uk' },
      sent[0],
      sent[1],
    ]);
  });

  it('keeps what was said while reconnecting and says it on the next welcome', () => {
    conn.take();
    conn.deliver({ type: 'disconnected' });
    tracking.identify({ id: '7', hash: 'ff' });
    expect(conn.take()).toEqual([]);
    conn.deliver(welcome());
    expect(conn.take('identify')).toEqual([{ type: 'identify', id: '7', hash: 'ff' }]);
  });

  it('says only the last identity', () => {
    tracking.identify({ id: '1', hash: 'a' });
    tracking.identify({ id: '2', hash: 'b' });
    conn.take();
    conn.deliver(welcome());
    expect(conn.take('identify')).toEqual([{ type: 'identify', id: '2', hash: 'b' }]);
  });

  it('keeps only the identity fields that are strings', () => {
    tracking.identify({ id: 42, name: 'Ann', email: null, admin: true, hash: { toString: () => 'x' } });
    expect(conn.take('identify')).toEqual([{ type: 'identify', name: 'Ann' }]);
  });

  it('sends each change, and all of them merged after a welcome, removals included', () => {
    tracking.set({ cart_total: 10, items: [{ sku: 'A', qty: 1 }], plan: 'free' });
    tracking.set({ cart_total: 25, plan: null });
    // Each on its own: one the server refuses spoils no other.
    expect(conn.take('set')).toEqual([
      { type: 'set', attributes: { cart_total: 10, items: [{ sku: 'A', qty: 1 }], plan: 'free' } },
      { type: 'set', attributes: { cart_total: 25, plan: null } },
    ]);
    conn.deliver(welcome());
    expect(conn.take('set')).toEqual([
      { type: 'set', attributes: { cart_total: 25, items: [{ sku: 'A', qty: 1 }], plan: null } },
    ]);
  });

  it('copies attributes when given, so later changes by the page do not leak in', () => {
    const cart = { items: ['A'] };
    tracking.set(cart);
    cart.items.push('B');
    conn.take();
    conn.deliver(welcome());
    expect(conn.take('set')).toEqual([{ type: 'set', attributes: { items: ['A'] } }]);
  });

  it('ignores attributes that are not an object', () => {
    for (const value of ['text', 42, null, [1, 2], true]) tracking.set(value);
    expect(conn.take('set')).toEqual([]);
    // What JSON cannot hold throws, and the page's command is then ignored.
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => tracking.set(cycle)).toThrow();
    expect(() => tracking.set(undefined)).toThrow();
    expect(conn.take('set')).toEqual([]);
  });
});
