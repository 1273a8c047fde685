import type { ComponentChildren } from 'preact';
import { t } from '../i18n/i18n';
import { Logo } from './Logo';

/** The centred card around the login and setup forms. */
export function AuthLayout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="auth">
      <div class="auth__card">
        <p class="auth__brand">
          <Logo />
          {t('app.name')}
        </p>
        <h1 class="auth__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}
