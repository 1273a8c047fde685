import { useEffect, useRef } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { formatNumber } from '../i18n/format';
import { t } from '../i18n/i18n';
import { MAX_MESSAGE_CHARS, messageLength, type ConsoleStore } from '../state/store';

/** The reply box: Enter sends, Shift+Enter breaks the line; usable only in a chat I hold. */
export function Composer({
  store,
  conversation: c,
  canReply,
}: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  canReply: boolean;
}) {
  const text = store.drafts.value.get(c.id) ?? '';
  const length = messageLength(text);
  const over = length - MAX_MESSAGE_CHARS;
  const box = useRef<HTMLTextAreaElement>(null);

  // Taking a chat moves the keyboard straight to the reply box.
  useEffect(() => {
    if (canReply) box.current?.focus();
  }, [canReply]);

  const send = () => {
    if (canReply && store.send(c.id, text)) box.current?.focus();
  };

  const reason =
    c.status === 'waiting'
      ? t('conv.take_to_reply')
      : c.status === 'closed'
        ? t('conv.closed_no_reply')
        : t('conv.other_no_reply', { name: c.assignee?.name ?? t('event.someone') });

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label class="sr-only" for="composer-text">
        {t('composer.label')}
      </label>
      <textarea
        id="composer-text"
        ref={box}
        rows={3}
        value={text}
        disabled={!canReply}
        aria-invalid={over > 0}
        aria-describedby="composer-hint composer-count"
        onInput={(e) => store.setDraft(c.id, e.currentTarget.value)}
        onKeyDown={(e) => {
          // While an input method is composing (Japanese, for one), Enter confirms the candidate.
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div class="composer__foot">
        <p class="composer__hint" id="composer-hint">
          {canReply ? t('composer.hint') : reason}
        </p>
        <p class={`composer__count${over > 0 ? ' composer__count--over' : ''}`} id="composer-count">
          {over > 0
            ? t('composer.too_long', { count: formatNumber(over) })
            : t('composer.counter', { count: formatNumber(length), max: formatNumber(MAX_MESSAGE_CHARS) })}
        </p>
        <button class="button button--primary" type="submit" disabled={!canReply || !text.trim() || over > 0}>
          {t('composer.send')}
        </button>
      </div>
    </form>
  );
}
