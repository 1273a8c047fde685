// Messages typed but not yet acknowledged. They live in sessionStorage too, so a message
// typed while offline survives a reload or a click to another page of the shop.
import { load, save } from '../storage';

export interface Draft {
  /** The idempotency key: a resend with it is stored once. */
  id: string;
  text: string;
  /** When it was typed, in ms since the epoch. */
  at: number;
  /** The department chosen for the chat it starts, if the site offers a choice. */
  department_id?: string;
}

/** 128 random bits in hex: valid as a `client_msg_id`, and works on plain-http pages too. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export class Outbox {
  private drafts: Draft[];

  /** `key` names the sessionStorage entry. */
  constructor(private readonly key: string) {
    this.drafts = Outbox.restore(load('sessionStorage', key));
  }

  /** Unacknowledged messages, oldest first: the order to (re)send them in. */
  list(): readonly Draft[] {
    return this.drafts;
  }

  add(draft: Draft): void {
    this.drafts = [...this.drafts.filter((d) => d.id !== draft.id), draft];
    this.persist();
  }

  /** Forgets a message: acknowledged, seen as an event, or refused. */
  remove(id: string): Draft | undefined {
    const draft = this.drafts.find((d) => d.id === id);
    if (draft) {
      this.drafts = this.drafts.filter((d) => d !== draft);
      this.persist();
    }
    return draft;
  }

  private persist(): void {
    save('sessionStorage', this.key, this.drafts.length ? JSON.stringify(this.drafts) : null);
  }

  // Storage is the page's to tamper with: keep only well-formed drafts.
  private static restore(raw: string | null): Draft[] {
    try {
      const parsed: unknown = JSON.parse(raw || '[]');
      return Array.isArray(parsed) ? parsed.filter(isDraft) : [];
    } catch {
      return [];
    }
  }
}

const isDraft = (value: unknown): value is Draft => {
  const d = value as Draft;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.id === 'string' &&
    /^[\w-]{1,64}$/.test(d.id) &&
    typeof d.text === 'string' &&
    typeof d.at === 'number' &&
    (d.department_id === undefined || typeof d.department_id === 'string')
  );
};
