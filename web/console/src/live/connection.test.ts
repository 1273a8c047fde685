import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentServerFrame } from '../../../protocol/AgentServerFrame';
import { AgentConnection, PING_MS, SILENCE_MS, type LinkState } from './connection';

/** Just enough of a WebSocket for the connection to drive. */
class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: AgentServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

const WELCOME: AgentServerFrame = {
  type: 'welcome',
  me: { id: 's1', name: 'Anna', email: 'a@example.com', role: 'operator', status: 'online', lang: 'en', photo: null, departments: [], max_chats: 5 },
  conversations: [],
  team: [],
  departments: [],
};

function setup(random = () => 0) {
  const sockets: FakeSocket[] = [];
  const frames: AgentServerFrame[] = [];
  const states: LinkState[] = [];
  const onRefused = vi.fn();
  const connection = new AgentConnection(
    { onFrame: (f) => frames.push(f), onState: (s) => states.push(s), onRefused },
    {
      url: 'ws://console.test/v1/agent',
      random,
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
    },
  );
  const last = () => sockets[sockets.length - 1]!;
  return { connection, sockets, frames, states, onRefused, last };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AgentConnection', () => {
  it('passes frames on and reports open only once welcomed', () => {
    const { connection, last, frames, states } = setup();
    connection.start();
    last().open();
    expect(states).toEqual(['connecting']);
    last().receive(WELCOME);
    expect(states).toEqual(['connecting', 'open']);
    expect(frames).toEqual([WELCOME]);
  });

  it('backs off from 0.5 s, doubling to 15 s, and starts over after a welcome', () => {
    const { connection, sockets, last } = setup(() => 1);
    connection.start();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      last().drop();
      const before = sockets.length;
      let waited = 0;
      while (sockets.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);

    last().open();
    last().receive(WELCOME);
    last().drop();
    vi.advanceTimersByTime(499);
    const count = sockets.length;
    vi.advanceTimersByTime(1);
    expect(sockets.length).toBe(count + 1);
  });

  it('jitters the delay within the upper half of the step', () => {
    const { connection, sockets, last } = setup(() => 0);
    connection.start();
    last().drop();
    vi.advanceTimersByTime(249);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
  });

  it('waits as long as the server asked in reconnect', () => {
    const { connection, sockets, last } = setup(() => 0);
    connection.start();
    last().open();
    last().receive(WELCOME);
    last().receive({ type: 'reconnect', after_ms: 3000 });
    last().drop();
    vi.advanceTimersByTime(2999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
  });

  it('pings every 25 s and starts over after a minute of silence', () => {
    const { connection, sockets, last } = setup();
    connection.start();
    last().open();
    last().receive(WELCOME);
    vi.advanceTimersByTime(PING_MS);
    expect(last().sent).toEqual([{ type: 'ping' }]);
    last().receive({ type: 'pong' });

    vi.advanceTimersByTime(SILENCE_MS + PING_MS);
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });

  it('reports a socket refused before its welcome, not one lost later', () => {
    const { connection, last, onRefused } = setup();
    connection.start();
    last().drop();
    expect(onRefused).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    last().open();
    last().receive(WELCOME);
    last().drop();
    expect(onRefused).toHaveBeenCalledTimes(1);
  });

  it('sends only on an open socket and stays down once stopped', () => {
    const { connection, sockets, last } = setup();
    connection.start();
    expect(connection.send({ type: 'ping' })).toBe(false);
    last().open();
    expect(connection.send({ type: 'set_status', status: 'away' })).toBe(true);
    expect(last().sent).toEqual([{ type: 'set_status', status: 'away' }]);

    connection.stop();
    expect(last().closed).toBe(true);
    last().drop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('reconnects at once when the browser comes back online', () => {
    const { connection, sockets, last } = setup(() => 1);
    connection.start();
    for (let i = 0; i < 5; i++) {
      last().drop();
      vi.runOnlyPendingTimers();
    }
    last().drop();
    dispatchEvent(new Event('online'));
    expect(sockets).toHaveLength(7);
    connection.stop();
  });
});
