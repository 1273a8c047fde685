import type { Department } from '../../../protocol/Department';

/** The departments of a site, in their order: by position, then by name. */
export function siteDepartments(list: readonly Department[], site: string): Department[] {
  return list.filter((d) => d.site_id === site).sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}
