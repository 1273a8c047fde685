//! Staff REST routes for conversations (`/api/v1/conversations`).

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use shopkeep_core::Millis;
use shopkeep_core::access::{Action, TagsUpdate, normalise_tags};
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::email::EmailAddress;
use shopkeep_core::ids::{ConversationId, DepartmentId, Seq, SiteId, StaffId};
use shopkeep_core::protocol::MAX_SYNC_EVENTS;
use shopkeep_core::protocol::shared::{ConversationSummary, History};
use shopkeep_store::{ConversationFilter, HistoryQuery};

use crate::api::{access, body};
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
    session: StaffSession,
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
    Ok(Json(access::visible(&state, &session, found)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    #[serde(default)]
    site_id: Option<SiteId>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    assignee: Option<StaffId>,
    #[serde(default)]
    department: Option<DepartmentId>,
    #[serde(default)]
    status: Option<ConversationStatus>,
    #[serde(default)]
    from: Option<Millis>,
    #[serde(default)]
    to: Option<Millis>,
    #[serde(default)]
    before: Option<Millis>,
    #[serde(default)]
    before_id: Option<ConversationId>,
    #[serde(default)]
    limit: Option<u32>,
}

/// `GET /api/v1/conversations/search`: the history view's filters. Only
/// conversations this member of staff may see are returned, so a page can be
/// shorter than `limit`; page on with the last row's `updated_at` as `before`
/// and its `id` as `before_id`.
pub async fn search(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::invalid(rejection.body_text()))?;
    let tag = match query
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(tag) => Some(
            normalise_tags(&[tag.to_owned()])
                .and_then(|mut tags| tags.pop())
                .ok_or_else(|| ApiError::invalid("tag: letters, digits, - or _"))?,
        ),
        None => None,
    };
    let found = state
        .store
        .search_conversations(HistoryQuery {
            site: query.site_id,
            tag,
            assignee: query.assignee,
            department: query.department,
            from: query.from,
            to: query.to,
            status: query.status,
            before: query.before,
            before_id: query.before_id,
            limit: query.limit.unwrap_or(50).clamp(1, HistoryQuery::MAX_LIMIT),
        })
        .await?;
    Ok(Json(access::visible(&state, &session, found)))
}

/// `PUT /api/v1/conversations/{id}/tags`: replaces the staff-only tags.
pub async fn set_tags(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<TagsUpdate>, JsonRejection>,
) -> Result<Json<ConversationSummary>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let update = body(json)?;
    let tags = normalise_tags(&update.tags).ok_or_else(|| {
        ApiError::invalid(format!(
            "tags: at most {} of 1 to {} letters, digits, - or _",
            shopkeep_core::access::MAX_TAGS,
            shopkeep_core::access::MAX_TAG_CHARS
        ))
    })?;
    let summary = access::conversation(
        &state,
        &session,
        &id,
        Action::Annotate,
        "PUT /api/v1/conversations/{id}/tags",
    )
    .await?;
    let updated = state.store.set_tags(summary.id, tags).await?;
    state.hub.publish_summary(&updated);
    Ok(Json(updated))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    #[serde(default)]
    after: Seq,
}

pub async fn events(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<History>, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::invalid("after: a sequence number"))?;
    let summary = access::conversation(
        &state,
        &session,
        &id,
        Action::Read,
        "GET /api/v1/conversations/{id}/events",
    )
    .await?;
    let id = summary.id;
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
    let request = body(json)?;
    let summary = access::conversation(
        &state,
        &session,
        &id,
        Action::Read,
        "POST /api/v1/conversations/{id}/transcript",
    )
    .await?;
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
