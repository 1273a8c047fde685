import { useState } from 'preact/hooks';
import type { Rule } from '../../../protocol/Rule';
import type { RuleId } from '../../../protocol/RuleId';
import type { SiteId } from '../../../protocol/SiteId';
import type { SiteView } from '../../../protocol/SiteView';
import type { Api } from '../api/http';
import { navigate, rulesPath } from '../app/route';
import { t } from '../i18n/i18n';
import { conditionSummary, draftOf } from '../rules/draft';
import type { ConsoleStore } from '../state/store';
import { atLeast, isSupervisor } from '../team/roles';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';
import { MailSettings } from './MailSettings';
import { RuleEditor } from './RuleEditor';
import { SiteSettings } from './SiteSettings';
import { useLoad } from './useLoad';


/** Invitation rules and site settings, one site at a time; for administrators also the mail relay all sites share. */
export function RulesPage({ store, api, site: wanted }: { store: ConsoleStore; api: Api; site: SiteId | null }) {
  const [sites, setSites] = useLoad(() => api.sites(), [api]);

  const role = store.me.value.role;
  let body;
  if (sites.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (sites.kind === 'failed') body = <FormError message={t('rules.load_failed', { reason: sites.message })} />;
  else if (sites.value.length === 0) body = <p class="page__note">{t('rules.no_sites')}</p>;
  else {
    const list = sites.value;
    const site = list.find((s) => s.id === wanted) ?? list[0]!;
    const replace = (fresh: SiteView) => setSites(list.map((s) => (s.id === fresh.id ? fresh : s)));
    body = (
      <>
        <div class="control">
          <label for="rules-site">{t('rules.site')}</label>
          <select id="rules-site" value={site.id} onChange={(e) => navigate(rulesPath(e.currentTarget.value), { replace: true })}>
            {list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <div class="page__columns">
          <RuleList key={site.id} store={store} api={api} site={site.id} canEdit={isSupervisor(role)} />
          <div class="page__side">
            <SiteSettings key={site.id} api={api} site={site} canEdit={atLeast(role, 'admin')} onSaved={replace} />
            {atLeast(role, 'admin') && <MailSettings api={api} />}
          </div>
        </div>
      </>
    );
  }

  return (
    <main class="page" aria-labelledby="rules-title">
      <h2 id="rules-title" class="page__title">
        {t('rules.title')}
      </h2>
      {body}
    </main>
  );
}

function RuleList({ store, api, site, canEdit }: { store: ConsoleStore; api: Api; site: SiteId; canEdit: boolean }) {
  const [rules, set] = useLoad(() => api.rules(site), [api, site]);
  const [editing, setEditing] = useState<RuleId | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<RuleId | null>(null);
  const [busy, setBusy] = useState<RuleId | null>(null);

  if (rules.kind === 'loading') return <p class="page__note">{t('app.loading')}</p>;
  if (rules.kind === 'failed') return <FormError message={t('rules.load_failed', { reason: rules.message })} />;
  const list = rules.value;

  async function act(id: RuleId, action: () => Promise<void>, done: string | null) {
    setBusy(id);
    setError(null);
    setStatus(null);
    try {
      await action();
      setStatus(done);
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(null);
      setConfirming(null);
    }
  }

  const toggle = (rule: Rule) =>
    act(
      rule.id,
      async () => {
        const fresh = await api.updateRule(rule.id, { ...draftOf(rule), enabled: !rule.enabled });
        set(list.map((r) => (r.id === fresh.id ? fresh : r)));
      },
      null,
    );

  const remove = (rule: Rule) =>
    act(
      rule.id,
      async () => {
        await api.deleteRule(rule.id);
        set(list.filter((r) => r.id !== rule.id));
      },
      t('rules.deleted'),
    );

  const saved = (rule: Rule) => {
    set(list.some((r) => r.id === rule.id) ? list.map((r) => (r.id === rule.id ? rule : r)) : [...list, rule]);
    setEditing(null);
    setError(null);
    setStatus(t('rules.saved'));
  };

  const editingRule = editing && editing !== 'new' ? (list.find((r) => r.id === editing) ?? null) : null;
  return (
    <section class="rules" aria-label={t('rules.title')}>
      {!canEdit && <p class="field__hint">{t('rules.read_only')}</p>}
      {canEdit && editing === null && (
        <button class="button button--primary" type="button" onClick={() => setEditing('new')}>
          {t('rules.new')}
        </button>
      )}
      {editing !== null && (
        <RuleEditor
          key={editing}
          api={api}
          store={store}
          site={site}
          rule={editingRule}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      )}
      <FormError message={error} />
      <p role="status" class="rules__status">
        {status}
      </p>
      {list.length === 0 ? (
        <p class="page__note">{t('rules.empty')}</p>
      ) : (
        <ul class="rules__list">
          {list.map((rule, i) => (
            <li key={rule.id} class={`rule${rule.enabled ? '' : ' rule--off'}`} data-rule-id={rule.id}>
              <div class="rule__head">
                <h3 id={`rule-${i}-name`} class="rule__name">
                  {rule.name}
                </h3>
                <div class="check">
                  <input
                    id={`rule-${i}-enabled`}
                    type="checkbox"
                    checked={rule.enabled}
                    disabled={!canEdit || busy === rule.id}
                    aria-describedby={`rule-${i}-name`}
                    onChange={() => void toggle(rule)}
                  />
                  <label for={`rule-${i}-enabled`}>{t('rules.enabled')}</label>
                </div>
              </div>
              {rule.conditions.length === 0 ? (
                <p class="rule__conds">{t('rules.every_visitor')}</p>
              ) : (
                <ul class="rule__conds">
                  {rule.conditions.map((c, j) => (
                    <li key={j}>{conditionSummary(c)}</li>
                  ))}
                </ul>
              )}
              <p class="rule__text">{rule.text}</p>
              <p class="rule__dept">
                {rule.department
                  ? t('rules.department_named', {
                      name: store.departments.value.find((d) => d.id === rule.department)?.name ?? t('rules.department_gone'),
                    })
                  : t('rules.department_none')}
              </p>
              {canEdit && (
                <div class="rule__actions">
                  <button
                    class="button button--small"
                    type="button"
                    aria-describedby={`rule-${i}-name`}
                    disabled={busy === rule.id}
                    onClick={() => setEditing(rule.id)}
                  >
                    {t('rules.edit')}
                  </button>
                  {confirming === rule.id ? (
                    <>
                      <button
                        class="button button--small button--danger"
                        type="button"
                        aria-describedby={`rule-${i}-name`}
                        disabled={busy === rule.id}
                        onClick={() => void remove(rule)}
                      >
                        {t('rules.confirm_delete')}
                      </button>
                      <button class="button button--small button--quiet" type="button" onClick={() => setConfirming(null)}>
                        {t('rules.cancel')}
                      </button>
                    </>
                  ) : (
                    <button
                      class="button button--small"
                      type="button"
                      aria-describedby={`rule-${i}-name`}
                      onClick={() => setConfirming(rule.id)}
                    >
                      {t('rules.delete')}
                    </button>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
