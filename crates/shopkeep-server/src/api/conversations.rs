//! Staff REST routes for conversations (`/api/v1/conversations`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::ids::{ConversationId, Seq};
use shopkeep_core::protocol::MAX_SYNC_EVENTS;
use shopkeep_core::protocol::shared::{ConversationSummary, History};
use shopkeep_store::ConversationFilter;

use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

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
