import { useEffect, useState } from 'preact/hooks';
import type { MailKind } from '../../../protocol/MailKind';
import type { MailSettingsView } from '../../../protocol/MailSettingsView';
import type { SmtpTls } from '../../../protocol/SmtpTls';
import { ApiError, type Api, type MailFailureRow } from '../api/http';
import { formatFull, formatNumber } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import { DEFAULT_PORTS, mailForm, mailUpdate, type MailForm, type MailProblem } from '../settings/mail';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';
import { useLoad, type Loaded } from './useLoad';

const TLS_MODES: readonly SmtpTls[] = ['none', 'starttls', 'tls'];

const PROBLEMS: Record<MailProblem, MessageKey> = {
  host: 'mail.host_invalid',
  port: 'mail.port_invalid',
  from_address: 'mail.from_invalid',
};


/** The SMTP relay every site's mail goes through, a test email, and mail that could not be delivered. Admins only. */
export function MailSettings({ api }: { api: Api }) {
  const [view, setView] = useLoad(() => api.mailSettings(), [api]);

  let body;
  if (view.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (view.kind === 'failed') body = <FormError message={t('mail.load_failed', { reason: view.message })} />;
  else {
    body = (
      <>
        <RelayForm api={api} view={view.value} onSaved={setView} />
        <TestMail api={api} />
      </>
    );
  }
  return (
    <section class="card" aria-labelledby="mail-title">
      <h3 id="mail-title">{t('mail.title')}</h3>
      <p class="field__hint">{t('mail.hint')}</p>
      {body}
      <MailFailures api={api} />
    </section>
  );
}

function RelayForm({ api, view, onSaved }: { api: Api; view: MailSettingsView; onSaved(view: MailSettingsView): void }) {
  const [form, setForm] = useState<MailForm>(() => mailForm(view));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const readOnly = view.source === 'config';
  const update = (patch: Partial<MailForm>) => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };

  function chooseTls(tls: SmtpTls) {
    // Follow the mode with its usual port unless the port was set to something else.
    const usual = Object.values(DEFAULT_PORTS).map(String);
    update({ tls, ...(usual.includes(form.port.trim()) ? { port: String(DEFAULT_PORTS[tls]) } : {}) });
  }

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const built = mailUpdate(form);
    if (!built.ok) {
      setError(t(PROBLEMS[built.problem]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const fresh = await api.updateMailSettings(built.update);
      setForm(mailForm(fresh));
      setSaved(true);
      onSaved(fresh);
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={save} aria-busy={busy} aria-label={t('mail.relay')}>
      {readOnly && (
        <p class="note" id="mail-config-note">
          {t('mail.source_config')}
        </p>
      )}
      {view.source === 'none' && <p class="note">{t('mail.source_none')}</p>}
      <fieldset class="plain" disabled={readOnly} aria-describedby={readOnly ? 'mail-config-note' : undefined}>
        <legend>{t('mail.relay')}</legend>
        <div class="field">
          <label for="mail-host">{t('mail.host')}</label>
          <input id="mail-host" value={form.host} autocomplete="off" onInput={(e) => update({ host: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="mail-tls">{t('mail.tls')}</label>
          <select id="mail-tls" value={form.tls} onChange={(e) => chooseTls(e.currentTarget.value as SmtpTls)}>
            {TLS_MODES.map((m) => (
              <option key={m} value={m}>
                {t(`mail.tls_${m}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="mail-port">{t('mail.port')}</label>
          <input id="mail-port" inputMode="numeric" value={form.port} onInput={(e) => update({ port: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="mail-username">{t('mail.username')}</label>
          <input
            id="mail-username"
            value={form.username}
            autocomplete="off"
            onInput={(e) => update({ username: e.currentTarget.value })}
          />
        </div>
        <p class="field__label" data-password={view.password_set ? 'set' : 'not_set'}>
          {t(view.password_set ? 'mail.password_set' : 'mail.password_not_set')}
        </p>
        {!readOnly && (
          <>
            <div class="field">
              <label for="mail-password">{t(view.password_set ? 'mail.new_password' : 'mail.password')}</label>
              <input
                id="mail-password"
                type="password"
                autocomplete="new-password"
                value={form.password}
                disabled={form.removePassword}
                aria-describedby={view.password_set ? 'mail-password-hint' : undefined}
                onInput={(e) => update({ password: e.currentTarget.value })}
              />
              {view.password_set && (
                <span class="field__hint" id="mail-password-hint">
                  {t('mail.new_password_hint')}
                </span>
              )}
            </div>
            {view.password_set && (
              <div class="check">
                <input
                  id="mail-remove-password"
                  type="checkbox"
                  checked={form.removePassword}
                  onChange={(e) => update({ removePassword: e.currentTarget.checked })}
                />
                <label for="mail-remove-password">{t('mail.remove_password')}</label>
              </div>
            )}
          </>
        )}
        <div class="field">
          <label for="mail-from-address">{t('mail.from_address')}</label>
          <input
            id="mail-from-address"
            type="email"
            value={form.fromAddress}
            onInput={(e) => update({ fromAddress: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="mail-from-name">{t('mail.from_name')}</label>
          <input id="mail-from-name" value={form.fromName} onInput={(e) => update({ fromName: e.currentTarget.value })} />
        </div>
      </fieldset>
      <FormError message={error} />
      {saved && <p role="status">{t('mail.saved')}</p>}
      {!readOnly && (
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('mail.save')}
          </button>
        </div>
      )}
    </form>
  );
}

function TestMail({ api }: { api: Api }) {
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  async function send(event: SubmitEvent) {
    event.preventDefault();
    const address = to.trim();
    setSent(null);
    if (!address) {
      setError(t('mail.test_to_invalid'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.sendTestMail(address);
      setSent(t('mail.test_sent', { to: address }));
    } catch (e) {
      // A failed delivery (502) or missing settings (409) come with the server's own explanation, which is the point of the test.
      const own = e instanceof ApiError && (e.status === 502 || e.status === 409) && e.message.trim() ? e.message.trim() : null;
      setError(t('mail.test_failed', { reason: own ?? apiErrorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="form" onSubmit={send} aria-busy={busy} aria-labelledby="mail-test-title">
      <h4 id="mail-test-title" class="card__subtitle">
        {t('mail.test_title')}
      </h4>
      <div class="field">
        <label for="mail-test-to">{t('mail.test_to')}</label>
        <input id="mail-test-to" type="email" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </div>
      <FormError message={error} />
      {sent && <p role="status">{sent}</p>}
      <div class="form__actions">
        <button class="button" type="submit" disabled={busy}>
          {t('mail.test_send')}
        </button>
      </div>
    </form>
  );
}

const KINDS: Record<MailKind, MessageKey> = {
  offline: 'mail.kind_offline',
  reply: 'mail.kind_reply',
  transcript: 'mail.kind_transcript',
  missed: 'mail.kind_missed',
  test: 'mail.kind_test',
};

/** Mail the outbox could not deliver (yet); everything in it is shown as text. */
function MailFailures({ api }: { api: Api }) {
  const [list, setList] = useState<Loaded<MailFailureRow[]>>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    api.mailFailures().then(
      (value) => current && setList({ kind: 'ready', value }),
      (e: unknown) => current && setList({ kind: 'failed', message: apiErrorText(e) }),
    );
    return () => {
      current = false;
    };
  }, [api, round]);

  let body;
  if (list.kind === 'loading') body = <p class="page__note">{t('app.loading')}</p>;
  else if (list.kind === 'failed') body = <FormError message={t('mail.failures_failed', { reason: list.message })} />;
  else if (list.value.length === 0) body = <p class="page__note">{t('mail.failures_none')}</p>;
  else {
    body = (
      <div class="table-scroll">
        <table class="failures" aria-labelledby="mail-failures-title">
          <thead>
            <tr>
              <th scope="col">{t('mail.col_time')}</th>
              <th scope="col">{t('mail.col_kind')}</th>
              <th scope="col">{t('mail.col_to')}</th>
              <th scope="col">{t('mail.col_subject')}</th>
              <th scope="col">{t('mail.col_attempts')}</th>
              <th scope="col">{t('mail.col_error')}</th>
            </tr>
          </thead>
          <tbody>
            {list.value.map((f) => (
              <tr key={f.id} data-mail-id={f.id}>
                <td data-field="time">
                  <time dateTime={new Date(f.last_attempt_at).toISOString()}>{formatFull(f.last_attempt_at)}</time>
                  <span class="failures__next">
                    {f.next_attempt_at === null ? t('mail.given_up') : t('mail.retry_at', { time: formatFull(f.next_attempt_at) })}
                  </span>
                </td>
                <td data-field="kind">{t(KINDS[f.kind] ?? 'mail.kind_test')}</td>
                <td data-field="to">{f.to}</td>
                <td data-field="subject">{f.subject}</td>
                <td data-field="attempts">{formatNumber(f.attempts)}</td>
                <td data-field="error">{f.last_error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return (
    <div class="failures__box">
      <div class="failures__head">
        <h4 id="mail-failures-title" class="card__subtitle">
          {t('mail.failures')}
        </h4>
        <button class="button button--small button--quiet" type="button" onClick={() => setRound(round + 1)}>
          {t('mail.refresh')}
        </button>
      </div>
      {body}
    </div>
  );
}
