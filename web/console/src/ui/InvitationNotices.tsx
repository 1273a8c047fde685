import { t } from '../i18n/i18n';
import type { VisitorsStore } from '../visitors/store';
import { visitorLabel } from './visitorText';

/** Answers to my invitations. The live region stays mounted so each new answer is announced. */
export function InvitationNotices({ visitors }: { visitors: VisitorsStore }) {
  const notices = visitors.notices.value;
  return (
    <div class="toasts" role="status">
      {notices.map((n) => (
        <p key={n.key} class={`toast toast--${n.state}`}>
          <span>
            {t(n.state === 'accepted' ? 'invite.accepted' : 'invite.declined', {
              name: visitorLabel(n.visitorId, visitors.latest(n.visitorId)?.identity),
            })}
          </span>
          <button class="button button--quiet button--small" type="button" onClick={() => visitors.dismiss(n.key)}>
            {t('conv.dismiss')}
          </button>
        </p>
      ))}
    </div>
  );
}
