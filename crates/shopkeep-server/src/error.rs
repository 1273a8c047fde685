//! One mapping from errors to HTTP responses: 5xx logged with the whole chain,
//! 4xx answered tersely with a stable code.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use shopkeep_core::conversation::TransitionError;
use shopkeep_core::protocol::ErrorCode;
use shopkeep_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: ErrorCode,
    message: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "log in first",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "not found")
    }

    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many requests; try again later",
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            message,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = ?self.code, message = %self.message, "request failed");
        } else {
            tracing::debug!(code = ?self.code, message = %self.message, "request refused");
        }
        let body = Body {
            error: self.code,
            message: &self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

/// The wire code and a human message for a store failure, shared by REST and WebSocket.
pub fn describe(error: &StoreError) -> (StatusCode, ErrorCode, String) {
    match error {
        StoreError::NotFound => (
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "not found".into(),
        ),
        StoreError::Conflict(what) => (StatusCode::CONFLICT, ErrorCode::InvalidInput, what.clone()),
        StoreError::Limit(what) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            what.clone(),
        ),
        StoreError::Rule(rule) => {
            let code = match rule {
                TransitionError::Closed => ErrorCode::ConversationClosed,
                TransitionError::TakenByOther => ErrorCode::AlreadyTaken,
                TransitionError::NotAssignee => ErrorCode::Forbidden,
                TransitionError::SameHolder
                | TransitionError::AlreadyIn
                | TransitionError::NotIn => ErrorCode::InvalidInput,
            };
            (StatusCode::CONFLICT, code, rule.to_string())
        }
        StoreError::ShuttingDown => (
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the server is restarting; try again".into(),
        ),
        StoreError::Backend(detail) => {
            tracing::error!(%detail, "storage failure");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "internal error".into(),
            )
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let (status, code, message) = describe(&error);
        Self::new(status, code, message)
    }
}

impl From<crate::auth::password::HashError> for ApiError {
    fn from(error: crate::auth::password::HashError) -> Self {
        tracing::error!(%error, "password hashing failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "internal error",
        )
    }
}
