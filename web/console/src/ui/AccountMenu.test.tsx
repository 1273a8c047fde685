import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import { Session } from '../api/session';
import { fakeApi } from '../test/api';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle } from '../test/render';
import { AccountMenu, MAX_PHOTO_BYTES } from './AccountMenu';

const PHOTO = '/v1/staff/staff-anna/photo';

async function menu(photo: string | null = null) {
  const { api, calls } = fakeApi((call) => {
    if (call.path === '/me' && call.method === 'GET') return { me: { ...ME, photo }, csrf_token: 'tok-1' };
    if (call.path === '/me/photo' && call.method === 'PUT') return { me: { ...ME, photo: PHOTO }, csrf_token: 'tok-2' };
    if (call.path === '/me/photo' && call.method === 'DELETE') return { me: { ...ME, photo: null }, csrf_token: 'tok-3' };
    return undefined;
  });
  const session = new Session(api);
  await session.check();
  calls.length = 0;
  const App = () => {
    const state = session.state.value;
    return state.kind === 'signed_in' ? <AccountMenu session={session} me={state.me} /> : null;
  };
  const root = mount(<App />);
  return { root, calls, session };
}

function pick(input: HTMLInputElement, file: File) {
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  act(() => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
}

describe('my photo', () => {
  it('uploads the file’s bytes with its own type, then shows it as my avatar', async () => {
    const { root, calls } = await menu();
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('summary')?.getAttribute('aria-label')).toBe('Account: Anna');
    expect(button(root, 'Remove photo').disabled).toBe(true);

    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'me.png', { type: 'image/png' });
    pick(byLabel<HTMLInputElement>(root, 'Upload photo'), file);
    await settle();

    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect([call!.method, call!.path]).toEqual(['PUT', '/me/photo']);
    expect(call!.body).toBe(file);
    const headers = new Headers(call!.init.headers);
    expect(headers.get('Content-Type')).toBe('image/png');
    expect(headers.get('X-CSRF-Token')).toBe('tok-1');

    const avatars = [...root.querySelectorAll('img')];
    expect(avatars.length).toBeGreaterThan(0);
    for (const img of avatars) {
      expect(img.getAttribute('src')).toMatch(/^\/v1\/staff\/staff-anna\/photo\?v=\d+$/);
      expect(img.getAttribute('alt')).toBe('');
    }
    expect(root.textContent).toContain('Photo updated.');
  });

  it('refuses other types and files over 60 KB before sending anything', async () => {
    const { root, calls } = await menu();
    const input = byLabel<HTMLInputElement>(root, 'Upload photo');
    pick(input, new File(['<svg/>'], 'me.svg', { type: 'image/svg+xml' }));
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('Choose a PNG, JPEG or WebP image.');
    pick(input, new File([new Uint8Array(MAX_PHOTO_BYTES + 1)], 'big.jpg', { type: 'image/jpeg' }));
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('The photo must be 60 KB or smaller.');
    pick(input, new File([new Uint8Array(MAX_PHOTO_BYTES)], 'ok.webp', { type: 'image/webp' }));
    await settle();
    expect(calls.map((c) => [c.method, c.path, (c.body as Blob).size])).toEqual([['PUT', '/me/photo', MAX_PHOTO_BYTES]]);
  });

  it('removes the photo', async () => {
    const { root, calls } = await menu(PHOTO);
    expect(root.querySelector('img')?.getAttribute('src')).toMatch(/^\/v1\/staff\/staff-anna\/photo/);
    act(() => button(root, 'Remove photo').click());
    await settle();
    expect(calls.map((c) => [c.method, c.path])).toEqual([['DELETE', '/me/photo']]);
    expect(root.querySelector('img')).toBeNull();
    expect(root.textContent).toContain('No photo yet.');
  });

  it('never uses a photo address that is not a path on this server', async () => {
    const { root } = await menu('https://elsewhere.example/me.png');
    expect(root.querySelector('img')).toBeNull();
    const { root: protocolRelative } = await menu('//elsewhere.example/me.png');
    expect(protocolRelative.querySelector('img')).toBeNull();
  });
});
