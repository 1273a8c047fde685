import { describe, expect, it, vi } from 'vitest';
import { ME } from '../test/fixtures';
import { Api, ApiError } from './http';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function recording(...answers: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    return answers.shift() ?? json(500, {});
  });
  return { api: new Api(fetchImpl), calls };
}

const header = (init: RequestInit, name: string) => new Headers(init.headers).get(name);

describe('Api', () => {
  it('logs in with the fixed login token, then sends the session token on every mutation', async () => {
    const { api, calls } = recording(
      json(200, { me: ME, csrf_token: 'tok-1' }),
      json(200, { me: { ...ME, lang: 'ja' }, csrf_token: 'tok-2' }),
      new Response(null, { status: 204 }),
    );
    await api.login('anna@example.com', 'correct horse');
    await api.updateMe({ lang: 'ja' });
    await api.logout();

    expect(calls.map((c) => [c.init.method, c.url])).toEqual([
      ['POST', '/api/v1/auth/login'],
      ['PATCH', '/api/v1/me'],
      ['POST', '/api/v1/auth/logout'],
    ]);
    expect(calls.map((c) => header(c.init, 'X-CSRF-Token'))).toEqual(['login', 'tok-1', 'tok-2']);
    expect(calls.every((c) => c.init.credentials === 'same-origin')).toBe(true);
    expect(JSON.parse(String(calls[1]!.init.body))).toEqual({ lang: 'ja' });
  });

  it('takes the token from GET /me and sends no token on reads', async () => {
    const { api, calls } = recording(json(200, { me: ME, csrf_token: 'from-me' }), json(200, { me: ME, csrf_token: 'x' }));
    await api.me();
    await api.updateMe({ name: 'Anna K' });
    expect(header(calls[0]!.init, 'X-CSRF-Token')).toBeNull();
    expect(header(calls[1]!.init, 'X-CSRF-Token')).toBe('from-me');
  });

  it('forgets the token on logout', async () => {
    const { api, calls } = recording(json(200, { me: ME, csrf_token: 'tok' }), new Response(null, { status: 204 }), json(401, {}));
    await api.me();
    await api.logout();
    await expect(api.updateMe({ lang: 'en' })).rejects.toThrow(ApiError);
    expect(header(calls[2]!.init, 'X-CSRF-Token')).toBeNull();
  });

  it('turns refusals into error codes, from the body or else the status', async () => {
    const { api } = recording(
      json(401, { error: 'invalid_credentials', message: 'wrong' }),
      json(429, { error: 'rate_limited', message: 'slow down' }),
      new Response('<html>Bad gateway</html>', { status: 502 }),
    );
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
    await expect(api.me()).rejects.toMatchObject({ status: 502, code: 'unavailable' });
  });

  it('reports an unreachable server as a network error', async () => {
    const api = new Api(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

describe('visitor, site and rule routes', () => {
  it('use the documented methods and paths, with ids escaped', async () => {
    const draft = { name: 'N', enabled: true, conditions: [], text: 'Hi', department: null };
    const { api, calls } = recording(
      json(200, { me: ME, csrf_token: 'tok' }),
      json(200, { visitor_id: 'v 1' }),
      json(200, []),
      json(200, {}),
      json(200, []),
      json(201, {}),
      json(200, {}),
      new Response(null, { status: 204 }),
      json(200, { visitors: ['a', 'b'] }),
      json(200, { me: ME, csrf_token: 'tok' }),
    );
    await api.me();
    await api.visitor('v 1');
    await api.sites();
    await api.updateSite('s/1', { tracking: { enabled: false, honor_dnt: true, stripped_params: [] } });
    await api.rules('s/1');
    await api.createRule('s/1', draft);
    await api.updateRule('r1', draft);
    await api.deleteRule('r1');
    expect(await api.previewRule('s/1', draft)).toEqual(['a', 'b']);
    await api.removePhoto();
    expect(calls.slice(1).map((c) => [c.init.method, c.url])).toEqual([
      ['GET', '/api/v1/visitors/v%201'],
      ['GET', '/api/v1/sites'],
      ['PATCH', '/api/v1/sites/s%2F1'],
      ['GET', '/api/v1/sites/s%2F1/rules'],
      ['POST', '/api/v1/sites/s%2F1/rules'],
      ['PUT', '/api/v1/rules/r1'],
      ['DELETE', '/api/v1/rules/r1'],
      ['POST', '/api/v1/sites/s%2F1/rules/preview'],
      ['DELETE', '/api/v1/me/photo'],
    ]);
    expect(calls.slice(1).filter((c) => c.init.method !== 'GET').every((c) => header(c.init, 'X-CSRF-Token') === 'tok')).toBe(true);
    expect(JSON.parse(String(calls[5]!.init.body))).toEqual(draft);
  });
});
