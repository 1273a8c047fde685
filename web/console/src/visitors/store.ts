import { batch, computed, signal } from '@preact/signals';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { InvitationView } from '../../../protocol/InvitationView';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import type { VisitorId } from '../../../protocol/VisitorId';
import {
  applyChanges,
  countRows,
  countriesOf,
  DEFAULT_SORT,
  NO_FILTER,
  visibleRows,
  type Pending,
  type VisitorFilter,
  type VisitorMap,
  type VisitorSort,
} from './list';

/** Longest invitation text the server accepts, in code points. */
export const MAX_INVITATION_CHARS = 500;
// A sent invitation shows up on its row with the next change; if that never comes, the button frees up.
export const INVITE_SETTLE_MS = 10_000;
export const NOTICE_MS = 20_000;
// Without animation frames (a hidden tab) changes still apply, just less often.
const FRAME_FALLBACK_MS = 250;

export interface InvitationNotice {
  readonly key: number;
  readonly visitorId: VisitorId;
  readonly state: 'accepted' | 'declined';
}

export interface VisitorsDeps {
  send(frame: AgentClientFrame): boolean;
  /** Runs `flush` before the next paint. */
  frame?: (flush: () => void) => void;
  /** The socket could not take a frame; the operator should hear of it. */
  onOffline(): void;
}

function nextFrame(flush: () => void): void {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    flush();
  };
  const timer = setTimeout(once, FRAME_FALLBACK_MS);
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
}

/**
 * The live visitor list. Frames arrive up to four times a second with thousands of
 * rows; they are folded into one pending change set and applied once per animation
 * frame, so the list is copied, filtered and sorted at most once per frame.
 */
export class VisitorsStore {
  readonly rows = signal<VisitorMap>(new Map());
  /** A snapshot arrived since watching began or the socket reconnected. */
  readonly synced = signal(false);
  readonly filter = signal<VisitorFilter>(NO_FILTER);
  readonly sort = signal<VisitorSort>(DEFAULT_SORT);
  readonly view = computed(() => visibleRows(this.rows.value, this.filter.value, this.sort.value));
  readonly counts = computed(() => countRows(this.rows.value));
  readonly countries = computed(() => countriesOf(this.rows.value));
  /** The visitor whose invitation dialog is open. */
  readonly inviting = signal<VisitorId | null>(null);
  /** Invitations sent whose row has not caught up yet. */
  readonly invited = signal<ReadonlySet<VisitorId>>(new Set());
  readonly notices = signal<readonly InvitationNotice[]>([]);

  private watchers = 0;
  private snapshot: LiveVisitor[] | null = null;
  private changes: Pending = new Map();
  private scheduled = false;
  private noticeKey = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly frame: (flush: () => void) => void;

  constructor(private readonly deps: VisitorsDeps) {
    this.frame = deps.frame ?? nextFrame;
  }

  /** Starts following the live list; the returned function stops, once every watcher has. */
  watch(): () => void {
    if (this.watchers++ === 0) this.deps.send({ type: 'watch_visitors', watch: true });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.watchers === 0) {
        this.deps.send({ type: 'watch_visitors', watch: false });
        this.reset();
      }
    };
  }

  get watching(): boolean {
    return this.watchers > 0;
  }

  /** A new socket knows nothing of what the old one watched: ask again and wait for its snapshot. */
  welcome(): void {
    this.changes = new Map();
    this.snapshot = null;
    if (this.watching) {
      this.synced.value = false;
      this.deps.send({ type: 'watch_visitors', watch: true });
    } else {
      this.reset();
    }
  }

  receiveSnapshot(visitors: readonly LiveVisitor[]): void {
    if (!this.watching) return;
    this.snapshot = [...visitors];
    this.changes = new Map();
    this.schedule();
  }

  receiveChanges(changed: readonly LiveVisitor[], left: readonly VisitorId[]): void {
    if (!this.watching) return;
    for (const v of changed) this.changes.set(v.visitor_id, v);
    for (const id of left) this.changes.set(id, null);
    this.schedule();
  }

  receiveInvitation(visitorId: VisitorId, invitation: InvitationView): void {
    const row = this.latest(visitorId);
    if (row) {
      this.changes.set(visitorId, { ...row, invitation });
      this.schedule();
    }
    this.settle(visitorId);
    if (invitation.state === 'pending') return;
    const notice: InvitationNotice = { key: ++this.noticeKey, visitorId, state: invitation.state };
    this.notices.value = [...this.notices.value, notice].slice(-3);
    this.later(() => this.dismiss(notice.key), NOTICE_MS);
  }

  /** The server refused something; an invitation sent just before may be what it refused. */
  refused(): void {
    if (this.invited.value.size > 0) this.invited.value = new Set();
  }

  dismiss(key: number): void {
    const rest = this.notices.value.filter((n) => n.key !== key);
    if (rest.length !== this.notices.value.length) this.notices.value = rest;
  }

  /** The row as it will look after the pending changes. */
  latest(id: VisitorId): LiveVisitor | undefined {
    if (this.changes.has(id)) return this.changes.get(id) ?? undefined;
    if (this.snapshot) return this.snapshot.find((v) => v.visitor_id === id);
    return this.rows.value.get(id);
  }

  openInvite(id: VisitorId): void {
    this.inviting.value = id;
  }

  closeInvite(): void {
    this.inviting.value = null;
  }

  /** Sends the invitation; false (with the dialog left open) when the socket is down or the text is out of bounds. */
  invite(id: VisitorId, text: string): boolean {
    const body = text.trim();
    const length = [...body].length;
    if (length === 0 || length > MAX_INVITATION_CHARS) return false;
    if (!this.deps.send({ type: 'invite', visitor_id: id, text: body })) {
      this.deps.onOffline();
      return false;
    }
    batch(() => {
      this.invited.value = new Set(this.invited.value).add(id);
      this.inviting.value = null;
    });
    this.later(() => this.settle(id), INVITE_SETTLE_MS);
    return true;
  }

  /** Applies what arrived since the last frame. Called by the frame scheduler; tests call it directly. */
  flush(): void {
    this.scheduled = false;
    if (!this.snapshot && this.changes.size === 0) return;
    const changes = this.changes;
    const fresh = this.snapshot !== null;
    const next = applyChanges(this.rows.value, this.snapshot, changes);
    this.snapshot = null;
    this.changes = new Map();
    batch(() => {
      this.rows.value = next;
      if (fresh) this.synced.value = true;
      // A row that changed after an invitation went out shows the invitation's own state.
      const invited = this.invited.value;
      if (invited.size > 0) {
        const rest = new Set([...invited].filter((id) => !changes.has(id) && (!fresh || next.has(id))));
        if (rest.size !== invited.size) this.invited.value = rest;
      }
    });
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private settle(id: VisitorId): void {
    if (!this.invited.value.has(id)) return;
    const rest = new Set(this.invited.value);
    rest.delete(id);
    this.invited.value = rest;
  }

  private reset(): void {
    this.snapshot = null;
    this.changes = new Map();
    batch(() => {
      this.synced.value = false;
      if (this.rows.value.size > 0) this.rows.value = new Map();
      if (this.invited.value.size > 0) this.invited.value = new Set();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.frame(() => this.flush());
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}
