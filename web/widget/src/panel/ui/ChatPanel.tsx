import type { PanelHost } from '../../contract';
import { format } from '../../i18n/lang';
import { catalogs } from '../i18n';
import type { ChatStore } from '../store';
import { Invitation } from './Bubble';
import { Composer } from './Composer';
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
  const status = !store.ready.value ? strings.connecting : online ? strings.online : strings.offline;

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
          <p class={online && store.ready.value ? 'on' : ''}>
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
            <p class="q">
              <button type="button" class="link" onClick={() => store.offline.leave()}>
                {strings.leaveMessage}
              </button>
            </p>
          )}
          <ErrorNotice store={store} strings={strings} />
          <TranscriptTools store={store} host={host} strings={strings} lang={lang} />
          <Composer store={store} strings={strings} />
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
