//! `/api/v1/canned`: canned answers. Everyone has their own; shared ones are
//! read by everyone and written by supervisors and admins.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use shopkeep_core::canned::{Canned, CannedDraft, NewCanned};
use shopkeep_core::ids::{CannedId, SiteId};
use shopkeep_core::staff::Role;

use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedQuery {
    site_id: SiteId,
}

fn validated(draft: CannedDraft) -> Result<CannedDraft, ApiError> {
    draft
        .validated()
        .map_err(|error| ApiError::invalid(error.to_string()))
}

pub async fn list(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<CannedQuery>, QueryRejection>,
) -> Result<Json<Vec<Canned>>, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::invalid("site_id: a site id"))?;
    Ok(Json(
        state
            .store
            .list_canned(query.site_id, session.staff.id)
            .await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    json: Result<Json<NewCanned>, JsonRejection>,
) -> Result<(StatusCode, Json<Canned>), ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let new = body(json)?;
    let draft = validated(new.draft)?;
    if draft.shared {
        require(&session, Role::Supervisor)?;
    }
    if state.store.site(new.site_id).await?.is_none() {
        return Err(ApiError::invalid("site_id: no such site"));
    }
    let canned = state
        .store
        .create_canned(new.site_id, session.staff.id, draft)
        .await?;
    Ok((StatusCode::CREATED, Json(canned)))
}

/// The answer `id` if this member of staff may change it: their own personal
/// one, or a shared one for supervisors. Someone else's personal answer is
/// answered as not found.
async fn writable(state: &AppState, session: &StaffSession, id: &str) -> Result<Canned, ApiError> {
    let id: CannedId = id.parse().map_err(|_| ApiError::not_found())?;
    let canned = state
        .store
        .canned(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if canned.draft.shared {
        require(session, Role::Supervisor)?;
    } else if canned.owner != session.staff.id {
        return Err(ApiError::not_found());
    }
    Ok(canned)
}

pub async fn update(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<CannedDraft>, JsonRejection>,
) -> Result<Json<Canned>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let draft = validated(body(json)?)?;
    let canned = writable(&state, &session, &id).await?;
    if draft.shared {
        require(&session, Role::Supervisor)?;
    }
    Ok(Json(state.store.update_canned(canned.id, draft).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let canned = writable(&state, &session, &id).await?;
    state.store.delete_canned(canned.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
