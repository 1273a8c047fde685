import type { BusinessHours } from '../../../protocol/BusinessHours';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { MailFailure } from '../../../protocol/MailFailure';
import type { MailSettingsUpdate } from '../../../protocol/MailSettingsUpdate';
import type { MailSettingsView } from '../../../protocol/MailSettingsView';
import type { Me } from '../../../protocol/Me';
import type { Rule } from '../../../protocol/Rule';
import type { RuleDraft } from '../../../protocol/RuleDraft';
import type { RuleId } from '../../../protocol/RuleId';
import type { SiteChat } from '../../../protocol/SiteChat';
import type { SiteId } from '../../../protocol/SiteId';
import type { SiteMail } from '../../../protocol/SiteMail';
import type { SiteView } from '../../../protocol/SiteView';
import type { TrackingSettings } from '../../../protocol/TrackingSettings';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { VisitorProfile } from '../../../protocol/VisitorProfile';

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

/**
 * `SitePatch` as the server reads it: absent fields stay as they are, `hours: null` means always open.
 * Spelled out here because the generated `SitePatch.ts` names `BusinessHours` without importing it.
 */
export interface SiteUpdate {
  tracking?: TrackingSettings;
  greetings?: { [lang: string]: string };
  hours?: BusinessHours | null;
  mail?: SiteMail;
  chat?: SiteChat;
}

/** A failed delivery as it arrives: the times are JSON numbers (ms), whatever the generated type says. */
export type MailFailureRow = Omit<MailFailure, 'last_attempt_at' | 'next_attempt_at'> & {
  last_attempt_at: number;
  next_attempt_at: number | null;
};

export interface MePatch {
  lang?: string;
  name?: string;
}

/** A request body sent as it is, with its own media type (a photo's bytes). */
export class RawBody {
  constructor(
    readonly data: Blob,
    readonly type: string,
  ) {}
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
  413: 'frame_too_large',
  415: 'invalid_input',
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

  async visitor(id: VisitorId): Promise<VisitorProfile> {
    return (await this.request('GET', `/visitors/${encodeURIComponent(id)}`)) as VisitorProfile;
  }

  async sites(): Promise<SiteView[]> {
    return (await this.request('GET', '/sites')) as SiteView[];
  }

  async updateSite(id: SiteId, patch: SiteUpdate): Promise<SiteView> {
    return (await this.request('PATCH', `/sites/${encodeURIComponent(id)}`, patch)) as SiteView;
  }

  async mailSettings(): Promise<MailSettingsView> {
    return (await this.request('GET', '/mail/settings')) as MailSettingsView;
  }

  async updateMailSettings(update: MailSettingsUpdate): Promise<MailSettingsView> {
    return (await this.request('PUT', '/mail/settings', update)) as MailSettingsView;
  }

  /** Sends the test email now; a failed delivery is a 502 whose message says why. */
  async sendTestMail(to: string): Promise<void> {
    await this.request('POST', '/mail/test', { to });
  }

  async mailFailures(): Promise<MailFailureRow[]> {
    return (await this.request('GET', '/mail/failures')) as MailFailureRow[];
  }

  /** Queues the transcript by mail; without `to` it goes to the visitor's own address. Answers where it goes. */
  async emailTranscript(id: ConversationId, to?: string): Promise<string> {
    const body = (await this.request('POST', `/conversations/${encodeURIComponent(id)}/transcript`, to === undefined ? {} : { to })) as {
      to: string;
    };
    return body.to;
  }

  async rules(site: SiteId): Promise<Rule[]> {
    return (await this.request('GET', `/sites/${encodeURIComponent(site)}/rules`)) as Rule[];
  }

  async createRule(site: SiteId, draft: RuleDraft): Promise<Rule> {
    return (await this.request('POST', `/sites/${encodeURIComponent(site)}/rules`, draft)) as Rule;
  }

  async updateRule(id: RuleId, draft: RuleDraft): Promise<Rule> {
    return (await this.request('PUT', `/rules/${encodeURIComponent(id)}`, draft)) as Rule;
  }

  async deleteRule(id: RuleId): Promise<void> {
    await this.request('DELETE', `/rules/${encodeURIComponent(id)}`);
  }

  /** The live visitors a draft's conditions match now. */
  async previewRule(site: SiteId, draft: RuleDraft): Promise<VisitorId[]> {
    const body = (await this.request('POST', `/sites/${encodeURIComponent(site)}/rules/preview`, draft)) as {
      visitors: VisitorId[];
    };
    return body.visitors;
  }

  /** Uploads my photo as its raw bytes, typed by the file's own media type. */
  async uploadPhoto(file: Blob): Promise<Me> {
    return this.session(await this.request('PUT', '/me/photo', new RawBody(file, file.type)));
  }

  async removePhoto(): Promise<Me> {
    return this.session(await this.request('DELETE', '/me/photo'));
  }

  /**
   * One JSON call for feature modules that keep their own endpoints (team, canned answers,
   * history, audit), with the same session, CSRF and error handling as every other call.
   */
  async call<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return (await this.request(method, path, body)) as T;
  }

  private session(body: unknown): Me {
    const { me, csrf_token } = body as SessionBody;
    this.csrfToken = csrf_token;
    return me;
  }

  private async request(method: string, path: string, body?: unknown, csrf?: string): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const raw = body instanceof RawBody;
    if (body !== undefined) headers['Content-Type'] = raw ? body.type : 'application/json';
    const token = csrf ?? this.csrfToken;
    if (method !== 'GET' && token) headers['X-CSRF-Token'] = token;

    let response: Response;
    try {
      response = await this.fetchImpl(this.base + path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: raw ? body.data : JSON.stringify(body) }),
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
