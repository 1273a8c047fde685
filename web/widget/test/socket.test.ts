import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Incoming } from '../src/contract';
import { openConnection, PING_MS } from '../src/loader/socket';
import { FakeSocket } from './fake-socket';
import { view, welcome } from './fixtures';

const URL = 'wss://chat.example/v1/visitor?site=pk_test';
const TOKEN_KEY = 'shopkeep:pk_test:token';

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.sockets = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  // No jitter: each wait is half its backoff step.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

function connect() {
  const connection = openConnection(URL, TOKEN_KEY, 'ru');
  const frames: Incoming[] = [];
  connection.subscribe((frame) => frames.push(frame));
  return { connection, frames };
}

describe('visitor socket', () => {
  it('says hello first, with the stored token and the language', () => {
    localStorage.setItem(TOKEN_KEY, 'stored-token');
    const { connection } = connect();
    const socket = FakeSocket.last();
    expect(socket.url).toBe(URL);
    socket.open();
    expect(socket.sent).toEqual([{ type: 'hello', token: 'stored-token', lang: 'ru' }]);
    expect(connection.send({ type: 'ping' })).toBe(false);
    expect(socket.sent).toHaveLength(1);
  });

  it('says hello without a token the first time', () => {
    connect();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent).toEqual([{ type: 'hello', lang: 'ru' }]);
  });

  it('keeps the token from welcome and sends once welcomed', () => {
    const { connection, frames } = connect();
    const socket = FakeSocket.last();
    socket.open();
    socket.receive(welcome({ token: 'new-token' }));
    expect(localStorage.getItem(TOKEN_KEY)).toBe('new-token');
    expect(connection.welcome?.token).toBe('new-token');
    expect(frames.map((f) => f.type)).toEqual(['welcome']);
    expect(connection.send({ type: 'typing', active: true })).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: 'typing', active: true });
  });

  it('keeps the welcome’s operator presence current for a panel that mounts later', () => {
    const { connection } = connect();
    FakeSocket.last().open();
    FakeSocket.last().receive(welcome({ operators_online: false }));
    FakeSocket.last().receive({ type: 'status', operators_online: true });
    expect(connection.welcome?.operators_online).toBe(true);
  });

  it('keeps the welcome’s department choice current for a panel that mounts later', () => {
    const { connection } = connect();
    FakeSocket.last().open();
    const sales = { id: 'd-sales', name: 'Sales', online: false };
    FakeSocket.last().receive(welcome({ chat: { departments: [sales], sneak_peek: true } }));
    FakeSocket.last().receive({ type: 'status', operators_online: true, departments: [{ ...sales, online: true }] });
    expect(connection.welcome?.chat).toEqual({ departments: [{ ...sales, online: true }], sneak_peek: true });
    expect(connection.welcome).not.toHaveProperty('departments');
    FakeSocket.last().receive({ type: 'status', operators_online: false });
    expect(connection.welcome?.chat?.departments).toEqual([{ ...sales, online: true }]);
  });

  it('takes status departments without a chat in the welcome (an older server)', () => {
    const { connection, frames } = connect();
    FakeSocket.last().open();
    FakeSocket.last().receive(welcome());
    FakeSocket.last().receive({ type: 'status', operators_online: false, departments: [] });
    expect(connection.welcome?.chat).toBeUndefined();
    expect(connection.welcome?.operators_online).toBe(false);
    expect(frames.map((f) => f.type)).toEqual(['welcome', 'status']);
  });

  it('keeps the welcome’s opening hours current for a panel that mounts later', () => {
    const { connection } = connect();
    FakeSocket.last().open();
    const closed = { open: false, back_at: 1_800_000_000_000, time_zone: 'Europe/Berlin', consent_text: null };
    FakeSocket.last().receive(welcome({ availability: closed }));
    expect(connection.welcome?.availability).toEqual(closed);
    FakeSocket.last().receive({ type: 'availability', availability: { ...closed, open: true, back_at: null } });
    expect(connection.welcome?.availability?.open).toBe(true);
    FakeSocket.last().receive({ type: 'status', operators_online: false });
    expect(connection.welcome?.availability?.open).toBe(true);
    expect(connection.welcome?.operators_online).toBe(false);
  });

  it('drops frames that are not JSON', () => {
    const { frames } = connect();
    // In a browser the exception is reported and the socket carries on.
    expect(() => FakeSocket.last().receive('not json')).toThrow();
    expect(frames).toEqual([]);
  });

  it('asks not to be tracked when the browser sends Do-Not-Track', () => {
    vi.stubGlobal('navigator', { ...navigator, doNotTrack: '1' });
    connect();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent).toEqual([{ type: 'hello', lang: 'ru', dnt: true }]);
  });

  it('asks not to be tracked when the browser sends Global Privacy Control', () => {
    vi.stubGlobal('navigator', { ...navigator, doNotTrack: null, globalPrivacyControl: true });
    connect();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent).toEqual([{ type: 'hello', lang: 'ru', dnt: true }]);
  });

  it('says nothing of tracking when the browser asks nothing', () => {
    vi.stubGlobal('navigator', { ...navigator, doNotTrack: '0', globalPrivacyControl: false });
    connect();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).not.toHaveProperty('dnt');
  });

  it('keeps the welcome’s conversation current for a panel that mounts later', () => {
    const { connection } = connect();
    FakeSocket.last().open();
    FakeSocket.last().receive(welcome({ conversation: view(3) }));
    FakeSocket.last().receive({ type: 'conversation', conversation: view(1, 'c-2') });
    expect(connection.welcome?.conversation?.id).toBe('c-2');
    FakeSocket.last().receive({ type: 'identified', verified: true, greeting: null, conversation: view(9, 'c-3') });
    expect(connection.welcome?.conversation?.id).toBe('c-3');
    // An identify that found no conversation leaves the current one.
    FakeSocket.last().receive({ type: 'identified', verified: false, greeting: null, conversation: null });
    expect(connection.welcome?.conversation?.id).toBe('c-3');
  });

  it('reconnects with backoff doubling from 0.5 s to 15 s, reset by a welcome', () => {
    const { connection, frames } = connect();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = FakeSocket.sockets.length;
      FakeSocket.last().lose();
      let waited = 0;
      while (FakeSocket.sockets.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      waits.push(waited);
    }
    // Math.random() is 0: half of 0.5, 1, 2, 4, 8, 15, 15 s.
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 7500, 7500]);
    expect(frames.filter((f) => f.type === 'disconnected')).toHaveLength(7);
    expect(connection.welcome).toBeNull();

    FakeSocket.last().open();
    FakeSocket.last().receive(welcome());
    FakeSocket.last().lose();
    const before = FakeSocket.sockets.length;
    vi.advanceTimersByTime(250);
    expect(FakeSocket.sockets.length).toBe(before + 1);
  });

  it('waits as long as a reconnect frame asks', () => {
    connect();
    const socket = FakeSocket.last();
    socket.open();
    socket.receive(welcome());
    socket.receive({ type: 'reconnect', after_ms: 3000 });
    socket.lose();
    vi.advanceTimersByTime(3000 + 249);
    expect(FakeSocket.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.sockets).toHaveLength(2);
  });

  it('pings every 25 s and drops a socket that stays silent', () => {
    const { frames } = connect();
    const socket = FakeSocket.last();
    socket.open();
    socket.receive(welcome());
    vi.advanceTimersByTime(PING_MS);
    expect(socket.sent.at(-1)).toEqual({ type: 'ping' });
    socket.receive({ type: 'pong' });
    vi.advanceTimersByTime(PING_MS);
    expect(socket.sent.filter((f) => (f as { type: string }).type === 'ping')).toHaveLength(2);
    expect(socket.closed).toBe(false);

    // No pong this time: the connection is dead even though no close came.
    vi.advanceTimersByTime(PING_MS);
    expect(socket.closed).toBe(true);
    expect(frames.at(-1)).toEqual({ type: 'disconnected' });
    vi.advanceTimersByTime(250);
    expect(FakeSocket.sockets).toHaveLength(2);
  });

});
