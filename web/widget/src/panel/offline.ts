// Offline mode: whether the shop takes chats now, when it is back, the offline form's
// rules, and the two requests whose refusals carry no id (the offline message and the
// transcript mail), so an error that arrives while one is pending is its answer.
import { signal } from '@preact/signals';
import type { Availability } from '../../../protocol/Availability';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { DepartmentId } from '../../../protocol/DepartmentId';
import type { ErrorCode } from '../../../protocol/ErrorCode';
import type { VisitorClientFrame } from '../../../protocol/VisitorClientFrame';
import type { Connection, Incoming } from '../contract';
import type { PanelCatalog } from '../i18n/en';
import { format, type Lang } from '../i18n/lang';
import { intl } from './intl';
import { load, save, storageKey } from '../storage';
import { newMessageId } from './outbox';
import { charCount, cleanText, MAX_CHARS } from './text';

/** The server's limits, in characters. */
export const MAX_NAME_CHARS = 100;
export const MAX_EMAIL_CHARS = 254;
export const MAX_PHONE_CHARS = 50;

type OfflineMessage = Extract<VisitorClientFrame, { type: 'offline_message' }>;

/** What the visitor typed into the offline form. */
export interface OfflineFields {
  name: string;
  email: string;
  phone: string;
  message: string;
  consent: boolean;
  /** The trap field: people never see it, so anything in it was put there by a bot. */
  website: string;
}

export type Field = 'name' | 'email' | 'phone' | 'message' | 'consent';
/** What is wrong with each field, as a catalog key. */
export type FieldErrors = Partial<Record<Field, keyof PanelCatalog>>;

/** The offline message the server stored, remembered for the tab. */
export interface Left {
  email: string;
  /** Not a chat the visitor is waiting in, whatever its status. */
  conversation_id: ConversationId;
  /** The visitor went on to write another: the confirmation is over. */
  done?: boolean;
}

/** The transcript mail: on its way to the server, queued there, or refused. */
export type TranscriptMail = { state: 'sending' | 'queued'; email: string } | { state: 'failed'; email: string; code: ErrorCode };

/** An address the server can take: no spaces or control characters, a dot in the domain. */
export const isEmail = (text: string): boolean =>
  text.length <= MAX_EMAIL_CHARS && /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}.]+(\.[^\s@\p{Cc}.]+)+$/u.test(text);

/** The form's rules, checked before sending; `needsConsent` when the site has a consent text. */
export function validate(fields: OfflineFields, needsConsent: boolean): FieldErrors {
  const errors: FieldErrors = {};
  const name = fields.name.trim();
  if (!name) errors.name = 'errName';
  else if (charCount(name) > MAX_NAME_CHARS) errors.name = 'errNameLong';
  if (!isEmail(fields.email.trim())) errors.email = 'errEmail';
  if (charCount(fields.phone.trim()) > MAX_PHONE_CHARS) errors.phone = 'errPhone';
  const message = cleanText(fields.message).trim();
  if (!message) errors.message = 'errMessage';
  else if (charCount(message) > MAX_CHARS) errors.message = 'errTooLong';
  if (needsConsent && !fields.consent) errors.consent = 'errConsent';
  return errors;
}

/**
 * What the form says above itself: when the shop is closed by its hours and knows when it
 * opens, "back at 9:00" in the site's time zone, with the day when it is not today there;
 * otherwise that nobody is online.
 */
export function closedText(strings: PanelCatalog, lang: Lang, availability: Availability | null, now = Date.now()): string {
  const at = availability?.back_at;
  if (availability?.open !== false || at == null || at <= now) return strings.offlineTitle;
  const timeZone = knownZone(availability.time_zone);
  const time = intl(`time ${lang} ${timeZone}`, () => new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit', timeZone })).format(at);
  const day = dayNumber(at, timeZone);
  const days = day - dayNumber(now, timeZone);
  if (days <= 0) return format(strings.backAt, { time });
  if (days === 1) return format(strings.backTomorrow, { time });
  // Weekdays from the catalog: Russian and Ukrainian need them in the accusative.
  const when =
    days < 7
      ? strings.weekdays.split('|')[new Date(day * DAY_MS).getUTCDay()]!
      : intl(`date ${lang} ${timeZone}`, () => new Intl.DateTimeFormat(lang, { month: 'long', day: 'numeric', timeZone })).format(at);
  return format(strings.backOn, { day: when, time });
}

const DAY_MS = 86_400_000;

/** The site's zone if this browser knows it, else the visitor's own. */
function knownZone(zone: string | null): string | undefined {
  try {
    return zone ? intl(`zone ${zone}`, () => new Intl.DateTimeFormat('en', { timeZone: zone })).resolvedOptions().timeZone : undefined;
  } catch {
    return undefined;
  }
}

/** The calendar day of `at` in `timeZone`, counted from the epoch: days apart subtract. */
function dayNumber(at: number, timeZone: string | undefined): number {
  const parts = intl(`day ${timeZone}`, () => new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' })).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(part('year'), part('month') - 1, part('day')) / DAY_MS;
}

/** Refusals that are about the socket, not the request pending: a fresh welcome follows. */
const NOT_AN_ANSWER: ReadonlySet<ErrorCode> = new Set(['invalid_token', 'hello_required']);

/** The offline form's and the transcript mail's state, fed by the connection through the chat store. */
export class OfflineDesk {
  /** The site's opening hours state; null from servers that do not send it. */
  readonly availability = signal<Availability | null>(null);
  /** The visitor chose to leave a message from the queue, or for a department nobody is in. */
  readonly leaving = signal(false);
  /** The department the message is for, when the visitor chose one. */
  readonly department = signal<DepartmentId | null>(null);
  /** The offline message is on its way. */
  readonly sending = signal(false);
  /** The server refused the offline message. */
  readonly error = signal<ErrorCode | null>(null);
  /** The offline message the server stored, for this tab: the form shows its confirmation until `done`. */
  readonly left = signal<Left | null>(null);
  readonly mail = signal<TranscriptMail | null>(null);

  private pending: OfflineMessage | null = null;
  private readonly key: string;

  constructor(
    private readonly connection: Connection,
    site: string,
  ) {
    this.key = storageKey(site, 'offline');
    this.left.value = restore(load('sessionStorage', this.key));
  }

  /** Sends the form, already validated; it goes out again after a reconnect until answered. */
  submit(fields: OfflineFields): void {
    const phone = fields.phone.trim();
    const frame: OfflineMessage = {
      type: 'offline_message',
      client_msg_id: newMessageId(),
      name: fields.name.trim(),
      email: fields.email.trim(),
      message: cleanText(fields.message).trim(),
    };
    if (phone) frame.phone = phone;
    if (fields.consent) frame.consent = true;
    if (fields.website) frame.website = fields.website;
    const department = this.department.peek();
    if (department !== null) frame.department_id = department;
    this.pending = frame;
    this.sending.value = true;
    this.error.value = null;
    this.connection.send(frame);
  }

  /** From the queue, or for a department nobody in is online: the form instead of the chat, blank. */
  leave(department: DepartmentId | null = null): void {
    this.another();
    this.department.value = department;
    this.leaving.value = true;
  }

  backToChat(): void {
    this.leaving.value = false;
  }

  /** The confirmation goes, the form comes back. */
  another(): void {
    const left = this.left.peek();
    if (left) this.remember({ ...left, done: true });
    this.error.value = null;
  }

  /** Another visitor now: nothing of the last one's. */
  forget(): void {
    this.left.value = null;
    this.error.value = null;
    save('sessionStorage', this.key, null);
  }

  /** The email to prefill: the one given in the offline form, else the one the page identified. */
  knownEmail(): string {
    return this.left.peek()?.email || this.identified().email || '';
  }

  /** The name the page identified the visitor by, to prefill. */
  knownName(): string {
    return this.identified().name || '';
  }

  private identified(): { name?: string; email?: string } {
    const frame = this.connection.said?.[1];
    return frame?.type === 'identify' ? frame : {};
  }

  /** Asks the server to mail the transcript of `conversation` to `email`; false while reconnecting. */
  emailTranscript(conversation: ConversationId, email: string): boolean {
    if (!this.connection.send({ type: 'email_transcript', conversation_id: conversation, email })) return false;
    this.mail.value = { state: 'sending', email };
    return true;
  }

  dismissMail(): void {
    this.mail.value = null;
  }

  private remember(left: Left): void {
    this.left.value = left;
    save('sessionStorage', this.key, JSON.stringify(left));
  }

  /** Takes the frames that are the desk's; true when nobody else needs `frame`. */
  handle(frame: Incoming): boolean {
    switch (frame.type) {
      case 'welcome':
        this.availability.value = frame.availability ?? null;
        // The same id: the server answers a resend with the same ack and stores nothing twice.
        if (this.pending) this.connection.send(this.pending);
        return false;
      case 'availability':
        this.availability.value = frame.availability;
        return true;
      case 'disconnected': {
        // A transcript request is not repeated by itself: the visitor may ask again.
        const mail = this.mail.peek();
        if (mail?.state === 'sending') this.mail.value = { ...mail, state: 'failed', code: 'unavailable' };
        return false;
      }
      case 'offline_ack':
        if (frame.client_msg_id === this.pending?.client_msg_id) {
          const left = { email: this.pending.email, conversation_id: frame.conversation_id };
          this.pending = null;
          this.sending.value = false;
          this.remember(left);
        }
        return true;
      case 'transcript_queued': {
        const mail = this.mail.peek();
        if (mail?.state === 'sending') this.mail.value = { state: 'queued', email: mail.email };
        return true;
      }
      case 'error': {
        if (NOT_AN_ANSWER.has(frame.code)) return false;
        // Another request's refusal names its own message.
        const mine = !frame.client_msg_id || frame.client_msg_id === this.pending?.client_msg_id;
        if (this.pending && mine) {
          this.pending = null;
          this.sending.value = false;
          this.error.value = frame.code;
          return true;
        }
        const mail = this.mail.peek();
        if (mail?.state === 'sending' && !frame.client_msg_id) {
          this.mail.value = { ...mail, state: 'failed', code: frame.code };
          return true;
        }
        return false;
      }
      default:
        return false;
    }
  }
}

// Storage is the page's to tamper with: keep only a well-formed record.
function restore(raw: string | null): Left | null {
  try {
    const left = JSON.parse(raw || 'null') as Left | null;
    return typeof left?.email === 'string' && typeof left.conversation_id === 'string' ? left : null;
  } catch {
    return null;
  }
}
