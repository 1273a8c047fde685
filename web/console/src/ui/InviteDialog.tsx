import { useEffect, useRef, useState } from 'preact/hooks';
import type { VisitorId } from '../../../protocol/VisitorId';
import { formatNumber } from '../i18n/format';
import { t } from '../i18n/i18n';
import { messageLength } from '../state/store';
import { MAX_INVITATION_CHARS, type VisitorsStore } from '../visitors/store';
import { visitorLabel } from './visitorText';

/** The invitation dialog for whichever visitor the operator chose to invite. */
export function InviteDialog({ visitors }: { visitors: VisitorsStore }) {
  const id = visitors.inviting.value;
  return id ? <InviteForm key={id} visitors={visitors} id={id} /> : null;
}

const FOCUSABLE = 'button:not(:disabled), textarea:not(:disabled), input:not(:disabled), [href]';

function InviteForm({ visitors, id }: { visitors: VisitorsStore; id: VisitorId }) {
  const [text, setText] = useState(() => t('invite.default'));
  const card = useRef<HTMLDivElement>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    area.current?.focus();
    area.current?.select();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const length = messageLength(text.trim());
  const over = length - MAX_INVITATION_CHARS;
  const name = visitorLabel(id, visitors.latest(id)?.identity);
  const close = () => visitors.closeInvite();

  function submit(event: SubmitEvent) {
    event.preventDefault();
    visitors.invite(id, text);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab' && card.current) {
      // Keep focus inside the dialog while it is open.
      const items = [...card.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  }

  return (
    <div
      class="modal"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) close();
      }}
    >
      <div class="modal__card" role="dialog" aria-modal="true" aria-labelledby="invite-title" ref={card} onKeyDown={onKeyDown}>
        <form class="form" onSubmit={submit}>
          <h2 id="invite-title" class="modal__title">
            {t('invite.title', { name })}
          </h2>
          <div class="field">
            <label for="invite-text">{t('invite.text')}</label>
            <textarea
              id="invite-text"
              ref={area}
              rows={3}
              value={text}
              aria-invalid={length === 0 || over > 0}
              aria-describedby="invite-count"
              onInput={(e) => setText(e.currentTarget.value)}
            />
            <p id="invite-count" class={`field__hint${over > 0 || length === 0 ? ' field__hint--error' : ''}`}>
              {length === 0
                ? t('invite.empty')
                : over > 0
                  ? t('invite.too_long', { count: formatNumber(over) })
                  : t('invite.counter', { count: formatNumber(length), max: formatNumber(MAX_INVITATION_CHARS) })}
            </p>
          </div>
          <div class="modal__actions">
            <button class="button" type="button" onClick={close}>
              {t('invite.cancel')}
            </button>
            <button class="button button--primary" type="submit" disabled={length === 0 || over > 0}>
              {t('invite.send')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
