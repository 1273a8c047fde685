import { act } from 'preact/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api } from '../api/http';
import { Session } from '../api/session';
import { route } from '../app/route';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { SetupPage } from './SetupPage';

function page(answer: Response) {
  const fetchImpl = vi.fn(async () => answer);
  const session = new Session(new Api(fetchImpl));
  history.replaceState(null, '', '/console/setup?token=one-time');
  const root = mount(<SetupPage session={session} token="one-time" />);
  return { root, session, fetchImpl };
}

function fill(root: HTMLElement, password: string, confirm: string) {
  type(byLabel<HTMLInputElement>(root, 'Name'), ' Anna ');
  type(byLabel<HTMLInputElement>(root, 'Email'), 'anna@example.com');
  type(byLabel<HTMLInputElement>(root, 'Password'), password);
  type(byLabel<HTMLInputElement>(root, 'Confirm password'), confirm);
  // Submitted through the form so the checks run even where the browser would block it first.
  act(() => {
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
  });
}

afterEach(() => {
  history.replaceState(null, '', '/');
});

describe('SetupPage', () => {
  it('refuses a short password and a mismatched confirmation before calling the server', () => {
    const { root, fetchImpl } = page(new Response('{}'));
    fill(root, 'short', 'short');
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('The password needs at least 10 characters.');
    fill(root, 'long enough pass', 'long enough pasS');
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('The two passwords differ.');
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('creates the admin, signs in, and drops the spent token from the address', async () => {
    const { root, session, fetchImpl } = page(new Response(JSON.stringify({ me: ME, csrf_token: 't' })));
    fill(root, 'long enough pass', 'long enough pass');
    await settle();

    const [url, init] = fetchImpl.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/setup');
    expect(JSON.parse(String(init.body))).toEqual({
      token: 'one-time',
      name: 'Anna',
      email: 'anna@example.com',
      password: 'long enough pass',
    });
    expect(session.state.value).toEqual({ kind: 'signed_in', me: ME });
    expect(location.pathname + location.search).toBe('/console/');
    expect(route.value).toEqual({ page: 'inbox' });
  });

  it('shows a refused token readably', async () => {
    const { root } = page(new Response(JSON.stringify({ error: 'invalid_token', message: 'spent' }), { status: 403 }));
    fill(root, 'long enough pass', 'long enough pass');
    await settle();
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('The link or token is not valid.');
    expect(button(root, 'Create account').disabled).toBe(false);
  });

  it('explains a link without its token', () => {
    const root = mount(<SetupPage session={new Session(new Api())} token={null} />);
    expect(root.querySelector('[role="alert"]')?.textContent).toContain('setup link is incomplete');
  });
});
