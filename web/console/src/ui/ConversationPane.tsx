import { useRef, useState } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Api } from '../api/http';
import { BASE, followLink } from '../app/route';
import { formatFull } from '../i18n/format';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
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
  const toggle = useRef<HTMLButtonElement>(null);
  const me = store.me.value.id;
  const mine = c.status === 'active' && c.assignee?.id === me;
  const pending = store.pending.value?.id === c.id ? store.pending.value.action : null;
  const typing = store.visitorTyping.value.has(c.id);
  const email = useVisitorEmail(api, c.visitor_id, c.offline === true);
  const state =
    c.status === 'waiting'
      ? t('conv.state_waiting')
      : c.status === 'closed'
        ? t('conv.state_closed')
        : mine
          ? t('conv.state_mine')
          : t('conv.state_other', { name: c.assignee?.name ?? t('event.someone') });

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
          {c.status === 'waiting' && (
            <button class="button button--primary" type="button" disabled={pending !== null} onClick={() => store.take(c.id)}>
              {t('conv.take')}
            </button>
          )}
          {(c.status === 'waiting' || mine) && (
            <button class="button" type="button" disabled={pending !== null} onClick={() => store.close(c.id)}>
              {t('conv.close')}
            </button>
          )}
        </div>
      </header>
      <MessageList store={store} conversation={c} />
      <p class="pane__typing" aria-hidden={!typing}>
        {typing ? t('conv.typing', { name: c.visitor_label }) : ''}
      </p>
      {c.offline && c.status !== 'closed' && (
        <p class="pane__offline" id="offline-note">
          {email ? t('conv.offline_note_to', { email }) : t('conv.offline_note')}
        </p>
      )}
      <Composer store={store} conversation={c} canReply={mine} />
    </main>
  );
  if (!api) return chat;
  return (
    <div class={`conv${profileOpen ? ' conv--profile' : ''}`}>
      {chat}
      <div class="conv__profile" id="conversation-profile" hidden={!profileOpen}>
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
