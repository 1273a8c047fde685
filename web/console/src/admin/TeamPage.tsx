import { useState } from 'preact/hooks';
import type { Role } from '../../../protocol/Role';
import type { StaffAccount } from '../../../protocol/StaffAccount';
import type { Api } from '../api/http';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { Presence } from '../team/Presence';
import { mayManageStaff, maySeeStaff } from '../team/roles';
import { byPresence, departmentNames, TeamList } from '../team/TeamList';
import { apiErrorText } from '../ui/apiError';
import { FormError } from '../ui/FormError';
import { teamApi } from './api';
import { useLoad } from '../ui/useLoad';
import { blankStaff, MAX_MAX_CHATS, newStaffRequest, parseMaxChats, ROLES, type NewStaffForm } from './staff';

/** The team: presence and load for everyone; staff accounts for supervisors; adding and editing them for admins. */
export function TeamPage({ store, api }: { store: ConsoleStore; api: Api }) {
  const role = store.me.value.role;
  return (
    <main class="page" aria-labelledby="team-title">
      <h2 id="team-title" class="page__title">
        {t('team.title')}
      </h2>
      {maySeeStaff(role) ? (
        <StaffAdmin store={store} api={api} canEdit={mayManageStaff(role)} />
      ) : (
        <TeamList members={store.team.value} departments={store.departments.value} />
      )}
    </main>
  );
}

function StaffAdmin({ store, api, canEdit }: { store: ConsoleStore; api: Api; canEdit: boolean }) {
  const [staff, setStaff] = useLoad(() => teamApi.staff(api), [api]);
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  if (staff.kind === 'loading') return <p class="page__note">{t('app.loading')}</p>;
  if (staff.kind === 'failed') return <FormError message={staff.message} />;
  // Presence and load change live; the socket's view wins over the loaded list.
  const live = new Map(store.team.value.map((m) => [m.id, m]));
  const rows = staff.value.map((s) => ({ ...s, ...(live.get(s.id) ?? {}), email: s.email })).sort(byPresence);
  const replace = (fresh: StaffAccount) => {
    setStaff(staff.value.some((s) => s.id === fresh.id) ? staff.value.map((s) => (s.id === fresh.id ? fresh : s)) : [...staff.value, fresh]);
    setEditing(null);
    setAdding(false);
    setStatus(t('staff.saved'));
  };
  return (
    <>
      {!canEdit && <p class="field__hint">{t('staff.read_only')}</p>}
      {canEdit &&
        (adding ? (
          <AddStaff api={api} onSaved={replace} onCancel={() => setAdding(false)} />
        ) : (
          <button class="button button--primary" type="button" onClick={() => setAdding(true)}>
            {t('staff.add')}
          </button>
        ))}
      <p role="status">{status}</p>
      <div class="table-scroll">
        <table class="vt__table team">
          <thead>
            <tr>
              <th scope="col">{t('field.name')}</th>
              <th scope="col">{t('field.email')}</th>
              <th scope="col">{t('staff.role')}</th>
              <th scope="col">{t('team.status')}</th>
              <th scope="col">{t('team.load')}</th>
              <th scope="col">{t('team.departments')}</th>
              {canEdit && <th scope="col">{t('staff.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) =>
              editing === s.id ? (
                <EditStaff key={s.id} api={api} staff={s} onSaved={replace} onCancel={() => setEditing(null)} />
              ) : (
                <tr key={s.id} data-staff-id={s.id}>
                  <th scope="row" id={`staff-${s.id}-name`}>
                    {s.name}
                  </th>
                  <td>{s.email}</td>
                  <td>{t(`role.${s.role}`)}</td>
                  <td>
                    <Presence status={s.status} /> {t(`status.${s.status}`)}
                  </td>
                  <td>{t('team.chats', { active: s.active_chats, max: s.max_chats })}</td>
                  <td>{departmentNames(s.departments, store.departments.value) || '—'}</td>
                  {canEdit && (
                    <td>
                      <button class="button button--small" type="button" aria-describedby={`staff-${s.id}-name`} onClick={() => setEditing(s.id)}>
                        {t('rules.edit')}
                      </button>
                    </td>
                  )}
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

function EditStaff({ api, staff, onSaved, onCancel }: { api: Api; staff: StaffAccount; onSaved(s: StaffAccount): void; onCancel(): void }) {
  const [role, setRole] = useState<Role>(staff.role);
  const [max, setMax] = useState(String(staff.max_chats));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function save() {
    const maxChats = parseMaxChats(max);
    if (maxChats === null) {
      setError(t('staff.max_invalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await teamApi.updateStaff(api, staff.id, { role, max_chats: maxChats }));
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }
  const id = `staff-edit-${staff.id}`;
  return (
    <tr data-staff-id={staff.id}>
      <th scope="row">{staff.name}</th>
      <td>{staff.email}</td>
      <td>
        <label class="sr-only" for={`${id}-role`}>
          {t('staff.role')}
        </label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </td>
      <td colSpan={2}>
        <label for={`${id}-max`}>{t('staff.max_chats')}</label>{' '}
        <input id={`${id}-max`} type="number" min={1} max={MAX_MAX_CHATS} inputMode="numeric" style={{ maxWidth: '5em' }} value={max} onInput={(e) => setMax(e.currentTarget.value)} />
        <FormError message={error} />
      </td>
      <td colSpan={2}>
        <button class="button button--small button--primary" type="button" disabled={busy} onClick={() => void save()}>
          {t('staff.save')}
        </button>{' '}
        <button class="button button--small button--quiet" type="button" onClick={onCancel}>
          {t('rules.cancel')}
        </button>
      </td>
    </tr>
  );
}

function AddStaff({ api, onSaved, onCancel }: { api: Api; onSaved(s: StaffAccount): void; onCancel(): void }) {
  const [form, setForm] = useState<NewStaffForm>(blankStaff);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<NewStaffForm>) => setForm({ ...form, ...patch });
  async function save(event: SubmitEvent) {
    event.preventDefault();
    const built = newStaffRequest(form);
    if (!built.ok) {
      setError(t(built.reason));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(await teamApi.createStaff(api, built.body));
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="staff-add-title">
      <h3 id="staff-add-title">{t('staff.add')}</h3>
      <form class="form" onSubmit={save} aria-busy={busy} noValidate>
        <div class="field">
          <label for="staff-email">{t('field.email')}</label>
          <input id="staff-email" type="email" autoComplete="off" value={form.email} onInput={(e) => update({ email: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="staff-name">{t('field.name')}</label>
          <input id="staff-name" value={form.name} onInput={(e) => update({ name: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="staff-role">{t('staff.role')}</label>
          <select id="staff-role" value={form.role} onChange={(e) => update({ role: e.currentTarget.value as Role })}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="staff-password">{t('field.password')}</label>
          <input id="staff-password" type="password" autoComplete="new-password" aria-describedby="staff-password-hint" value={form.password} onInput={(e) => update({ password: e.currentTarget.value })} />
          <span id="staff-password-hint" class="field__hint">
            {t('setup.password_hint')}
          </span>
        </div>
        <div class="field">
          <label for="staff-max">{t('staff.max_chats')}</label>
          <input id="staff-max" type="number" min={1} max={MAX_MAX_CHATS} inputMode="numeric" value={form.maxChats} onInput={(e) => update({ maxChats: e.currentTarget.value })} />
        </div>
        <FormError message={error} />
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('staff.create')}
          </button>
          <button class="button button--quiet" type="button" onClick={onCancel}>
            {t('rules.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
