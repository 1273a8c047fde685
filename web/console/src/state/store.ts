import { batch, computed, signal, type Signal } from '@preact/signals';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { AgentRef } from '../../../protocol/AgentRef';
import type { AgentServerFrame } from '../../../protocol/AgentServerFrame';
import type { AgentStatus } from '../../../protocol/AgentStatus';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Department } from '../../../protocol/Department';
import type { Me } from '../../../protocol/Me';
import type { TeamMember } from '../../../protocol/TeamMember';
import type { Event } from '../../../protocol/Event';
import type { TransferOutcome } from '../../../protocol/TransferOutcome';
import type { TransferTarget } from '../../../protocol/TransferTarget';
import { canTake, placeIn } from '../conversation/permissions';
import type { TransferOffer } from '../conversation/transfer';
import { inboxSections } from '../inbox/inbox';
import { markRead, noUnread, noteEvent, noteSummary, unreadTotal, type Unread } from '../inbox/unread';
import type { ConnectionHandlers, LinkState } from '../live/connection';
import {
  discardMessage,
  emptyDelivery,
  loadThread,
  queueMessage,
  receiveAck,
  receiveEvent,
  receiveHistory,
  refuseMessage,
  retryMessage,
  welcome,
  type Delivery,
  type OutgoingKind,
  type Step,
} from '../live/delivery';
import { ReceiptReporter } from '../live/receipts';
import { TypingNotifier } from '../live/typing';
import { VisitorsStore } from '../visitors/store';

/** Longest message the server accepts, in Unicode code points. */
export const MAX_MESSAGE_CHARS = 4000;
// The visitor's `active: false` can be lost with a dropped socket; the indicator must not stick.
export const VISITOR_TYPING_TTL_MS = 6_000;
// Colleagues' typing and the visitor's sneak peek fade the same way if their end is lost.
export const AGENT_TYPING_TTL_MS = 6_000;
export const DRAFT_TTL_MS = 10_000;

export interface Link {
  start(): void;
  stop(): void;
  send(frame: AgentClientFrame): boolean;
}

export interface StoreDeps {
  me: Me;
  connect(handlers: ConnectionHandlers): Link;
  newClientMsgId(): string;
  /** The server's view of me arrived with a `welcome`. */
  onMe(me: Me): void;
  /** The socket was refused before its welcome: the session may be gone. */
  onRefused(): void;
  /** A conversation I may take started waiting while the console was running. */
  onNewWaiting(conversation: ConversationSummary): void;
  /** A visitor wrote, or a colleague whispered, in a chat I hold or joined. */
  onChatEvent?(conversation: ConversationSummary, event: Event): void;
  /** A colleague offers me a chat. */
  onTransferOffer?(offer: TransferOffer): void;
  /** Runs a function before the next paint; the live visitor list applies its changes there. */
  frame?: (flush: () => void) => void;
}

/**
 * The team as the socket last told it: every member of staff with their status and load.
 * Replaced whole by `welcome` and `team` frames. Read-only for views.
 */
export const teamMembers = signal<readonly TeamMember[]>([]);
/** The departments as the socket last told them (`welcome` and `departments` frames). */
export const departmentList = signal<readonly Department[]>([]);

export type PendingAction = {
  readonly id: ConversationId;
  readonly action: 'take' | 'close' | 'join' | 'leave' | 'take_over' | 'transfer';
};

/** How a transfer I offered ended, shown until dismissed. */
export interface TransferResult {
  readonly key: number;
  readonly conversationId: ConversationId;
  readonly to: AgentRef;
  readonly outcome: TransferOutcome;
}

/** The holder, the joined staff or the status changed: an action on the chat has been answered. */
const changedHands = (a: ConversationSummary, b: ConversationSummary) =>
  a.status !== b.status ||
  a.assignee?.id !== b.assignee?.id ||
  a.participants.map((p) => p.id).join() !== b.participants.map((p) => p.id).join();

/** Text length as the server counts it: in code points, not UTF-16 units. */
export const messageLength = (text: string) => [...text].length;

/**
 * The live console: the agent socket's frames folded into signals the views read.
 * Delivery, inbox order and unread counts are pure modules; this class only wires
 * them to the socket, to timers and to what the operator does.
 */
export class ConsoleStore {
  readonly me: Signal<Me>;
  readonly status: Signal<AgentStatus>;
  readonly linkState = signal<LinkState>('connecting');
  /** The first `welcome` has arrived, so the inbox reflects the server. */
  readonly ready = signal(false);
  readonly conversations = signal<ReadonlyMap<ConversationId, ConversationSummary>>(new Map());
  readonly delivery: Signal<Delivery>;
  readonly unread = signal<Unread>(noUnread);
  readonly visitorTyping = signal<ReadonlySet<ConversationId>>(new Set());
  readonly openId = signal<ConversationId | null>(null);
  /** A take or close sent and not yet answered, so its button can wait. */
  readonly pending = signal<PendingAction | null>(null);
  /** An error code to show the operator, from the server or from a failed send. */
  readonly notice = signal<string | null>(null);
  /** Unsent text per conversation, kept while the operator switches between chats. */
  readonly drafts = signal<ReadonlyMap<ConversationId, string>>(new Map());
  /** The console is on screen and focused, so messages in the open conversation are seen. */
  readonly viewing = signal(true);
  /** Same signals as the module-level `teamMembers` and `departmentList`. */
  readonly team = teamMembers;
  readonly departments = departmentList;
  /** Chats offered to me by transfer, waiting for my answer. */
  readonly transferOffers = signal<readonly TransferOffer[]>([]);
  /** Outcomes of transfers I offered. */
  readonly transferResults = signal<readonly TransferResult[]>([]);
  /** Colleagues who have a conversation on screen (me excluded). */
  readonly viewers = signal<ReadonlyMap<ConversationId, readonly AgentRef[]>>(new Map());
  /** Colleagues typing in a conversation. */
  readonly agentTyping = signal<ReadonlyMap<ConversationId, readonly AgentRef[]>>(new Map());
  /** Sneak peek: what the visitor is typing and has not sent yet. */
  readonly visitorDrafts = signal<ReadonlyMap<ConversationId, string>>(new Map());

  readonly sections = computed(() => inboxSections(this.conversations.value.values(), this.me.value.id));
  readonly unreadTotal = computed(() => {
    const { waiting, mine } = this.sections.value;
    return unreadTotal(this.unread.value, [...waiting, ...mine].map((c) => c.id));
  });

  /** What the tab title counts: unread visitor messages plus chats offered to me. */
  readonly attention = computed(() => this.unreadTotal.value + this.transferOffers.value.length);

  readonly visitors: VisitorsStore;

  private readonly socket: Link;
  private readonly receipts: ReceiptReporter;
  private readonly typing: TypingNotifier;
  private readonly typingTimers = new Map<ConversationId, ReturnType<typeof setTimeout>>();
  private readonly agentTypingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly draftTimers = new Map<ConversationId, ReturnType<typeof setTimeout>>();
  /** Highest seq reported as read per conversation, so each mark goes out once. */
  private readonly readSent = new Map<ConversationId, number>();
  private readonly listeners = new Set<(frame: AgentServerFrame) => void>();
  private resultKey = 0;

  constructor(private readonly deps: StoreDeps) {
    this.me = signal(deps.me);
    this.status = signal(deps.me.status);
    this.delivery = signal(emptyDelivery(deps.me.id));
    this.socket = deps.connect({
      onFrame: (frame) =>
        batch(() => {
          this.receive(frame);
          for (const listener of this.listeners) listener(frame);
        }),
      onState: (state) => {
        this.linkState.value = state;
      },
      onRefused: () => deps.onRefused(),
    });
    const send = (frame: AgentClientFrame) => this.socket.send(frame);
    this.receipts = new ReceiptReporter(send);
    this.typing = new TypingNotifier((conversation_id, active) => send({ type: 'typing', conversation_id, active }));
    this.visitors = new VisitorsStore({
      send,
      ...(deps.frame ? { frame: deps.frame } : {}),
      onOffline: () => {
        this.notice.value = 'network';
      },
    });
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.typing.stop();
    this.receipts.dispose();
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    for (const timer of this.agentTypingTimers.values()) clearTimeout(timer);
    for (const timer of this.draftTimers.values()) clearTimeout(timer);
    this.visitors.dispose();
    this.socket.stop();
  }

  /** Show a conversation (or none); its events are loaded once its summary is known. */
  open(id: ConversationId | null): void {
    if (id === this.openId.value) return;
    batch(() => {
      this.typing.stop();
      this.openId.value = id;
      this.notice.value = null;
      this.socket.send({ type: 'viewing', conversation_id: id });
      this.loadOpen();
      this.markOpenRead();
    });
  }

  /**
   * Makes a conversation from elsewhere (a visitor's profile) openable, e.g. one closed
   * too long ago to be in the welcome. Known conversations stay as the socket told them.
   */
  know(c: ConversationSummary): void {
    if (this.conversations.value.has(c.id)) return;
    this.conversations.value = new Map(this.conversations.value).set(c.id, c);
    if (c.id === this.openId.value) this.loadOpen();
  }

  /**
   * Every server frame, after the store has applied it: for parts of the console
   * that keep their own state (the internal chat). Returns a function that unsubscribes.
   */
  subscribe(listener: (frame: AgentServerFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setViewing(viewing: boolean): void {
    this.viewing.value = viewing;
    this.markOpenRead();
  }

  take(id: ConversationId): void {
    this.act({ id, action: 'take' }, { type: 'take', conversation_id: id });
  }

  close(id: ConversationId): void {
    this.typing.stop();
    this.act({ id, action: 'close' }, { type: 'close', conversation_id: id });
  }

  join(id: ConversationId): void {
    this.act({ id, action: 'join' }, { type: 'join', conversation_id: id });
  }

  leave(id: ConversationId): void {
    this.typing.stop();
    this.act({ id, action: 'leave' }, { type: 'leave', conversation_id: id });
  }

  takeOver(id: ConversationId): void {
    this.act({ id, action: 'take_over' }, { type: 'take_over', conversation_id: id });
  }

  /** Offers my chat to a colleague or hands it to a department's queue. */
  transfer(id: ConversationId, to: TransferTarget, note: string): void {
    const text = note.trim();
    this.act({ id, action: 'transfer' }, { type: 'transfer', conversation_id: id, to, ...(text ? { note: text } : {}) });
  }

  answerTransfer(id: ConversationId, accept: boolean): void {
    if (!this.socket.send({ type: 'answer_transfer', conversation_id: id, accept })) {
      this.notice.value = 'network';
      return;
    }
    this.dropOffer(id);
  }

  dismissTransferResult(key: number): void {
    this.transferResults.value = this.transferResults.value.filter((r) => r.key !== key);
  }

  /**
   * Queues a message, a whisper or a note; it is sent now if the socket is up and
   * resent after every reconnect until acked.
   */
  send(id: ConversationId, text: string, kind: OutgoingKind = 'send'): boolean {
    const body = text.trim();
    if (!body || messageLength(body) > MAX_MESSAGE_CHARS) return false;
    batch(() => {
      this.setDraft(id, '');
      this.run(queueMessage(this.delivery.value, id, this.deps.newClientMsgId(), body, Date.now(), kind));
    });
    return true;
  }

  retry(clientMsgId: string): void {
    this.run(retryMessage(this.delivery.value, clientMsgId));
  }

  discard(clientMsgId: string): void {
    this.run(discardMessage(this.delivery.value, clientMsgId));
  }

  /**
   * The composer changed: keep the draft and say whether I am typing. Staff-only text
   * (a whisper, a note, a canned-answer search) passes `typing: false`.
   */
  setDraft(id: ConversationId, text: string, typing = true): void {
    const drafts = new Map(this.drafts.value);
    if (text) drafts.set(id, text);
    else drafts.delete(id);
    this.drafts.value = drafts;
    this.typing.input(id, typing && text.trim() !== '');
  }

  setStatus(status: AgentStatus): void {
    if (this.socket.send({ type: 'set_status', status })) this.status.value = status;
    else this.notice.value = 'network';
  }

  dismissNotice(): void {
    this.notice.value = null;
  }

  private act(pending: PendingAction, frame: AgentClientFrame): void {
    if (this.socket.send(frame)) {
      this.pending.value = pending;
      this.notice.value = null;
    } else {
      this.notice.value = 'network';
    }
  }

  private run(step: Step): void {
    this.delivery.value = step.delivery;
    for (const frame of step.send) this.socket.send(frame);
    for (const event of step.applied) this.receipts.note(event.conversation_id, event.seq);
  }

  private receive(frame: AgentServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        teamMembers.value = frame.team;
        departmentList.value = frame.departments;
        return this.welcome(frame.me, frame.conversations);
      case 'team':
        teamMembers.value = frame.members;
        return;
      case 'departments':
        departmentList.value = frame.departments;
        return;
      case 'conversation':
        return this.summary(frame.conversation);
      case 'event': {
        const event = frame.event;
        const before = this.delivery.value.threads.get(event.conversation_id)?.applied ?? 0;
        this.unread.value = noteEvent(this.unread.value, event);
        if (event.author.kind === 'visitor') {
          this.setVisitorTyping(event.conversation_id, false);
          if (event.body.kind === 'message') this.setVisitorDraft(event.conversation_id, '');
        }
        if (event.author.kind === 'agent') this.setAgentTyping(event.conversation_id, event.author, false);
        this.run(receiveEvent(this.delivery.value, event));
        // A chat I hold counts as delivered to me as soon as its events reach this
        // console, open on screen or not; "read" waits until I look at it.
        if (this.conversations.value.get(event.conversation_id)?.assignee?.id === this.me.value.id) {
          this.receipts.note(event.conversation_id, event.seq);
        }
        if (event.seq > before) this.alertEvent(event);
        return this.markOpenRead();
      }
      case 'history': {
        const step = receiveHistory(this.delivery.value, frame);
        this.run(step);
        let unread = this.unread.value;
        for (const event of step.applied) unread = noteEvent(unread, event);
        this.unread.value = unread;
        return this.markOpenRead();
      }
      case 'ack':
        return this.run(receiveAck(this.delivery.value, frame));
      case 'status':
        this.status.value = frame.status;
        return;
      case 'typing':
        if (frame.side === 'visitor') this.setVisitorTyping(frame.conversation_id, frame.active);
        else if (frame.agent && frame.agent.id !== this.me.value.id)
          this.setAgentTyping(frame.conversation_id, frame.agent, frame.active);
        return;
      case 'draft':
        return this.setVisitorDraft(frame.conversation_id, frame.text);
      case 'viewers': {
        const viewers = new Map(this.viewers.value);
        const staff = frame.staff.filter((s) => s.id !== this.me.value.id);
        if (staff.length > 0) viewers.set(frame.conversation_id, staff);
        else viewers.delete(frame.conversation_id);
        this.viewers.value = viewers;
        return;
      }
      case 'transfer_offer': {
        const offer: TransferOffer = {
          conversationId: frame.conversation_id,
          from: frame.from,
          note: frame.note,
          expiresAt: frame.expires_at,
        };
        this.transferOffers.value = [...this.transferOffers.value.filter((o) => o.conversationId !== offer.conversationId), offer];
        this.deps.onTransferOffer?.(offer);
        return;
      }
      case 'transfer_ended':
        if (this.pending.value?.id === frame.conversation_id && this.pending.value.action === 'transfer') this.pending.value = null;
        if (frame.to.id === this.me.value.id) return this.dropOffer(frame.conversation_id);
        this.transferResults.value = [
          ...this.transferResults.value.filter((r) => r.conversationId !== frame.conversation_id),
          { key: ++this.resultKey, conversationId: frame.conversation_id, to: frame.to, outcome: frame.outcome },
        ];
        return;
      case 'receipts': {
        const c = this.conversations.value.get(frame.conversation_id);
        if (c) this.conversations.value = new Map(this.conversations.value).set(c.id, { ...c, receipts: frame.receipts });
        return;
      }
      case 'error':
        // A refused message is marked on the message itself; anything else is a notice.
        if (frame.client_msg_id) this.run(refuseMessage(this.delivery.value, frame.client_msg_id, frame.code));
        else this.notice.value = frame.code;
        this.pending.value = null;
        this.visitors.refused();
        return;
      case 'visitors':
        return this.visitors.receiveSnapshot(frame.visitors);
      case 'visitors_changed':
        return this.visitors.receiveChanges(frame.changed, frame.left);
      case 'invitation':
        return this.visitors.receiveInvitation(frame.visitor_id, frame.invitation);
      case 'internal':
      case 'internal_history':
      case 'reconnect':
      case 'pong':
        return;
    }
  }

  private welcome(me: Me, list: readonly ConversationSummary[]): void {
    const first = !this.ready.value;
    const before = this.conversations.value;
    const next = new Map(list.map((c) => [c.id, c]));
    // A loaded conversation closed long ago drops out of the welcome but stays on screen.
    for (const id of this.delivery.value.threads.keys()) {
      const old = before.get(id);
      if (old && !next.has(id)) next.set(id, old);
    }

    this.me.value = me;
    this.status.value = me.status;
    this.deps.onMe(me);
    this.conversations.value = next;
    let unread = this.unread.value;
    for (const c of list) unread = noteSummary(unread, c);
    this.unread.value = unread;
    if (!first) for (const c of list) if (this.startedWaiting(before.get(c.id), c)) this.deps.onNewWaiting(c);
    this.viewers.value = new Map();
    this.readSent.clear();
    this.socket.send({ type: 'viewing', conversation_id: this.openId.value });
    this.pending.value = null;
    this.ready.value = true;
    this.visitors.welcome();

    // The open conversation joins the threads first so `welcome` syncs it along with the rest.
    const open = this.openId.value;
    let delivery = this.delivery.value;
    if (open && next.has(open)) delivery = loadThread(delivery, open).delivery;
    this.run(welcome(delivery));
    this.receipts.flush();
    this.markOpenRead();
  }

  /** A newer summary replaces the known one: from a `conversation` frame or a REST answer such as saved tags. */
  summary(c: ConversationSummary): void {
    const before = this.conversations.value.get(c.id);
    this.conversations.value = new Map(this.conversations.value).set(c.id, c);
    this.unread.value = noteSummary(this.unread.value, c);
    if (this.startedWaiting(before, c)) this.deps.onNewWaiting(c);
    if (this.pending.value?.id === c.id && before && changedHands(before, c)) this.pending.value = null;
    // Once the chat is mine, an offer of it is settled.
    if (c.assignee?.id === this.me.value.id || c.status === 'closed') this.dropOffer(c.id);
    if (c.id === this.openId.value) this.loadOpen();
    this.markOpenRead();
  }

  private startedWaiting(before: ConversationSummary | undefined, now: ConversationSummary): boolean {
    return now.status === 'waiting' && before?.status !== 'waiting' && canTake(now, this.me.value);
  }

  /** A visitor's message or a colleague's whisper in a chat I hold or joined. */
  private alertEvent(event: Event): void {
    const c = this.conversations.value.get(event.conversation_id);
    if (!c || !this.deps.onChatEvent || c.status !== 'active' || placeIn(c, this.me.value) === 'outside') return;
    const fromVisitor = event.author.kind === 'visitor' && event.body.kind === 'message';
    const whisper = event.body.kind === 'whisper' && event.author.kind === 'agent' && event.author.id !== this.me.value.id;
    if (fromVisitor || whisper) this.deps.onChatEvent(c, event);
  }

  private dropOffer(id: ConversationId): void {
    const offers = this.transferOffers.value;
    if (offers.some((o) => o.conversationId === id)) this.transferOffers.value = offers.filter((o) => o.conversationId !== id);
  }

  private loadOpen(): void {
    const id = this.openId.value;
    if (id && this.ready.value && this.conversations.value.has(id)) this.run(loadThread(this.delivery.value, id));
  }

  private markOpenRead(): void {
    const id = this.openId.value;
    const c = id ? this.conversations.value.get(id) : undefined;
    if (!c || !this.viewing.value) return;
    const applied = this.delivery.value.threads.get(c.id)?.applied ?? 0;
    this.unread.value = markRead(this.unread.value, c.id, Math.max(c.last_seq, applied));
    // Only what is actually on screen counts as read for the visitor's "Read" mark.
    if (applied > (this.readSent.get(c.id) ?? 0) && this.linkState.value === 'open' && this.ready.value) {
      if (this.socket.send({ type: 'read', conversation_id: c.id, seq: applied })) this.readSent.set(c.id, applied);
    }
  }

  private setAgentTyping(id: ConversationId, agent: AgentRef, active: boolean): void {
    const key = `${id}\n${agent.id}`;
    clearTimeout(this.agentTypingTimers.get(key));
    this.agentTypingTimers.delete(key);
    const list = this.agentTyping.value.get(id) ?? [];
    const others = list.filter((a) => a.id !== agent.id);
    if (!active && others.length === list.length) return;
    if (active) this.agentTypingTimers.set(key, setTimeout(() => this.setAgentTyping(id, agent, false), AGENT_TYPING_TTL_MS));
    const next = new Map(this.agentTyping.value);
    const now = active ? [...others, agent] : others;
    if (now.length > 0) next.set(id, now);
    else next.delete(id);
    this.agentTyping.value = next;
  }

  private setVisitorDraft(id: ConversationId, text: string): void {
    clearTimeout(this.draftTimers.get(id));
    this.draftTimers.delete(id);
    const next = new Map(this.visitorDrafts.value);
    if (text.trim()) {
      next.set(id, text);
      this.draftTimers.set(id, setTimeout(() => this.setVisitorDraft(id, ''), DRAFT_TTL_MS));
    } else if (!next.delete(id)) {
      return;
    }
    this.visitorDrafts.value = next;
  }

  private setVisitorTyping(id: ConversationId, active: boolean): void {
    clearTimeout(this.typingTimers.get(id));
    this.typingTimers.delete(id);
    const next = new Set(this.visitorTyping.value);
    if (active) {
      next.add(id);
      this.typingTimers.set(
        id,
        setTimeout(() => this.setVisitorTyping(id, false), VISITOR_TYPING_TTL_MS),
      );
    } else if (!next.delete(id)) {
      return;
    }
    this.visitorTyping.value = next;
  }
}
