import { useState } from 'preact/hooks';
import type { AgentStatus } from '../../../protocol/AgentStatus';
import { ApiError } from '../api/http';
import type { Session } from '../api/session';
import { BASE, followLink, pagePath, route, rulesPath, visitorsPath } from '../app/route';
import { askNotificationPermission, notificationPermission } from '../alerts/desktop';
import { lang, LANG_NAMES, LANGS, t, type Lang } from '../i18n/i18n';
import type { InternalChat } from '../internal/chat';
import { InternalChatButton } from '../internal/InternalChat';
import type { ConsoleStore } from '../state/store';
import { navPages, type NavPage } from '../team/roles';
import { AccountMenu } from './AccountMenu';
import { Logo } from './Logo';

const STATUSES: readonly AgentStatus[] = ['online', 'away', 'offline'];

export function Header({ store, session, chat }: { store: ConsoleStore; session: Session; chat?: InternalChat }) {
  const fail = (e: unknown) => {
    store.notice.value = e instanceof ApiError ? e.code : 'internal';
  };
  const state = session.state.value;
  const me = state.kind === 'signed_in' ? state.me : store.me.value;
  return (
    <header class="topbar">
      <h1 class="topbar__brand">
        <Logo />
        {t('app.name')}
      </h1>
      <Nav store={store} />
      <LinkBadge store={store} />
      <div class="topbar__controls">
        {chat && <InternalChatButton chat={chat} />}
        <StatusSelect store={store} />
        <LanguageSelect session={session} onError={fail} />
        <NotificationControl />
        <AccountMenu session={session} me={me} />
        <button class="button button--quiet" type="button" onClick={() => session.logOut().catch(fail)}>
          {t('header.logout')}
        </button>
      </div>
    </header>
  );
}

const NAV: Record<NavPage, { href: () => string; label: () => string }> = {
  inbox: { href: () => BASE, label: () => t('nav.inbox') },
  visitors: { href: () => visitorsPath(), label: () => t('nav.visitors') },
  history: { href: () => pagePath('history'), label: () => t('nav.history') },
  canned: { href: () => pagePath('canned'), label: () => t('nav.canned') },
  team: { href: () => pagePath('team'), label: () => t('nav.team') },
  rules: { href: () => rulesPath(), label: () => t('nav.rules') },
  departments: { href: () => pagePath('departments'), label: () => t('nav.departments') },
  audit: { href: () => pagePath('audit'), label: () => t('nav.audit') },
};

/** The pages my role may open; the server refuses the rest whatever the address says. */
export function Nav({ store }: { store: ConsoleStore }) {
  const page = route.value.page;
  const current = (p: NavPage) => p === page || (p === 'inbox' && page === 'conversation');
  return (
    <nav class="nav" aria-label={t('nav.label')}>
      {navPages(store.me.value.role).map((p) => (
        <a key={p} class="nav__link" href={NAV[p].href()} onClick={followLink} aria-current={current(p) ? 'page' : undefined}>
          {NAV[p].label()}
        </a>
      ))}
    </nav>
  );
}

function LinkBadge({ store }: { store: ConsoleStore }) {
  const state = store.linkState.value;
  return (
    <p class={`link link--${state}`} role="status">
      {t(state === 'open' ? 'link.open' : state === 'down' ? 'link.down' : 'link.connecting')}
    </p>
  );
}

function StatusSelect({ store }: { store: ConsoleStore }) {
  const status = store.status.value;
  return (
    <div class="control">
      <label for="status-select">{t('header.status')}</label>
      <span class={`presence presence--${status}`} aria-hidden="true" />
      <select
        id="status-select"
        value={status}
        disabled={store.linkState.value !== 'open'}
        onChange={(e) => {
          const select = e.currentTarget;
          store.setStatus(select.value as AgentStatus);
          // A refused switch must not leave the control showing what was not applied.
          select.value = store.status.value;
        }}
      >
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function LanguageSelect({ session, onError }: { session: Session; onError: (e: unknown) => void }) {
  const [saving, setSaving] = useState(false);
  async function choose(select: HTMLSelectElement) {
    setSaving(true);
    try {
      await session.update({ lang: select.value as Lang });
    } catch (e) {
      onError(e);
    } finally {
      setSaving(false);
      select.value = lang.value;
    }
  }
  return (
    <div class="control">
      <label for="lang-select">{t('header.language')}</label>
      <select
        id="lang-select"
        value={lang.value}
        disabled={saving}
        onChange={(e) => void choose(e.currentTarget)}
      >
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}

function NotificationControl() {
  switch (notificationPermission.value) {
    case 'default':
      return (
        <button class="button button--quiet" type="button" onClick={() => void askNotificationPermission()}>
          {t('header.notifications_enable')}
        </button>
      );
    case 'granted':
      return <span class="topbar__note">{t('header.notifications_on')}</span>;
    case 'denied':
      return <span class="topbar__note">{t('header.notifications_blocked')}</span>;
    case 'unsupported':
      return null;
  }
}
