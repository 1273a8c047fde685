import { conversationPath, followLink } from '../app/route';
import { formatElapsed } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import type { TransferOutcome } from '../../../protocol/TransferOutcome';
import type { ConsoleStore } from '../state/store';
import { useClock } from '../ui/useClock';
import { offerState, type TransferOffer } from './transfer';

const OUTCOMES: Record<TransferOutcome, MessageKey> = {
  accepted: 'transfer.accepted',
  declined: 'transfer.declined',
  timed_out: 'transfer.timed_out',
  cancelled: 'transfer.cancelled',
};

/**
 * Chats offered to me, prominent until I answer or the offer runs out, and how the
 * transfers I offered ended. Both regions stay mounted so each new one is announced.
 */
export function TransferNotices({ store }: { store: ConsoleStore }) {
  const offers = store.transferOffers.value;
  const results = store.transferResults.value;
  return (
    <>
      <div class="offers" aria-live="assertive">
        {offers.map((o) => (
          <Offer key={o.conversationId} store={store} offer={o} />
        ))}
      </div>
      <div class="toasts" role="status">
        {results.map((r) => (
          <p key={r.key} class={`toast toast--${r.outcome === 'accepted' ? 'accepted' : 'declined'}`}>
            <span>{t(OUTCOMES[r.outcome], { name: r.to.name })}</span>
            <button class="button button--quiet button--small" type="button" onClick={() => store.dismissTransferResult(r.key)}>
              {t('conv.dismiss')}
            </button>
          </p>
        ))}
      </div>
    </>
  );
}

function Offer({ store, offer }: { store: ConsoleStore; offer: TransferOffer }) {
  const now = useClock().value;
  const state = offerState(offer, now);
  if (state.expired) return null;
  const visitor = store.conversations.value.get(offer.conversationId)?.visitor_label ?? '';
  const titleId = `offer-${offer.conversationId}`;
  return (
    <section class="offer" role="alertdialog" aria-labelledby={titleId}>
      <p class="offer__title" id={titleId}>
        {t('transfer.offer', { name: offer.from.name, visitor })}
      </p>
      {offer.note && <p class="offer__note">{t('transfer.offer_note', { note: offer.note })}</p>}
      <p class="offer__time">
        <time dateTime={new Date(offer.expiresAt).toISOString()}>
          {t('transfer.expires', { time: formatElapsed(state.secondsLeft * 1000) })}
        </time>
      </p>
      <div class="offer__actions">
        <button class="button button--primary" type="button" onClick={() => store.answerTransfer(offer.conversationId, true)}>
          {t('transfer.accept')}
        </button>
        <button class="button" type="button" onClick={() => store.answerTransfer(offer.conversationId, false)}>
          {t('transfer.decline')}
        </button>
        <a class="button button--quiet" href={conversationPath(offer.conversationId)} onClick={followLink}>
          {t('transfer.open')}
        </a>
      </div>
    </section>
  );
}
