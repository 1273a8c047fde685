//! `/api/v1/auth/*`, `/api/v1/me` and `/api/v1/setup`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::protocol::agent::Me;
use shopkeep_core::staff::Role;
use shopkeep_core::text::DisplayName;
use shopkeep_store::sqlite::now;
use shopkeep_store::{NewStaff, Session, Staff, StoreError};

use crate::auth::csrf;
use crate::auth::password::{MAX_PASSWORD_BYTES, check_strength};
use crate::auth::session::{StaffSession, removal_cookie, session_cookie};
use crate::error::ApiError;
use crate::i18n::supported_lang;
use crate::state::AppState;
use crate::tokens;

#[derive(Serialize)]
pub struct MeResponse {
    pub me: Me,
    pub csrf_token: String,
}

pub fn me_of(staff: &Staff) -> Me {
    Me {
        id: staff.id,
        name: staff.name.clone(),
        email: staff.email.clone(),
        role: staff.role,
        status: staff.status,
        lang: staff.lang.clone(),
        photo: crate::api::photos::photo_path(staff),
        // Filled from the team directory where it is at hand (the console's welcome).
        departments: Vec::new(),
        max_chats: staff.max_chats,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    email: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Json(login): Json<Login>,
) -> Result<Response, ApiError> {
    csrf::check(&headers, &state.public, csrf::LOGIN_TOKEN)?;
    if state.limiters.logins.check_key(&peer.ip()).is_err() {
        tracing::warn!(ip = %peer.ip(), "login rate limit hit");
        return Err(ApiError::rate_limited());
    }
    if login.password.len() > MAX_PASSWORD_BYTES || login.email.len() > 320 {
        return Err(invalid_credentials());
    }
    let staff = state.store.staff_by_email(login.email.trim()).await?;
    let stored = staff.as_ref().map(|staff| staff.password_hash.clone());
    if !state.hasher.verify(login.password, stored).await {
        tracing::info!(ip = %peer.ip(), "login refused");
        return Err(invalid_credentials());
    }
    let staff = staff.ok_or_else(invalid_credentials)?;
    tracing::info!(staff = %staff.id, ip = %peer.ip(), "logged in");
    start_session(&state, jar, &staff).await
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidCredentials,
        "wrong email or password",
    )
}

/// A fresh session (never reuse one from before login: no fixation).
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    staff: &Staff,
) -> Result<Response, ApiError> {
    let token = tokens::new_token();
    let csrf_token = tokens::new_token();
    let now = now();
    let absolute = i64::try_from(state.settings.session_absolute.as_millis()).unwrap_or(i64::MAX);
    state
        .store
        .create_session(Session {
            token_hash: tokens::hash(&token),
            staff_id: staff.id,
            csrf_token: csrf_token.clone(),
            created_at: now,
            last_seen_at: now,
            expires_at: now.saturating_add(absolute),
        })
        .await?;
    let jar = jar.add(session_cookie(
        token,
        state.public.https,
        state.settings.session_absolute,
    ));
    let body = MeResponse {
        me: me_of(staff),
        csrf_token,
    };
    Ok((jar, Json(body)).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    state.store.delete_session(session.token_hash()).await?;
    let jar = jar.add(removal_cookie(state.public.https));
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

pub async fn me(session: StaffSession) -> Json<MeResponse> {
    Json(MeResponse {
        me: me_of(&session.staff),
        csrf_token: session.session.csrf_token,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

pub async fn update_me(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    Json(change): Json<ProfileChange>,
) -> Result<Json<MeResponse>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let name = change
        .name
        .map(|name| DisplayName::parse(&name).map(|name| name.as_str().to_owned()))
        .transpose()
        .map_err(|error| ApiError::invalid(format!("name: {error}")))?;
    let lang = change
        .lang
        .map(|lang| {
            supported_lang(&lang)
                .map(str::to_owned)
                .ok_or_else(|| ApiError::invalid("lang: not a supported language"))
        })
        .transpose()?;
    let staff = state
        .store
        .update_staff_profile(session.staff.id, name, lang)
        .await?;
    Ok(Json(MeResponse {
        me: me_of(&staff),
        csrf_token: session.session.csrf_token,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    token: String,
    name: String,
    email: String,
    password: String,
}

/// Creates the first admin with the one-time token `shopkeep serve` printed.
pub async fn setup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Json(setup): Json<Setup>,
) -> Result<Response, ApiError> {
    csrf::check(&headers, &state.public, csrf::LOGIN_TOKEN)?;
    if state.limiters.logins.check_key(&peer.ip()).is_err() {
        return Err(ApiError::rate_limited());
    }
    let name = DisplayName::parse(&setup.name)
        .map_err(|error| ApiError::invalid(format!("name: {error}")))?;
    let email = parse_email(&setup.email)?;
    check_strength(&setup.password).map_err(ApiError::invalid)?;
    if !state
        .store
        .consume_setup_token(&tokens::hash(&setup.token), now())
        .await?
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "this setup link is used or expired",
        ));
    }
    let password_hash = state.hasher.hash(setup.password).await?;
    let staff = state
        .store
        .create_staff(NewStaff {
            email,
            name: name.as_str().to_owned(),
            role: Role::Admin,
            password_hash,
            lang: "en".into(),
            max_chats: None,
        })
        .await
        .map_err(|error| match error {
            StoreError::Conflict(_) => ApiError::invalid("email: that address is taken"),
            other => other.into(),
        })?;
    tracing::info!(staff = %staff.id, "first admin created through the setup link");
    start_session(&state, jar, &staff).await
}

/// A plausible email address: one `@`, no spaces or control characters, ≤ 254 bytes.
pub fn parse_email(raw: &str) -> Result<String, ApiError> {
    let email = raw.trim();
    let valid = email.len() <= 254
        && email.split('@').count() == 2
        && email.split('@').all(|part| !part.is_empty())
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if valid {
        Ok(email.to_owned())
    } else {
        Err(ApiError::invalid("email: not a valid address"))
    }
}
