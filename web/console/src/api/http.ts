import type { Me } from '../../../protocol/Me';

/** A refused or failed API call, with the server's stable error code (`network` when unreachable). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface SetupInput {
  token: string;
  name: string;
  email: string;
  password: string;
}

export interface MePatch {
  lang?: string;
  name?: string;
}

interface SessionBody {
  me: Me;
  csrf_token: string;
}

// Codes for answers that carry no JSON body, e.g. from a proxy in front of the server.
const STATUS_CODES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  502: 'unavailable',
  503: 'unavailable',
  504: 'unavailable',
};

/**
 * The staff REST API. The CSRF token lives only in this object's memory: it is
 * refreshed by every answer that carries one and sent with every mutation.
 */
export class Api {
  private csrfToken: string | null = null;

  constructor(
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    private readonly base = '/api/v1',
  ) {}

  async me(): Promise<Me> {
    return this.session(await this.request('GET', '/me'));
  }

  async login(email: string, password: string): Promise<Me> {
    // Before a session exists the server expects the fixed token `login`.
    return this.session(await this.request('POST', '/auth/login', { email, password }, 'login'));
  }

  async setup(input: SetupInput): Promise<Me> {
    return this.session(await this.request('POST', '/setup', input));
  }

  async updateMe(patch: MePatch): Promise<Me> {
    return this.session(await this.request('PATCH', '/me', patch));
  }

  async logout(): Promise<void> {
    try {
      await this.request('POST', '/auth/logout');
    } finally {
      this.csrfToken = null;
    }
  }

  private session(body: unknown): Me {
    const { me, csrf_token } = body as SessionBody;
    this.csrfToken = csrf_token;
    return me;
  }

  private async request(method: string, path: string, body?: unknown, csrf?: string): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = csrf ?? this.csrfToken;
    if (method !== 'GET' && token) headers['X-CSRF-Token'] = token;

    let response: Response;
    try {
      response = await this.fetchImpl(this.base + path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError(0, 'network', String(cause));
    }

    if (response.status === 204) return undefined;
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const { error, message } = (data ?? {}) as { error?: unknown; message?: unknown };
      throw new ApiError(
        response.status,
        typeof error === 'string' ? error : (STATUS_CODES[response.status] ?? 'internal'),
        typeof message === 'string' ? message : response.statusText,
      );
    }
    return data;
  }
}
