import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import type { Visit } from '../../../protocol/Visit';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { VisitorProfile as Profile } from '../../../protocol/VisitorProfile';
import { ApiError, type Api } from '../api/http';
import { conversationPath, followLink, plainClick } from '../app/route';
import { formatClock, formatFull, languageName } from '../i18n/format';
import { errorText, t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { previewText } from './eventText';
import { ExternalLink } from './ExternalLink';
import { Country, Elapsed, InviteButton } from './VisitorTable';
import { clientText, hasClaims, invitationSource, invitationState, valueText, visitorLabel } from './visitorText';

type Loaded = { kind: 'loading' } | { kind: 'failed'; code: string } | { kind: 'ready'; profile: Profile };

export interface VisitorProfileProps {
  store: ConsoleStore;
  api: Api;
  visitorId: VisitorId;
  /** Shown as a "Close profile" button when given. */
  onClose?: () => void;
  /** Changing this loads the profile again, e.g. when the conversation beside it changes state. */
  reloadKey?: unknown;
}

/**
 * Everything known about one visitor: identity, live state, attributes, visits and
 * conversations. Every value the shop or the visitor's browser supplied is text.
 */
export function VisitorProfile({ store, api, visitorId, onClose, reloadKey }: VisitorProfileProps) {
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });

  useEffect(() => {
    let current = true;
    api.visitor(visitorId).then(
      (profile) => current && setLoaded({ kind: 'ready', profile }),
      (e: unknown) => current && setLoaded({ kind: 'failed', code: e instanceof ApiError ? e.code : 'internal' }),
    );
    return () => {
      current = false;
    };
  }, [api, visitorId, reloadKey]);

  return (
    <aside class="profile" aria-label={t('profile.label')} aria-busy={loaded.kind === 'loading'}>
      {onClose && (
        <button class="button button--quiet profile__close" type="button" onClick={onClose}>
          {t('profile.close')}
        </button>
      )}
      {loaded.kind === 'loading' ? (
        <p class="profile__note">{t('profile.loading')}</p>
      ) : loaded.kind === 'failed' ? (
        <p class="profile__note" role="alert">
          {t('profile.failed')} {errorText(loaded.code)}
        </p>
      ) : (
        <ProfileBody store={store} profile={loaded.profile} />
      )}
    </aside>
  );
}

function ProfileBody({ store, profile: p }: { store: ConsoleStore; profile: Profile }) {
  // The live list is fresher than the profile's copy whenever it is being watched.
  const live = store.visitors.rows.value.get(p.visitor_id) ?? p.live;
  const { identity } = p;
  const returning =
    p.visits.length > 1 || p.visits.some((v) => v.number > 1) || (live?.visit_number ?? 0) > 1;
  const last = p.conversations[0];
  const visits = [...p.visits].sort((a, b) => b.started_at - a.started_at);
  const attributes = Object.entries(p.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return (
    <div class="profile__body">
      <header class="profile__head">
        <h2 class="profile__name">{visitorLabel(p.visitor_id, identity)}</h2>
        <p class="profile__badges">
          {identity.verified ? (
            <span class="idbadge idbadge--verified" title={t('identity.verified_hint')}>
              {t('identity.verified')}
            </span>
          ) : hasClaims(identity) ? (
            <span class="idbadge idbadge--unverified" title={t('identity.unverified_hint')}>
              {t('identity.unverified')}
            </span>
          ) : (
            <span class="profile__muted">{t('profile.anonymous')}</span>
          )}
          {returning && <span class="idbadge idbadge--returning">{t('profile.returning')}</span>}
        </p>
        <dl class="facts">
          {identity.email && <Fact label={t('profile.email')} value={identity.email} />}
          {identity.phone && <Fact label={t('profile.phone')} value={identity.phone} />}
          {identity.verified && identity.external_id && <Fact label={t('profile.customer_id')} value={identity.external_id} />}
        </dl>
        <p class="profile__muted">{t('profile.first_seen', { time: formatFull(p.first_seen_at) })}</p>
        {last && (
          <p>
            <ConversationLink store={store} conversation={last}>
              {t('profile.last_conversation', { time: formatFull(last.updated_at) })}
            </ConversationLink>
          </p>
        )}
      </header>

      <section class="profile__section" aria-labelledby="profile-live">
        <h3 id="profile-live">{t(live ? 'profile.live' : 'profile.not_live')}</h3>
        {live && <LiveNow store={store} live={live} />}
      </section>

      <section class="profile__section" aria-labelledby="profile-attributes">
        <h3 id="profile-attributes">{t('profile.attributes')}</h3>
        {attributes.length === 0 ? (
          <p class="profile__muted">{t('profile.no_attributes')}</p>
        ) : (
          <dl class="facts" data-section="attributes">
            {attributes.map(([key, value]) => (
              <Fact key={key} label={key} value={valueText(value)} mono />
            ))}
          </dl>
        )}
      </section>

      <section class="profile__section" aria-labelledby="profile-visits">
        <h3 id="profile-visits">{t('profile.visits')}</h3>
        {visits.length === 0 ? (
          <p class="profile__muted">{t('profile.no_visits')}</p>
        ) : (
          <ol class="visits">
            {visits.map((v, i) => (
              <VisitItem key={v.id} visit={v} open={i === 0} />
            ))}
          </ol>
        )}
      </section>

      <section class="profile__section" aria-labelledby="profile-conversations">
        <h3 id="profile-conversations">{t('profile.conversations')}</h3>
        {p.conversations.length === 0 ? (
          <p class="profile__muted">{t('profile.no_conversations')}</p>
        ) : (
          <ul class="pconvs">
            {p.conversations.map((c) => (
              <li key={c.id}>
                <ConversationLink store={store} conversation={c} class="pconv">
                  <span class="pconv__line">
                    <span class={`pconv__status pconv__status--${c.status}`}>{t(`profile.status_${c.status}`)}</span>
                    <time dateTime={new Date(c.created_at).toISOString()}>{formatFull(c.created_at)}</time>
                  </span>
                  <span class="pconv__preview">{previewText(c, store.me.value.id)}</span>
                </ConversationLink>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function LiveNow({ store, live }: { store: ConsoleStore; live: LiveVisitor }) {
  const { page, invitation } = live;
  return (
    <>
      <dl class="facts">
        <Fact label={t('profile.current_page')} value={page ? page.title || page.url : t('visitors.no_page')} />
        {page && (
          <div class="facts__item">
            <dt>{t('col.url')}</dt>
            <dd>
              <ExternalLink url={page.url} class="mono" />
            </dd>
          </div>
        )}
        <div class="facts__item">
          <dt>{t('col.time_on_site')}</dt>
          <dd>
            <Elapsed since={live.visit_started_at} />
          </dd>
        </div>
        {page && (
          <div class="facts__item">
            <dt>{t('col.time_on_page')}</dt>
            <dd>
              <Elapsed since={page.at} />
            </dd>
          </div>
        )}
        <Fact label={t('col.activity')} value={t(live.active ? 'visitors.active' : 'visitors.idle')} />
        {live.chat && (
          <Fact
            label={t('col.chat')}
            value={live.chat.assignee ? t('visitors.chat_with', { name: live.chat.assignee.name }) : t('visitors.chat_waiting')}
          />
        )}
        {invitation && (
          <Fact
            label={t('col.invitation')}
            value={[invitationState(invitation), invitationSource(invitation)].filter(Boolean).join(' · ')}
          />
        )}
      </dl>
      <p>
        <InviteButton visitors={store.visitors} visitor={live} class="button" />
      </p>
      {live.path.length > 0 && (
        <details class="profile__path">
          <summary>
            {t('profile.path')} ({live.path.length})
          </summary>
          <Pages pages={live.path} />
        </details>
      )}
    </>
  );
}

function VisitItem({ visit: v, open }: { visit: Visit; open: boolean }) {
  return (
    <li class="visit">
      <details open={open}>
        <summary>{t('profile.visit', { number: v.number, time: formatFull(v.started_at) })}</summary>
        <dl class="facts">
          <Fact label={t('col.referrer')} value={v.referrer ?? t('visitors.direct')} />
          {v.utm_source && <Fact label={t('col.utm')} value={v.utm_source} />}
          {v.country && (
            <div class="facts__item">
              <dt>{t('col.country')}</dt>
              <dd>
                <Country code={v.country} />
              </dd>
            </div>
          )}
          <Fact label={t('col.client')} value={clientText(v.client)} />
          {v.lang && <Fact label={t('col.lang')} value={languageName(v.lang)} />}
        </dl>
        {v.pages.length > 0 && <Pages pages={v.pages} />}
      </details>
    </li>
  );
}

function Pages({ pages }: { pages: readonly { url: string; title: string; at: number }[] }) {
  return (
    <ol class="pages" aria-label={t('profile.pages')}>
      {pages.map((page, i) => (
        <li key={i} class="pages__item">
          <time dateTime={new Date(page.at).toISOString()} title={formatFull(page.at)}>
            {formatClock(page.at)}
          </time>
          <span class="pages__title">{page.title || page.url}</span>
          <ExternalLink url={page.url} class="pages__url mono" />
        </li>
      ))}
    </ol>
  );
}

function Fact({ label, value, mono }: { label: string; value: string; mono?: boolean }) {
  return (
    <div class="facts__item">
      <dt>{label}</dt>
      <dd class={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

/** A link that opens a conversation here, known or not (one from a profile or a search). */
export function ConversationLink(props: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  class?: string;
  children: ComponentChildren;
}) {
  const { store, conversation: c } = props;
  return (
    <a
      class={props.class}
      href={conversationPath(c.id)}
      onClick={(e) => {
        // A conversation closed long ago is not in the inbox; the copy here lets it open.
        if (plainClick(e)) store.know(c);
        followLink(e);
      }}
    >
      {props.children}
    </a>
  );
}
