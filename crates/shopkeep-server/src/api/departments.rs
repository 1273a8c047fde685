//! `/api/v1/departments`: the teams of each site. Anyone on the staff lists
//! them (for transfers and filters); only admins change them.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use shopkeep_core::department::{Department, DepartmentDraft, NewDepartment};
use shopkeep_core::ids::DepartmentId;
use shopkeep_core::staff::Role;

use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::team;

fn validated(draft: DepartmentDraft) -> Result<DepartmentDraft, ApiError> {
    draft
        .validated()
        .map_err(|error| ApiError::invalid(error.to_string()))
}

pub async fn list(
    State(state): State<AppState>,
    _session: StaffSession,
) -> Result<Json<Vec<Department>>, ApiError> {
    Ok(Json(state.store.list_departments(None).await?))
}

pub async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    json: Result<Json<NewDepartment>, JsonRejection>,
) -> Result<(StatusCode, Json<Department>), ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let new = body(json)?;
    let draft = validated(new.draft)?;
    if state.store.site(new.site_id).await?.is_none() {
        return Err(ApiError::invalid("site_id: no such site"));
    }
    let department = state.store.create_department(new.site_id, draft).await?;
    team::reload(&state).await?;
    Ok((StatusCode::CREATED, Json(department)))
}

async fn existing(state: &AppState, id: &str) -> Result<Department, ApiError> {
    let id: DepartmentId = id.parse().map_err(|_| ApiError::not_found())?;
    state
        .store
        .department(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

pub async fn update(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<DepartmentDraft>, JsonRejection>,
) -> Result<Json<Department>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let draft = validated(body(json)?)?;
    let department = existing(&state, &id).await?;
    let updated = state.store.update_department(department.id, draft).await?;
    team::reload(&state).await?;
    Ok(Json(updated))
}

pub async fn delete(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let department = existing(&state, &id).await?;
    state.store.delete_department(department.id).await?;
    team::reload(&state).await?;
    Ok(StatusCode::NO_CONTENT)
}
