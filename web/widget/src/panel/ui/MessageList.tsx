import { useLayoutEffect, useRef } from 'preact/hooks';
import type { PanelCatalog } from '../../i18n/en';
import type { ChatStore } from '../store';
import { Message } from './Message';

// Within this many pixels of the bottom, the list follows new messages.
const FOLLOW_PX = 48;

/** The conversation, announced politely to screen readers as it grows. */
export function MessageList({ store, strings }: { store: ChatStore; strings: PanelCatalog }) {
  const items = store.items.value;
  const lang = store.lang.value;
  const greeting = store.greeting.value;
  const online = store.available.value;
  const log = useRef<HTMLDivElement>(null);
  const follow = useRef(true);

  useLayoutEffect(() => {
    if (follow.current && log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [items]);

  const onScroll = () => {
    const el = log.current!;
    follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < FOLLOW_PX;
  };

  return (
    // Focusable so that keyboard users can scroll it.
    <div
      ref={log}
      class="log"
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-busy={store.loadingHistory.value}
      aria-label={strings.log}
      tabIndex={0}
      onScroll={onScroll}
    >
      {greeting && <p class="greet">{greeting}</p>}
      {/* A returning customer's greeting replaces ours, but not the news that nobody is in. */}
      {(!greeting || !online) && <p class="greet">{online ? strings.greeting : strings.away}</p>}
      {items.map((item) => (
        <Message key={item.key} item={item} store={store} strings={strings} lang={lang} />
      ))}
    </div>
  );
}
