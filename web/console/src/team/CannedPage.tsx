import { useState } from 'preact/hooks';
import type { Canned } from '../../../protocol/Canned';
import type { CannedId } from '../../../protocol/CannedId';
import type { Role } from '../../../protocol/Role';
import type { SiteId } from '../../../protocol/SiteId';
import type { StaffId } from '../../../protocol/StaffId';
import { teamApi } from '../admin/api';
import { useLoad } from '../ui/useLoad';
import type { Api } from '../api/http';
import { LANG_NAMES, LANGS, t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { apiErrorText } from '../ui/apiError';
import { FormError } from '../ui/FormError';
import { cannedDraft, cannedForm, PLACEHOLDERS, searchCanned, type CannedForm } from './canned';
import { mayEditShared } from './roles';

/** May I change this answer: my own always, a shared one as supervisor or admin. */
export const mayEditCanned = (c: Canned, me: StaffId, role: Role) => (c.shared ? mayEditShared(role) : c.owner === me);

/** Canned answers of a site: my own and the shared ones, searchable, with texts per language. */
export function CannedPage({ store, api }: { store: ConsoleStore; api: Api }) {
  const [sites] = useLoad(() => api.sites(), [api]);
  const [site, setSite] = useState<SiteId | null>(null);
  let body;
  if (sites.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (sites.kind === 'failed') body = <FormError message={sites.message} />;
  else if (sites.value.length === 0) body = <p class="page__note">{t('rules.no_sites')}</p>;
  else {
    const current = sites.value.find((s) => s.id === site) ?? sites.value[0]!;
    body = (
      <>
        <div class="control">
          <label for="canned-site">{t('rules.site')}</label>
          <select id="canned-site" value={current.id} onChange={(e) => setSite(e.currentTarget.value)}>
            {sites.value.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <CannedList key={current.id} store={store} api={api} site={current.id} />
      </>
    );
  }
  return (
    <main class="page" aria-labelledby="canned-title">
      <h2 id="canned-title" class="page__title">
        {t('canned.title')}
      </h2>
      {body}
    </main>
  );
}

function CannedList({ store, api, site }: { store: ConsoleStore; api: Api; site: SiteId }) {
  const [list, setList] = useLoad(() => teamApi.canned(api, site), [api, site]);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<CannedId | 'new' | null>(null);
  const [confirming, setConfirming] = useState<CannedId | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const me = store.me.value;
  if (list.kind === 'loading') return <p class="page__note">{t('app.loading')}</p>;
  if (list.kind === 'failed') return <FormError message={list.message} />;
  const all = list.value;
  const shown = searchCanned(all, query);
  const saved = (c: Canned) => {
    setList(all.some((x) => x.id === c.id) ? all.map((x) => (x.id === c.id ? c : x)) : [...all, c]);
    setEditing(null);
    setStatus(t('canned.saved'));
  };
  const remove = async (c: Canned) => {
    setError(null);
    try {
      await teamApi.deleteCanned(api, c.id);
      setList(all.filter((x) => x.id !== c.id));
      setStatus(t('canned.deleted'));
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setConfirming(null);
    }
  };
  const editingItem = editing && editing !== 'new' ? (all.find((c) => c.id === editing) ?? null) : null;
  return (
    <section class="rules" aria-label={t('canned.title')}>
      {editing === null ? (
        <button class="button button--primary" type="button" onClick={() => setEditing('new')}>
          {t('canned.new')}
        </button>
      ) : (
        <CannedEditor key={editing} api={api} site={site} item={editingItem} canShare={mayEditShared(me.role)} onSaved={saved} onCancel={() => setEditing(null)} />
      )}
      <div class="field">
        <label for="canned-search">{t('canned.search')}</label>
        <input id="canned-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      <FormError message={error} />
      <p role="status">{status}</p>
      {shown.length === 0 ? (
        <p class="page__note">{t(all.length ? 'canned.no_match' : 'canned.empty')}</p>
      ) : (
        <ul class="rules__list">
          {shown.map((c, i) => {
            const editable = mayEditCanned(c, me.id, me.role);
            return (
              <li key={c.id} class="rule" data-canned-id={c.id}>
                <div class="rule__head">
                  <h3 id={`canned-${i}-title`} class="rule__name">
                    <span class="mono">/{c.shortcut}</span> {c.title}
                  </h3>
                  <span class="chip">{t(c.shared ? 'canned.shared' : 'canned.personal')}</span>
                </div>
                <p class="rule__text">{c.text}</p>
                {Object.keys(c.variants).length > 0 && (
                  <p class="field__hint">{t('canned.variants_in', { languages: Object.keys(c.variants).join(', ') })}</p>
                )}
                {editable && (
                  <div class="rule__actions">
                    <button class="button button--small" type="button" aria-describedby={`canned-${i}-title`} onClick={() => setEditing(c.id)}>
                      {t('rules.edit')}
                    </button>
                    {confirming === c.id ? (
                      <>
                        <button class="button button--small button--danger" type="button" aria-describedby={`canned-${i}-title`} onClick={() => void remove(c)}>
                          {t('canned.confirm_delete')}
                        </button>
                        <button class="button button--small button--quiet" type="button" onClick={() => setConfirming(null)}>
                          {t('rules.cancel')}
                        </button>
                      </>
                    ) : (
                      <button class="button button--small" type="button" aria-describedby={`canned-${i}-title`} onClick={() => setConfirming(c.id)}>
                        {t('rules.delete')}
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface CannedEditorProps {
  api: Api;
  site: SiteId;
  item: Canned | null;
  canShare: boolean;
  onSaved(c: Canned): void;
  onCancel(): void;
}

function CannedEditor({ api, site, item, canShare, onSaved, onCancel }: CannedEditorProps) {
  const [form, setForm] = useState<CannedForm>(() => cannedForm(item));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (patch: Partial<CannedForm>) => setForm({ ...form, ...patch });
  async function save(event: SubmitEvent) {
    event.preventDefault();
    const built = cannedDraft(form);
    if (!built.ok) {
      setError(t(built.reason));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onSaved(item ? await teamApi.updateCanned(api, item.id, built.draft) : await teamApi.createCanned(api, { site_id: site, ...built.draft }));
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="card" aria-labelledby="canned-editor-title">
      <h3 id="canned-editor-title">{item ? t('canned.form_edit') : t('canned.form_new')}</h3>
      <form class="form" onSubmit={save} aria-busy={busy} noValidate>
        <div class="field">
          <label for="canned-shortcut">{t('canned.shortcut')}</label>
          <input id="canned-shortcut" class="mono" value={form.shortcut} aria-describedby="canned-shortcut-hint" onInput={(e) => update({ shortcut: e.currentTarget.value })} />
          <span id="canned-shortcut-hint" class="field__hint">
            {t('canned.shortcut_hint')}
          </span>
        </div>
        <div class="field">
          <label for="canned-title-input">{t('canned.title_field')}</label>
          <input id="canned-title-input" value={form.title} onInput={(e) => update({ title: e.currentTarget.value })} />
        </div>
        <p class="field__hint" id="canned-placeholders">
          {t('canned.placeholders', { list: PLACEHOLDERS.join(', ') })}
        </p>
        <div class="field">
          <label for="canned-text">{t('canned.text')}</label>
          <textarea id="canned-text" rows={3} value={form.text} aria-describedby="canned-placeholders" onInput={(e) => update({ text: e.currentTarget.value })} />
        </div>
        <fieldset class="plain">
          <legend>{t('canned.variants')}</legend>
          <p class="field__hint">{t('canned.variants_hint')}</p>
          {LANGS.map((l) => (
            <div class="field" key={l}>
              <label for={`canned-variant-${l}`}>{t('canned.variant', { language: LANG_NAMES[l] })}</label>
              <textarea
                id={`canned-variant-${l}`}
                lang={l}
                rows={2}
                value={form.variants[l]}
                onInput={(e) => update({ variants: { ...form.variants, [l]: e.currentTarget.value } })}
              />
            </div>
          ))}
        </fieldset>
        {canShare && (
          <div class="check">
            <input id="canned-shared" type="checkbox" checked={form.shared} onChange={(e) => update({ shared: e.currentTarget.checked })} />
            <label for="canned-shared">{t('canned.share')}</label>
          </div>
        )}
        <FormError message={error} />
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('canned.save')}
          </button>
          <button class="button button--quiet" type="button" onClick={onCancel}>
            {t('rules.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
