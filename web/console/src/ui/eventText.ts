import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Event } from '../../../protocol/Event';
import type { StaffId } from '../../../protocol/StaffId';
import { t } from '../i18n/i18n';

const authorName = (event: Event) => (event.author.kind === 'agent' ? event.author.name : t('event.someone'));

/** The line shown for a non-message event ("Anna joined", "Chat ended"); null for messages, whispers and notes. */
export function systemLine(event: Event): string | null {
  switch (event.body.kind) {
    case 'message':
    case 'whisper':
    case 'note':
      return null;
    case 'transferred': {
      const { to, department } = event.body;
      if (to) return t('event.transferred_to', { name: authorName(event), target: to.name });
      if (department) return t('event.transferred_department', { name: authorName(event), target: department.name });
      return t('event.transferred', { name: authorName(event) });
    }
    case 'joined':
      return t('event.joined', { name: authorName(event) });
    case 'left':
      return t('event.left', { name: authorName(event) });
    case 'closed':
      return t('event.closed');
  }
}

export const isMine = (event: Event, me: StaffId) => event.author.kind === 'agent' && event.author.id === me;

/** One line of plain text for the inbox and notifications. */
export function previewText(c: ConversationSummary, me: StaffId): string {
  const last = c.last_message;
  if (!last) return '';
  if (last.body.kind === 'whisper' || last.body.kind === 'note') {
    const label = t(last.body.kind === 'whisper' ? 'event.whisper' : 'event.note');
    return `${label}: ${last.body.text.replace(/\s+/g, ' ').trim()}`;
  }
  if (last.body.kind !== 'message') return systemLine(last) ?? '';
  const text = last.body.text.replace(/\s+/g, ' ').trim();
  return isMine(last, me) ? t('inbox.you', { text }) : text;
}
