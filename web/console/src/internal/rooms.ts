import type { InternalMessage } from '../../../protocol/InternalMessage';
import type { Room } from '../../../protocol/Room';
import type { StaffId } from '../../../protocol/StaffId';

/** A room as a map key: `team`, or `direct:<staff id>` for the direct room with that member. */
export type RoomKey = string;

export const TEAM_ROOM: Room = { kind: 'team' };

export const roomKey = (room: Room): RoomKey => (room.kind === 'team' ? 'team' : `direct:${room.with}`);

export function roomOf(key: RoomKey): Room {
  return key.startsWith('direct:') ? { kind: 'direct', with: key.slice('direct:'.length) } : TEAM_ROOM;
}

/**
 * The room a message belongs to as I see it. The server names a direct room by the
 * other member: mine from their side is `with: me`, so it is read back as theirs.
 */
export function roomFor(message: InternalMessage, me: StaffId): RoomKey {
  const room = message.room;
  if (room.kind === 'team') return 'team';
  return room.with === me ? `direct:${message.author.id}` : `direct:${room.with}`;
}

/** Merges messages into a room's list by id: oldest first, each once. */
export function mergeMessages(list: readonly InternalMessage[], add: readonly InternalMessage[]): InternalMessage[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of add) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A room's mark: the time of the last message I saw there (0 = none). */
export type Seen = Readonly<Record<RoomKey, number>>;

/** Messages from others after the last one I saw in the room. */
export function unreadIn(list: readonly InternalMessage[], seen: number, me: StaffId): number {
  let n = 0;
  for (const m of list) if (m.author.id !== me && m.at > seen) n++;
  return n;
}

export function unreadByRoom(rooms: ReadonlyMap<RoomKey, readonly InternalMessage[]>, seen: Seen, me: StaffId): Map<RoomKey, number> {
  const out = new Map<RoomKey, number>();
  for (const [key, list] of rooms) {
    const n = unreadIn(list, seen[key] ?? 0, me);
    if (n > 0) out.set(key, n);
  }
  return out;
}

/** The room marked seen up to its newest message; the mark never moves back. */
export function markSeen(seen: Seen, key: RoomKey, list: readonly InternalMessage[]): Seen {
  const last = list.at(-1)?.at ?? 0;
  return last > (seen[key] ?? 0) ? { ...seen, [key]: last } : seen;
}

export const seenStorageKey = (me: StaffId) => `shopkeep.internal_seen.${me}`;

export function parseSeen(raw: string | null): Seen {
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Seen;
  } catch {
    return {};
  }
}
