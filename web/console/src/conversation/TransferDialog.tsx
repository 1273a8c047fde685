import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { AgentStatus } from '../../../protocol/AgentStatus';
import type { TransferTarget } from '../../../protocol/TransferTarget';
import { formatNumber } from '../i18n/format';
import { t } from '../i18n/i18n';
import type { ConsoleStore } from '../state/store';
import { Presence } from '../team/Presence';
import { departmentChoices, operatorChoices } from './transfer';

const FOCUSABLE = 'button:not(:disabled), textarea:not(:disabled), input:not(:disabled), [href]';

const targetKey = (to: TransferTarget) => `${to.kind}:${to.id}`;

/** Choose a colleague (who accepts or declines) or a department's queue, with an optional note. */
export function TransferDialog({
  store,
  conversation: c,
  onClose,
}: {
  store: ConsoleStore;
  conversation: ConversationSummary;
  onClose: () => void;
}) {
  const [target, setTarget] = useState<TransferTarget | null>(null);
  const [note, setNote] = useState('');
  const card = useRef<HTMLDivElement>(null);
  const operators = operatorChoices(store.team.value, store.me.value.id).filter((o) => o.member.id !== c.assignee?.id);
  const departments = departmentChoices(store.departments.value, store.team.value, c.site_id);

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    card.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  // A colleague who went offline while the dialog was open can no longer be chosen.
  const chosen =
    target?.kind === 'operator' && operators.find((o) => o.member.id === target.id)?.disabled !== false ? null : target;

  function submit(e: SubmitEvent) {
    e.preventDefault();
    if (!chosen) return;
    store.transfer(c.id, chosen, note);
    onClose();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    } else if (e.key === 'Tab' && card.current) {
      const items = [...card.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  }

  const option = (to: TransferTarget, name: string, meta: string, disabled: boolean, status?: AgentStatus) => (
    <label key={targetKey(to)} class={`transfer__option${disabled ? ' transfer__option--off' : ''}`}>
      <input
        type="radio"
        name="transfer-target"
        value={targetKey(to)}
        disabled={disabled}
        checked={chosen !== null && targetKey(chosen) === targetKey(to)}
        onChange={() => setTarget(to)}
      />
      {status && <Presence status={status} decorative />}
      <span class="transfer__name">{name}</span>
      <span class="transfer__meta">{meta}</span>
    </label>
  );

  return (
    <div
      class="modal"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div class="modal__card" role="dialog" aria-modal="true" aria-labelledby="transfer-title" ref={card} onKeyDown={onKeyDown}>
        <form class="form" onSubmit={submit}>
          <h2 id="transfer-title" class="modal__title">
            {t('transfer.title')}
          </h2>
          {operators.length === 0 && departments.length === 0 && <p>{t('transfer.none')}</p>}
          {operators.length > 0 && (
            <fieldset class="transfer__list">
              <legend>{t('transfer.operators')}</legend>
              {operators.map(({ member, disabled }) =>
                option(
                  { kind: 'operator', id: member.id },
                  member.name,
                  `${t(`status.${member.status}`)} · ${t('transfer.load', {
                    active: formatNumber(member.active_chats),
                    max: formatNumber(member.max_chats),
                  })}`,
                  disabled,
                  member.status,
                ),
              )}
            </fieldset>
          )}
          {departments.length > 0 && (
            <fieldset class="transfer__list">
              <legend>{t('transfer.departments')}</legend>
              {departments.map(({ department, online }) =>
                option(
                  { kind: 'department', id: department.id },
                  department.name,
                  t('transfer.online_count', { count: formatNumber(online) }),
                  false,
                ),
              )}
            </fieldset>
          )}
          <div class="field">
            <label for="transfer-note">{t('transfer.note')}</label>
            <textarea id="transfer-note" rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </div>
          <div class="modal__actions">
            <button class="button" type="button" onClick={onClose}>
              {t('transfer.cancel')}
            </button>
            <button class="button button--primary" type="submit" disabled={!chosen}>
              {t('transfer.send')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
