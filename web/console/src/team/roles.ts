import type { Role } from '../../../protocol/Role';

/** Pages reachable from the navigation, in the order they are shown. */
export const NAV_PAGES = ['inbox', 'visitors', 'history', 'canned', 'team', 'rules', 'departments', 'audit'] as const;
export type NavPage = (typeof NAV_PAGES)[number];

const RANK: Record<Role, number> = { operator: 0, supervisor: 1, admin: 2 };

/** Roles are ordered: each can do what the one before can. */
export const atLeast = (role: Role, min: Role) => RANK[role] >= RANK[min];

/** Supervisors and admins: they see every chat and may take, join or take over any of them. */
export const isSupervisor = (role: Role) => atLeast(role, 'supervisor');

// The least role that sees each page; the server checks the same on every call.
const NEEDS: Record<NavPage, Role> = {
  inbox: 'operator',
  visitors: 'operator',
  history: 'operator',
  canned: 'operator',
  team: 'operator',
  rules: 'operator',
  departments: 'admin',
  audit: 'admin',
};

export const mayOpen = (role: Role, page: NavPage) => atLeast(role, NEEDS[page]);

/** The navigation entries a role sees. */
export const navPages = (role: Role): NavPage[] => NAV_PAGES.filter((p) => mayOpen(role, p));

/** Supervisors see staff accounts (email, load); only admins change them. */
export const maySeeStaff = isSupervisor;
export const mayManageStaff = (role: Role) => atLeast(role, 'admin');
/** Shared canned answers are written by supervisors and admins; everyone keeps personal ones. */
export const mayEditShared = isSupervisor;
