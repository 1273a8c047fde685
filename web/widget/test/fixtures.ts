// Frames and a stand-in for the loader's connection, for the panel's tests.
import type { Author } from '../../protocol/Author';
import type { Event } from '../../protocol/Event';
import type { Receipts } from '../../protocol/Receipts';
import type { VisitorClientFrame } from '../../protocol/VisitorClientFrame';
import type { Connection, Incoming, Welcome } from '../src/contract';

export const CONV = 'c-1';

export const AGENT: Author = { kind: 'agent', id: 's-1', name: 'Anna' };

export function welcome(change: Partial<Welcome> = {}): Welcome {
  return {
    type: 'welcome',
    visitor_id: 'v-1',
    token: 'token-1',
    operators_online: true,
    look: { site_name: 'Acme Shop', color: '#336699', lang: null },
    conversation: null,
    ...change,
  };
}

/** A conversation view as `welcome` carries it. */
export function view(last_seq: number, id = CONV): NonNullable<Welcome['conversation']> {
  return {
    id,
    status: 'active',
    assignee: null,
    participants: [],
    last_seq,
    receipts: receipts(),
  };
}

export const receipts = (change: Partial<Receipts> = {}): Receipts => ({
  agent_delivered: 0,
  visitor_delivered: 0,
  agent_read: 0,
  visitor_read: 0,
  ...change,
});

export function event(seq: number, change: Partial<Event> = {}): Event {
  return {
    conversation_id: CONV,
    seq,
    at: 1_700_000_000_000 + seq * 1000,
    author: AGENT,
    body: { kind: 'message', text: `message ${seq}` },
    ...change,
  };
}

/** Events `from..to`, agent messages. */
export const events = (from: number, to: number): Event[] =>
  Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

/** The loader's connection, driven by the test: `deliver` plays the server. */
export class FakeConnection implements Connection {
  welcome: Welcome | null = null;
  said?: VisitorClientFrame[];
  private sent: VisitorClientFrame[] = [];
  private readonly listeners = new Set<(frame: Incoming) => void>();

  send(frame: VisitorClientFrame): boolean {
    if (!this.welcome) return false;
    this.sent.push(frame);
    return true;
  }

  subscribe(listener: (frame: Incoming) => void): void {
    this.listeners.add(listener);
  }

  deliver(frame: Incoming): void {
    if (frame.type === 'welcome') this.welcome = frame;
    if (frame.type === 'disconnected') this.welcome = null;
    this.listeners.forEach((listener) => listener(frame));
  }

  /** The frames sent since the last call, optionally only those of one type. */
  take<T extends VisitorClientFrame['type']>(type?: T): Extract<VisitorClientFrame, { type: T }>[] {
    const taken = this.sent.filter((frame) => !type || frame.type === type);
    this.sent = this.sent.filter((frame) => !taken.includes(frame));
    return taken as Extract<VisitorClientFrame, { type: T }>[];
  }
}
