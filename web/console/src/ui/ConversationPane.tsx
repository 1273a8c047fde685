import { useMemo, useRef, useState } from 'preact/hooks';
import type { AgentRef } from '../../../protocol/AgentRef';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Api } from '../api/http';
import { BASE, followLink } from '../app/route';
import { workspaceApi, type WorkspaceApi } from '../conversation/api';
import { actionsFor, placeIn, type Actions } from '../conversation/permissions';
import { TagsEditor } from '../conversation/TagsEditor';
import { TransferDialog } from '../conversation/TransferDialog';
import type { OutgoingKind } from '../live/delivery';
import { formatFull } from '../i18n/format';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { isSupervisor } from '../team/roles';
import { Composer } from './Composer';
import { ConversationBadges } from './ConversationBadges';
import { EmailTranscript, useVisitorEmail } from './EmailTranscript';
import { MessageList } from './MessageList';
import { VisitorProfile } from './VisitorProfile';

// Below this width the profile would squeeze the chat, so it starts folded away.
const NARROW = '(max-width: 1024px)';
const startsOpen = () => typeof matchMedia !== 'function' || !matchMedia(NARROW).matches;

/** The open conversation, with its visitor's profile beside it when an API is given. */
export function ConversationPane({ store, api }: { store: ConsoleStore; api?: Api }) {
  const id = store.openId.value;
  const conversation = id ? store.conversations.value.get(id) : undefined;
  if (!conversation) {
    const text = !id ? t('conv.none') : store.ready.value ? t('conv.unknown') : t('app.loading');
    return (
      <main class="pane pane--empty">
        <p>{text}</p>
      </main>
    );
  }
  return <Conversation key={conversation.id} store={store} conversation={conversation} api={api} />;
}

function Conversation({ store, conversation: c, api }: { store: ConsoleStore; conversation: ConversationSummary; api?: Api }) {
  const [profileOpen, setProfileOpen] = useState(startsOpen);
  const [transferring, setTransferring] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const me = store.me.value;
  const place = placeIn(c, me);
  const actions = actionsFor(c, me);
  const workspace = useMemo(() => (api ? workspaceApi(api) : undefined), [api]);
  const pending = store.pending.value?.id === c.id ? store.pending.value.action : null;
  const typing = store.visitorTyping.value.has(c.id);
  const colleaguesTyping = store.agentTyping.value.get(c.id) ?? [];
  const peek = c.status !== 'closed' ? store.visitorDrafts.value.get(c.id) : undefined;
  const viewers = store.viewers.value.get(c.id) ?? [];
  const others = c.participants.filter((p) => p.id !== me.id);
  const email = useVisitorEmail(api, c.visitor_id, c.offline === true);
  const holder = c.assignee?.name ?? t('event.someone');
  const state =
    c.status === 'waiting'
      ? t('conv.state_waiting')
      : c.status === 'closed'
        ? t('conv.state_closed')
        : place === 'holder'
          ? t('conv.state_mine')
          : place === 'participant'
            ? t('conv.state_joined', { name: holder })
            : t('conv.state_other', { name: holder });
  const modes: OutgoingKind[] = [
    ...(actions.reply ? (['send'] as const) : []),
    ...(actions.whisper && !actions.monitor ? (['whisper'] as const) : []),
    ...(actions.note ? (['note'] as const) : []),
  ];
  const typingLine = [
    typing ? t('conv.typing', { name: c.visitor_label }) : '',
    colleaguesTyping.length > 0 ? t('conv.typing', { name: names(colleaguesTyping) }) : '',
  ]
    .filter(Boolean)
    .join(' · ');

  const chat = (
    <main class="pane" aria-labelledby="conversation-title">
      <header class="pane__head">
        <a class="pane__back" href={BASE} onClick={followLink}>
          {t('conv.back')}
        </a>
        <div class="pane__title">
          <h2 id="conversation-title">{c.visitor_label}</h2>
          <ConversationBadges conversation={c} />
          <p class={`pane__state pane__state--${c.status}`}>
            {state}
            <span class="pane__started"> · {t('conv.started', { time: formatFull(c.created_at) })}</span>
          </p>
          {others.length > 0 && <p class="pane__people pane__participants">{t('conv.participants', { names: names(others) })}</p>}
          {viewers.length > 0 && (
            <p class="pane__people pane__viewers" role="status">
              {viewers.length === 1
                ? t('conv.viewer_one', { name: viewers[0]!.name })
                : t('conv.viewer_many', { names: names(viewers) })}
            </p>
          )}
        </div>
        <div class="pane__actions">
          {api && (
            <button
              class="button button--quiet"
              type="button"
              aria-expanded={profileOpen}
              aria-controls="conversation-profile"
              ref={toggle}
              onClick={() => setProfileOpen(!profileOpen)}
            >
              {t('profile.toggle')}
            </button>
          )}
          {api && <EmailTranscript api={api} conversation={c.id} visitor={c.visitor_id} />}
          {actions.transfer && (
            <button class="button" type="button" disabled={pending !== null} onClick={() => setTransferring(true)}>
              {t('conv.transfer')}
            </button>
          )}
          {actions.takeOver && !actions.monitor && (
            <button class="button" type="button" disabled={pending !== null} onClick={() => store.takeOver(c.id)}>
              {t('conv.take_over')}
            </button>
          )}
          {actions.leave && (
            <button class="button" type="button" disabled={pending !== null} onClick={() => store.leave(c.id)}>
              {t('conv.leave')}
            </button>
          )}
          {actions.close && (
            <button class="button" type="button" disabled={pending !== null} onClick={() => store.close(c.id)}>
              {t('conv.close')}
            </button>
          )}
        </div>
      </header>
      <MessageList store={store} conversation={c} />
      <p class="pane__typing" aria-hidden={!typingLine}>
        {typingLine}
      </p>
      {peek && <p class="pane__peek">{t('conv.sneak_peek', { text: peek })}</p>}
      {c.offline && c.status !== 'closed' && (
        <p class="pane__offline" id="offline-note">
          {email ? t('conv.offline_note_to', { email }) : t('conv.offline_note')}
        </p>
      )}
      {actions.monitor ? (
        <Monitor store={store} conversation={c} actions={actions} pending={pending !== null} api={workspace} />
      ) : (
        <Composer store={store} conversation={c} modes={modes} api={workspace} />
      )}
      {transferring && <TransferDialog store={store} conversation={c} onClose={() => setTransferring(false)} />}
    </main>
  );
  if (!api) return chat;
  return (
    <div class={`conv${profileOpen ? ' conv--profile' : ''}`}>
      {chat}
      <div class="conv__profile" id="conversation-profile" hidden={!profileOpen}>
        {workspace && <TagsEditor store={store} api={workspace} conversation={c} />}
        <VisitorProfile
          store={store}
          api={api}
          visitorId={c.visitor_id}
          reloadKey={c.status}
          onClose={() => {
            setProfileOpen(false);
            toggle.current?.focus();
          }}
        />
      </div>
    </div>
  );
}

const names = (people: readonly AgentRef[]) => people.map((p) => p.name).join(', ');

/**
 * In place of the reply box when I am not in the chat: what I may do about it. A
 * supervisor's whisper opens a staff-only box; the visitor never sees me there.
 */
function Monitor({
  store,
  conversation: c,
  actions,
  pending,
  api,
}: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  actions: Actions;
  pending: boolean;
  api: WorkspaceApi | undefined;
}) {
  const [whispering, setWhispering] = useState(false);
  const text =
    c.status === 'waiting'
      ? t('conv.take_to_reply')
      : isSupervisor(store.me.value.role)
        ? t('conv.monitor')
        : t('conv.other_no_reply', { name: c.assignee?.name ?? t('event.someone') });
  return (
    <>
      <div class="monitor" role="group" aria-label={t('conv.monitor')}>
        <p class="monitor__text">{text}</p>
        {actions.take && (
          <button class="button button--primary" type="button" disabled={pending} onClick={() => store.take(c.id)}>
            {t('conv.take')}
          </button>
        )}
        {actions.join && (
          <button class="button button--primary" type="button" disabled={pending} onClick={() => store.join(c.id)}>
            {t('conv.join')}
          </button>
        )}
        {actions.takeOver && (
          <button class="button" type="button" disabled={pending} onClick={() => store.takeOver(c.id)}>
            {t('conv.take_over')}
          </button>
        )}
        {actions.whisper && (
          <button class="button" type="button" aria-pressed={whispering} onClick={() => setWhispering(!whispering)}>
            {t('conv.whisper')}
          </button>
        )}
      </div>
      {actions.whisper && whispering && <Composer store={store} conversation={c} modes={['whisper']} api={api} />}
    </>
  );
}
