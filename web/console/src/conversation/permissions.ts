/**
 * What I may do in a conversation, from my role and my place in it. The server
 * enforces the same rules; the console only shows the actions that can succeed.
 */
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Me } from '../../../protocol/Me';
import { isSupervisor } from '../team/roles';

/** My place in a conversation. */
export type Place = 'holder' | 'participant' | 'outside';

export function placeIn(c: ConversationSummary, me: Pick<Me, 'id'>): Place {
  if (c.assignee?.id === me.id) return 'holder';
  if (c.participants.some((p) => p.id === me.id)) return 'participant';
  return 'outside';
}

export interface Actions {
  /** Write to the visitor. */
  readonly reply: boolean;
  /** Write to the staff in the chat only. */
  readonly whisper: boolean;
  readonly note: boolean;
  readonly take: boolean;
  readonly join: boolean;
  readonly takeOver: boolean;
  readonly leave: boolean;
  readonly close: boolean;
  readonly transfer: boolean;
  /** I am watching, not in the chat: the reply box gives way to the actions above. */
  readonly monitor: boolean;
}

/** A waiting chat is mine to take when it is in one of my departments (or none), or I supervise. */
export function canTake(c: ConversationSummary, me: Pick<Me, 'role' | 'departments'>): boolean {
  if (c.status !== 'waiting') return false;
  return isSupervisor(me.role) || c.department === null || me.departments.includes(c.department.id);
}

export function actionsFor(c: ConversationSummary, me: Pick<Me, 'id' | 'role' | 'departments'>): Actions {
  const place = placeIn(c, me);
  const boss = isSupervisor(me.role);
  const active = c.status === 'active';
  const inside = active && place !== 'outside';
  return {
    reply: inside,
    whisper: inside || (active && boss),
    note: inside,
    take: canTake(c, me),
    join: active && boss && place === 'outside',
    takeOver: active && boss && place !== 'holder',
    leave: active && place === 'participant',
    close: c.status === 'waiting' ? true : active && (place === 'holder' || boss),
    transfer: (active && (place === 'holder' || boss)) || (c.status === 'waiting' && boss),
    monitor: c.status !== 'closed' && !inside,
  };
}
