import type { PanelCatalog } from '../../i18n/en';
import type { Lang } from '../../i18n/lang';
import { intl } from '../intl';
import type { ChatStore, Delivery, Item } from '../store';
import { noticeText } from '../transcript';
import { CheckIcon, ClockIcon, DoubleCheckIcon } from './icons';
import { Text } from './Text';

interface Props {
  item: Item;
  store: ChatStore;
  strings: PanelCatalog;
  lang: Lang;
}

/** One line of the conversation: a message bubble or a system notice. */
export function Message({ item, store, strings, lang }: Props) {
  if (item.kind === 'outgoing') {
    const { message } = item;
    const delivery =
      message.state === 'sent' && message.conversation_id && message.seq
        ? store.delivery(message.conversation_id, message.seq)
        : message.state;
    return (
      <Bubble
        name={strings.you}
        mine
        text={message.text}
        at={message.at}
        delivery={delivery}
        onRetry={() => store.retry(message.id)}
        strings={strings}
        lang={lang}
      />
    );
  }
  const { author, body, conversation_id, seq, at } = item.event;
  if (body.kind !== 'message') {
    // Null for whispers and notes between staff: never shown, whatever arrives.
    const notice = noticeText(item.event, strings);
    return notice === null ? null : <p class="sys">{notice}</p>;
  }
  return author.kind === 'visitor' ? (
    <Bubble
      name={strings.you}
      mine
      text={body.text}
      at={at}
      delivery={store.delivery(conversation_id, seq)}
      strings={strings}
      lang={lang}
    />
  ) : (
    <Bubble name={author.kind === 'agent' ? author.name : strings.support} text={body.text} at={at} strings={strings} lang={lang} />
  );
}

interface BubbleProps {
  name: string;
  mine?: boolean;
  text: string;
  at: number;
  delivery?: Delivery;
  onRetry?: () => void;
  strings: PanelCatalog;
  lang: Lang;
}

function Bubble({ name, mine, text, at, delivery, onRetry, strings, lang }: BubbleProps) {
  return (
    <div class={mine ? 'm me' : 'm'}>
      {/* The visitor knows their own side; screen readers still hear who said what. */}
      <p class={mine ? 'who sr' : 'who'}>{name}</p>
      <p class="b">
        <Text text={text} />
      </p>
      <p class="meta">
        <time dateTime={new Date(at).toISOString()}>{clock(lang).format(at)}</time>
        {delivery && <Status delivery={delivery} onRetry={onRetry} strings={strings} />}
      </p>
    </div>
  );
}

const STATUS_ICONS = { sending: ClockIcon, sent: CheckIcon, delivered: DoubleCheckIcon, read: DoubleCheckIcon };

function Status({ delivery, onRetry, strings }: { delivery: Delivery; onRetry?: () => void; strings: PanelCatalog }) {
  if (delivery === 'failed') {
    return (
      <span class="fail">
        {strings.failed}
        {onRetry && (
          <button type="button" class="retry" onClick={onRetry}>
            {strings.retry}
          </button>
        )}
      </span>
    );
  }
  const Icon = STATUS_ICONS[delivery];
  return (
    <span class={`st ${delivery}`} title={strings[delivery]}>
      <Icon />
      {/* Read is worth saying in words; the other states are known by their icons. */}
      <span class={delivery === 'read' ? undefined : 'sr'}>{strings[delivery]}</span>
    </span>
  );
}

const clock = (lang: Lang) => intl(`clock ${lang}`, () => new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }));
