/**
 * Sound and desktop notifications for the conversation workspace: a chat I may take
 * started waiting, the visitor wrote or a colleague whispered in a chat I am in, or a
 * colleague offers me a chat. Nothing sounds for a chat already on screen and in focus.
 */
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Event } from '../../../protocol/Event';
import type { StaffId } from '../../../protocol/StaffId';
import { conversationPath, navigate } from '../app/route';
import type { TransferOffer } from '../conversation/transfer';
import { t } from '../i18n/i18n';
import type { StoreDeps } from '../state/store';
import { previewText } from '../ui/eventText';
import { notify } from './desktop';

export interface AlertDeps {
  chime: { play(): void };
  me: () => StaffId;
  /** The conversation is open and the console focused: the operator sees it already. */
  onScreen: (id: ConversationId) => boolean;
  notify?: typeof notify;
  open?: (id: ConversationId) => void;
}

export function workspaceAlerts(deps: AlertDeps): Pick<StoreDeps, 'onNewWaiting' | 'onChatEvent' | 'onTransferOffer'> {
  const show = deps.notify ?? notify;
  const open = deps.open ?? ((id: ConversationId) => navigate(conversationPath(id)));
  const ring = (title: string, body: string, tag: string, id: ConversationId) => {
    deps.chime.play();
    show(title, body, tag, () => open(id));
  };
  return {
    onNewWaiting: (c: ConversationSummary) =>
      ring(t('notify.title', { name: c.visitor_label }), previewText(c, deps.me()), c.id, c.id),
    onChatEvent: (c: ConversationSummary, event: Event) => {
      if (deps.onScreen(c.id)) return;
      const body = event.body.kind === 'message' || event.body.kind === 'whisper' ? event.body.text : '';
      const title =
        event.body.kind === 'whisper' && event.author.kind === 'agent'
          ? t('notify.whisper', { name: event.author.name })
          : t('notify.message', { name: c.visitor_label });
      // One notification per chat: a newer message replaces the older one.
      ring(title, body, c.id, c.id);
    },
    onTransferOffer: (offer: TransferOffer) =>
      ring(t('notify.transfer', { name: offer.from.name }), offer.note ?? '', `transfer:${offer.conversationId}`, offer.conversationId),
  };
}
