import { Api } from '../api/http';

export interface Call {
  method: string;
  path: string;
  /** The JSON body parsed, or the raw body as sent. */
  body: unknown;
  init: RequestInit;
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/**
 * The REST client over a stand-in server: `answer` gets each call and returns a Response,
 * or a value sent as 200 JSON (undefined is 204). Calls are recorded in order.
 */
export function fakeApi(answer: (call: Call) => unknown) {
  const calls: Call[] = [];
  const api = new Api(async (input, init = {}) => {
    const raw = init.body;
    const call: Call = {
      method: init.method ?? 'GET',
      path: String(input).replace(/^\/api\/v1/, ''),
      body: typeof raw === 'string' ? JSON.parse(raw) : raw,
      init,
    };
    calls.push(call);
    const out = await answer(call);
    if (out instanceof Response) return out;
    return out === undefined ? new Response(null, { status: 204 }) : json(200, out);
  });
  return { api, calls };
}
