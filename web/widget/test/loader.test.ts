import { describe, expect, it, vi } from 'vitest';
import type { ShopkeepApi } from '../src/loader/commands';
import { FakeSocket } from './fake-socket';

describe('loader entry', () => {
  it('starts from its own script tag, adds no globals but Shopkeep, and ignores a second copy', async () => {
    vi.stubGlobal('WebSocket', FakeSocket);
    vi.stubGlobal('__PANEL_PATH__', '/widget/assets/panel-test.js');
    vi.stubGlobal('__LANGUAGES_PATH__', '/widget/assets/languages-test.js');
    const script = document.createElement('script');
    script.src = 'https://chat.example:8443/widget/loader.js';
    script.dataset.site = 'pk_tag';
    vi.spyOn(document, 'currentScript', 'get').mockReturnValue(script);
    const globals = new Set(Object.keys(window));

    await import('../src/loader');
    const api = (window as { Shopkeep?: ShopkeepApi }).Shopkeep!;
    expect(api.loaded).toBe(true);
    expect(FakeSocket.last().url).toBe('wss://chat.example:8443/v1/visitor?site=pk_tag');
    expect(Object.keys(window).filter((key) => !globals.has(key))).toEqual(['Shopkeep']);

    vi.resetModules();
    await import('../src/loader');
    expect((window as { Shopkeep?: ShopkeepApi }).Shopkeep).toBe(api);
    expect(document.querySelectorAll('shopkeep-widget')).toHaveLength(1);
  });
});
