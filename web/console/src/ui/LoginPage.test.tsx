import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { Api } from '../api/http';
import { Session } from '../api/session';
import { ME } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { LoginPage } from './LoginPage';

function serverAnswering(status: number, body: unknown) {
  const fetchImpl = vi.fn(async () => new Response(JSON.stringify(body), { status }));
  return { session: new Session(new Api(fetchImpl)), fetchImpl };
}

async function logIn(root: HTMLElement) {
  type(byLabel<HTMLInputElement>(root, 'Email'), 'anna@example.com');
  type(byLabel<HTMLInputElement>(root, 'Password'), 'not the password');
  act(() => {
    button(root, 'Log in').click();
  });
  await settle();
}

describe('LoginPage', () => {
  it('shows wrong credentials readably and lets the operator try again', async () => {
    const { session, fetchImpl } = serverAnswering(401, { error: 'invalid_credentials', message: 'invalid credentials' });
    const root = mount(<LoginPage session={session} expired={false} />);
    expect(root.querySelector('[role="alert"]')).toBeNull();

    await logIn(root);

    expect(fetchImpl).toHaveBeenCalledOnce();
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('Wrong email or password.');
    expect(button(root, 'Log in').disabled).toBe(false);
    expect(session.state.value.kind).toBe('checking');
  });

  it('explains rate limiting', async () => {
    const { session } = serverAnswering(429, { error: 'rate_limited', message: 'slow down' });
    const root = mount(<LoginPage session={session} expired={false} />);
    await logIn(root);
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('Too many attempts. Wait a minute and try again.');
  });

  it('signs in with the typed credentials', async () => {
    const { session, fetchImpl } = serverAnswering(200, { me: ME, csrf_token: 't' });
    const root = mount(<LoginPage session={session} expired={false} />);
    await logIn(root);
    expect(JSON.parse(String((fetchImpl.mock.calls[0] as unknown as [string, RequestInit])[1].body))).toEqual({
      email: 'anna@example.com',
      password: 'not the password',
    });
    expect(session.state.value).toEqual({ kind: 'signed_in', me: ME });
  });

  it('says why when the session ran out', () => {
    const { session } = serverAnswering(200, {});
    const root = mount(<LoginPage session={session} expired />);
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('Your session has ended. Log in again.');
  });
});
