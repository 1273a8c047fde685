import { useState } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { conversationPath, followLink } from '../app/route';
import { placeIn } from '../conversation/permissions';
import { UNANSWERED_ALERT_MS, allChats, filterCounts, filterSections, queuePositions, unansweredFor, type InboxFilter } from '../inbox/inbox';
import { unreadCount } from '../inbox/unread';
import { formatDuration, formatFull, formatNumber, formatWhen } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { isSupervisor } from '../team/roles';
import { ConversationBadges } from './ConversationBadges';
import { previewText } from './eventText';
import { useNow } from './useNow';

const FILTER_NAMES: Record<InboxFilter, MessageKey> = {
  all: 'inbox.filter_all',
  offline: 'inbox.filter_offline',
  missed: 'inbox.filter_missed',
};

export function Inbox({ store }: { store: ConsoleStore }) {
  const [filter, setFilter] = useState<InboxFilter>('all');
  const sections = store.sections.value;
  const counts = filterCounts(sections);
  const { waiting, mine, closed } = filterSections(sections, filter);
  const all = store.conversations.value;
  const places = queuePositions(all.values());
  const supervising = isSupervisor(store.me.value.role);
  const everyone = supervising ? filterList(allChats(all.values()), filter) : [];
  return (
    <nav class="inbox" aria-label={t('inbox.label')}>
      <div class="inbox__filters" role="group" aria-label={t('inbox.filter')}>
        {(['all', 'offline', 'missed'] as const).map((f) => (
          <button
            key={f}
            class={`chip${f === filter ? ' chip--on' : ''}`}
            type="button"
            aria-pressed={f === filter}
            data-filter={f}
            onClick={() => setFilter(f)}
          >
            {t(FILTER_NAMES[f])} <span class="chip__count">{formatNumber(counts[f])}</span>
          </button>
        ))}
      </div>
      <section class="inbox__section" aria-labelledby="inbox-waiting">
        <SectionTitle id="inbox-waiting" title="inbox.waiting" count={waiting.length} />
        <Rows store={store} list={waiting} empty="inbox.empty_waiting" places={places} />
      </section>
      <section class="inbox__section" aria-labelledby="inbox-mine">
        <SectionTitle id="inbox-mine" title="inbox.mine" count={mine.length} />
        <Rows store={store} list={mine} empty="inbox.empty_mine" />
      </section>
      {supervising && (
        <section class="inbox__section" aria-labelledby="inbox-all">
          <SectionTitle id="inbox-all" title="inbox.all" count={everyone.length} />
          <Rows store={store} list={everyone} empty="inbox.empty_all" places={places} overview />
        </section>
      )}
      <details class="inbox__section inbox__closed">
        <summary>
          <SectionTitle id="inbox-closed" title="inbox.closed" count={closed.length} />
        </summary>
        <Rows store={store} list={closed} empty="inbox.empty_closed" />
      </details>
    </nav>
  );
}

function SectionTitle({ id, title, count }: { id: string; title: MessageKey; count: number }) {
  return (
    <h2 class="inbox__title" id={id}>
      {t(title)} <span class="inbox__count">{formatNumber(count)}</span>
    </h2>
  );
}

const filterList = (list: readonly ConversationSummary[], filter: InboxFilter) =>
  filterSections({ waiting: list, mine: [], closed: [] }, filter).waiting;

function Rows(props: {
  store: ConsoleStore;
  list: readonly ConversationSummary[];
  empty: MessageKey;
  places?: ReadonlyMap<string, number>;
  /** The supervisor's list: who holds each chat and how long the visitor has had no answer. */
  overview?: boolean;
}) {
  const { store, list, empty } = props;
  if (list.length === 0) return <p class="inbox__empty">{t(empty)}</p>;
  return (
    <ul class="inbox__list">
      {list.map((c) => (
        <Row key={c.id} store={store} conversation={c} place={props.places?.get(c.id)} overview={props.overview === true} />
      ))}
    </ul>
  );
}

function Row({
  store,
  conversation: c,
  place,
  overview,
}: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  place: number | undefined;
  overview: boolean;
}) {
  const now = useNow();
  const unanswered = overview ? unansweredFor(c, now) : null;
  const joined = !overview && c.status === 'active' && placeIn(c, store.me.value) === 'participant';
  const unread = c.status === 'closed' ? 0 : unreadCount(store.unread.value, c.id);
  const lastAt = c.last_message?.at ?? c.updated_at;
  const waited = now - c.created_at;
  return (
    <li>
      <a
        class={`row${unread > 0 ? ' row--unread' : ''}`}
        href={conversationPath(c.id)}
        onClick={followLink}
        aria-current={store.openId.value === c.id ? 'page' : undefined}
      >
        <span class="row__line">
          <span class="row__label">{c.visitor_label}</span>
          <ConversationBadges conversation={c} />
          <time class="row__time" dateTime={new Date(lastAt).toISOString()} title={formatFull(lastAt)}>
            {formatWhen(lastAt, now)}
          </time>
        </span>
        <span class="row__line">
          <span class="row__preview">{previewText(c, store.me.value.id)}</span>
          {unread > 0 && (
            <span class="badge">
              <span aria-hidden="true">{formatNumber(unread)}</span>
              <span class="sr-only">{t('inbox.unread', { count: unread })}</span>
            </span>
          )}
        </span>
        {c.status === 'waiting' && (
          <span class="row__queue">
            {place !== undefined && <span class="row__place">{t('inbox.position', { position: formatNumber(place) })}</span>}
            <span class="row__waiting">
              {waited < 60_000 ? t('inbox.just_arrived') : t('inbox.waiting_for', { duration: formatDuration(waited) })}
            </span>
          </span>
        )}
        {overview && c.status === 'active' && (
          <span class="row__queue">
            <span class="row__holder">{c.assignee ? t('inbox.holder', { name: c.assignee.name }) : t('inbox.no_holder')}</span>
            {unanswered !== null && (
              <span class={`row__unanswered${unanswered > UNANSWERED_ALERT_MS ? ' row__late' : ''}`}>
                {t('inbox.unanswered_for', { duration: formatDuration(unanswered) })}
              </span>
            )}
          </span>
        )}
        {joined && <span class="row__queue">{t('inbox.joined')}</span>}
      </a>
    </li>
  );
}
