import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { StaffId } from '../../../protocol/StaffId';
import type { TeamMember } from '../../../protocol/TeamMember';
import { formatClock } from '../i18n/format';
import { errorText, t } from '../i18n/i18n';
import { Presence } from '../team/Presence';
import type { InternalChat } from './chat';
import type { RoomKey } from './rooms';
import './internal.css';

/** The header's way into the internal chat, with how many messages from the team wait unread. */
export function InternalChatButton({ chat }: { chat: InternalChat }) {
  const total = chat.total.value;
  const open = chat.isOpen.value;
  return (
    <button
      class="button button--quiet topbar__ichat"
      type="button"
      aria-expanded={open}
      aria-controls="internal-chat"
      onClick={() => chat.setOpen(!open)}
    >
      {t('internal.open')}
      {total > 0 && (
        <span class="badge" aria-label={t('internal.unread_total', { count: total })}>
          {total > 99 ? '99+' : total}
        </span>
      )}
    </button>
  );
}

function roomName(key: RoomKey, team: readonly TeamMember[]): string {
  if (key === 'team') return t('internal.team_room');
  const id = key.slice('direct:'.length);
  return team.find((m) => m.id === id)?.name ?? id;
}

/**
 * The internal chat drawer: the team room and a direct room with each member. Texts are shown as text, never as markup.
 * `team` is read only while the drawer is open, so team frames re-render nothing while it is closed.
 */
export function InternalChatPanel({ chat, me, team: members }: { chat: InternalChat; me: StaffId; team: ReadonlySignal<readonly TeamMember[]> }) {
  const [text, setText] = useState('');
  const log = useRef<HTMLDivElement>(null);
  const current = chat.current.value;
  const messages = chat.rooms.value.get(current) ?? [];
  const pending = chat.pending.value.filter((p) => p.room === current);
  const unread = chat.unread.value;
  const lastId = messages.at(-1)?.id;

  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [current, lastId, pending.length, chat.isOpen.value]);

  if (!chat.isOpen.value) return null;

  const team = members.value;
  const others = team.filter((m) => m.id !== me);

  function submit(event?: Event) {
    event?.preventDefault();
    if (chat.send(text)) setText('');
  }

  const rooms: { key: RoomKey; member: TeamMember | null }[] = [
    { key: 'team', member: null },
    ...others.map((m) => ({ key: `direct:${m.id}`, member: m })),
  ];

  return (
    <aside
      id="internal-chat"
      class="ichat"
      aria-labelledby="ichat-title"
      onKeyDown={(e) => {
        if (e.key === 'Escape') chat.setOpen(false);
      }}
    >
      <nav aria-label={t('internal.rooms')}>
        <ul class="ichat__rooms">
          {rooms.map(({ key, member }) => {
            const n = unread.get(key) ?? 0;
            return (
              <li key={key}>
                <button class="ichat__room" type="button" aria-current={key === current ? 'true' : undefined} onClick={() => chat.select(key)}>
                  {member && <Presence status={member.status} />}
                  <span class="ichat__room-name">{member ? member.name : t('internal.team_room')}</span>
                  {n > 0 && (
                    <span class="badge" aria-label={t('internal.unread', { count: n })}>
                      {n}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      </nav>
      <div class="ichat__main">
        <div class="ichat__head">
          <h2 id="ichat-title">{roomName(current, team)}</h2>
          <button class="button button--quiet button--small" type="button" onClick={() => chat.setOpen(false)}>
            {t('internal.close')}
          </button>
        </div>
        <div class="ichat__log" ref={log} role="log" aria-live="polite" aria-labelledby="ichat-title">
          {chat.more.value.get(current) && (
            <p>
              <button class="button button--small" type="button" disabled={chat.loading.value.has(current)} onClick={() => chat.loadEarlier(current)}>
                {t('internal.earlier')}
              </button>
            </p>
          )}
          {messages.length === 0 && pending.length === 0 && <p class="page__note">{t('internal.empty')}</p>}
          {messages.map((m) => (
            <div key={m.id} class="ichat__msg" data-message-id={m.id}>
              <span class="ichat__meta">
                <span class="ichat__author">{m.author.id === me ? t('internal.me') : m.author.name}</span> · {formatClock(m.at)}
              </span>
              <p class="ichat__text">{m.text}</p>
            </div>
          ))}
          {pending.map((p) => (
            <div key={p.clientMsgId} class="ichat__msg ichat__msg--pending">
              <span class="ichat__meta">
                {t('internal.me')} · {p.failed ? errorText(p.failed) : t('internal.sending')}
              </span>
              <p class="ichat__text">{p.text}</p>
              {p.failed && (
                <>
                  <button class="button button--small" type="button" onClick={() => chat.retry(p.clientMsgId)}>
                    {t('internal.retry')}
                  </button>{' '}
                  <button class="button button--small button--quiet" type="button" onClick={() => chat.discard(p.clientMsgId)}>
                    {t('internal.discard')}
                  </button>
                </>
              )}
            </div>
          ))}
        </div>
        <form class="ichat__composer" onSubmit={submit}>
          <label class="sr-only" for="ichat-input">
            {t('internal.message_to', { room: roomName(current, team) })}
          </label>
          <textarea
            id="ichat-input"
            rows={2}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
            }}
          />
          <button class="button button--primary" type="submit" disabled={!text.trim()}>
            {t('internal.send')}
          </button>
        </form>
      </div>
    </aside>
  );
}
