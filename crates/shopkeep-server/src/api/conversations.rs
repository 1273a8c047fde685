//! Staff REST routes for conversations (`/api/v1/conversations`).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::email::EmailAddress;
use shopkeep_core::ids::{ConversationId, Seq};
use shopkeep_core::protocol::MAX_SYNC_EVENTS;
use shopkeep_core::protocol::shared::{ConversationSummary, History};
use shopkeep_store::ConversationFilter;

use crate::api::body;
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::mail::compose;
use crate::state::AppState;
use crate::transcripts;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<ConversationStatus>,
}

pub async fn list(
    State(state): State<AppState>,
    _session: StaffSession,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::invalid("status: one of waiting, active, closed"))?;
    let filter = match query.status {
        Some(ConversationStatus::Closed) => ConversationFilter {
            open: false,
            closed_limit: 200,
        },
        _ => ConversationFilter {
            open: true,
            closed_limit: 0,
        },
    };
    let mut found = state.store.list_conversations(filter).await?;
    if let Some(status) = query.status {
        found.retain(|summary| summary.status == status);
    }
    Ok(Json(found))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    #[serde(default)]
    after: Seq,
}

pub async fn events(
    State(state): State<AppState>,
    _session: StaffSession,
    Path(id): Path<String>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<History>, ApiError> {
    let id: ConversationId = id.parse().map_err(|_| ApiError::not_found())?;
    let Query(query) = query.map_err(|_| ApiError::invalid("after: a sequence number"))?;
    let summary = state
        .store
        .conversation(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let events = state
        .store
        .events_after(id, query.after, MAX_SYNC_EVENTS)
        .await?;
    Ok(Json(History {
        conversation_id: id,
        events,
        last_seq: summary.last_seq,
    }))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TranscriptRequest {
    /// Where to send it; the visitor's stored email when absent.
    #[serde(default)]
    to: Option<String>,
}

#[derive(Serialize)]
pub struct TranscriptQueued {
    to: EmailAddress,
}

/// `POST /api/v1/conversations/{id}/transcript`: queue the transcript by mail.
pub async fn email_transcript(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<TranscriptRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<TranscriptQueued>), ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let id: ConversationId = id.parse().map_err(|_| ApiError::not_found())?;
    let request = body(json)?;
    let summary = state
        .store
        .conversation(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let site = state
        .store
        .site(summary.site_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let visitor = state.store.visitor(summary.visitor_id).await?;
    let to = match request.to.as_deref() {
        Some(raw) => {
            EmailAddress::parse(raw).map_err(|error| ApiError::invalid(format!("to: {error}")))?
        }
        None => visitor
            .as_ref()
            .and_then(compose::visitor_address)
            .ok_or_else(|| ApiError::invalid("the visitor left no email; give one in to"))?,
    };
    let lang = visitor
        .and_then(|visitor| state.tracker.live(visitor.id))
        .and_then(|live| live.lang);
    transcripts::queue(
        &state,
        &site,
        &summary,
        to.clone(),
        compose::visitor_lang(&site, lang.as_deref()),
        None,
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(TranscriptQueued { to })))
}
