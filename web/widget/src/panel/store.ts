// The chat as the panel shows it: conversation events, the visitor's messages on their
// way, receipts, typing and errors, kept in signals and fed by the shared connection.
import { batch, computed, effect, signal } from '@preact/signals';
import type { Ack } from '../../../protocol/Ack';
import type { AgentRef } from '../../../protocol/AgentRef';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationStatus } from '../../../protocol/ConversationStatus';
import type { ConversationView } from '../../../protocol/ConversationView';
import type { DepartmentChoice } from '../../../protocol/DepartmentChoice';
import type { DepartmentId } from '../../../protocol/DepartmentId';
import type { ErrorCode } from '../../../protocol/ErrorCode';
import type { ErrorFrame } from '../../../protocol/ErrorFrame';
import type { Event } from '../../../protocol/Event';
import type { QueuePlace } from '../../../protocol/QueuePlace';
import type { Receipts } from '../../../protocol/Receipts';
import type { VisitorClientFrame } from '../../../protocol/VisitorClientFrame';
import type { VisitorServerFrame } from '../../../protocol/VisitorServerFrame';
import type { Connection, Identified, Incoming, Invitation, Welcome } from '../contract';
import { pageLangs, pickLang } from '../i18n/lang';
import { storageKey } from '../storage';
import { OfflineDesk } from './offline';
import { type Draft, newMessageId, Outbox } from './outbox';
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
/** `read` reports wait this long for more to show, so a burst of news is one report. */
export const READ_DELAY_MS = 1_000;
/** With sneak peek, the draft goes out at most this often while the visitor types. */
export const DRAFT_EVERY_MS = 300;

/**
 * What the visitor may see. Whispers and notes are for staff and the server never sends
 * them; a kind this list does not know is not shown either.
 */
const VISIBLE: ReadonlySet<Event['body']['kind']> = new Set(['message', 'joined', 'left', 'closed', 'transferred']);
export const isVisible = (event: Event): boolean => VISIBLE.has(event.body.kind);

/** Errors the widget recovers from by itself: a fresh welcome follows, or nothing is lost. */
const SILENT_ERRORS: ReadonlySet<ErrorCode> = new Set(['invalid_token', 'not_found']);

/** A message of the visitor, shown optimistically until its event arrives. */
export interface Outgoing {
  id: string;
  text: string;
  at: number;
  state: 'sending' | 'sent' | 'failed';
  /** The department the visitor chose for the chat this message starts. */
  department_id?: DepartmentId;
  /** From the ack: where and at which seq the message was stored. */
  conversation_id?: ConversationId;
  seq?: number;
}

export type Item =
  | { kind: 'event'; key: string; event: Event }
  | { kind: 'outgoing'; key: string; message: Outgoing };

export type Delivery = 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

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
  /** The departments the visitor may choose from before a chat; empty when the site offers no choice. */
  readonly departments = signal<readonly DepartmentChoice[]>([]);
  /** The department the visitor chose for the chat they are starting. */
  readonly department = signal<DepartmentId | null>(null);
  /** The current conversation's place in its queue, as the server last told. */
  private readonly place = signal<{ conversation_id: ConversationId; place: QueuePlace | null } | null>(null);
  /** Who holds the current conversation, and who else joined it. */
  readonly assignee = signal<AgentRef | null>(null);
  readonly participants = signal<readonly AgentRef[]>([]);

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

  /** The current conversation waits in a queue at this place. */
  readonly queuePlace = computed(() => {
    const place = this.place.value;
    return this.queued.value && place?.conversation_id === this.current.value ? place.place : null;
  });

  /** Whether to ask which department the chat is for: nothing is going on that it would not start. */
  readonly choosing = computed(() => {
    const status = this.status.value;
    return (
      this.departments.value.length > 0 &&
      this.department.value === null &&
      (status === null || status === 'closed') &&
      this.outgoing.value.length === 0
    );
  });

  /** The staff in the current conversation, its holder first. */
  readonly team = computed(() => {
    const assignee = this.assignee.value;
    return assignee ? [assignee, ...this.participants.value] : this.participants.value;
  });

  /** The events of the current conversation, for its transcript. */
  readonly transcript = computed<readonly Event[]>(() => {
    const current = this.current.value;
    return ((current && this.threads.value.get(current)) || []).filter(isVisible);
  });

  readonly items = computed<Item[]>(() => {
    const items: Item[] = [];
    for (const events of this.threads.value.values()) {
      for (const event of events) {
        if (!isVisible(event)) continue;
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
  /** Send the composer's text with `typing` (the site's sneak peek). */
  private sneakPeek = false;
  private draft = '';
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  /** Highest seq reported with `read`, per conversation. */
  private readonly readUpTo = new Map<ConversationId, number>();
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events of the current conversation up to this seq are in the team as its view told it. */
  private teamSeq = 0;

  constructor(
    private readonly connection: Connection,
    site: string,
  ) {
    this.outbox = new Outbox(storageKey(site, 'outbox'));
    this.offline = new OfflineDesk(connection, site);
    this.outgoing.value = this.outbox.list().map((draft) => ({ ...draft, state: 'sending' }));
    connection.subscribe((frame) => this.handle(frame));
    if (connection.welcome) this.handle(connection.welcome);
    // What shows while the panel is open and the tab visible is read.
    effect(() => {
      if (this.shown.value) this.scheduleRead();
    });
    document.addEventListener('visibilitychange', () => this.scheduleRead());
  }

  /** Posts a message; false when there is nothing to send. */
  send(raw: string): boolean {
    const text = cleanText(raw).trim();
    if (isBlank(text)) return false;
    if (charCount(text) > MAX_CHARS) {
      this.error.value = 'text_too_long';
      return false;
    }
    const draft: Draft = { id: newMessageId(), text, at: Date.now() };
    // The choice applies to the conversation this message starts; the server ignores it otherwise.
    const department = this.department.peek();
    if (department !== null) draft.department_id = department;
    this.outbox.add(draft);
    this.outgoing.value = [...this.outgoing.value, { ...draft, state: 'sending' }];
    this.connection.send(sendFrame(draft));
    this.stopTyping(false);
    return true;
  }

  /** Sends a refused message again, with the same id. */
  retry(id: string): void {
    const message = this.outgoing.value.find((m) => m.id === id && m.state === 'failed');
    if (!message) return;
    const draft: Draft = { id, text: message.text, at: message.at };
    if (message.department_id) draft.department_id = message.department_id;
    this.outbox.add(draft);
    this.updateOutgoing(id, { state: 'sending' });
    this.connection.send(sendFrame(draft));
  }

  /**
   * The visitor typed in the composer, which now holds `text`. Operators learn that they
   * type; with the site's sneak peek, also what, at most every DRAFT_EVERY_MS and once more
   * after the last keystroke.
   */
  typed(text = ''): void {
    const now = Date.now();
    if (this.sneakPeek) {
      this.draft = text;
      const wait = this.typingSentAt + DRAFT_EVERY_MS - now;
      if (wait <= 0) this.sendDraft();
      else this.draftTimer ??= setTimeout(() => this.sendDraft(), wait);
    } else if (now - this.typingSentAt >= TYPING_REPEAT_MS && this.connection.send({ type: 'typing', active: true })) {
      this.typingSentAt = now;
    }
    clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = setTimeout(() => this.stopTyping(true), TYPING_IDLE_MS);
  }

  /**
   * The visitor chose a department: the chat they start goes there, or, when nobody in it
   * is online, the offline form takes the message for it.
   */
  choose(choice: DepartmentChoice): void {
    if (choice.online) this.department.value = choice.id;
    else this.offline.leave(choice.id);
  }

  /** Back to the question of which department. */
  unchoose(): void {
    this.department.value = null;
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
    const receipts = this.receipts.value.get(conversation);
    if (seq <= (receipts?.agent_read ?? 0)) return 'read';
    return seq <= (receipts?.agent_delivered ?? 0) ? 'delivered' : 'sent';
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
            this.moveTo(frame.event.conversation_id);
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
          if (frame.departments) this.departments.value = frame.departments;
          return;
        case 'queue':
          this.place.value = { conversation_id: frame.conversation_id, place: frame.place };
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
    this.departments.value = welcome.chat?.departments ?? [];
    this.sneakPeek = !!welcome.chat?.sneak_peek;
    const view = welcome.conversation;
    this.status.value = view?.status ?? null;
    this.currentOffline.value = !!view?.offline;
    if (view) {
      this.current.value = view.id;
      this.setReceipts(view.id, view.receipts);
      this.setTeam(view);
    }
    const request = this.sync.welcome(view);
    if (request) this.connection.send({ type: 'sync', ...request });
    this.loadingHistory.value = request?.after_seq === 0;
    for (const draft of this.outbox.list()) this.connection.send(sendFrame(draft));
    this.reportReceived();
    this.scheduleRead();
  }

  /** The visitor's conversation is `view` now: show it and fetch what is missing of it. */
  private adopt(view: ConversationView, history: boolean): void {
    this.current.value = view.id;
    this.status.value = view.status;
    this.currentOffline.value = !!view.offline;
    this.setReceipts(view.id, view.receipts);
    this.setTeam(view);
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
      this.scheduleRead();
    }
    if (request) this.connection.send({ type: 'sync', ...request });
  }

  private onAck(ack: Ack): void {
    this.outbox.remove(ack.client_msg_id);
    this.updateOutgoing(ack.client_msg_id, { state: 'sent', conversation_id: ack.conversation_id, seq: ack.seq });
    // A message after a closed conversation opens a new one: follow it.
    const status = this.status.peek();
    if (ack.conversation_id !== this.current.peek() || !status || status === 'closed') this.status.value = 'waiting';
    this.moveTo(ack.conversation_id);
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

  /** What an event of the current conversation says of its status and of who is in it. */
  private follow(event: Event): void {
    const { author, body } = event;
    if (!isVisible(event)) return;
    const status = this.status.peek();
    if (body.kind === 'closed') {
      this.status.value = 'closed';
      // The next message starts another chat: ask again where it should go.
      this.department.value = null;
    } else if (body.kind === 'transferred' && !body.to) this.status.value = 'waiting';
    else if (body.kind === 'joined' || author.kind === 'agent') this.status.value = 'active';
    // A conversation's first message, or one after the last close (history replays it all).
    else if (!status || status === 'closed') this.status.value = 'waiting';
    // The view told who is in it as of its last seq; only later events change that.
    if (event.seq > this.teamSeq) this.followTeam(event);
  }

  private followTeam({ author, body }: Event): void {
    const agent: AgentRef | null = author.kind === 'agent' ? { id: author.id, name: author.name } : null;
    const assignee = this.assignee.peek();
    const others = (id: string) => this.participants.peek().filter((p) => p.id !== id);
    if (body.kind === 'transferred') {
      // The holder hands over: to a person, who now holds it, or to a department's queue.
      this.assignee.value = body.to ?? null;
      if (body.to) this.participants.value = others(body.to.id);
    } else if (body.kind === 'joined' && agent) {
      if (!assignee) this.assignee.value = agent;
      else if (assignee.id !== agent.id) this.participants.value = [...others(agent.id), agent];
    } else if (body.kind === 'left' && agent) {
      if (assignee?.id === agent.id) this.assignee.value = null;
      this.participants.value = others(agent.id);
    } else if (body.kind === 'closed') {
      this.assignee.value = null;
      this.participants.value = [];
    }
  }

  /** The current conversation is `id`: what was known of another one's staff goes. */
  private moveTo(id: ConversationId): void {
    if (id === this.current.peek()) return;
    this.current.value = id;
    this.assignee.value = null;
    this.participants.value = [];
    this.teamSeq = 0;
  }

  private setTeam(view: ConversationView): void {
    // An ended chat has nobody in it any more, whoever held it last.
    const open = view.status !== 'closed';
    this.assignee.value = open ? view.assignee : null;
    this.participants.value = open ? (view.participants ?? []) : [];
    this.teamSeq = view.last_seq;
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
    // Read on another page or device: no need to say it again.
    if (receipts.visitor_read > (this.readUpTo.get(conversation) ?? 0)) this.readUpTo.set(conversation, receipts.visitor_read);
  }

  private showTyping(name: string | null): void {
    clearTimeout(this.typingShownTimer);
    this.typing.value = name;
    if (name !== null) this.typingShownTimer = setTimeout(() => (this.typing.value = null), TYPING_SHOWN_MS);
  }

  private sendDraft(): void {
    clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    if (this.connection.send({ type: 'typing', active: true, draft: cut(this.draft) })) this.typingSentAt = Date.now();
  }

  /**
   * The visitor stopped typing, or sent (`kept` false: the composer is empty). With sneak
   * peek, the last word carries what is left in the composer.
   */
  private stopTyping(kept: boolean): void {
    clearTimeout(this.typingIdleTimer);
    clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    if (this.typingSentAt) {
      this.connection.send(
        this.sneakPeek ? { type: 'typing', active: false, draft: kept ? cut(this.draft) : '' } : { type: 'typing', active: false },
      );
    }
    this.typingSentAt = 0;
    if (!kept) this.draft = '';
  }

  private scheduleRead(): void {
    clearTimeout(this.readTimer);
    this.readTimer = setTimeout(() => this.reportRead(), READ_DELAY_MS);
  }

  /** Says how far the visitor has seen, if the chat is on their screen now. */
  private reportRead(): void {
    if (!this.shown.peek() || document.visibilityState === 'hidden') return;
    for (const conversation of this.threads.peek().keys()) {
      const seq = this.sync.last(conversation);
      if (seq > (this.readUpTo.get(conversation) ?? 0) && this.connection.send({ type: 'read', conversation_id: conversation, seq })) {
        this.readUpTo.set(conversation, seq);
      }
    }
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
    this.readUpTo.clear();
    this.department.value = null;
    this.place.value = null;
    this.threads.value = new Map();
    this.receipts.value = new Map();
    this.current.value = null;
    this.assignee.value = null;
    this.participants.value = [];
    this.offline.forget();
  }
}

const sendFrame = ({ id, text, department_id }: Draft): VisitorClientFrame =>
  department_id ? { type: 'send', client_msg_id: id, text, department_id } : { type: 'send', client_msg_id: id, text };

/** The draft as sneak peek sends it: no longer than a message may be. */
const cut = (text: string): string => (charCount(text) > MAX_CHARS ? Array.from(text).slice(0, MAX_CHARS).join('') : text);

/** The `client_msg_id` of one of the visitor's own messages. */
const ownId = (event: Event): string | undefined =>
  event.author.kind === 'visitor' ? event.client_msg_id : undefined;
