import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { AgentServerFrame } from '../../../protocol/AgentServerFrame';
import { BACKOFF_BASE_MS, backoffDelay } from './backoff';

export type LinkState = 'connecting' | 'open' | 'down';

export interface ConnectionHandlers {
  onFrame(frame: AgentServerFrame): void;
  onState(state: LinkState): void;
  /** The socket closed before the server welcomed it: the session may have expired. */
  onRefused(): void;
}

export interface ConnectionOptions {
  url: string;
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
}

const OPEN = 1; // WebSocket.OPEN, spelled out so tests can pass a stand-in socket

export const PING_MS = 25_000;
// The server drops a socket silent for 60 s; a client that hears nothing for as long
// is on a dead connection (a sleeping laptop, a vanished NAT entry) and starts over.
export const SILENCE_MS = 60_000;

/** The agent socket URL on this page's own host. */
export function agentSocketUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/v1/agent`;
}

function parse(data: unknown): AgentServerFrame | null {
  if (typeof data !== 'string') return null;
  try {
    const frame: unknown = JSON.parse(data);
    const ok = typeof frame === 'object' && frame !== null && typeof (frame as { type?: unknown }).type === 'string';
    return ok ? (frame as AgentServerFrame) : null;
  } catch {
    return null;
  }
}

/**
 * The agent WebSocket: connects, keeps the line alive with pings and reconnects with
 * jittered backoff, or after the delay the server asked for in `reconnect`. It knows
 * nothing of conversations; what to resend after a reconnect is decided on `welcome`.
 */
export class AgentConnection {
  private socket: WebSocket | null = null;
  private running = false;
  private attempt = 0;
  private welcomed = false;
  private heardAt = 0;
  private requestedDelay: number | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly createSocket: (url: string) => WebSocket;
  private readonly random: () => number;

  constructor(
    private readonly handlers: ConnectionHandlers,
    private readonly options: ConnectionOptions,
  ) {
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    addEventListener('online', this.retryNow);
    this.connect();
  }

  stop(): void {
    this.running = false;
    removeEventListener('online', this.retryNow);
    clearTimeout(this.retryTimer);
    this.detach()?.close(1000);
  }

  /** Sends if the socket is open; otherwise the frame is dropped and `welcome` recovers. */
  send(frame: AgentClientFrame): boolean {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    this.handlers.onState('connecting');
    const socket = this.createSocket(this.options.url);
    this.socket = socket;
    this.welcomed = false;
    socket.onopen = () => {
      this.heardAt = Date.now();
      this.pingTimer = setInterval(() => this.keepAlive(), PING_MS);
    };
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      this.heardAt = Date.now();
      const frame = parse(message.data);
      if (!frame) return;
      if (frame.type === 'welcome') {
        this.welcomed = true;
        this.attempt = 0;
        this.handlers.onState('open');
      } else if (frame.type === 'reconnect') {
        this.requestedDelay = frame.after_ms;
      }
      this.handlers.onFrame(frame);
    };
    socket.onclose = () => {
      if (socket === this.socket) this.lost();
    };
  }

  private keepAlive(): void {
    if (Date.now() - this.heardAt > SILENCE_MS) {
      this.detach()?.close();
      this.lost();
    } else {
      this.send({ type: 'ping' });
    }
  }

  /** Forget the current socket so its late events are ignored; returns it for closing. */
  private detach(): WebSocket | null {
    const socket = this.socket;
    this.socket = null;
    clearInterval(this.pingTimer);
    return socket;
  }

  private lost(): void {
    const welcomed = this.welcomed;
    this.detach();
    if (!this.running) return;
    this.handlers.onState('down');
    if (!welcomed) this.handlers.onRefused();
    const delay =
      this.requestedDelay !== null
        ? this.requestedDelay + this.random() * BACKOFF_BASE_MS
        : backoffDelay(this.attempt++, this.random);
    this.requestedDelay = null;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** The browser is back online: skip the rest of the backoff. */
  private readonly retryNow = (): void => {
    if (!this.running || this.socket) return;
    clearTimeout(this.retryTimer);
    this.connect();
  };
}
