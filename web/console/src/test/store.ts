import { vi } from 'vitest';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { AgentServerFrame } from '../../../protocol/AgentServerFrame';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { ConnectionHandlers } from '../live/connection';
import { ConsoleStore, type StoreDeps } from '../state/store';
import { ME, summary } from './fixtures';

/** A console store on a stand-in socket: frames in through `receive`, frames out in `sent`. */
export function storeHarness() {
  let handlers!: ConnectionHandlers;
  const sent: AgentClientFrame[] = [];
  let up = true;
  let ids = 0;
  const frames: (() => void)[] = [];
  const deps: StoreDeps = {
    me: ME,
    connect: (h) => {
      handlers = h;
      return { start: () => undefined, stop: () => undefined, send: (f) => up && sent.push(f) > 0 };
    },
    newClientMsgId: () => `msg-${++ids}`,
    onMe: vi.fn(),
    onRefused: vi.fn(),
    onNewWaiting: vi.fn(),
    onChatEvent: vi.fn(),
    onTransferOffer: vi.fn(),
    frame: (flush) => frames.push(flush),
  };
  const store = new ConsoleStore(deps);
  handlers.onState('open');
  const receive = (frame: AgentServerFrame) => handlers.onFrame(frame);
  const welcome = (conversations: ConversationSummary[]) => receive({ type: 'welcome', me: ME, conversations, team: [], departments: [] });
  /** Removes and returns the sent frames of one type. */
  const take = <T extends AgentClientFrame['type']>(type: T) => {
    const matching = sent.filter((f) => f.type === type) as Extract<AgentClientFrame, { type: T }>[];
    sent.splice(0, sent.length, ...sent.filter((f) => f.type !== type));
    return matching;
  };
  const setUp = (value: boolean) => {
    up = value;
  };
  /** Runs the frame callbacks the store asked for, as the browser would before painting. */
  const paint = () => {
    for (const flush of frames.splice(0)) flush();
  };
  return { store, deps, sent, receive, welcome, take, setUp, paint, frames };
}

export const mineActive = (id: string, fields: Partial<ConversationSummary> = {}) =>
  summary(id, { status: 'active', assignee: { id: ME.id, name: ME.name }, ...fields });
