import { useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import type { Session } from '../api/session';
import { BASE, navigate } from '../app/route';
import { errorText, t, type MessageKey } from '../i18n/i18n';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';
import { chars, MIN_PASSWORD_CHARS } from './validate';

type Problem = { code: string } | { key: MessageKey };

/** First run: creates the first admin with the one-time token from `shopkeep serve`. */
export function SetupPage({ session, token }: { session: Session; token: string | null }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  if (!token) {
    return (
      <AuthLayout title={t('setup.title')}>
        <FormError message={t('setup.no_token')} />
      </AuthLayout>
    );
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const password = String(form.get('password'));
    if (chars(password) < MIN_PASSWORD_CHARS) return setProblem({ key: 'setup.password_short' });
    if (password !== form.get('confirm')) return setProblem({ key: 'setup.password_mismatch' });
    setBusy(true);
    setProblem(null);
    try {
      await session.setUp({
        token: token!,
        name: String(form.get('name')).trim(),
        email: String(form.get('email')).trim(),
        password,
      });
      // The token is spent: drop it from the address bar and the history.
      navigate(BASE, { replace: true });
    } catch (e) {
      setProblem({ code: e instanceof ApiError ? e.code : 'internal' });
      setBusy(false);
    }
  }

  return (
    <AuthLayout title={t('setup.title')}>
      <p class="auth__intro">{t('setup.intro')}</p>
      <form class="form" onSubmit={submit} aria-busy={busy}>
        <div class="field">
          <label for="setup-name">{t('field.name')}</label>
          <input id="setup-name" name="name" autocomplete="name" required maxLength={100} autofocus />
        </div>
        <div class="field">
          <label for="setup-email">{t('field.email')}</label>
          <input id="setup-email" name="email" type="email" autocomplete="username" required />
        </div>
        <div class="field">
          <label for="setup-password">{t('field.password')}</label>
          <input
            id="setup-password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minLength={MIN_PASSWORD_CHARS}
            aria-describedby="setup-password-hint"
          />
          <p class="field__hint" id="setup-password-hint">
            {t('setup.password_hint')}
          </p>
        </div>
        <div class="field">
          <label for="setup-confirm">{t('setup.confirm')}</label>
          <input id="setup-confirm" name="confirm" type="password" autocomplete="new-password" required />
        </div>
        <FormError message={problem && ('key' in problem ? t(problem.key) : errorText(problem.code))} />
        <button class="button button--primary" type="submit" disabled={busy}>
          {t('setup.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
