import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import type { VisitorId } from '../../../protocol/VisitorId';
import { conversationPath, followLink } from '../app/route';
import { countryFlag, countryName, formatElapsed, languageName } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import { canInvite, type SortKey, type VisitorSort } from '../visitors/list';
import type { VisitorsStore } from '../visitors/store';
import { useClock } from './useClock';
import { clientText, hasClaims, invitationSource, invitationState, visitorLabel } from './visitorText';

/** Every row has this height, so the window of rows to draw follows from the scroll offset alone. */
export const ROW_HEIGHT = 48;
/** Rows drawn above and below the visible ones, so fast scrolling shows no blank band. */
export const OVERSCAN = 6;
// Before the scroller is measured (and in environments without layout) assume a tall window.
const FALLBACK_HEIGHT = 720;

interface Column {
  readonly field: string;
  readonly label: MessageKey;
  readonly width: number;
  readonly sort?: SortKey;
}

const COLUMNS: readonly Column[] = [
  { field: 'name', label: 'col.name', width: 200 },
  { field: 'page', label: 'col.page', width: 200, sort: 'page' },
  { field: 'url', label: 'col.url', width: 220 },
  { field: 'referrer', label: 'col.referrer', width: 160 },
  { field: 'utm', label: 'col.utm', width: 110 },
  { field: 'time_on_site', label: 'col.time_on_site', width: 84, sort: 'time_on_site' },
  { field: 'time_on_page', label: 'col.time_on_page', width: 84, sort: 'time_on_page' },
  { field: 'visit', label: 'col.visit', width: 150, sort: 'visit' },
  { field: 'country', label: 'col.country', width: 150, sort: 'country' },
  { field: 'client', label: 'col.client', width: 190 },
  { field: 'lang', label: 'col.lang', width: 110 },
  { field: 'chat', label: 'col.chat', width: 150 },
  { field: 'activity', label: 'col.activity', width: 80 },
  { field: 'invitation', label: 'col.invitation', width: 110 },
  { field: 'actions', label: 'col.actions', width: 90 },
];

const TABLE_WIDTH = COLUMNS.reduce((sum, c) => sum + c.width, 0);

// Times read naturally from a first click: longest stay and highest visit number first, A to Z for text.
const FIRST_DIR: Record<SortKey, VisitorSort['dir']> = {
  time_on_site: 'desc',
  time_on_page: 'desc',
  visit: 'desc',
  country: 'asc',
  page: 'asc',
};

export interface VisitorTableProps {
  visitors: VisitorsStore;
  rows: readonly LiveVisitor[];
  selected: VisitorId | null;
  onOpen(id: VisitorId): void;
}

/**
 * The live visitors as a real table whose body draws only the rows in view (plus a few
 * either side) between two spacer rows, so 10,000 visitors cost as much as 30.
 * `aria-rowcount` and `aria-rowindex` tell assistive technology the full size.
 */
export function VisitorTable({ visitors, rows, selected, onOpen }: VisitorTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // The first row in view, not the pixel offset: scrolling within a row draws nothing new.
  const [topRow, setTopRow] = useState(0);
  const [height, setHeight] = useState(FALLBACK_HEIGHT);
  const [focusId, setFocusId] = useState<VisitorId | null>(null);
  const focusNext = useRef<VisitorId | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setHeight(el.clientHeight || FALLBACK_HEIGHT);
    measure();
    if (typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const count = rows.length;
  // Filtering can shrink the list below the scroll offset; draw from what is still there.
  const top = Math.min(topRow * ROW_HEIGHT, Math.max(0, count * ROW_HEIGHT - height));
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const shown = rows.slice(first, last);
  const tabbable = shown.some((v) => v.visitor_id === focusId) ? focusId : (shown[0]?.visitor_id ?? null);

  useLayoutEffect(() => {
    const id = focusNext.current;
    if (!id) return;
    focusNext.current = null;
    const row = [...(scroller.current?.querySelectorAll<HTMLElement>('tr[data-visitor-id]') ?? [])].find(
      (r) => r.dataset.visitorId === id,
    );
    row?.focus();
  });

  function moveFocus(from: VisitorId, key: string): boolean {
    const at = rows.findIndex((v) => v.visitor_id === from);
    if (at < 0) return false;
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const target =
      key === 'ArrowDown' ? at + 1
      : key === 'ArrowUp' ? at - 1
      : key === 'PageDown' ? at + page
      : key === 'PageUp' ? at - page
      : key === 'Home' ? 0
      : key === 'End' ? count - 1
      : null;
    if (target === null) return false;
    const index = Math.max(0, Math.min(count - 1, target));
    const el = scroller.current;
    if (el) {
      const rowTop = index * ROW_HEIGHT;
      // The sticky header covers the first row's height at the top of the window.
      if (rowTop < el.scrollTop + ROW_HEIGHT) el.scrollTop = Math.max(0, rowTop - ROW_HEIGHT);
      else if (rowTop + ROW_HEIGHT > el.scrollTop + height) el.scrollTop = rowTop + 2 * ROW_HEIGHT - height;
      setTopRow(Math.floor(el.scrollTop / ROW_HEIGHT));
    }
    const id = rows[index]!.visitor_id;
    focusNext.current = id;
    setFocusId(id);
    return true;
  }

  function onKeyDown(event: KeyboardEvent) {
    const row = event.target as HTMLElement;
    const id = row.dataset?.visitorId;
    if (!id || row.tagName !== 'TR') return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(id);
    } else if (moveFocus(id, event.key)) {
      event.preventDefault();
    }
  }

  return (
    <div class="vt" ref={scroller} onScroll={(e) => setTopRow(Math.floor(e.currentTarget.scrollTop / ROW_HEIGHT))}>
      <table class="vt__table" style={{ width: `${TABLE_WIDTH}px` }} aria-label={t('visitors.table')} aria-rowcount={count + 1}>
        <colgroup>
          {COLUMNS.map((c) => (
            <col key={c.field} style={{ width: `${c.width}px` }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((c) => (
              <HeaderCell key={c.field} column={c} visitors={visitors} />
            ))}
          </tr>
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {first > 0 && <Spacer rows={first} />}
          {shown.map((v, i) => (
            <Row
              key={v.visitor_id}
              visitors={visitors}
              visitor={v}
              index={first + i}
              selected={v.visitor_id === selected}
              tabbable={v.visitor_id === tabbable}
              onOpen={onOpen}
              onFocus={setFocusId}
            />
          ))}
          {last < count && <Spacer rows={count - last} />}
        </tbody>
      </table>
    </div>
  );
}

function Spacer({ rows }: { rows: number }) {
  return (
    <tr class="vt__spacer" aria-hidden="true">
      <td colSpan={COLUMNS.length} style={{ height: `${rows * ROW_HEIGHT}px` }} />
    </tr>
  );
}

function HeaderCell({ column, visitors }: { column: Column; visitors: VisitorsStore }) {
  const key = column.sort;
  if (!key) {
    return (
      <th scope="col" data-field={column.field}>
        {t(column.label)}
      </th>
    );
  }
  const sort = visitors.sort.value;
  const active = sort.key === key;
  const toggle = () => {
    visitors.sort.value = active ? { key, dir: sort.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: FIRST_DIR[key] };
  };
  return (
    <th scope="col" data-field={column.field} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button class="vt__sort" type="button" onClick={toggle}>
        {t(column.label)}
        <span class="vt__arrow" aria-hidden="true">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}

interface RowProps {
  visitors: VisitorsStore;
  visitor: LiveVisitor;
  index: number;
  selected: boolean;
  tabbable: boolean;
  onOpen(id: VisitorId): void;
  onFocus(id: VisitorId): void;
}

function Row({ visitors, visitor: v, index, selected, tabbable, onOpen, onFocus }: RowProps) {
  const id = v.visitor_id;
  const { identity, page, invitation, chat } = v;
  const invited = visitors.invited.value.has(id);
  const path = v.path.map((p) => `${p.title || p.url}\n  ${p.url}`).join('\n');
  return (
    <tr
      class={`vt__row${selected ? ' vt__row--selected' : ''}${v.active ? '' : ' vt__row--idle'}`}
      data-visitor-id={id}
      aria-rowindex={index + 2}
      aria-current={selected ? 'true' : undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={() => onOpen(id)}
      onFocus={(e) => {
        if (e.target === e.currentTarget) onFocus(id);
      }}
    >
      <td data-field="name">
        <span class="vt__line vt__strong">
          {visitorLabel(id, identity)}
          {hasClaims(identity) && (
            <span class={`idmark idmark--${identity.verified ? 'verified' : 'unverified'}`}>
              {t(identity.verified ? 'identity.verified' : 'identity.unverified')}
            </span>
          )}
        </span>
        {identity.email && <span class="vt__line vt__muted">{identity.email}</span>}
      </td>
      <td data-field="page" title={path ? `${t('visitors.path')}\n${path}` : undefined}>
        <span class="vt__line">{page ? page.title || page.url : t('visitors.no_page')}</span>
        {v.path.length > 1 && <span class="vt__line vt__muted">{t('profile.pages')}: {v.path.length}</span>}
      </td>
      <td data-field="url" title={page?.url}>
        <span class="vt__line vt__mono">{page?.url ?? ''}</span>
      </td>
      <td data-field="referrer" title={v.referrer ?? undefined}>
        <span class="vt__line">{v.referrer ?? t('visitors.direct')}</span>
      </td>
      <td data-field="utm">
        <span class="vt__line">{v.utm_source ?? ''}</span>
      </td>
      <td data-field="time_on_site" class="vt__num">
        <Elapsed since={v.visit_started_at} />
      </td>
      <td data-field="time_on_page" class="vt__num">
        {page && <Elapsed since={page.at} />}
      </td>
      <td data-field="visit">
        {v.visit_number > 1 ? t('visitors.visit_returning', { number: v.visit_number }) : t('visitors.visit_new')}
      </td>
      <td data-field="country" title={v.country ?? undefined}>
        {v.country && <Country code={v.country} />}
      </td>
      <td data-field="client">
        <span class="vt__line">{clientText(v.client)}</span>
      </td>
      <td data-field="lang" title={v.lang ?? undefined}>
        <span class="vt__line">{v.lang ? languageName(v.lang) : ''}</span>
      </td>
      <td data-field="chat">
        {chat && (
          <a
            class="vt__line"
            href={conversationPath(chat.conversation_id)}
            onClick={(e) => {
              e.stopPropagation();
              followLink(e);
            }}
          >
            {chat.assignee ? t('visitors.chat_with', { name: chat.assignee.name }) : t('visitors.chat_waiting')}
          </a>
        )}
      </td>
      <td data-field="activity">
        <span class={`activity activity--${v.active ? 'active' : 'idle'}`}>{t(v.active ? 'visitors.active' : 'visitors.idle')}</span>
      </td>
      <td data-field="invitation" title={invitation ? invitationSource(invitation) : undefined}>
        {invitation ? (
          <span class={`invstate invstate--${invitation.state}`}>{invitationState(invitation)}</span>
        ) : invited ? (
          <span class="invstate">{t('invitation.sending')}</span>
        ) : null}
      </td>
      <td data-field="actions">
        <InviteButton visitors={visitors} visitor={v} />
      </td>
    </tr>
  );
}

/** "Invite", held while the visitor chats or already has an invitation to answer. */
export function InviteButton(props: { visitors: VisitorsStore; visitor: LiveVisitor; class?: string }) {
  const { visitors, visitor: v, class: className = 'button button--small' } = props;
  const invited = visitors.invited.value.has(v.visitor_id);
  const why = v.chat ? t('invite.busy_chatting') : !canInvite(v) || invited ? t('invite.busy_pending') : undefined;
  return (
    <button
      class={className}
      type="button"
      disabled={why !== undefined}
      title={why}
      onClick={(e) => {
        e.stopPropagation();
        visitors.openInvite(v.visitor_id);
      }}
    >
      {t('invite.button')}
    </button>
  );
}

export function Country({ code }: { code: string }) {
  const name = countryName(code);
  // Regional-indicator pairs that name no country would draw as two boxed letters.
  const flag = name !== code ? countryFlag(code) : null;
  return (
    <span class="vt__line">
      {flag && (
        <span class="flag" aria-hidden="true">
          {flag}{' '}
        </span>
      )}
      {name}
    </span>
  );
}

/** A running time; only this small component re-renders on each tick. */
export function Elapsed({ since }: { since: number }) {
  const now = useClock().value;
  return <span>{formatElapsed(now - since)}</span>;
}
