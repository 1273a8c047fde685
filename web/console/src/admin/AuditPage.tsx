import type { Api } from '../api/http';
import { conversationPath, followLink } from '../app/route';
import { formatFull } from '../i18n/format';
import { t } from '../i18n/i18n';
import { FormError } from '../ui/FormError';
import { teamApi } from './api';
import { useLoad } from '../ui/useLoad';

/** Refused actions, newest first, for administrators to review. */
export function AuditPage({ api }: { api: Api }) {
  const [entries] = useLoad(() => teamApi.audit(api), [api]);
  let body;
  if (entries.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (entries.kind === 'failed') body = <FormError message={entries.message} />;
  else if (entries.value.length === 0) body = <p class="page__note">{t('audit.empty')}</p>;
  else
    body = (
      <div class="table-scroll">
        <table class="vt__table audit">
          <thead>
            <tr>
              <th scope="col">{t('audit.when')}</th>
              <th scope="col">{t('audit.who')}</th>
              <th scope="col">{t('audit.action')}</th>
              <th scope="col">{t('audit.conversation')}</th>
              <th scope="col">{t('audit.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.value.map((e, i) => (
              <tr key={i}>
                <td>{formatFull(e.at)}</td>
                <td>{e.staff.name}</td>
                <td class="mono">{e.action}</td>
                <td>
                  {e.conversation_id ? (
                    <a href={conversationPath(e.conversation_id)} onClick={followLink} class="mono">
                      {e.conversation_id}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <main class="page" aria-labelledby="audit-title">
      <h2 id="audit-title" class="page__title">
        {t('audit.title')}
      </h2>
      <p class="field__hint">{t('audit.intro')}</p>
      {body}
    </main>
  );
}
