//! Transcripts by mail: asked for by the visitor or by staff, or sent when a
//! chat closes on a site that mails them automatically. A transcript is
//! rendered from the stored events, so it holds exactly what was committed.

use shopkeep_core::email::EmailAddress;
use shopkeep_core::event::Event;
use shopkeep_core::protocol::MAX_SYNC_EVENTS;
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_store::{Site, StoreError};

use crate::mail::compose;
use crate::mail::templates::Lang;
use crate::state::AppState;

/// Every event of the conversation, in order.
pub async fn all_events(
    state: &AppState,
    conversation: &ConversationSummary,
) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    loop {
        let after = events.last().map_or(0, |event: &Event| event.seq);
        let batch = state
            .store
            .events_after(conversation.id, after, MAX_SYNC_EVENTS)
            .await?;
        let done = batch.len() < MAX_SYNC_EVENTS as usize;
        events.extend(batch);
        if done {
            return Ok(events);
        }
    }
}

/// Renders the transcript and puts it in the outbox; with a `dedupe_key`
/// already there, nothing is added.
pub async fn queue(
    state: &AppState,
    site: &Site,
    conversation: &ConversationSummary,
    to: EmailAddress,
    lang: Lang,
    dedupe_key: Option<String>,
) -> Result<(), StoreError> {
    let events = all_events(state, conversation).await?;
    let mail = compose::transcript(site, lang, to, conversation, &events, dedupe_key);
    state
        .store
        .enqueue_mail(mail, shopkeep_store::sqlite::now())
        .await?;
    state.mailer.wake();
    Ok(())
}

/// After a chat closed: the transcript to the visitor, when the site sends it
/// automatically and the visitor's email is known. Queued right after the
/// close commits, under a key per conversation, so it is sent once; a crash
/// between the two loses only this automatic copy.
pub async fn after_close(state: &AppState, conversation: &ConversationSummary) {
    let result = async {
        let Some(site) = state.store.site(conversation.site_id).await? else {
            return Ok(());
        };
        if !site.mail.auto_transcript {
            return Ok(());
        }
        let Some(visitor) = state.store.visitor(conversation.visitor_id).await? else {
            return Ok(());
        };
        let Some(to) = compose::visitor_address(&visitor) else {
            return Ok(());
        };
        let lang = state.tracker.live(visitor.id).and_then(|live| live.lang);
        let lang = compose::visitor_lang(&site, lang.as_deref());
        let key = format!("transcript-on-close:{}", conversation.id);
        queue(state, &site, conversation, to, lang, Some(key)).await
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(%error, conversation = %conversation.id, "could not queue the transcript on close");
    }
}
