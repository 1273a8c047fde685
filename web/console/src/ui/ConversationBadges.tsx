import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { t } from '../i18n/i18n';

/** "Offline message" and "Missed" marks of a conversation, and its department; nothing for an ordinary chat. */
export function ConversationBadges({ conversation: c }: { conversation: ConversationSummary }) {
  if (!c.offline && !c.missed && !c.department) return null;
  return (
    <span class="flags">
      {c.department && (
        <span class="dept" title={t('conv.department', { name: c.department.name })}>
          {c.department.name}
        </span>
      )}
      {c.offline && <span class="flag flag--offline">{t('badge.offline')}</span>}
      {c.missed && <span class="flag flag--missed">{t('badge.missed')}</span>}
    </span>
  );
}
