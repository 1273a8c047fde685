import { batch, computed, signal, type Signal } from '@preact/signals';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { AgentServerFrame } from '../../../protocol/AgentServerFrame';
import type { InternalMessage } from '../../../protocol/InternalMessage';
import type { StaffId } from '../../../protocol/StaffId';
import {
  markSeen,
  mergeMessages,
  parseSeen,
  roomFor,
  roomKey,
  roomOf,
  seenStorageKey,
  unreadByRoom,
  type RoomKey,
  type Seen,
} from './rooms';

export const MAX_INTERNAL_CHARS = 4000;
// Direct rooms synced at start for their unread counts; larger teams load the rest when opened.
const MAX_SYNCED_ROOMS = 50;

/** A message sent and not yet echoed by the server. */
export interface PendingInternal {
  readonly room: RoomKey;
  readonly clientMsgId: string;
  readonly text: string;
  readonly failed: string | null;
}

export interface InternalDeps {
  me: StaffId;
  send(frame: AgentClientFrame): boolean;
  newClientMsgId(): string;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/**
 * The staff's internal chat: the team room and a direct room per member, fed by the
 * agent socket. Unread counts compare each room with the last message I saw there,
 * remembered in this browser per member of staff.
 */
export class InternalChat {
  readonly rooms = signal<ReadonlyMap<RoomKey, readonly InternalMessage[]>>(new Map());
  /** Older messages exist on the server. */
  readonly more = signal<ReadonlyMap<RoomKey, boolean>>(new Map());
  readonly loading = signal<ReadonlySet<RoomKey>>(new Set());
  readonly pending = signal<readonly PendingInternal[]>([]);
  readonly seen: Signal<Seen>;
  readonly isOpen = signal(false);
  readonly current = signal<RoomKey>('team');
  /** The console is on screen and focused. */
  readonly viewing = signal(true);

  readonly unread = computed(() => unreadByRoom(this.rooms.value, this.seen.value, this.deps.me));
  readonly total = computed(() => [...this.unread.value.values()].reduce((a, b) => a + b, 0));

  constructor(private readonly deps: InternalDeps) {
    this.seen = signal(parseSeen(this.read()));
  }

  /** Takes the frames that concern the internal chat; other frames pass by untouched. */
  receive(frame: AgentServerFrame): void {
    batch(() => {
      switch (frame.type) {
        case 'welcome':
          this.welcome(frame.team.map((m) => m.id).filter((id) => id !== this.deps.me));
          return;
        case 'internal':
          this.add(roomFor(frame.message, this.deps.me), [frame.message]);
          this.pending.value = this.pending.value.filter((p) => p.clientMsgId !== frame.message.client_msg_id);
          this.markCurrentSeen();
          return;
        case 'internal_history': {
          const key = roomKey(frame.room);
          this.add(key, frame.messages);
          this.more.value = new Map(this.more.value).set(key, frame.more);
          const loading = new Set(this.loading.value);
          loading.delete(key);
          this.loading.value = loading;
          this.markCurrentSeen();
          return;
        }
        case 'error': {
          const id = frame.client_msg_id;
          if (id && this.pending.value.some((p) => p.clientMsgId === id)) {
            this.pending.value = this.pending.value.map((p) => (p.clientMsgId === id ? { ...p, failed: frame.code } : p));
          }
          return;
        }
        default:
          return;
      }
    });
  }

  send(text: string): boolean {
    const body = text.trim();
    if (!body || [...body].length > MAX_INTERNAL_CHARS) return false;
    const room = this.current.value;
    const pending: PendingInternal = { room, clientMsgId: this.deps.newClientMsgId(), text: body, failed: null };
    this.pending.value = [...this.pending.value, pending];
    this.transmit(pending);
    return true;
  }

  retry(clientMsgId: string): void {
    const p = this.pending.value.find((x) => x.clientMsgId === clientMsgId);
    if (!p) return;
    const again = { ...p, failed: null };
    this.pending.value = this.pending.value.map((x) => (x === p ? again : x));
    this.transmit(again);
  }

  discard(clientMsgId: string): void {
    this.pending.value = this.pending.value.filter((p) => p.clientMsgId !== clientMsgId);
  }

  select(key: RoomKey): void {
    batch(() => {
      this.current.value = key;
      if (!this.rooms.value.has(key)) this.sync(key);
      this.markCurrentSeen();
    });
  }

  setOpen(open: boolean): void {
    this.isOpen.value = open;
    this.markCurrentSeen();
  }

  setViewing(viewing: boolean): void {
    this.viewing.value = viewing;
    this.markCurrentSeen();
  }

  loadEarlier(key: RoomKey): void {
    const oldest = this.rooms.value.get(key)?.[0];
    if (!oldest || this.loading.value.has(key)) return;
    this.sync(key, oldest.id);
  }

  /** Marks another tab's reading, so badges agree across tabs. */
  adoptSeen(raw: string | null): void {
    const theirs = parseSeen(raw);
    let seen = this.seen.value;
    for (const [key, at] of Object.entries(theirs)) if (at > (seen[key] ?? 0)) seen = { ...seen, [key]: at };
    this.seen.value = seen;
  }

  get storageKey(): string {
    return seenStorageKey(this.deps.me);
  }

  private welcome(members: readonly StaffId[]): void {
    this.loading.value = new Set();
    for (const key of ['team', ...members.slice(0, MAX_SYNCED_ROOMS).map((id) => `direct:${id}`)]) this.sync(key);
    // Messages the socket never echoed are sent again; the server keeps one per client id.
    for (const p of this.pending.value) if (!p.failed) this.transmit(p);
  }

  private sync(key: RoomKey, before?: string): void {
    const frame: AgentClientFrame = before
      ? { type: 'internal_sync', room: roomOf(key), before }
      : { type: 'internal_sync', room: roomOf(key) };
    if (this.deps.send(frame)) this.loading.value = new Set(this.loading.value).add(key);
  }

  private transmit(p: PendingInternal): void {
    if (!this.deps.send({ type: 'internal_send', room: roomOf(p.room), client_msg_id: p.clientMsgId, text: p.text })) {
      this.pending.value = this.pending.value.map((x) => (x.clientMsgId === p.clientMsgId ? { ...x, failed: 'network' } : x));
    }
  }

  private add(key: RoomKey, messages: readonly InternalMessage[]): void {
    if (messages.length === 0) {
      if (!this.rooms.value.has(key)) this.rooms.value = new Map(this.rooms.value).set(key, []);
      return;
    }
    this.rooms.value = new Map(this.rooms.value).set(key, mergeMessages(this.rooms.value.get(key) ?? [], messages));
  }

  private markCurrentSeen(): void {
    if (!this.isOpen.value || !this.viewing.value) return;
    const key = this.current.value;
    const next = markSeen(this.seen.value, key, this.rooms.value.get(key) ?? []);
    if (next === this.seen.value) return;
    this.seen.value = next;
    try {
      this.deps.storage?.setItem(this.storageKey, JSON.stringify(next));
    } catch {
      // Storage full or refused: the mark holds for this tab.
    }
  }

  private read(): string | null {
    try {
      return this.deps.storage?.getItem(seenStorageKey(this.deps.me)) ?? null;
    } catch {
      return null;
    }
  }
}
