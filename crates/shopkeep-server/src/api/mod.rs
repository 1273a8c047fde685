//! Staff REST routes under `/api/v1`, one module per resource.

pub mod access;
pub mod audit;
pub mod canned;
pub mod conversations;
pub mod departments;
pub mod mail;
pub mod photos;
pub mod rules;
pub mod sites;
pub mod staff;
pub mod visitors;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::staff::Role;

use crate::auth::session::StaffSession;
use crate::error::ApiError;

/// The body, or a 422 that says what is wrong with it.
pub fn body<T>(json: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    json.map(|Json(value)| value)
        .map_err(|rejection| ApiError::invalid(rejection.body_text()))
}

/// Refuses staff below `role`.
pub fn require(session: &StaffSession, role: Role) -> Result<(), ApiError> {
    if session.staff.role >= role {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("only a {} or above may do this", role.as_str()),
        ))
    }
}
