//! Staff sessions: a random token in an HttpOnly cookie, its hash a row in the
//! store. The [`StaffSession`] extractor is the one place that decides whether
//! a request is logged in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use shopkeep_store::sqlite::now;
use shopkeep_store::{Session, Staff};

use crate::error::ApiError;
use crate::state::AppState;
use crate::tokens;

/// Refresh `last_seen_at` at most this often, so reads do not all become writes.
const TOUCH_EVERY_MS: i64 = 60_000;

pub fn cookie_name(https: bool) -> &'static str {
    // `__Host-` binds the cookie to this exact origin, but browsers only accept it with Secure.
    if https {
        "__Host-shopkeep_session"
    } else {
        "shopkeep_session"
    }
}

/// A logged-in member of staff.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub session: Session,
    pub staff: Staff,
}

impl StaffSession {
    pub fn token_hash(&self) -> &[u8] {
        &self.session.token_hash
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(cookie_name(state.public.https)).map(Cookie::value) else {
            tracing::debug!("no session cookie");
            return Err(ApiError::unauthorized());
        };
        lookup(state, token).await
    }
}

/// The live session for a cookie token, refreshing its idle timer.
pub async fn lookup(state: &AppState, token: &str) -> Result<StaffSession, ApiError> {
    let hash = tokens::hash(token);
    let now = now();
    let Some((session, staff)) = state.store.session(&hash, now).await? else {
        tracing::debug!("unknown or expired session");
        return Err(ApiError::unauthorized());
    };
    let idle_ms = i64::try_from(state.settings.session_idle.as_millis()).unwrap_or(i64::MAX);
    if now.saturating_sub(session.last_seen_at) > idle_ms {
        tracing::debug!("session idle too long");
        state.store.delete_session(&hash).await?;
        return Err(ApiError::unauthorized());
    }
    if now - session.last_seen_at > TOUCH_EVERY_MS {
        state.store.touch_session(&hash, now).await?;
    }
    Ok(StaffSession { session, staff })
}

pub fn session_cookie(token: String, https: bool, max_age: std::time::Duration) -> Cookie<'static> {
    let mut cookie = Cookie::new(cookie_name(https), token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(https);
    cookie.set_max_age(time_duration(max_age));
    cookie
}

pub fn removal_cookie(https: bool) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), https, std::time::Duration::ZERO);
    cookie.make_removal();
    cookie
}

fn time_duration(duration: std::time::Duration) -> time::Duration {
    time::Duration::seconds(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX))
}
