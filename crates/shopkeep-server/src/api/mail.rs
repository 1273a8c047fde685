//! `/api/v1/mail`: the SMTP settings, the test email and failed deliveries. Admins only.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use shopkeep_core::email::{
    EmailAddress, MailFailure, MailSettingsSource, MailSettingsUpdate, MailSettingsView, SmtpTls,
};
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::staff::Role;
use shopkeep_store::SmtpSettings;

use crate::api::{body, require};
use crate::auth::csrf;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::mail::templates::Lang;
use crate::mail::{MailError, validate_relay};
use crate::state::AppState;

/// Most failures one request lists.
const MAX_FAILURES: u32 = 200;

fn view(relay: Option<SmtpSettings>, source: MailSettingsSource) -> MailSettingsView {
    match relay {
        Some(relay) => MailSettingsView {
            source,
            host: relay.host,
            port: relay.port,
            tls: relay.tls,
            username: relay.username,
            password_set: relay.password.is_some(),
            from_address: relay.from_address,
            from_name: relay.from_name,
        },
        None => MailSettingsView {
            source: MailSettingsSource::None,
            host: String::new(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: None,
            password_set: false,
            from_address: String::new(),
            from_name: None,
        },
    }
}

async fn current(state: &AppState) -> Result<MailSettingsView, ApiError> {
    let source = if state.mailer.configured_in_file() {
        MailSettingsSource::Config
    } else {
        MailSettingsSource::Console
    };
    Ok(view(state.mailer.relay().await?, source))
}

pub async fn settings(
    State(state): State<AppState>,
    session: StaffSession,
) -> Result<Json<MailSettingsView>, ApiError> {
    require(&session, Role::Admin)?;
    Ok(Json(current(&state).await?))
}

/// Replaces the console's SMTP settings. The password is kept when the body
/// has none, and removed when it is `""`.
pub async fn update_settings(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    json: Result<Json<MailSettingsUpdate>, JsonRejection>,
) -> Result<Json<MailSettingsView>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let update = body(json)?;
    if state.mailer.configured_in_file() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidInput,
            "the SMTP settings come from the settings file ([server.mail]); change them there",
        ));
    }
    let password = match update.password {
        None => state
            .store
            .smtp_settings()
            .await?
            .and_then(|stored| stored.password),
        Some(password) if password.is_empty() => None,
        Some(password) => Some(password),
    };
    let relay = validate_relay(SmtpSettings {
        host: update.host,
        port: update.port,
        tls: update.tls,
        username: update.username,
        password,
        from_address: update.from_address,
        from_name: update.from_name,
    })
    .map_err(ApiError::invalid)?;
    state.store.set_smtp_settings(Some(relay)).await?;
    tracing::info!(staff = %session.staff.id, "SMTP settings changed");
    // Mail that waited for settings can go now.
    state.mailer.wake();
    Ok(Json(current(&state).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    to: String,
}

#[derive(Serialize)]
pub struct TestSent {
    sent_to: EmailAddress,
}

/// Sends the test email now and says why when it fails.
pub async fn test(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    json: Result<Json<TestRequest>, JsonRejection>,
) -> Result<Json<TestSent>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    require(&session, Role::Admin)?;
    let to = EmailAddress::parse(&body(json)?.to)
        .map_err(|error| ApiError::invalid(format!("to: {error}")))?;
    let lang = Lang::from_tag(Some(&session.staff.lang));
    match state.mailer.send_test(&to, lang).await {
        Ok(()) => Ok(Json(TestSent { sent_to: to })),
        Err(MailError::NotConfigured) => Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::InvalidInput,
            MailError::NotConfigured.to_string(),
        )),
        Err(MailError::Invalid(why)) => Err(ApiError::invalid(why)),
        Err(MailError::Delivery(why)) => Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorCode::Unavailable,
            why,
        )),
        Err(MailError::Store(error)) => Err(error.into()),
    }
}

#[derive(Deserialize)]
pub struct FailuresQuery {
    limit: Option<u32>,
}

/// Mails not delivered (yet), the most recent failure first.
pub async fn failures(
    State(state): State<AppState>,
    session: StaffSession,
    Query(query): Query<FailuresQuery>,
) -> Result<Json<Vec<MailFailure>>, ApiError> {
    require(&session, Role::Admin)?;
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_FAILURES);
    Ok(Json(state.store.mail_failures(limit).await?))
}
