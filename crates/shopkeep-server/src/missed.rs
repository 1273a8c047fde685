//! Missed chats: a waiting conversation nobody took or answered, whose visitor
//! has had no socket for `missed_after`, is marked missed (for statistics and
//! the console) and mailed to the site's notify address. The mark and the mail
//! are one write with a key per conversation, so it is mailed once, also
//! across restarts.

use std::time::Duration;

use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_store::StoreError;
use tokio::task::JoinHandle;

use crate::mail::compose;
use crate::state::AppState;
use crate::transcripts;

pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(state.settings.missed_interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(error) = check(&state).await {
                tracing::warn!(%error, "could not check for missed chats");
            }
            // Departures older than any wait are no longer needed.
            state
                .hub
                .forget_departures(state.settings.missed_after * 2 + Duration::from_secs(3600));
        }
    })
}

/// Marks every conversation that is missed now; answers how many.
pub async fn check(state: &AppState) -> Result<usize, StoreError> {
    let mut marked = 0;
    for conversation in state.store.unanswered_conversations().await? {
        let away = state.hub.away_for(conversation.visitor_id);
        if away.is_some_and(|away| away >= state.settings.missed_after) {
            marked += usize::from(mark(state, &conversation).await?);
        }
    }
    Ok(marked)
}

async fn mark(state: &AppState, conversation: &ConversationSummary) -> Result<bool, StoreError> {
    let site = state.store.site(conversation.site_id).await?;
    let visitor = state.store.visitor(conversation.visitor_id).await?;
    let mail = match (&site, &visitor) {
        (Some(site), Some(visitor)) => {
            let events = transcripts::all_events(state, conversation).await?;
            let live = state.tracker.live(visitor.id);
            compose::missed(
                site,
                compose::shop_lang(site, live.as_ref().and_then(|l| l.lang.as_deref())),
                visitor,
                conversation,
                live.as_ref()
                    .and_then(|l| l.page.as_ref())
                    .map(|page| page.url.as_str()),
                &events,
            )
        }
        _ => None,
    };
    let queued = mail.is_some();
    let Some(summary) = state.store.mark_missed(conversation.id, mail).await? else {
        return Ok(false);
    };
    state.hub.publish_summary(&summary);
    if queued {
        state.mailer.wake();
    }
    Ok(true)
}
