//! `/api/v1/sites/{id}/rules` and `/api/v1/rules/{id}`: invitation rules.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use shopkeep_core::ids::{RuleId, SiteId, VisitorId};
use shopkeep_core::rules::{Rule, RuleDraft};
use shopkeep_core::staff::Role;

use crate::api::sites::site_by_path;
use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

fn draft(json: Result<Json<RuleDraft>, JsonRejection>) -> Result<RuleDraft, ApiError> {
    body(json)?
        .validated()
        .map_err(|error| ApiError::invalid(error.to_string()))
}

/// A rule routes only to a department of its own site.
async fn check_department(
    state: &AppState,
    site: SiteId,
    draft: &RuleDraft,
) -> Result<(), ApiError> {
    let Some(id) = draft.department else {
        return Ok(());
    };
    match state.store.department(id).await? {
        Some(department) if department.site_id == site => Ok(()),
        _ => Err(ApiError::invalid(
            "department: no such department in this site",
        )),
    }
}

pub async fn list(
    State(state): State<AppState>,
    _session: StaffSession,
    Path(site): Path<String>,
) -> Result<Json<Vec<Rule>>, ApiError> {
    let site = site_by_path(&state, &site).await?;
    Ok(Json(state.store.list_rules(site.id).await?))
}

pub async fn create(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(site): Path<String>,
    json: Result<Json<RuleDraft>, JsonRejection>,
) -> Result<(StatusCode, Json<Rule>), ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Supervisor)?;
    let draft = draft(json)?;
    let site = site_by_path(&state, &site).await?;
    check_department(&state, site.id, &draft).await?;
    let rule = state.store.create_rule(site.id, draft).await?;
    state.tracker.rules_changed(site.id);
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn existing(state: &AppState, id: &str) -> Result<Rule, ApiError> {
    let id: RuleId = id.parse().map_err(|_| ApiError::not_found())?;
    state.store.rule(id).await?.ok_or_else(ApiError::not_found)
}

pub async fn update(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<RuleDraft>, JsonRejection>,
) -> Result<Json<Rule>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Supervisor)?;
    let draft = draft(json)?;
    let rule = existing(&state, &id).await?;
    check_department(&state, rule.site_id, &draft).await?;
    let updated = state.store.update_rule(rule.id, draft).await?;
    state.tracker.rules_changed(rule.site_id);
    Ok(Json(updated))
}

pub async fn delete(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Supervisor)?;
    let rule = existing(&state, &id).await?;
    state.store.delete_rule(rule.id).await?;
    state.tracker.rules_changed(rule.site_id);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize)]
pub struct Preview {
    visitors: Vec<VisitorId>,
}

/// Which live visitors the draft's conditions match now. Changes nothing, so
/// any member of staff may ask.
pub async fn preview(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(site): Path<String>,
    json: Result<Json<RuleDraft>, JsonRejection>,
) -> Result<Json<Preview>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let draft = draft(json)?;
    let site = site_by_path(&state, &site).await?;
    let now = shopkeep_store::sqlite::now();
    let rule = Rule {
        id: RuleId::new(),
        site_id: site.id,
        draft,
        created_at: now,
        updated_at: now,
    };
    Ok(Json(Preview {
        visitors: state.tracker.preview(site.id, &rule, now),
    }))
}
