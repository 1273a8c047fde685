//! `/api/v1/sites`: the sites staff work for, and their tracking settings.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use shopkeep_core::ids::SiteId;
use shopkeep_core::site::{SitePatch, SiteView};
use shopkeep_core::staff::Role;
use shopkeep_store::Site;

use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

pub fn view(site: Site) -> SiteView {
    SiteView {
        id: site.id,
        slug: site.slug,
        name: site.name,
        public_key: site.public_key,
        allowed_origins: site.allowed_origins,
        color: site.color,
        lang: site.lang,
        tracking: site.tracking,
        greetings: site.greetings,
        hours: site.hours,
        mail: site.mail,
        chat: site.chat,
    }
}

pub async fn list(
    State(state): State<AppState>,
    _session: StaffSession,
) -> Result<Json<Vec<SiteView>>, ApiError> {
    let sites = state.store.list_sites().await?;
    Ok(Json(sites.into_iter().map(view).collect()))
}

pub async fn site_by_path(state: &AppState, id: &str) -> Result<Site, ApiError> {
    let id: SiteId = id.parse().map_err(|_| ApiError::not_found())?;
    state.store.site(id).await?.ok_or_else(ApiError::not_found)
}

pub async fn update(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Path(id): Path<String>,
    json: Result<Json<SitePatch>, JsonRejection>,
) -> Result<Json<SiteView>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let patch = body(json)?
        .validated()
        .map_err(|error| ApiError::invalid(error.to_string()))?;
    let site = site_by_path(&state, &id).await?;
    let mut settings = site.settings();
    if let Some(tracking) = patch.tracking {
        settings.tracking = tracking;
    }
    if let Some(greetings) = patch.greetings {
        settings.greetings = greetings;
    }
    if let Some(hours) = patch.hours {
        settings.hours = hours;
    }
    if let Some(mail) = patch.mail {
        settings.mail = mail;
    }
    if let Some(chat) = patch.chat {
        settings.chat = chat;
    }
    let updated = state.store.update_site_settings(site.id, settings).await?;
    state.hub.site_changed(updated.id);
    Ok(Json(view(updated)))
}
