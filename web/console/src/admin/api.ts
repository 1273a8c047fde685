import type { AuditEntryView } from '../../../protocol/AuditEntryView';
import type { Canned } from '../../../protocol/Canned';
import type { CannedDraft } from '../../../protocol/CannedDraft';
import type { CannedId } from '../../../protocol/CannedId';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Department } from '../../../protocol/Department';
import type { DepartmentDraft } from '../../../protocol/DepartmentDraft';
import type { DepartmentId } from '../../../protocol/DepartmentId';
import type { NewCanned } from '../../../protocol/NewCanned';
import type { NewDepartment } from '../../../protocol/NewDepartment';
import type { NewStaffRequest } from '../../../protocol/NewStaffRequest';
import type { SiteId } from '../../../protocol/SiteId';
import type { StaffAccount } from '../../../protocol/StaffAccount';
import type { StaffId } from '../../../protocol/StaffId';
import type { StaffPatch } from '../../../protocol/StaffPatch';
import type { Api } from '../api/http';

const id = (value: string) => encodeURIComponent(value);

/** The team-work endpoints: departments, staff, canned answers, history search and the audit log. */
export const teamApi = {
  createDepartment: (api: Api, body: NewDepartment) => api.call<Department>('POST', '/departments', body),
  updateDepartment: (api: Api, dept: DepartmentId, body: DepartmentDraft) => api.call<Department>('PUT', `/departments/${id(dept)}`, body),
  deleteDepartment: (api: Api, dept: DepartmentId) => api.call<void>('DELETE', `/departments/${id(dept)}`),

  staff: (api: Api) => api.call<StaffAccount[]>('GET', '/staff'),
  createStaff: (api: Api, body: NewStaffRequest) => api.call<StaffAccount>('POST', '/staff', body),
  updateStaff: (api: Api, staff: StaffId, patch: StaffPatch) => api.call<StaffAccount>('PATCH', `/staff/${id(staff)}`, patch),

  canned: (api: Pick<Api, 'call'>, site: SiteId) => api.call<Canned[]>('GET', `/canned?site_id=${id(site)}`),
  createCanned: (api: Api, body: NewCanned) => api.call<Canned>('POST', '/canned', body),
  updateCanned: (api: Api, canned: CannedId, body: CannedDraft) => api.call<Canned>('PUT', `/canned/${id(canned)}`, body),
  deleteCanned: (api: Api, canned: CannedId) => api.call<void>('DELETE', `/canned/${id(canned)}`),

  /** `query` as built by `historyQuery`. */
  search: (api: Api, query: string) => api.call<ConversationSummary[]>('GET', `/conversations/search?${query}`),
  audit: (api: Api, limit = 100) => api.call<AuditEntryView[]>('GET', `/audit?limit=${limit}`),
};
