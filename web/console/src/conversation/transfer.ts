/**
 * Transfers as pure functions: the state of an offer I received as time passes, and
 * the choices the transfer dialog shows.
 */
import type { AgentRef } from '../../../protocol/AgentRef';
import type { ConversationId } from '../../../protocol/ConversationId';
import type { Department } from '../../../protocol/Department';
import type { StaffId } from '../../../protocol/StaffId';
import type { TeamMember } from '../../../protocol/TeamMember';
import { siteDepartments } from '../team/departments';
import { byPresence } from '../team/TeamList';

/** A `transfer_offer` frame as the console keeps it until answered or expired. */
export interface TransferOffer {
  readonly conversationId: ConversationId;
  readonly from: AgentRef;
  readonly note: string | null;
  readonly expiresAt: number;
}

export interface OfferState {
  /** Whole seconds left to answer, never below 0. */
  readonly secondsLeft: number;
  readonly expired: boolean;
}

export function offerState(offer: Pick<TransferOffer, 'expiresAt'>, now: number): OfferState {
  const left = offer.expiresAt - now;
  return { secondsLeft: Math.max(0, Math.ceil(left / 1000)), expired: left <= 0 };
}

export interface OperatorChoice {
  readonly member: TeamMember;
  /** Offline members (and I myself) cannot receive a chat. */
  readonly disabled: boolean;
  readonly full: boolean;
}

/** Everyone but me, available first, then by name. */
export function operatorChoices(team: readonly TeamMember[], me: StaffId): OperatorChoice[] {
  return team
    .filter((m) => m.id !== me)
    .slice()
    .sort(byPresence)
    .map((member) => ({
      member,
      disabled: member.status === 'offline',
      full: member.max_chats > 0 && member.active_chats >= member.max_chats,
    }));
}

export interface DepartmentChoice {
  readonly department: Department;
  readonly online: number;
}

/** The departments of the conversation's site, in their order, with how many members are online. */
export function departmentChoices(
  departments: readonly Department[],
  team: readonly TeamMember[],
  siteId: string,
): DepartmentChoice[] {
  const online = new Set(team.filter((m) => m.status === 'online').map((m) => m.id));
  return siteDepartments(departments, siteId).map((department) => ({ department, online: department.members.filter((id) => online.has(id)).length }));
}
