import type { NewStaffRequest } from '../../../protocol/NewStaffRequest';
import type { Role } from '../../../protocol/Role';
import type { MessageKey } from '../i18n/i18n';
import { chars, EMAIL, MIN_PASSWORD_CHARS } from '../ui/validate';

export const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];
// The server's limit (`shopkeep-core` staff.rs).
export const MAX_MAX_CHATS = 50;

export function parseMaxChats(raw: string): number | null {
  const n = Number(raw.trim());
  return Number.isInteger(n) && n >= 1 && n <= MAX_MAX_CHATS && raw.trim() !== '' ? n : null;
}

export interface NewStaffForm {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly password: string;
  readonly maxChats: string;
}

export const blankStaff: NewStaffForm = { email: '', name: '', role: 'operator', password: '', maxChats: '4' };

export function newStaffRequest(f: NewStaffForm): { ok: true; body: NewStaffRequest } | { ok: false; reason: MessageKey } {
  const email = f.email.trim();
  if (!EMAIL.test(email)) return { ok: false, reason: 'staff.email_invalid' };
  const name = f.name.trim();
  if (name === '') return { ok: false, reason: 'staff.name_invalid' };
  if (chars(f.password) < MIN_PASSWORD_CHARS) return { ok: false, reason: 'setup.password_short' };
  const max = parseMaxChats(f.maxChats);
  if (max === null) return { ok: false, reason: 'staff.max_invalid' };
  return { ok: true, body: { email, name, role: f.role, password: f.password, max_chats: max } };
}
