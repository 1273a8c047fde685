import { useState } from 'preact/hooks';
import type { PanelHost } from '../../contract';
import { format, type Lang } from '../../i18n/lang';
import { catalogs, queueText } from '../i18n';
import { intl } from '../intl';
import type { ChatStore } from '../store';
import { Invitation } from './Bubble';
import { Composer } from './Composer';
import { ChosenDepartment, Departments } from './Departments';
import { ErrorNotice } from './ErrorNotice';
import { CloseIcon } from './icons';
import { MessageList } from './MessageList';
import { OfflinePane } from './OfflineForm';
import { TranscriptTools } from './TranscriptTools';

/**
 * The chat window: header, an invitation, then the conversation, errors and composer, or
 * the offline form when the shop cannot chat; the transcript tools under either. Escape
 * closes it.
 */
export function ChatPanel({ store, host }: { store: ChatStore; host: PanelHost }) {
  const onClose = () => host.close();
  const lang = store.lang.value;
  const strings = catalogs[lang];
  const online = store.available.value;
  const typing = store.typing.value;
  const mode = store.mode.value;
  const team = store.team.value;
  const ready = store.ready.value;
  // Once staff are in the chat, the header names them.
  const status = !ready
    ? strings.connecting
    : team.length
      ? names(lang, team.map((agent) => agent.name))
      : online
        ? strings.online
        : strings.offline;
  const place = store.queuePlace.value;
  // The composer takes the focus after the visitor chose a department, not on first draw.
  const [chose, setChose] = useState(false);

  return (
    <section
      class="p"
      role="dialog"
      aria-labelledby="sk-title"
      lang={lang}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <header class="h">
        <div>
          <h2 id="sk-title">{store.welcome.value?.look.site_name || strings.support}</h2>
          <p class={ready && (online || team.length) ? 'on' : ''}>
            <i class="dot" />
            {status}
          </p>
        </div>
        <button type="button" class="x" aria-label={strings.close} onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      {store.shown.value && <Invitation store={store} host={host} strings={strings} lang={lang} inPanel />}
      {mode === 'chat' ? (
        <>
          <MessageList store={store} strings={strings} />
          {typing !== null && <p class="ty">{format(strings.typing, { name: typing || strings.support })}</p>}
          {store.queued.value && (
            <div class="q">
              {/* Always there, so that changes of the place are announced. */}
              <p role="status">{place ? queueText(strings, lang, place) : ''}</p>
              <button type="button" class="link" onClick={() => store.offline.leave()}>
                {strings.leaveMessage}
              </button>
            </div>
          )}
          <ErrorNotice store={store} strings={strings} />
          <TranscriptTools store={store} host={host} strings={strings} lang={lang} />
          {store.choosing.value ? (
            <Departments store={store} strings={strings} onChoose={() => setChose(true)} />
          ) : (
            <>
              <ChosenDepartment store={store} strings={strings} />
              <Composer store={store} strings={strings} focus={chose} />
            </>
          )}
        </>
      ) : (
        <>
          <OfflinePane store={store} strings={strings} lang={lang} />
          <TranscriptTools store={store} host={host} strings={strings} lang={lang} />
        </>
      )}
    </section>
  );
}

/** "Anna and Sue", as the language lists names. */
const names = (lang: Lang, list: string[]): string =>
  intl(`list ${lang}`, () => new Intl.ListFormat(lang, { type: 'conjunction' })).format(list);
