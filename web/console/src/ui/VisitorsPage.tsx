import { useEffect } from 'preact/hooks';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { Api } from '../api/http';
import { navigate, visitorsPath } from '../app/route';
import { countryName, formatNumber } from '../i18n/format';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { isFiltered, NO_FILTER, type ActivityFilter, type ChatFilter, type VisitorFilter } from '../visitors/list';
import { VisitorProfile } from './VisitorProfile';
import { VisitorTable } from './VisitorTable';

/** The live visitor list, with the selected visitor's profile beside it. */
export function VisitorsPage({ store, api, selected }: { store: ConsoleStore; api: Api; selected: VisitorId | null }) {
  const visitors = store.visitors;
  useEffect(() => visitors.watch(), [visitors]);

  const rows = visitors.view.value;
  const { total, chatting } = visitors.counts.value;
  const synced = visitors.synced.value;
  const filtered = isFiltered(visitors.filter.value);
  const open = (id: VisitorId) => navigate(visitorsPath(id));

  let body;
  if (!synced && total === 0) body = <p class="visitors__note">{t('visitors.loading')}</p>;
  else if (total === 0) body = <p class="visitors__note">{t('visitors.empty')}</p>;
  else if (rows.length === 0) body = <p class="visitors__note">{t('visitors.no_match')}</p>;
  else body = <VisitorTable visitors={visitors} rows={rows} selected={selected} onOpen={open} />;

  return (
    <div class={`visitors${selected ? ' visitors--profile' : ''}`}>
      <section class="visitors__main" aria-labelledby="visitors-title">
        <header class="visitors__head">
          <h2 id="visitors-title">{t('visitors.title')}</h2>
          <p class="visitors__counts">
            <span data-count="total">{t('visitors.total', { count: formatNumber(total) })}</span>
            <span data-count="chatting">{t('visitors.chatting', { count: formatNumber(chatting) })}</span>
            {filtered && total > 0 && (
              <span data-count="shown">
                {t('visitors.shown', { shown: formatNumber(rows.length), total: formatNumber(total) })}
              </span>
            )}
          </p>
        </header>
        <Filters store={store} />
        {!synced && total > 0 && <p class="visitors__stale">{t('visitors.stale')}</p>}
        {body}
      </section>
      {selected && (
        <VisitorProfile
          key={selected}
          store={store}
          api={api}
          visitorId={selected}
          onClose={() => navigate(visitorsPath())}
        />
      )}
    </div>
  );
}

function Filters({ store }: { store: ConsoleStore }) {
  const visitors = store.visitors;
  const filter = visitors.filter.value;
  const set = (change: Partial<VisitorFilter>) => {
    visitors.filter.value = { ...filter, ...change };
  };
  const countries = visitors.countries.value;
  // A chosen country stays selectable after its last visitor leaves, so the filter never silently changes.
  const choices = filter.country && !countries.includes(filter.country) ? [filter.country, ...countries] : countries;
  return (
    <div class="filters" role="search" aria-label={t('visitors.filters')}>
      <div class="control">
        <label for="visitor-search" class="sr-only">
          {t('visitors.search')}
        </label>
        <input
          id="visitor-search"
          type="search"
          placeholder={t('visitors.search_hint')}
          value={filter.text}
          onInput={(e) => set({ text: e.currentTarget.value })}
        />
      </div>
      <div class="control">
        <label for="visitor-country">{t('col.country')}</label>
        <select id="visitor-country" value={filter.country} onChange={(e) => set({ country: e.currentTarget.value })}>
          <option value="">{t('visitors.country_any')}</option>
          {choices.map((code) => (
            <option key={code} value={code}>
              {countryName(code)}
            </option>
          ))}
        </select>
      </div>
      <div class="control">
        <label for="visitor-chat">{t('col.chat')}</label>
        <select id="visitor-chat" value={filter.chat} onChange={(e) => set({ chat: e.currentTarget.value as ChatFilter })}>
          <option value="any">{t('visitors.chat_any')}</option>
          <option value="chatting">{t('visitors.chat_yes')}</option>
          <option value="not_chatting">{t('visitors.chat_no')}</option>
        </select>
      </div>
      <div class="control">
        <label for="visitor-activity">{t('col.activity')}</label>
        <select
          id="visitor-activity"
          value={filter.activity}
          onChange={(e) => set({ activity: e.currentTarget.value as ActivityFilter })}
        >
          <option value="any">{t('visitors.activity_any')}</option>
          <option value="active">{t('visitors.active')}</option>
          <option value="idle">{t('visitors.idle')}</option>
        </select>
      </div>
      <div class="control">
        <input
          id="visitor-returning"
          type="checkbox"
          checked={filter.returningOnly}
          onChange={(e) => set({ returningOnly: e.currentTarget.checked })}
        />
        <label for="visitor-returning">{t('visitors.returning_only')}</label>
      </div>
      {isFiltered(filter) && (
        <button class="button button--quiet" type="button" onClick={() => (visitors.filter.value = NO_FILTER)}>
          {t('visitors.clear')}
        </button>
      )}
    </div>
  );
}
