import { useEffect } from 'preact/hooks';
import type { Session } from '../api/session';
import { route } from './route';
import { t } from '../i18n/i18n';
import { ConsolePage } from '../ui/ConsolePage';
import { LoginPage } from '../ui/LoginPage';
import { SetupPage } from '../ui/SetupPage';

export function App({ session }: { session: Session }) {
  useEffect(() => {
    void session.check();
  }, [session]);

  const state = session.state.value;
  const r = route.value;
  if (r.page === 'setup' && state.kind !== 'signed_in') return <SetupPage session={session} token={r.token} />;

  switch (state.kind) {
    case 'checking':
      return <p class="splash">{t('app.loading')}</p>;
    case 'unreachable':
      return (
        <main class="splash">
          <p role="alert">{t('app.unreachable')}</p>
          <button class="button button--primary" type="button" onClick={() => void session.check()}>
            {t('app.retry')}
          </button>
        </main>
      );
    case 'anonymous':
      return <LoginPage session={session} expired={state.expired} />;
    case 'signed_in':
      return <ConsolePage session={session} me={state.me} />;
  }
}
