//! CSRF defence for cookie-authenticated requests: the request must come from
//! our own origin, and carry the session's synchronizer token in a header a
//! cross-site form or `fetch` without CORS cannot set.

use axum::http::{HeaderMap, StatusCode};
use shopkeep_core::protocol::ErrorCode;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::origin::PublicOrigin;

pub const HEADER: &str = "x-csrf-token";
/// The token a login request sends: there is no session yet, so the custom
/// header plus the Origin check is the defence.
pub const LOGIN_TOKEN: &str = "login";

fn refused(why: &'static str) -> ApiError {
    tracing::info!(why, "CSRF check refused a request");
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::CsrfFailed,
        "cross-site request refused",
    )
}

/// Checks the origin and that `X-CSRF-Token` equals `expected` (non-empty).
pub fn check(headers: &HeaderMap, public: &PublicOrigin, expected: &str) -> Result<(), ApiError> {
    let same_origin = if headers.contains_key(axum::http::header::ORIGIN) {
        public.matches_request(headers)
    } else {
        headers
            .get("sec-fetch-site")
            .is_some_and(|value| value.as_bytes() == b"same-origin")
    };
    if !same_origin {
        return Err(refused("origin"));
    }
    let sent = headers
        .get(HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if expected.is_empty() || sent.is_empty() || !bool::from(sent.ct_eq(expected.as_bytes())) {
        return Err(refused("token"));
    }
    Ok(())
}
