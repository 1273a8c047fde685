// The interface between the loader (which owns the socket and the launcher) and
// the lazily loaded chat panel. Types only: both bundles import it, neither ships it.
import type { VisitorClientFrame } from '../../protocol/VisitorClientFrame';
import type { VisitorServerFrame } from '../../protocol/VisitorServerFrame';

export type Welcome = Extract<VisitorServerFrame, { type: 'welcome' }>;
export type Invitation = Extract<VisitorServerFrame, { type: 'invitation' }>;
export type Identified = Extract<VisitorServerFrame, { type: 'identified' }>;

/** A server frame, or the loader's notice that the socket is gone (it reconnects by itself). */
export type Incoming = VisitorServerFrame | { type: 'disconnected' };

/** The visitor WebSocket, shared by the launcher and the panel. */
export interface Connection {
  /**
   * Sends a frame once the socket is welcomed. Returns false, sending nothing, while
   * (re)connecting: the caller keeps what matters and acts again on the next `welcome`.
   */
  send(frame: VisitorClientFrame): boolean;
  /** Calls `listener` with every incoming frame, for as long as the page lives. */
  subscribe(listener: (frame: Incoming) => void): void;
  /**
   * The welcome of the current socket, its `operators_online` kept current by `status`
   * frames, its `availability` by `availability` frames and its `conversation` by
   * `conversation` and `identified` frames (any later frame with a field of the welcome
   * replaces it); null while (re)connecting.
   */
  readonly welcome: Welcome | null;
  /**
   * Set by the loader's page reporting: the page's latest `language`, `identify` and merged
   * `set` frames (slots 0, 1, 2), said again after every welcome. The panel prefills the
   * visitor's email from the `identify`.
   */
  said?: VisitorClientFrame[];
}

/** What the loader hands to the panel's `mount`. */
export interface PanelHost {
  /**
   * The widget's shadow root; the panel puts its styles and markup here only. Its host's
   * `lang` is the widget's language, as the loader chose it (the page's `setLanguage`,
   * the site's fixed language, the page's, the browser's); it changes with `setLanguage`.
   */
  readonly root: ShadowRoot;
  readonly connection: Connection;
  /** The site's public key, to name per-site storage. */
  readonly site: string;
  /** The origin of the Shopkeep server, for paths it sends (an operator's photo). */
  readonly base: string;
  /** The launcher button, to give focus back to when the panel or a bubble goes away. */
  readonly launcher: HTMLElement;
  /** Asks the loader to open the panel (it shows it with focus in the composer). */
  open(): void;
  /** Asks the loader to close the panel (it calls `hide`). */
  close(): void;
  /** Tells the page's `on` callbacks of an event (the panel tells of `invitation`). */
  emit(event: string, data?: unknown): void;
}

/** The mounted panel, driven by the loader. */
export interface Panel {
  /** Shows the panel; with `focus`, moves keyboard focus into it. */
  show(focus: boolean): void;
  /** Hides the panel; if the focus was in it, moves it to the launcher. */
  hide(): void;
  /**
   * Shows an operator's invitation, or the greeting of an `identified` returning customer
   * (once per page load): in a bubble above the launcher, or in the panel while it is open.
   */
  bubble(frame: Invitation | Identified): void;
}

/** The panel module's export: `import(panelUrl).then((m: PanelModule) => m.mount(host))`. */
export interface PanelModule {
  mount(host: PanelHost): Panel;
}
