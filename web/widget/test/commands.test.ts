import { beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { installApi, type ShopkeepApi } from '../src/loader/commands';
import type { Widget } from '../src/loader/widget';

// The stub from the snippet the server prints, verbatim.
const STUB = 'w.Shopkeep=w.Shopkeep||function(){(w.Shopkeep.q=w.Shopkeep.q||[]).push(arguments)}';

let win: { Shopkeep?: ShopkeepApi };
let widget: { open: Mock<() => void>; close: Mock<() => void>; toggle: Mock<() => void> };
let start: Mock<(site: string) => Widget>;

beforeEach(() => {
  win = {};
  new Function('w', STUB)(win);
  widget = { open: vi.fn(), close: vi.fn(), toggle: vi.fn() };
  start = vi.fn((_site: string) => widget);
});

describe('command API', () => {
  it('replays calls made before the loader, with the site from init', () => {
    win.Shopkeep!('open');
    win.Shopkeep!('init', { site: 'pk_from_init' });
    installApi(win, 'pk_from_tag', start);
    expect(start).toHaveBeenCalledExactlyOnceWith('pk_from_init');
    expect(widget.open).toHaveBeenCalledOnce();
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
    win.Shopkeep!('toggle');
    win.Shopkeep!('close');
    expect(widget.toggle).toHaveBeenCalledOnce();
    expect(widget.close).toHaveBeenCalledOnce();
  });

  it('holds commands until a site is known', () => {
    installApi(win, undefined, start);
    win.Shopkeep!('open');
    expect(start).not.toHaveBeenCalled();
    win.Shopkeep!('init', { site: 'pk_late' });
    expect(start).toHaveBeenCalledExactlyOnceWith('pk_late');
    expect(widget.open).toHaveBeenCalledOnce();
  });

  it('ignores a second init, bad sites and unknown commands', () => {
    installApi(win, 'pk_1', start);
    win.Shopkeep!('init', { site: 'pk_2' });
    win.Shopkeep!('init', { site: 42 });
    win.Shopkeep!('destroy');
    win.Shopkeep!();
    expect(start).toHaveBeenCalledOnce();
  });
});
