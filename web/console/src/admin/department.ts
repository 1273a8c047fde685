import type { Department } from '../../../protocol/Department';
import type { DepartmentDraft } from '../../../protocol/DepartmentDraft';
import type { RoutingStrategy } from '../../../protocol/RoutingStrategy';
import type { StaffId } from '../../../protocol/StaffId';
import { ApiError } from '../api/http';
import type { MessageKey } from '../i18n/i18n';
import { chars, EMAIL } from '../ui/validate';

// The server's limits (`shopkeep-core` department.rs).
export const MAX_DEPT_NAME_CHARS = 60;
export const MAX_PAGE_PATTERNS = 20;
export const MAX_PATTERN_CHARS = 200;

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['least_busy', 'round_robin', 'manual'];

export type DepartmentField = 'name' | 'pages' | 'notify' | 'members';

export interface DepartmentForm {
  readonly name: string;
  readonly routing: RoutingStrategy;
  readonly public: boolean;
  /** One pattern a line. */
  readonly pages: string;
  readonly notify: string;
  readonly members: readonly StaffId[];
}

export type FieldErrors = Partial<Record<DepartmentField, MessageKey>>;

export function departmentForm(d: Department | null): DepartmentForm {
  if (!d) return { name: '', routing: 'least_busy', public: true, pages: '', notify: '', members: [] };
  return { name: d.name, routing: d.routing, public: d.public, pages: d.pages.join('\n'), notify: d.notify_address ?? '', members: d.members };
}

const CONTROL = /\p{Cc}/u;

/** The draft the form describes, or what to fix, field by field. */
export function departmentDraft(f: DepartmentForm): { ok: true; draft: DepartmentDraft } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const name = f.name.trim();
  if (name === '' || chars(name) > MAX_DEPT_NAME_CHARS || CONTROL.test(name)) errors.name = 'dept.name_invalid';
  const pages = f.pages
    .split('\n')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pages.length > MAX_PAGE_PATTERNS || pages.some((p) => chars(p) > MAX_PATTERN_CHARS)) errors.pages = 'dept.pages_invalid';
  const notify = f.notify.trim();
  if (notify && !EMAIL.test(notify)) errors.notify = 'dept.notify_invalid';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    draft: { name, routing: f.routing, public: f.public, pages, notify_address: notify || null, members: [...new Set(f.members)] },
  };
}

/**
 * The field a refusal from the server is about, read from its message (the server names
 * what is wrong: "a department needs a name…", "…page patterns…", "the notify address…").
 */
export function serverField(e: unknown): DepartmentField | null {
  if (!(e instanceof ApiError) || e.code !== 'invalid_input') return null;
  const m = e.message.toLowerCase();
  if (m.includes('notify') || m.includes('address')) return 'notify';
  if (m.includes('pattern') || m.includes('page')) return 'pages';
  if (m.includes('member')) return 'members';
  if (m.includes('name')) return 'name';
  return null;
}
