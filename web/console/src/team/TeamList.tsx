import type { Department } from '../../../protocol/Department';
import type { DepartmentId } from '../../../protocol/DepartmentId';
import type { TeamMember } from '../../../protocol/TeamMember';
import { t } from '../i18n/i18n';
import { Presence } from './Presence';

const ORDER = { online: 0, away: 1, offline: 2 } as const;

/** Online first, then away, then offline; by name within each. */
export function byPresence(a: TeamMember, b: TeamMember): number {
  return ORDER[a.status] - ORDER[b.status] || a.name.localeCompare(b.name);
}

export function departmentNames(ids: readonly DepartmentId[], departments: readonly Department[]): string {
  return ids.map((id) => departments.find((d) => d.id === id)?.name ?? id).join(', ');
}

/** The team as the socket tells it: who is here and how busy they are. */
export function TeamList({ members, departments }: { members: readonly TeamMember[]; departments: readonly Department[] }) {
  if (members.length === 0) return <p class="page__note">{t('team.empty')}</p>;
  return (
    <div class="table-scroll">
      <table class="vt__table team">
        <thead>
          <tr>
            <th scope="col">{t('field.name')}</th>
            <th scope="col">{t('team.status')}</th>
            <th scope="col">{t('team.load')}</th>
            <th scope="col">{t('team.departments')}</th>
          </tr>
        </thead>
        <tbody>
          {[...members].sort(byPresence).map((m) => (
            <tr key={m.id} data-staff-id={m.id}>
              <th scope="row">{m.name}</th>
              <td>
                <Presence status={m.status} /> {t(`status.${m.status}`)}
              </td>
              <td>{t('team.chats', { active: m.active_chats, max: m.max_chats })}</td>
              <td>{departmentNames(m.departments, departments) || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
