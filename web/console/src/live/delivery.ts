/**
 * Exactly-once, in-order delivery on top of an at-least-once socket, as pure functions.
 *
 * Per loaded conversation the console keeps the events it has applied (1..applied);
 * live events past a gap are held aside until a `sync` fills the gap. Outgoing
 * messages sit in an outbox under their `client_msg_id` until the server acks them,
 * and are resent with the same id after a reconnect. Every function returns the
 * next state plus the frames to send and the events it newly applied; nothing here
 * touches the socket, timers or the DOM.
 */
import type { Ack } from '../../../protocol/Ack';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ErrorCode } from '../../../protocol/ErrorCode';
import type { Event } from '../../../protocol/Event';
import type { History } from '../../../protocol/History';
import type { StaffId } from '../../../protocol/StaffId';

/** A conversation whose events the console holds. */
export interface Thread {
  /** Highest seq applied; `events` holds everything up to it, in order. */
  readonly applied: number;
  readonly events: readonly Event[];
  /** Live events that arrived past a gap, sorted by seq, waiting for the missing ones. */
  readonly held: readonly Event[];
  /** A `sync` is in flight on the current socket. */
  readonly syncing: boolean;
  /** The first `history` has arrived, so an empty `events` really means no events. */
  readonly ready: boolean;
}

export type OutgoingState = 'pending' | 'acked' | 'failed';

/** To the visitor, to the staff in the chat only, or an internal note: each its own frame, all acked alike. */
export type OutgoingKind = 'send' | 'whisper' | 'note';

/** A message I wrote that has not yet come back as an event. */
export interface Outgoing {
  readonly clientMsgId: string;
  readonly conversationId: ConversationId;
  readonly text: string;
  /** Absent for an ordinary message. */
  readonly kind?: OutgoingKind;
  readonly createdAt: number;
  readonly state: OutgoingState;
  /** Known once acked. */
  readonly seq?: number;
  /** Why the server refused it, when failed. */
  readonly error?: ErrorCode;
}

export interface Delivery {
  /** Whose messages the outbox may match: events by anyone else never replace a copy. */
  readonly me: StaffId;
  readonly threads: ReadonlyMap<ConversationId, Thread>;
  readonly outbox: readonly Outgoing[];
}

export interface Step {
  readonly delivery: Delivery;
  /** Frames to send now, in order. */
  readonly send: readonly AgentClientFrame[];
  /** Events applied by this step, in seq order. */
  readonly applied: readonly Event[];
}

export function emptyDelivery(me: StaffId): Delivery {
  return { me, threads: new Map(), outbox: [] };
}

const unchanged = (delivery: Delivery): Step => ({ delivery, send: [], applied: [] });

const syncFrame = (conversation_id: ConversationId, after_seq: number): AgentClientFrame => ({
  type: 'sync',
  conversation_id,
  after_seq,
});

const sendFrame = (o: Outgoing): AgentClientFrame => ({
  type: o.kind ?? 'send',
  conversation_id: o.conversationId,
  client_msg_id: o.clientMsgId,
  text: o.text,
});

/** Start holding a conversation: fetch its events from the beginning. No-op if already held. */
export function loadThread(d: Delivery, id: ConversationId): Step {
  if (d.threads.has(id)) return unchanged(d);
  const thread: Thread = { applied: 0, events: [], held: [], syncing: true, ready: false };
  return {
    delivery: { ...d, threads: new Map(d.threads).set(id, thread) },
    send: [syncFrame(id, 0)],
    applied: [],
  };
}

/**
 * A (re)connected socket was welcomed. Whatever was in flight on the old socket is
 * lost: re-sync every held conversation from its last applied seq and resend every
 * unacked message under its original id, so the server stores it at most once.
 */
export function welcome(d: Delivery): Step {
  const threads = new Map<ConversationId, Thread>();
  const send: AgentClientFrame[] = [];
  for (const [id, thread] of d.threads) {
    threads.set(id, { ...thread, syncing: true });
    send.push(syncFrame(id, thread.applied));
  }
  for (const o of d.outbox) if (o.state === 'pending') send.push(sendFrame(o));
  return { delivery: { ...d, threads }, send, applied: [] };
}

/** A mutable working copy of one thread and the outbox while a step applies events. */
class Applier {
  applied: number;
  events: Event[];
  outbox: Outgoing[];
  readonly newlyApplied: Event[] = [];

  constructor(
    private readonly d: Delivery,
    thread: Thread,
  ) {
    this.applied = thread.applied;
    this.events = thread.events.slice();
    this.outbox = d.outbox.slice();
  }

  apply(event: Event): void {
    this.events.push(event);
    this.applied = event.seq;
    this.newlyApplied.push(event);
    // The committed event replaces my optimistic copy: matched by id, or by the acked
    // seq in case the server did not echo the id.
    const mine = event.author.kind === 'agent' && event.author.id === this.d.me;
    if (!mine) return;
    this.outbox = this.outbox.filter(
      (o) =>
        o.conversationId !== event.conversation_id ||
        (o.clientMsgId !== event.client_msg_id && o.seq !== event.seq),
    );
  }

  /** Apply held events that now follow on; drop held ones already covered. */
  drain(held: readonly Event[]): Event[] {
    const rest: Event[] = [];
    for (const event of held) {
      if (event.seq === this.applied + 1) this.apply(event);
      else if (event.seq > this.applied) rest.push(event);
    }
    return rest;
  }
}

function insertHeld(held: readonly Event[], event: Event): Event[] {
  if (held.some((h) => h.seq === event.seq)) return held.slice();
  return [...held, event].sort((a, b) => a.seq - b.seq);
}

/** A live `event` frame. */
export function receiveEvent(d: Delivery, event: Event): Step {
  const id = event.conversation_id;
  const thread = d.threads.get(id);
  if (!thread || event.seq <= thread.applied) return unchanged(d);

  if (event.seq > thread.applied + 1) {
    // A gap: keep the event aside and ask for what is missing, once per gap.
    const next: Thread = { ...thread, held: insertHeld(thread.held, event), syncing: true };
    return {
      delivery: { ...d, threads: new Map(d.threads).set(id, next) },
      send: thread.syncing ? [] : [syncFrame(id, thread.applied)],
      applied: [],
    };
  }

  const work = new Applier(d, thread);
  work.apply(event);
  const held = work.drain(thread.held);
  const next: Thread = { ...thread, applied: work.applied, events: work.events, held };
  return {
    delivery: { ...d, threads: new Map(d.threads).set(id, next), outbox: work.outbox },
    send: [],
    applied: work.newlyApplied,
  };
}

/**
 * A `history` answer. The store is the source of truth, so its events are applied as
 * given (in seq order, skipping what is already applied). The client asks again while
 * the answer ends below the conversation's `last_seq` or a held event is still out of
 * reach; an empty answer ends the loop so a lagging server cannot make it spin.
 */
export function receiveHistory(d: Delivery, history: History): Step {
  const id = history.conversation_id;
  const thread = d.threads.get(id);
  if (!thread) return unchanged(d);

  const work = new Applier(d, thread);
  for (const event of history.events) if (event.seq > work.applied) work.apply(event);
  const held = work.drain(thread.held);

  const progressed = history.events.length > 0;
  const again = progressed && (work.applied < history.last_seq || held.length > 0);
  const next: Thread = {
    applied: work.applied,
    events: work.events,
    held,
    syncing: again,
    ready: true,
  };
  return {
    delivery: { ...d, threads: new Map(d.threads).set(id, next), outbox: work.outbox },
    send: again ? [syncFrame(id, work.applied)] : [],
    applied: work.newlyApplied,
  };
}

/** I wrote a message: keep it in the outbox and send it. */
export function queueMessage(
  d: Delivery,
  conversationId: ConversationId,
  clientMsgId: string,
  text: string,
  now: number,
  kind: OutgoingKind = 'send',
): Step {
  const o: Outgoing = { clientMsgId, conversationId, text, createdAt: now, state: 'pending', ...(kind === 'send' ? {} : { kind }) };
  return { delivery: { ...d, outbox: [...d.outbox, o] }, send: [sendFrame(o)], applied: [] };
}

function updateOutgoing(
  d: Delivery,
  clientMsgId: string,
  change: (o: Outgoing) => Outgoing | null,
): Delivery {
  const outbox: Outgoing[] = [];
  for (const o of d.outbox) {
    const next = o.clientMsgId === clientMsgId ? change(o) : o;
    if (next) outbox.push(next);
  }
  return { ...d, outbox };
}

/** The server stored my message. If its event is already applied, the copy goes. */
export function receiveAck(d: Delivery, ack: Ack): Step {
  const thread = d.threads.get(ack.conversation_id);
  const alreadyApplied = thread !== undefined && thread.applied >= ack.seq;
  return unchanged(
    updateOutgoing(d, ack.client_msg_id, (o) =>
      alreadyApplied ? null : { ...o, state: 'acked', seq: ack.seq },
    ),
  );
}

/** The server refused my message; it stays visible, marked failed, until retried or discarded. */
export function refuseMessage(d: Delivery, clientMsgId: string, error: ErrorCode): Step {
  return unchanged(
    updateOutgoing(d, clientMsgId, (o) => (o.state === 'pending' ? { ...o, state: 'failed', error } : o)),
  );
}

/** Send a failed message again under the same id. */
export function retryMessage(d: Delivery, clientMsgId: string): Step {
  const o = d.outbox.find((x) => x.clientMsgId === clientMsgId && x.state === 'failed');
  if (!o) return unchanged(d);
  const retried: Outgoing = { ...o, state: 'pending', error: undefined };
  return {
    delivery: updateOutgoing(d, clientMsgId, () => retried),
    send: [sendFrame(retried)],
    applied: [],
  };
}

export function discardMessage(d: Delivery, clientMsgId: string): Step {
  return unchanged(updateOutgoing(d, clientMsgId, (o) => (o.state === 'failed' ? null : o)));
}
