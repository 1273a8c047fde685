import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Event } from '../../../protocol/Event';
import type { Outgoing, OutgoingKind } from '../live/delivery';
import { formatClock, formatFull } from '../i18n/format';
import { errorText, t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { isMine, systemLine } from './eventText';
import '../conversation/conversation.css';

// Within this many pixels of the end the operator is following along and new messages scroll in.
const STICK_PX = 48;

/**
 * The conversation's history. Message text is always a text node: markup, scripts and
 * template syntax from visitors show literally and never reach an HTML parser.
 */
export function MessageList({ store, conversation: c }: { store: ConsoleStore; conversation: ConversationSummary }) {
  const thread = store.delivery.value.threads.get(c.id);
  const outbox = store.delivery.value.outbox.filter((o) => o.conversationId === c.id);
  const me = store.me.value.id;
  const log = useRef<HTMLDivElement>(null);
  const following = useRef(true);

  const events = thread?.events ?? [];
  const last = events[events.length - 1];
  const lastIsMine = last !== undefined && last.body.kind === 'message' && isMine(last, me);
  const size = events.length + outbox.length;
  useLayoutEffect(() => {
    const el = log.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [size, store.visitorTyping.value.has(c.id)]);

  // The history loads into a placeholder; the live region appears with it already inside,
  // so a screen reader announces only what arrives afterwards, not the whole backlog.
  if (!thread?.ready && outbox.length === 0) {
    return (
      <div class="log" key="loading">
        <p class="log__note">{t('conv.loading')}</p>
      </div>
    );
  }

  return (
    <div
      class="log"
      key="log"
      role="log"
      aria-label={t('conv.messages')}
      tabIndex={0}
      ref={log}
      onScroll={(e) => {
        const el = e.currentTarget;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
      }}
    >
      {size === 0 ? (
        <p class="log__note">{t('conv.empty')}</p>
      ) : (
        <ol class="messages">
          {events.map((event, i) => (
            <EventItem
              key={event.seq}
              event={event}
              conversation={c}
              mine={isMine(event, me)}
              named={!continues(events[i - 1], event)}
            />
          ))}
          {outbox.map((o, i) => (
            <OutgoingItem key={o.clientMsgId} store={store} outgoing={o} named={i === 0 && !lastIsMine} />
          ))}
        </ol>
      )}
    </div>
  );
}

const authorKey = (e: Event) => `${e.author.kind === 'agent' ? `agent:${e.author.id}` : e.author.kind}/${e.body.kind}`;

/** A message by the same author right after another one is shown without repeating the name. */
const continues = (previous: Event | undefined, event: Event) =>
  previous !== undefined && previous.body.kind === 'message' && authorKey(previous) === authorKey(event);

function EventItem(props: { event: Event; conversation: ConversationSummary; mine: boolean; named: boolean }) {
  const { event, conversation, mine } = props;
  const line = systemLine(event);
  if (line !== null) {
    return (
      <li class="system">
        <span>{line}</span> <Time at={event.at} />
      </li>
    );
  }
  const body = event.body;
  const text = body.kind === 'message' || body.kind === 'whisper' || body.kind === 'note' ? body.text : '';
  const staff = body.kind === 'whisper' || body.kind === 'note' ? body.kind : undefined;
  const author =
    event.author.kind === 'visitor' ? conversation.visitor_label : mine ? t('msg.you') : event.author.kind === 'agent' ? event.author.name : '';
  const r = conversation.receipts;
  const state =
    mine && !staff
      ? event.seq <= r.visitor_read
        ? t('msg.read')
        : event.seq <= r.visitor_delivered
          ? t('msg.delivered')
          : t('msg.sent')
      : null;
  return (
    <Bubble
      side={event.author.kind === 'visitor' ? 'theirs' : 'ours'}
      author={props.named || staff ? author : null}
      text={text}
      staff={staff}
    >
      <Time at={event.at} />
      {state && <span class="msg__state">{state}</span>}
    </Bubble>
  );
}

function OutgoingItem({ store, outgoing: o, named }: { store: ConsoleStore; outgoing: Outgoing; named: boolean }) {
  const failed = o.state === 'failed';
  return (
    <Bubble side="ours" author={named || o.kind ? t('msg.you') : null} text={o.text} failed={failed} staff={staffKind(o.kind)}>
      {failed ? (
        <>
          <span class="msg__state msg__state--failed">{t('msg.failed', { reason: errorText(o.error ?? 'internal') })}</span>
          <button class="link-button" type="button" onClick={() => store.retry(o.clientMsgId)}>
            {t('msg.retry')}
          </button>
          <button class="link-button" type="button" onClick={() => store.discard(o.clientMsgId)}>
            {t('msg.discard')}
          </button>
        </>
      ) : (
        <span class="msg__state">{o.state === 'acked' ? t('msg.sent') : t('msg.sending')}</span>
      )}
    </Bubble>
  );
}

const staffKind = (kind: OutgoingKind | undefined) => (kind === 'whisper' || kind === 'note' ? kind : undefined);

/** A message; whispers and notes are marked as staff-only so nobody mistakes them for what the visitor saw. */
function Bubble(props: {
  side: 'ours' | 'theirs';
  author: string | null;
  text: string;
  failed?: boolean;
  staff?: 'whisper' | 'note' | undefined;
  children: ComponentChildren;
}) {
  const staff = props.staff;
  return (
    <li
      class={`msg msg--${props.side}${props.failed ? ' msg--failed' : ''}${staff ? ` msg--staff msg--${staff}` : ''}`}
      data-kind={staff ?? 'message'}
    >
      {staff && (
        <span class="msg__kind">
          <span class="msg__kind-name">{t(staff === 'whisper' ? 'event.whisper' : 'event.note')}</span>
          {' · '}
          <span class="msg__kind-note">{t('event.staff_only')}</span>
        </span>
      )}
      {props.author && <span class="msg__author">{props.author}</span>}
      <p class="msg__text">{props.text}</p>
      <span class="msg__meta">{props.children}</span>
    </li>
  );
}

function Time({ at }: { at: number }) {
  return (
    <time class="msg__time" dateTime={new Date(at).toISOString()} title={formatFull(at)}>
      {formatClock(at)}
    </time>
  );
}
