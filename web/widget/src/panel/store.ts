// The chat as the panel shows it: conversation events, the visitor's messages on their
// way, receipts, typing and errors, kept in signals and fed by the shared connection.
import { batch, computed, signal } from '@preact/signals';
import type { Ack } from '../../../protocol/Ack';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationStatus } from '../../../protocol/ConversationStatus';
import type { ConversationView } from '../../../protocol/ConversationView';
import type { ErrorCode } from '../../../protocol/ErrorCode';
import type { ErrorFrame } from '../../../protocol/ErrorFrame';
import type { Event } from '../../../protocol/Event';
import type { Receipts } from '../../../protocol/Receipts';
import type { VisitorServerFrame } from '../../../protocol/VisitorServerFrame';
import type { Connection, Identified, Incoming, Invitation, Welcome } from '../contract';
import { pageLangs, pickLang } from '../i18n/lang';
import { storageKey } from '../storage';
import { OfflineDesk } from './offline';
import { newMessageId, Outbox } from './outbox';
import { EventSync, type Step } from './sync';
import { charCount, cleanText, isBlank, MAX_CHARS } from './text';

/** How long after its last notice an agent counts as typing (the "stopped" notice may be lost). */
export const TYPING_SHOWN_MS = 10_000;
/** The visitor's typing notice is repeated at most this often while they type... */
export const TYPING_REPEAT_MS = 4_000;
/** ...and withdrawn after this long without a keystroke. */
export const TYPING_IDLE_MS = 5_000;
/** `received` reports are batched over this long. */
export const RECEIVED_DELAY_MS = 400;

/** Errors the widget recovers from by itself: a fresh welcome follows, or nothing is lost. */
const SILENT_ERRORS: ReadonlySet<ErrorCode> = new Set(['invalid_token', 'not_found']);

/** A message of the visitor, shown optimistically until its event arrives. */
export interface Outgoing {
  id: string;
  text: string;
  at: number;
  state: 'sending' | 'sent' | 'failed';
  /** From the ack: where and at which seq the message was stored. */
  conversation_id?: ConversationId;
  seq?: number;
}

export type Item =
  | { kind: 'event'; key: string; event: Event }
  | { kind: 'outgoing'; key: string; message: Outgoing };

export type Delivery = 'sending' | 'sent' | 'delivered' | 'failed';

/** What the panel shows under its header: the chat, the offline form, or its confirmation. */
export type Mode = 'chat' | 'form' | 'sent';

/** What shows above the launcher: an operator's invitation, or a returning customer's greeting. */
export type Bubble = { invitation: Invitation; greeting?: undefined } | { greeting: string; invitation?: undefined };

type Frame<T extends VisitorServerFrame['type']> = Extract<VisitorServerFrame, { type: T }>;

export class ChatStore {
  /** Applied events by conversation, conversations in the order they were first seen. */
  readonly threads = signal<ReadonlyMap<ConversationId, readonly Event[]>>(new Map());
  readonly outgoing = signal<readonly Outgoing[]>([]);
  readonly receipts = signal<ReadonlyMap<ConversationId, Receipts>>(new Map());
  /** The latest welcome; kept while reconnecting, for the site's name and look. */
  readonly welcome = signal<Welcome | null>(null);
  /** The socket is welcomed: what is sent now goes out now. */
  readonly ready = signal(false);
  readonly operatorsOnline = signal(false);
  /** The conversation new messages go to; the server starts a new one after a close. */
  readonly current = signal<ConversationId | null>(null);
  /** Where the current conversation stands, as far as the views and events tell. */
  readonly status = signal<ConversationStatus | null>(null);
  /** The current conversation was left through the offline form (the server says so). */
  readonly currentOffline = signal(false);
  /** The name of the agent typing ('' when not given), or null. */
  readonly typing = signal<string | null>(null);
  /** The history is loading after a page load: not news for screen readers. */
  readonly loadingHistory = signal(false);
  /** The last refusal to show, until dismissed or a message goes through. */
  readonly error = signal<ErrorCode | null>(null);
  /** The panel is shown; bubbles then wait, an invitation shows inside. */
  readonly shown = signal(false);
  /** The invitation or greeting waiting for the visitor, until answered or dismissed. */
  readonly bubble = signal<Bubble | null>(null);
  /** The greeting of a returning customer, at the top of the conversation. */
  readonly greeting = signal<string | null>(null);
  /** The widget's language as the loader chose it (its host's `lang`), if any. */
  readonly chosenLang = signal('');

  readonly lang = computed(() => pickLang(this.chosenLang.value, this.welcome.value?.look.lang, ...pageLangs()));

  /** The offline form, its confirmation, and the transcript mail. */
  readonly offline: OfflineDesk;

  /** Somebody is online and the shop is within its hours. */
  readonly available = computed(() => this.operatorsOnline.value && this.offline.availability.value?.open !== false);

  /** The visitor's conversation waits for an operator (the offline message's does not count). */
  readonly queued = computed(
    () =>
      this.status.value === 'waiting' &&
      !this.currentOffline.value &&
      this.current.value !== this.offline.left.value?.conversation_id,
  );

  /**
   * The offline form when the shop cannot chat and the visitor has no chat going, or when
   * they chose it from the queue; its confirmation once the server has the message.
   */
  readonly mode = computed<Mode>(() => {
    const { leaving, left } = this.offline;
    if (!this.welcome.value) return 'chat';
    const chatting = this.outgoing.value.length > 0 || this.queued.value || this.status.value === 'active';
    if (!leaving.value && (this.available.value || chatting)) return 'chat';
    return left.value && !left.value.done ? 'sent' : 'form';
  });

  /** The events of the current conversation, for its transcript. */
  readonly transcript = computed<readonly Event[]>(() => {
    const current = this.current.value;
    return (current && this.threads.value.get(current)) || [];
  });

  readonly items = computed<Item[]>(() => {
    const items: Item[] = [];
    for (const events of this.threads.value.values()) {
      for (const event of events) {
        // The visitor's own messages are keyed like their optimistic copy, so the copy's
        // element is reused when the event replaces it.
        const key = ownId(event) ?? `${event.conversation_id}:${event.seq}`;
        items.push({ kind: 'event', key, event });
      }
    }
    for (const message of this.outgoing.value) items.push({ kind: 'outgoing', key: message.id, message });
    return items;
  });

  private sync = new EventSync();
  private readonly outbox: Outbox;
  /** Highest seq reported with `received`, per conversation. */
  private readonly reported = new Map<ConversationId, number>();
  private receivedTimer: ReturnType<typeof setTimeout> | undefined;
  private typingShownTimer: ReturnType<typeof setTimeout> | undefined;
  private typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  private typingSentAt = 0;

  constructor(
    private readonly connection: Connection,
    site: string,
  ) {
    this.outbox = new Outbox(storageKey(site, 'outbox'));
    this.offline = new OfflineDesk(connection, site);
    this.outgoing.value = this.outbox.list().map((draft) => ({ ...draft, state: 'sending' }));
    connection.subscribe((frame) => this.handle(frame));
    if (connection.welcome) this.handle(connection.welcome);
  }

  /** Posts a message; false when there is nothing to send. */
  send(raw: string): boolean {
    const text = cleanText(raw).trim();
    if (isBlank(text)) return false;
    if (charCount(text) > MAX_CHARS) {
      this.error.value = 'text_too_long';
      return false;
    }
    const draft = { id: newMessageId(), text, at: Date.now() };
    this.outbox.add(draft);
    this.outgoing.value = [...this.outgoing.value, { ...draft, state: 'sending' }];
    this.connection.send({ type: 'send', client_msg_id: draft.id, text });
    this.stopTyping();
    return true;
  }

  /** Sends a refused message again, with the same id. */
  retry(id: string): void {
    const message = this.outgoing.value.find((m) => m.id === id && m.state === 'failed');
    if (!message) return;
    this.outbox.add({ id, text: message.text, at: message.at });
    this.updateOutgoing(id, { state: 'sending' });
    this.connection.send({ type: 'send', client_msg_id: id, text: message.text });
  }

  /** The visitor typed in the composer. */
  typed(): void {
    const now = Date.now();
    if (now - this.typingSentAt >= TYPING_REPEAT_MS && this.connection.send({ type: 'typing', active: true })) {
      this.typingSentAt = now;
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  dismissError(): void {
    this.error.value = null;
  }

  /** An invitation arrived, or a returning customer was recognised: show it, the greeting once. */
  showBubble(frame: Invitation | Identified): void {
    if (frame.type === 'invitation') {
      this.bubble.value = { invitation: frame };
    } else if (frame.greeting && this.greeting.peek() === null) {
      this.greeting.value = frame.greeting;
      // In the panel, the greeting is at the top of the conversation already.
      if (!this.bubble.peek() && !this.shown.peek()) this.bubble.value = { greeting: frame.greeting };
    }
  }

  /**
   * Accepts or dismisses the invitation shown; false, changing nothing, while reconnecting.
   * On accept the server opens a conversation assigned to the operator and sends it.
   */
  answer(accept: boolean): boolean {
    const invitation = this.bubble.peek()?.invitation;
    if (!invitation || !this.connection.send({ type: 'answer_invitation', invitation_id: invitation.invitation_id, accept })) {
      return false;
    }
    this.bubble.value = null;
    return true;
  }

  dismissBubble(): void {
    this.bubble.value = null;
  }

  /** Where a message of the visitor stands; `seq` and `conversation` once it is stored. */
  delivery(conversation: ConversationId, seq: number): Delivery {
    const delivered = this.receipts.value.get(conversation)?.agent_delivered ?? 0;
    return seq <= delivered ? 'delivered' : 'sent';
  }

  private handle(frame: Incoming): void {
    batch(() => {
      if (this.offline.handle(frame)) return;
      switch (frame.type) {
        case 'welcome':
          return this.onWelcome(frame);
        case 'disconnected':
          this.ready.value = false;
          this.loadingHistory.value = false;
          this.showTyping(null);
          return;
        case 'event':
          if (frame.event.conversation_id !== this.current.value) {
            this.current.value = frame.event.conversation_id;
            this.currentOffline.value = false;
          }
          return this.apply(this.sync.event(frame.event));
        case 'history': {
          const step = this.sync.history(frame);
          if (!step.request) this.loadingHistory.value = false;
          return this.apply(step);
        }
        case 'ack':
          return this.onAck(frame);
        case 'receipts':
          return this.setReceipts(frame.conversation_id, frame.receipts);
        case 'status':
          this.operatorsOnline.value = frame.operators_online;
          return;
        case 'typing':
          return this.onTyping(frame);
        case 'error':
          return this.onError(frame);
        case 'conversation':
          // Just opened (an accepted invitation): its first messages are news.
          return this.adopt(frame.conversation, false);
        case 'identified':
          // The customer's conversation, perhaps from another device: history.
          if (frame.conversation) this.adopt(frame.conversation, true);
          return;
      }
    });
  }

  private onWelcome(welcome: Welcome): void {
    const previous = this.welcome.peek();
    // The server did not know our token and made a new visitor: what we show is not theirs.
    if (previous && previous.visitor_id !== welcome.visitor_id) this.forget();
    this.welcome.value = welcome;
    this.ready.value = true;
    this.operatorsOnline.value = welcome.operators_online;
    const view = welcome.conversation;
    this.status.value = view?.status ?? null;
    this.currentOffline.value = !!view?.offline;
    if (view) {
      this.current.value = view.id;
      this.setReceipts(view.id, view.receipts);
    }
    const request = this.sync.welcome(view);
    if (request) this.connection.send({ type: 'sync', ...request });
    this.loadingHistory.value = request?.after_seq === 0;
    for (const draft of this.outbox.list()) {
      this.connection.send({ type: 'send', client_msg_id: draft.id, text: draft.text });
    }
    this.reportReceived();
  }

  /** The visitor's conversation is `view` now: show it and fetch what is missing of it. */
  private adopt(view: ConversationView, history: boolean): void {
    this.current.value = view.id;
    this.status.value = view.status;
    this.currentOffline.value = !!view.offline;
    this.setReceipts(view.id, view.receipts);
    const request = this.sync.view(view);
    if (request && this.connection.send({ type: 'sync', ...request })) this.loadingHistory.value ||= history;
  }

  private apply({ applied, request }: Step): void {
    if (applied.length) {
      const threads = new Map(this.threads.peek());
      for (const event of applied) {
        threads.set(event.conversation_id, [...(threads.get(event.conversation_id) ?? []), event]);
        const id = ownId(event);
        if (id) this.settle(id);
        if (event.conversation_id === this.current.peek()) this.follow(event);
        if (event.author.kind === 'agent' && event.body.kind === 'message') this.showTyping(null);
      }
      this.threads.value = threads;
      clearTimeout(this.receivedTimer);
      this.receivedTimer = setTimeout(() => this.reportReceived(), RECEIVED_DELAY_MS);
    }
    if (request) this.connection.send({ type: 'sync', ...request });
  }

  private onAck(ack: Ack): void {
    this.outbox.remove(ack.client_msg_id);
    this.updateOutgoing(ack.client_msg_id, { state: 'sent', conversation_id: ack.conversation_id, seq: ack.seq });
    // A message after a closed conversation opens a new one: follow it.
    const status = this.status.peek();
    if (ack.conversation_id !== this.current.peek() || !status || status === 'closed') this.status.value = 'waiting';
    this.current.value = ack.conversation_id;
    // A chat message: whatever the conversation began as, the visitor now waits for a person.
    this.currentOffline.value = false;
    this.error.value = null;
  }

  private onTyping(frame: Frame<'typing'>): void {
    if (frame.side === 'agent' && frame.conversation_id === this.current.value) {
      this.showTyping(frame.active ? (frame.name ?? '') : null);
    }
  }

  private onError(frame: ErrorFrame): void {
    if (frame.client_msg_id) {
      this.outbox.remove(frame.client_msg_id);
      this.updateOutgoing(frame.client_msg_id, { state: 'failed' });
    }
    if (!SILENT_ERRORS.has(frame.code)) this.error.value = frame.code;
  }

  /** What an event of the current conversation says of its status. */
  private follow({ author, body }: Event): void {
    const status = this.status.peek();
    if (body.kind === 'closed') this.status.value = 'closed';
    else if (body.kind === 'joined' || author.kind === 'agent') this.status.value = 'active';
    // A conversation's first message, or one after the last close (history replays it all).
    else if (!status || status === 'closed') this.status.value = 'waiting';
  }

  /** The message's event arrived: it is stored and shown, so drop the optimistic copy. */
  private settle(id: string): void {
    this.outbox.remove(id);
    this.outgoing.value = this.outgoing.peek().filter((m) => m.id !== id);
  }

  private updateOutgoing(id: string, change: Partial<Outgoing>): void {
    this.outgoing.value = this.outgoing.peek().map((m) => (m.id === id ? { ...m, ...change } : m));
  }

  private setReceipts(conversation: ConversationId, receipts: Receipts): void {
    this.receipts.value = new Map(this.receipts.peek()).set(conversation, receipts);
  }

  private showTyping(name: string | null): void {
    clearTimeout(this.typingShownTimer);
    this.typing.value = name;
    if (name !== null) this.typingShownTimer = setTimeout(() => (this.typing.value = null), TYPING_SHOWN_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingIdleTimer);
    if (this.typingSentAt) this.connection.send({ type: 'typing', active: false });
    this.typingSentAt = 0;
  }

  private reportReceived(): void {
    for (const conversation of this.threads.peek().keys()) {
      const seq = this.sync.last(conversation);
      if (seq > (this.reported.get(conversation) ?? 0) && this.connection.send({ type: 'received', conversation_id: conversation, seq })) {
        this.reported.set(conversation, seq);
      }
    }
  }

  private forget(): void {
    this.sync = new EventSync();
    this.reported.clear();
    this.threads.value = new Map();
    this.receipts.value = new Map();
    this.current.value = null;
    this.offline.forget();
  }
}

/** The `client_msg_id` of one of the visitor's own messages. */
const ownId = (event: Event): string | undefined =>
  event.author.kind === 'visitor' ? event.client_msg_id : undefined;
