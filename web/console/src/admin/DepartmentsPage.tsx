import { useState } from 'preact/hooks';
import type { Department } from '../../../protocol/Department';
import type { DepartmentId } from '../../../protocol/DepartmentId';
import type { SiteId } from '../../../protocol/SiteId';
import type { TeamMember } from '../../../protocol/TeamMember';
import type { Api } from '../api/http';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { siteDepartments } from '../team/departments';
import { apiErrorText } from '../ui/apiError';
import { FormError } from '../ui/FormError';
import { teamApi } from './api';
import { departmentDraft, departmentForm, ROUTING_STRATEGIES, serverField, type DepartmentField, type DepartmentForm, type FieldErrors } from './department';
import { useLoad } from '../ui/useLoad';

/**
 * Departments per site, for administrators: who answers which chats and how they are handed out.
 * The list is the store's, which the server refreshes with a `departments` frame after every change.
 */
export function DepartmentsPage({ store, api }: { store: ConsoleStore; api: Api }) {
  const [sites] = useLoad(() => api.sites(), [api]);
  const [site, setSite] = useState<SiteId | null>(null);
  const [editing, setEditing] = useState<DepartmentId | 'new' | null>(null);
  const [confirming, setConfirming] = useState<DepartmentId | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  let body;
  if (sites.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (sites.kind === 'failed') body = <FormError message={sites.message} />;
  else if (sites.value.length === 0) body = <p class="page__note">{t('rules.no_sites')}</p>;
  else {
    const current = sites.value.find((s) => s.id === site) ?? sites.value[0]!;
    const list = siteDepartments(store.departments.value, current.id);
    const members = store.team.value;
    const saved = () => {
      setEditing(null);
      setStatus(t('dept.saved'));
    };
    const remove = async (d: Department) => {
      setError(null);
      try {
        await teamApi.deleteDepartment(api, d.id);
        setStatus(t('dept.deleted'));
      } catch (e) {
        setError(apiErrorText(e));
      } finally {
        setConfirming(null);
      }
    };
    const editingDept = editing && editing !== 'new' ? (list.find((d) => d.id === editing) ?? null) : null;
    body = (
      <>
        <div class="control">
          <label for="dept-site">{t('rules.site')}</label>
          <select id="dept-site" value={current.id} onChange={(e) => setSite(e.currentTarget.value)}>
            {sites.value.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        {editing === null ? (
          <button class="button button--primary" type="button" onClick={() => setEditing('new')}>
            {t('dept.new')}
          </button>
        ) : (
          <DepartmentEditor
            key={`${current.id}-${editing}`}
            api={api}
            site={current.id}
            dept={editingDept}
            members={members}
            onSaved={saved}
            onCancel={() => setEditing(null)}
          />
        )}
        <FormError message={error} />
        <p role="status">{status}</p>
        {list.length === 0 ? (
          <p class="page__note">{t('dept.empty')}</p>
        ) : (
          <ul class="rules__list">
            {list.map((d, i) => (
              <li key={d.id} class="rule" data-dept-id={d.id}>
                <div class="rule__head">
                  <h3 id={`dept-${i}-name`} class="rule__name">
                    {d.name}
                  </h3>
                  <span class="chip">{t(`routing.${d.routing}`)}</span>
                  {d.public && <span class="chip">{t('dept.public_short')}</span>}
                </div>
                {d.pages.length > 0 && <p class="rule__conds mono">{d.pages.join(', ')}</p>}
                <p class="rule__dept">
                  {t('dept.member_count', { count: d.members.length })}
                  {d.members.length > 0 && ': ' + d.members.map((id) => members.find((m) => m.id === id)?.name ?? id).join(', ')}
                </p>
                <div class="rule__actions">
                  <button class="button button--small" type="button" aria-describedby={`dept-${i}-name`} onClick={() => setEditing(d.id)}>
                    {t('rules.edit')}
                  </button>
                  {confirming === d.id ? (
                    <>
                      <button class="button button--small button--danger" type="button" aria-describedby={`dept-${i}-name`} onClick={() => void remove(d)}>
                        {t('dept.confirm_delete')}
                      </button>
                      <button class="button button--small button--quiet" type="button" onClick={() => setConfirming(null)}>
                        {t('rules.cancel')}
                      </button>
                    </>
                  ) : (
                    <button class="button button--small" type="button" aria-describedby={`dept-${i}-name`} onClick={() => setConfirming(d.id)}>
                      {t('rules.delete')}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }

  return (
    <main class="page" aria-labelledby="dept-title">
      <h2 id="dept-title" class="page__title">
        {t('dept.title')}
      </h2>
      {body}
    </main>
  );
}

export interface DepartmentEditorProps {
  api: Api;
  site: SiteId;
  dept: Department | null;
  members: readonly TeamMember[];
  onSaved(d: Department): void;
  onCancel(): void;
}

export function DepartmentEditor({ api, site, dept, members, onSaved, onCancel }: DepartmentEditorProps) {
  const [form, setForm] = useState<DepartmentForm>(() => departmentForm(dept));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<{ field: DepartmentField | null; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<DepartmentForm>) => setForm({ ...form, ...patch });

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const built = departmentDraft(form);
    setServerError(null);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onSaved(dept ? await teamApi.updateDepartment(api, dept.id, built.draft) : await teamApi.createDepartment(api, { site_id: site, ...built.draft }));
    } catch (e) {
      setServerError({ field: serverField(e), text: apiErrorText(e) });
    } finally {
      setBusy(false);
    }
  }

  const problem = (field: DepartmentField): string | null => {
    const key = errors[field];
    if (key) return t(key);
    return serverError?.field === field ? serverError.text : null;
  };
  const described = (field: DepartmentField, hint?: string) => {
    const ids = [hint, problem(field) ? `dept-${field}-error` : undefined].filter(Boolean).join(' ');
    return { 'aria-describedby': ids || undefined, 'aria-invalid': problem(field) ? true : undefined };
  };
  const fieldError = (field: DepartmentField) =>
    problem(field) && (
      <p id={`dept-${field}-error`} class="field__hint field__hint--error" data-error-for={field}>
        {problem(field)}
      </p>
    );

  return (
    <section class="card" aria-labelledby="dept-editor-title">
      <h3 id="dept-editor-title">{dept ? t('dept.form_edit') : t('dept.form_new')}</h3>
      <form class="form" onSubmit={save} aria-busy={busy} noValidate>
        <div class="field">
          <label for="dept-name">{t('dept.name')}</label>
          <input id="dept-name" value={form.name} onInput={(e) => update({ name: e.currentTarget.value })} {...described('name')} />
          {fieldError('name')}
        </div>
        <fieldset class="plain">
          <legend>{t('dept.routing')}</legend>
          {ROUTING_STRATEGIES.map((r) => (
            <div class="check" key={r}>
              <input
                id={`dept-routing-${r}`}
                type="radio"
                name="dept-routing"
                checked={form.routing === r}
                aria-describedby={`dept-routing-${r}-hint`}
                onChange={() => update({ routing: r })}
              />
              <label for={`dept-routing-${r}`}>{t(`routing.${r}`)}</label>
              <span id={`dept-routing-${r}-hint`} class="field__hint">
                {' — '}
                {t(`routing.${r}_hint`)}
              </span>
            </div>
          ))}
        </fieldset>
        <div class="check">
          <input id="dept-public" type="checkbox" checked={form.public} onChange={(e) => update({ public: e.currentTarget.checked })} />
          <label for="dept-public">{t('dept.public')}</label>
        </div>
        <div class="field">
          <label for="dept-pages">{t('dept.pages')}</label>
          <textarea id="dept-pages" class="mono" rows={3} value={form.pages} onInput={(e) => update({ pages: e.currentTarget.value })} {...described('pages', 'dept-pages-hint')} />
          <span id="dept-pages-hint" class="field__hint">
            {t('dept.pages_hint')}
          </span>
          {fieldError('pages')}
        </div>
        <div class="field">
          <label for="dept-notify">{t('dept.notify')}</label>
          <input id="dept-notify" type="email" value={form.notify} onInput={(e) => update({ notify: e.currentTarget.value })} {...described('notify', 'dept-notify-hint')} />
          <span id="dept-notify-hint" class="field__hint">
            {t('dept.notify_hint')}
          </span>
          {fieldError('notify')}
        </div>
        <fieldset class="plain" {...described('members')}>
          <legend>{t('dept.members')}</legend>
          {members.length === 0 && <p class="field__hint">{t('team.empty')}</p>}
          {members.map((m) => (
            <div class="check" key={m.id}>
              <input
                id={`dept-member-${m.id}`}
                type="checkbox"
                checked={form.members.includes(m.id)}
                onChange={(e) =>
                  update({ members: e.currentTarget.checked ? [...form.members, m.id] : form.members.filter((x) => x !== m.id) })
                }
              />
              <label for={`dept-member-${m.id}`}>{m.name}</label>
            </div>
          ))}
          {fieldError('members')}
        </fieldset>
        {serverError && serverError.field === null && <FormError message={serverError.text} />}
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('dept.save')}
          </button>
          <button class="button button--quiet" type="button" onClick={onCancel}>
            {t('rules.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
