import { useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import type { Session } from '../api/session';
import { errorText, t } from '../i18n/i18n';
import { AuthLayout } from './AuthLayout';
import { FormError } from './FormError';

export function LoginPage({ session, expired }: { session: Session; expired: boolean }) {
  const [error, setError] = useState<string | null>(expired ? 'unauthorized' : null);
  const [busy, setBusy] = useState(false);

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await session.logIn(String(form.get('email')), String(form.get('password')));
    } catch (e) {
      setError(e instanceof ApiError ? e.code : 'internal');
      setBusy(false);
    }
  }

  return (
    <AuthLayout title={t('login.title')}>
      <form class="form" onSubmit={submit} aria-busy={busy}>
        <div class="field">
          <label for="login-email">{t('field.email')}</label>
          <input id="login-email" name="email" type="email" autocomplete="username" required autofocus />
        </div>
        <div class="field">
          <label for="login-password">{t('field.password')}</label>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required />
        </div>
        <FormError message={error && errorText(error)} />
        <button class="button button--primary" type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </AuthLayout>
  );
}
