import { useEffect, useState } from 'preact/hooks';
import type { ConversationStatus } from '../../../protocol/ConversationStatus';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { teamApi } from '../admin/api';
import { useLoad } from '../ui/useLoad';
import type { Api } from '../api/http';
import { formatFull } from '../i18n/format';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { apiErrorText } from '../ui/apiError';
import { FormError } from '../ui/FormError';
import { ConversationLink } from '../ui/VisitorProfile';
import { appendPage, historyQuery, nextBefore, noFilters, rangeReversed, type HistoryFilters, type PageCursor } from './query';

const STATUSES: readonly ConversationStatus[] = ['waiting', 'active', 'closed'];

type Results = { rows: ConversationSummary[]; before: PageCursor | null };

/** Past conversations I may see, filtered and paged newest first; each opens in the workspace. */
export function HistoryPage({ store, api }: { store: ConsoleStore; api: Api }) {
  const [sites] = useLoad(() => api.sites(), [api]);
  const [form, setForm] = useState<HistoryFilters>(noFilters);
  const [applied, setApplied] = useState<HistoryFilters>(noFilters);
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const update = (patch: Partial<HistoryFilters>) => setForm({ ...form, ...patch });

  async function load(filters: HistoryFilters, previous: Results | null) {
    setBusy(true);
    setError(null);
    try {
      const page = await teamApi.search(api, historyQuery(filters, previous?.before ?? null));
      setResults({ rows: previous ? appendPage(previous.rows, page) : page, before: nextBefore(page) });
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    void load(noFilters, null);
  }, [api]);

  function search(event: SubmitEvent) {
    event.preventDefault();
    if (rangeReversed(form)) {
      setError(t('history.range_reversed'));
      return;
    }
    setApplied(form);
    void load(form, null);
  }

  const team = store.team.value;
  const departments = store.departments.value.filter((d) => !form.site || d.site_id === form.site);
  const siteName = (id: string) => (sites.kind === 'ready' ? sites.value.find((s) => s.id === id)?.name : undefined) ?? id;
  return (
    <main class="page" aria-labelledby="history-title">
      <h2 id="history-title" class="page__title">
        {t('history.title')}
      </h2>
      <form class="filters history__filters" onSubmit={search} aria-busy={busy} aria-label={t('history.filters')}>
        {sites.kind === 'ready' && sites.value.length > 1 && (
          <div class="field">
            <label for="history-site">{t('rules.site')}</label>
            <select id="history-site" value={form.site} onChange={(e) => update({ site: e.currentTarget.value, department: '' })}>
              <option value="">{t('history.any')}</option>
              {sites.value.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="history-tag">{t('history.tag')}</label>
          <input id="history-tag" value={form.tag} onInput={(e) => update({ tag: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="history-operator">{t('history.operator')}</label>
          <select id="history-operator" value={form.assignee} onChange={(e) => update({ assignee: e.currentTarget.value })}>
            <option value="">{t('history.any')}</option>
            {team.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="history-department">{t('history.department')}</label>
          <select id="history-department" value={form.department} onChange={(e) => update({ department: e.currentTarget.value })}>
            <option value="">{t('history.any')}</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="history-status">{t('history.status')}</label>
          <select id="history-status" value={form.status} onChange={(e) => update({ status: e.currentTarget.value as HistoryFilters['status'] })}>
            <option value="">{t('history.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`history.status_${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="history-from">{t('history.from')}</label>
          <input id="history-from" type="date" value={form.from} onInput={(e) => update({ from: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="history-to">{t('history.to')}</label>
          <input id="history-to" type="date" value={form.to} onInput={(e) => update({ to: e.currentTarget.value })} />
        </div>
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('history.search')}
          </button>
          <button
            class="button button--quiet"
            type="button"
            onClick={() => {
              setForm(noFilters);
              setApplied(noFilters);
              void load(noFilters, null);
            }}
          >
            {t('history.clear')}
          </button>
        </div>
      </form>
      <FormError message={error} />
      {results && results.rows.length === 0 && <p class="page__note">{t('history.empty')}</p>}
      {results && results.rows.length > 0 && (
        <div class="table-scroll">
          <table class="vt__table history">
            <thead>
              <tr>
                <th scope="col">{t('history.visitor')}</th>
                <th scope="col">{t('history.status')}</th>
                <th scope="col">{t('history.operator')}</th>
                <th scope="col">{t('history.department')}</th>
                <th scope="col">{t('history.tags')}</th>
                {sites.kind === 'ready' && sites.value.length > 1 && <th scope="col">{t('rules.site')}</th>}
                <th scope="col">{t('history.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {results.rows.map((c) => (
                <tr key={c.id} data-conversation-id={c.id}>
                  <th scope="row">
                    <ConversationLink store={store} conversation={c}>
                      {c.visitor_label}
                    </ConversationLink>
                  </th>
                  <td>{t(`history.status_${c.status}`)}</td>
                  <td>{c.assignee?.name ?? '—'}</td>
                  <td>{c.department?.name ?? '—'}</td>
                  <td>{c.tags.join(', ') || '—'}</td>
                  {sites.kind === 'ready' && sites.value.length > 1 && <td>{siteName(c.site_id)}</td>}
                  <td>{formatFull(c.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {results?.before != null && (
        <button class="button" type="button" disabled={busy} onClick={() => void load(applied, results)}>
          {t('history.more')}
        </button>
      )}
    </main>
  );
}
