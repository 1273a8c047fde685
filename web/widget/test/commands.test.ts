import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { installApi, type ShopkeepApi } from '../src/loader/commands';
import type { Widget } from '../src/loader/widget';

// The stub from the snippet the server prints, verbatim.
const STUB = 'w.Shopkeep=w.Shopkeep||function(){(w.Shopkeep.q=w.Shopkeep.q||[]).push(arguments)}';

type Mocked = { [K in keyof Widget]: Mock<Widget[K]> };

let win: { Shopkeep?: ShopkeepApi };
let widget: Mocked;
let calls: string[];
let start: Mock<(site: string) => Widget>;

beforeEach(() => {
  win = {};
  new Function('w', STUB)(win);
  calls = [];
  const command = (name: string) => vi.fn((...args: unknown[]) => void calls.push(`${name} ${JSON.stringify(args)}`));
  widget = {
    open: command('open'),
    close: command('close'),
    toggle: command('toggle'),
    identify: command('identify'),
    set: command('set'),
    on: command('on'),
    page: command('page'),
    setLanguage: command('setLanguage'),
  };
  start = vi.fn((_site: string) => widget);
});

describe('command API', () => {
  it('replays calls made before the loader, in order, with the site from init', () => {
    win.Shopkeep!('open');
    win.Shopkeep!('init', { site: 'pk_from_init' });
    win.Shopkeep!('identify', { id: '42', hash: 'abc' });
    win.Shopkeep!('set', { cart_total: 10 });
    win.Shopkeep!('setLanguage', 'ru');
    installApi(win, 'pk_from_tag', start);
    expect(start).toHaveBeenCalledExactlyOnceWith('pk_from_init');
    expect(calls).toEqual([
      'open []',
      'identify [{"id":"42","hash":"abc"}]',
      'set [{"cart_total":10}]',
      'setLanguage ["ru"]',
    ]);
  });

  it('starts with the script tag’s data-site when there is no init', () => {
    installApi(win, 'pk_from_tag', start);
    expect(start).toHaveBeenCalledExactlyOnceWith('pk_from_tag');
  });

  it('replaces the stub with a function that runs commands at once', () => {
    const stub = win.Shopkeep;
    installApi(win, 'pk_1', start);
    expect(win.Shopkeep).not.toBe(stub);
    expect(win.Shopkeep!.loaded).toBe(true);
    const callback = () => {};
    win.Shopkeep!('toggle');
    win.Shopkeep!('close');
    win.Shopkeep!('on', 'message', callback);
    win.Shopkeep!('page');
    expect(widget.toggle).toHaveBeenCalledOnce();
    expect(widget.close).toHaveBeenCalledOnce();
    expect(widget.on).toHaveBeenCalledExactlyOnceWith('message', callback);
    expect(widget.page).toHaveBeenCalledOnce();
  });

  it('holds commands until a site is known', () => {
    installApi(win, undefined, start);
    win.Shopkeep!('open');
    win.Shopkeep!('set', { a: 1 });
    expect(start).not.toHaveBeenCalled();
    win.Shopkeep!('init', { site: 'pk_late' });
    expect(start).toHaveBeenCalledExactlyOnceWith('pk_late');
    expect(calls).toEqual(['open []', 'set [{"a":1}]']);
  });

  it('ignores a second init, bad sites and unknown commands, and never throws into the page', () => {
    installApi(win, 'pk_1', start);
    widget.set.mockImplementation(() => {
      throw new TypeError('unusable');
    });
    const api = win.Shopkeep!;
    expect(() => {
      api('init', { site: 'pk_2' });
      api('init', { site: 42 });
      api('init', null);
      api('destroy');
      api('__proto__');
      api('toString');
      api(42);
      api();
      api('set', 'not an object');
    }).not.toThrow();
    expect(start).toHaveBeenCalledOnce();
  });
});
