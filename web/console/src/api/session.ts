import { signal } from '@preact/signals';
import type { Me } from '../../../protocol/Me';
import { ApiError, type Api, type MePatch, type SetupInput } from './http';

export type SessionState =
  | { kind: 'checking' }
  | { kind: 'unreachable' }
  | { kind: 'anonymous'; expired: boolean }
  | { kind: 'signed_in'; me: Me };

const isUnauthorized = (e: unknown) => e instanceof ApiError && e.status === 401;

/** Who is signed in. Form actions let their `ApiError`s through so the form can show them. */
export class Session {
  readonly state = signal<SessionState>({ kind: 'checking' });

  constructor(readonly api: Api) {}

  /** On load: `GET /me` decides between the console and the login page. */
  async check(): Promise<void> {
    this.state.value = { kind: 'checking' };
    try {
      this.signIn(await this.api.me());
    } catch (e) {
      this.state.value = isUnauthorized(e) ? { kind: 'anonymous', expired: false } : { kind: 'unreachable' };
    }
  }

  /** After the agent socket was refused: if the session is gone, back to the login page. */
  async verify(): Promise<void> {
    try {
      this.signIn(await this.api.me());
    } catch (e) {
      if (isUnauthorized(e)) this.state.value = { kind: 'anonymous', expired: true };
    }
  }

  async logIn(email: string, password: string): Promise<void> {
    this.signIn(await this.api.login(email, password));
  }

  async setUp(input: SetupInput): Promise<void> {
    this.signIn(await this.api.setup(input));
  }

  async update(patch: MePatch): Promise<void> {
    await this.refresh(() => this.api.updateMe(patch));
  }

  async uploadPhoto(file: Blob): Promise<void> {
    await this.refresh(() => this.api.uploadPhoto(file));
  }

  async removePhoto(): Promise<void> {
    await this.refresh(() => this.api.removePhoto());
  }

  /** A change to my own account; an expired session sends the operator back to the login page. */
  private async refresh(change: () => Promise<Me>): Promise<void> {
    try {
      this.signIn(await change());
    } catch (e) {
      if (isUnauthorized(e)) this.state.value = { kind: 'anonymous', expired: true };
      throw e;
    }
  }

  async logOut(): Promise<void> {
    try {
      await this.api.logout();
    } catch (e) {
      if (!isUnauthorized(e)) throw e;
    }
    this.state.value = { kind: 'anonymous', expired: false };
  }

  /** The server's current view of me, e.g. from the socket's `welcome`. */
  signIn(me: Me): void {
    this.state.value = { kind: 'signed_in', me };
  }
}
