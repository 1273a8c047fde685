// The interface between the loader (which owns the socket and the launcher) and
// the lazily loaded chat panel. Types only: both bundles import it, neither ships it.
import type { VisitorClientFrame } from '../../protocol/VisitorClientFrame';
import type { VisitorServerFrame } from '../../protocol/VisitorServerFrame';

export type Welcome = Extract<VisitorServerFrame, { type: 'welcome' }>;

/** A server frame, or the loader's notice that the socket is gone (it reconnects by itself). */
export type Incoming = VisitorServerFrame | { type: 'disconnected' };

/** The visitor WebSocket, shared by the launcher and the panel. */
export interface Connection {
  /**
   * Sends a frame once the socket is welcomed. Returns false, sending nothing, while
   * (re)connecting: the caller keeps what matters and acts again on the next `welcome`.
   */
  send(frame: VisitorClientFrame): boolean;
  /** Calls `listener` with every incoming frame; returns the unsubscribe function. */
  subscribe(listener: (frame: Incoming) => void): () => void;
  /**
   * The welcome of the current socket, its `operators_online` kept current by `status`
   * frames; null while (re)connecting.
   */
  readonly welcome: Welcome | null;
}

/** What the loader hands to the panel's `mount`. */
export interface PanelHost {
  /** The widget's shadow root; the panel puts its styles and markup here only. */
  readonly root: ShadowRoot;
  readonly connection: Connection;
  /** The site's public key, to name per-site storage. */
  readonly site: string;
  /** Asks the loader to close the panel (it hides it and returns focus to the launcher). */
  close(): void;
}

/** The mounted panel, driven by the loader. */
export interface Panel {
  /** Shows the panel; with `focus`, moves keyboard focus into it. */
  show(focus: boolean): void;
  hide(): void;
}

/** The panel module's export: `import(panelUrl).then((m: PanelModule) => m.mount(host))`. */
export interface PanelModule {
  mount(host: PanelHost): Panel;
}
