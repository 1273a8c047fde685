import { useSignalEffect } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { Me } from '../../../protocol/Me';
import { Chime } from '../alerts/chime';
import { watchNotificationPermission } from '../alerts/desktop';
import type { Session } from '../api/session';
import { route } from '../app/route';
import { t } from '../i18n/i18n';
import { AgentConnection, agentSocketUrl } from '../live/connection';
import { newClientMsgId } from '../live/clientId';
import { ConsoleStore, type Link } from '../state/store';
import { AuditPage } from '../admin/AuditPage';
import { DepartmentsPage } from '../admin/DepartmentsPage';
import { TeamPage } from '../admin/TeamPage';
import { HistoryPage } from '../history/HistoryPage';
import { InternalChat } from '../internal/chat';
import { InternalChatPanel } from '../internal/InternalChat';
import { watchAway } from '../team/awayWatch';
import { CannedPage } from '../team/CannedPage';
import { mayOpen } from '../team/roles';
import { workspaceAlerts } from '../alerts/workspace';
import { TransferNotices } from '../conversation/TransferNotices';
import { ConversationPane } from './ConversationPane';
import { InvitationNotices } from './InvitationNotices';
import { InviteDialog } from './InviteDialog';
import { pageTitle } from './title';
import { Header } from './Header';
import { Inbox } from './Inbox';
import { NoticeBar } from './NoticeBar';
import { RulesPage } from './RulesPage';
import { VisitorsPage } from './VisitorsPage';

function createStore(session: Session, me: Me, chime: Chime): { store: ConsoleStore; chat: InternalChat } {
  // The internal chat shares the agent socket: it sends through the same link.
  let link: Link | null = null;
  const chat = new InternalChat({
    me: me.id,
    send: (frame) => link?.send(frame) ?? false,
    newClientMsgId,
    storage: typeof localStorage === 'undefined' ? null : localStorage,
  });
  const store: ConsoleStore = new ConsoleStore({
    me,
    connect: (handlers) => (link = new AgentConnection(handlers, { url: agentSocketUrl() })),
    newClientMsgId,
    onMe: (fresh) => session.signIn(fresh),
    onRefused: () => void session.verify(),
    ...workspaceAlerts({
      chime,
      me: () => store.me.value.id,
      onScreen: (id) => store.openId.value === id && store.viewing.value,
    }),
  });
  return { store, chat };
}

/** The signed-in console: header, inbox and the open conversation, over one agent socket. */
export function ConsolePage({ session, me }: { session: Session; me: Me }) {
  const chime = useMemo(() => new Chime(), []);
  // One store per signed-in operator; profile changes (name, language) keep the socket.
  const { store, chat } = useMemo(() => createStore(session, me, chime), [me.id]);

  useEffect(() => {
    store.start();
    const disarm = chime.unlockOnGesture();
    watchNotificationPermission();
    const unsubscribe = store.subscribe((frame) => chat.receive(frame));
    const stopAway = watchAway(store);
    const seenElsewhere = (e: StorageEvent) => {
      if (e.key === chat.storageKey) chat.adoptSeen(e.newValue);
    };
    addEventListener('storage', seenElsewhere);
    const look = () => {
      const viewing = document.visibilityState === 'visible' && document.hasFocus();
      store.setViewing(viewing);
      chat.setViewing(viewing);
    };
    look();
    addEventListener('focus', look);
    addEventListener('blur', look);
    document.addEventListener('visibilitychange', look);
    return () => {
      unsubscribe();
      stopAway();
      removeEventListener('storage', seenElsewhere);
      store.stop();
      disarm();
      chime.close();
      removeEventListener('focus', look);
      removeEventListener('blur', look);
      document.removeEventListener('visibilitychange', look);
      document.title = pageTitle(0);
    };
  }, [store]);

  useSignalEffect(() => {
    const r = route.value;
    store.open(r.page === 'conversation' ? r.id : null);
  });

  useSignalEffect(() => {
    document.title = pageTitle(store.attention.value);
  });

  // My own account changes (name, photo) arrive through the session, not the socket.
  useEffect(() => {
    store.me.value = me;
  }, [store, me]);

  const r = route.value;
  const api = session.api;
  let main;
  if (r.page === 'visitors') main = <VisitorsPage store={store} api={api} selected={r.id} />;
  else if (r.page === 'rules') main = <RulesPage store={store} api={api} site={r.site} />;
  else if (r.page !== 'inbox' && r.page !== 'conversation' && r.page !== 'setup' && !mayOpen(store.me.value.role, r.page))
    main = (
      <main class="page">
        <p class="page__note">{t('error.forbidden')}</p>
      </main>
    );
  else if (r.page === 'history') main = <HistoryPage store={store} api={api} />;
  else if (r.page === 'canned') main = <CannedPage store={store} api={api} />;
  else if (r.page === 'team') main = <TeamPage store={store} api={api} />;
  else if (r.page === 'departments') main = <DepartmentsPage store={store} api={api} />;
  else if (r.page === 'audit') main = <AuditPage api={api} />;
  else {
    main = (
      <div class="workspace">
        <Inbox store={store} />
        <ConversationPane store={store} api={api} />
      </div>
    );
  }

  return (
    <div class={`shell${store.openId.value ? ' shell--open' : ''}`}>
      <Header store={store} session={session} chat={chat} />
      <NoticeBar store={store} />
      {main}
      <InvitationNotices visitors={store.visitors} />
      <InviteDialog visitors={store.visitors} />
      <TransferNotices store={store} />
      <InternalChatPanel chat={chat} me={store.me.value.id} team={store.team} />
    </div>
  );
}
