import { effect, signal, type Signal } from '@preact/signals';
import type { AgentStatus } from '../../../protocol/AgentStatus';
import type { LinkState } from '../live/connection';
import { onInput, onPeerAway, onStatus, onTick, parseMinutes, startAway, type AwayState, type AwayStep } from './autoAway';

const MINUTES_KEY = 'shopkeep.away_minutes';
const CHANNEL = 'shopkeep.activity';
const TICK_MS = 15_000;
// Input is told to other tabs at most this often: enough for a timeout counted in minutes.
const SHARE_EVERY_MS = 10_000;
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart', 'focus'] as const;

type Note = { kind: 'input'; at: number } | { kind: 'away' };

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Minutes without input before the console sets me away; 0 = never. Shared by every tab. */
export const awayMinutes = signal(parseMinutes(read(MINUTES_KEY)));

export function setAwayMinutes(minutes: number): void {
  awayMinutes.value = minutes;
  try {
    localStorage.setItem(MINUTES_KEY, String(minutes));
  } catch {
    // Storage refused (private mode): the choice holds for this tab.
  }
}

export interface AwayTarget {
  readonly status: Signal<AgentStatus>;
  readonly linkState: Signal<LinkState>;
  setStatus(status: AgentStatus): void;
}

/** Tabs of the console in this browser tell each other about input, through a BroadcastChannel or else storage events. */
function peerLink(receive: (note: Note) => void): { post(note: Note): void; close(): void } {
  if (typeof BroadcastChannel !== 'undefined') {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (e: MessageEvent<Note>) => receive(e.data);
    return { post: (note) => channel.postMessage(note), close: () => channel.close() };
  }
  const listener = (e: StorageEvent) => {
    if (e.key !== CHANNEL || !e.newValue) return;
    try {
      receive(JSON.parse(e.newValue) as Note);
    } catch {
      // Not ours.
    }
  };
  addEventListener('storage', listener);
  return {
    post: (note) => {
      try {
        localStorage.setItem(CHANNEL, JSON.stringify({ ...note, nonce: Math.random() }));
      } catch {
        // No storage: tabs stay on their own.
      }
    },
    close: () => removeEventListener('storage', listener),
  };
}

/** Runs auto-away for this tab until the returned function is called. */
export function watchAway(target: AwayTarget, now: () => number = Date.now): () => void {
  let state: AwayState = startAway(now());
  let shared = 0;
  const apply = (step: AwayStep) => {
    if (step.set && target.linkState.peek() !== 'open') {
      // Nothing can be sent now: keep the input time, and try the switch again later.
      state = { ...step.state, autoAway: state.autoAway };
      return;
    }
    state = step.state;
    if (step.set) target.setStatus(step.set);
  };
  const peers = peerLink((note) => {
    if (note.kind === 'away') state = onPeerAway(state);
    else if (typeof note.at === 'number') apply(onInput(state, note.at, target.status.peek()));
  });
  const input = () => {
    const at = now();
    apply(onInput(state, at, target.status.peek()));
    if (at - shared >= SHARE_EVERY_MS) {
      shared = at;
      peers.post({ kind: 'input', at });
    }
  };
  const tick = () => {
    const step = onTick(state, now(), target.status.peek(), awayMinutes.peek() * 60_000);
    apply(step);
    if (step.set === 'away' && state.autoAway) peers.post({ kind: 'away' });
  };
  for (const name of INPUT_EVENTS) addEventListener(name, input, { passive: true, capture: true });
  const timer = setInterval(tick, TICK_MS);
  const stopStatus = effect(() => {
    state = onStatus(state, target.status.value);
  });
  const settings = (e: StorageEvent) => {
    if (e.key === MINUTES_KEY) awayMinutes.value = parseMinutes(e.newValue);
  };
  addEventListener('storage', settings);
  return () => {
    for (const name of INPUT_EVENTS) removeEventListener(name, input, { capture: true });
    clearInterval(timer);
    stopStatus();
    removeEventListener('storage', settings);
    peers.close();
  };
}
