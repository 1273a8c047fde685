// The visitor WebSocket: hello first, a heartbeat, and reconnection with jittered
// backoff, so the launcher and the panel only ever see frames and `disconnected`.
import type { VisitorServerFrame } from '../../../protocol/VisitorServerFrame';
import type { Connection, Incoming, Welcome } from '../contract';
import { load, save } from '../storage';

type Fields = Record<string, unknown>;

export const PING_MS = 25_000;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

/**
 * Connects to `url` and stays connected. `tokenKey` names the localStorage entry that
 * keeps the visitor's token; `lang` is the visitor's language for `hello`.
 */
export function openConnection(url: string, tokenKey: string, lang: string): Connection {
  // Do-Not-Track or Global Privacy Control; whether it stops tracking is the site's setting.
  const nav = navigator as { doNotTrack?: string | null; globalPrivacyControl?: boolean };
  const dnt = nav.doNotTrack === '1' || nav.globalPrivacyControl || undefined;
  const listeners: ((frame: Incoming) => void)[] = [];
  let ws: WebSocket | null = null;
  let welcome: Welcome | null = null;
  let attempt = 0;
  // Set by a `reconnect` frame: the server asks us not to come back sooner.
  let notBefore = 0;
  // Whether anything arrived since the last heartbeat tick; a silent socket is dead.
  let heard = false;

  const emit = (frame: Incoming) => listeners.forEach((listener) => listener(frame));

  const dial = () => {
    const sock = (ws = new WebSocket(url));
    sock.onopen = () => {
      heard = true;
      sock.send(JSON.stringify({ type: 'hello', token: load('localStorage', tokenKey) || undefined, lang: lang || undefined, dnt }));
    };
    sock.onmessage = (message) => {
      heard = true;
      // The server sends JSON only; anything else throws here and is dropped.
      const frame: VisitorServerFrame = JSON.parse(message.data);
      if (frame.type === 'welcome') {
        welcome = frame;
        attempt = 0;
        save('localStorage', tokenKey, frame.token);
      } else if (frame.type === 'reconnect') {
        notBefore = frame.after_ms;
      }
      // A panel mounted later starts from the welcome: keep it current. A later frame with
      // a field of the welcome or of its `chat` replaces it: `status` (operators_online, and
      // departments into chat), `availability`, `conversation` and `identified`
      // (conversation, unless null: the visitor's own stays).
      if (welcome) {
        for (const kept of [welcome, welcome.chat] as Fields[]) {
          for (const field in kept) if (field != 'type') kept[field] = (frame as Fields)[field] ?? kept[field];
        }
      }
      emit(frame);
    };
    // `error` is always followed by `close`.
    sock.onclose = drop;
  };

  // Forgets the current socket and schedules the next attempt.
  const drop = () => {
    const sock = ws!;
    ws = welcome = null;
    sock.onopen = sock.onmessage = sock.onclose = null;
    sock.close();
    const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt++);
    // Jitter spreads the reconnects of many visitors after a server restart.
    setTimeout(dial, notBefore + backoff * (0.5 + Math.random() / 2));
    notBefore = 0;
    emit({ type: 'disconnected' });
  };

  setInterval(() => {
    if (!ws) return;
    if (!heard) return drop();
    heard = false;
    if (welcome) ws.send('{"type":"ping"}');
  }, PING_MS);

  dial();
  return {
    send(frame) {
      if (!welcome) return false;
      ws!.send(JSON.stringify(frame));
      return true;
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    get welcome() {
      return welcome;
    },
  };
}
