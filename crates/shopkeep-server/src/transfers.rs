//! Transfers offered to another operator and not yet answered. The chat stays
//! with its holder until the target accepts; a decline, a timeout or a close
//! ends the offer and both sides hear `transfer_ended`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use shopkeep_core::ids::{ConversationId, StaffId};
use shopkeep_core::protocol::agent::{ServerFrame, TransferOutcome};
use shopkeep_core::protocol::shared::AgentRef;

use crate::hub::to_frame;
use crate::state::AppState;

#[derive(Clone, Debug)]
pub struct Offer {
    /// Tells this offer apart from a later one of the same chat, so an old
    /// timer does not end a new offer.
    id: u64,
    pub from: AgentRef,
    pub to: AgentRef,
}

#[derive(Default)]
pub struct Transfers {
    offers: Mutex<HashMap<ConversationId, Offer>>,
    next: AtomicU64,
}

impl Transfers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConversationId, Offer>> {
        self.offers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the offer of `conversation` made to `to`.
    pub fn take_for(&self, conversation: ConversationId, to: StaffId) -> Option<Offer> {
        let mut offers = self.lock();
        if offers.get(&conversation).is_some_and(|o| o.to.id == to) {
            offers.remove(&conversation)
        } else {
            None
        }
    }

    fn take_if(&self, conversation: ConversationId, id: u64) -> Option<Offer> {
        let mut offers = self.lock();
        if offers.get(&conversation).is_some_and(|o| o.id == id) {
            offers.remove(&conversation)
        } else {
            None
        }
    }
}

/// Offers `conversation` to `to`, replacing an earlier offer of it, and ends
/// the offer when the time to answer runs out.
pub fn offer(
    state: &AppState,
    conversation: ConversationId,
    from: AgentRef,
    to: AgentRef,
    note: Option<String>,
) {
    let id = state.transfers.next.fetch_add(1, Ordering::Relaxed);
    let previous = state.transfers.lock().insert(
        conversation,
        Offer {
            id,
            from: from.clone(),
            to: to.clone(),
        },
    );
    if let Some(previous) = previous {
        ended(state, conversation, &previous, TransferOutcome::Cancelled);
    }
    let timeout = state.settings.transfer_timeout;
    let expires_at =
        shopkeep_store::sqlite::now() + i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX / 2);
    state.hub.to_one_staff(
        to.id,
        to_frame(&ServerFrame::TransferOffer {
            conversation_id: conversation,
            from,
            note,
            expires_at,
        }),
    );
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(timeout).await;
        if let Some(offer) = state.transfers.take_if(conversation, id) {
            ended(&state, conversation, &offer, TransferOutcome::TimedOut);
        }
    });
}

/// Tells both sides how the offer ended.
pub fn ended(
    state: &AppState,
    conversation: ConversationId,
    offer: &Offer,
    outcome: TransferOutcome,
) {
    let frame = to_frame(&ServerFrame::TransferEnded {
        conversation_id: conversation,
        to: offer.to.clone(),
        outcome,
    });
    state.hub.to_one_staff(offer.from.id, frame.clone());
    if offer.to.id != offer.from.id {
        state.hub.to_one_staff(offer.to.id, frame);
    }
}

/// Offers whose target is no longer online end as cancelled: nobody is there to answer.
pub fn cancel_unreachable(state: &AppState) {
    let gone: Vec<(ConversationId, Offer)> = {
        let mut offers = state.transfers.lock();
        let ids: Vec<ConversationId> = offers
            .iter()
            .filter(|(_, offer)| !state.hub.is_online(offer.to.id))
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| offers.remove(&id).map(|offer| (id, offer)))
            .collect()
    };
    for (id, offer) in gone {
        ended(state, id, &offer, TransferOutcome::Cancelled);
    }
}

/// The chat closed or changed hands: an open offer of it is void.
pub fn cancel(state: &AppState, conversation: ConversationId) {
    let offer = state.transfers.lock().remove(&conversation);
    if let Some(offer) = offer {
        ended(state, conversation, &offer, TransferOutcome::Cancelled);
    }
}
