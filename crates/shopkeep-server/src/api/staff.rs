//! `/api/v1/staff`: the team's accounts. Supervisors see the list; admins add
//! people and change roles and how many chats each may hold.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use shopkeep_core::ids::StaffId;
use shopkeep_core::staff::{MAX_MAX_CHATS, NewStaffRequest, Role, StaffAccount, StaffPatch};
use shopkeep_core::text::DisplayName;
use shopkeep_store::{NewStaff, Staff};

use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::password::check_strength;
use crate::auth::routes::parse_email;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::team;

fn check_max_chats(max_chats: Option<u32>) -> Result<(), ApiError> {
    match max_chats {
        Some(max) if max == 0 || max > MAX_MAX_CHATS => Err(ApiError::invalid(format!(
            "max_chats: 1 to {MAX_MAX_CHATS}"
        ))),
        _ => Ok(()),
    }
}

/// Accounts with their team view (presence, load, departments).
async fn accounts(state: &AppState, staff: Vec<Staff>) -> Result<Vec<StaffAccount>, ApiError> {
    let mut members: HashMap<StaffId, _> = state
        .team
        .team(&state.hub)
        .into_iter()
        .map(|member| (member.id, member))
        .collect();
    Ok(staff
        .into_iter()
        .filter_map(|staff| {
            members.remove(&staff.id).map(|member| StaffAccount {
                member,
                email: staff.email,
            })
        })
        .collect())
}

async fn account(state: &AppState, staff: Staff) -> Result<StaffAccount, ApiError> {
    accounts(state, vec![staff])
        .await?
        .pop()
        .ok_or_else(ApiError::not_found)
}

pub async fn list(
    State(state): State<AppState>,
    session: StaffSession,
) -> Result<Json<Vec<StaffAccount>>, ApiError> {
    require(&session, Role::Supervisor)?;
    let staff = state.store.list_staff().await?;
    Ok(Json(accounts(&state, staff).await?))
}

pub async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    json: Result<Json<NewStaffRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<StaffAccount>), ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let new = body(json)?;
    let name = DisplayName::parse(&new.name)
        .map_err(|error| ApiError::invalid(format!("name: {error}")))?;
    let email = parse_email(&new.email)?;
    check_strength(&new.password).map_err(ApiError::invalid)?;
    check_max_chats(new.max_chats)?;
    let password_hash = state.hasher.hash(new.password).await?;
    let staff = state
        .store
        .create_staff(NewStaff {
            email,
            name: name.as_str().to_owned(),
            role: new.role,
            password_hash,
            lang: session.staff.lang.clone(),
            max_chats: new.max_chats,
        })
        .await?;
    team::reload(&state).await?;
    Ok((StatusCode::CREATED, Json(account(&state, staff).await?)))
}

pub async fn update(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<StaffPatch>, JsonRejection>,
) -> Result<Json<StaffAccount>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let patch = body(json)?;
    check_max_chats(patch.max_chats)?;
    let id: StaffId = id.parse().map_err(|_| ApiError::not_found())?;
    if id == session.staff.id && patch.role.is_some_and(|role| role < Role::Admin) {
        // The last word on staff must stay with someone: an admin does not demote themselves.
        return Err(ApiError::invalid("role: you cannot lower your own role"));
    }
    let staff = state
        .store
        .update_staff_team(id, patch.role, patch.max_chats)
        .await?;
    team::reload(&state).await?;
    Ok(Json(account(&state, staff).await?))
}
