//! Stable error codes shared by the WebSocket frames and the REST API.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The frame or body is not valid JSON.
    BadJson,
    /// The JSON is valid but no frame of that `type` exists, or a field is wrong.
    UnknownFrame,
    /// The frame is larger than the size limit; the connection is closed (1009).
    FrameTooLarge,
    /// The first visitor frame must be `hello`.
    HelloRequired,
    /// Message text is empty or blank.
    TextEmpty,
    /// Message text is longer than the limit.
    TextTooLong,
    /// Text holds control characters.
    TextInvalid,
    /// `client_msg_id` is not 1–64 characters of `A-Za-z0-9-_`.
    InvalidClientMsgId,
    /// No site has that public key.
    InvalidSiteKey,
    /// The page's origin is not on the site's allow-list.
    OriginNotAllowed,
    /// The visitor token is unknown, forged or expired; the widget starts afresh.
    InvalidToken,
    /// The thing does not exist or is not yours to see.
    NotFound,
    /// You may not do that.
    Forbidden,
    /// Not logged in, or the session expired.
    Unauthorized,
    /// A state-changing request lacked the CSRF header or a matching Origin.
    CsrfFailed,
    /// Too many requests or frames; slow down.
    RateLimited,
    /// The conversation is closed.
    ConversationClosed,
    /// Another operator already took the conversation.
    AlreadyTaken,
    /// Wrong email or password.
    InvalidCredentials,
    /// A field of a request is invalid; `message` says which.
    InvalidInput,
    /// The server is shutting down or overloaded; reconnect later.
    Unavailable,
    /// Something broke on the server; it is logged.
    Internal,
    /// The transfer target is not online (or the department has nobody online).
    TargetOffline,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnknownFrame => "unknown_frame",
            ErrorCode::FrameTooLarge => "frame_too_large",
            ErrorCode::HelloRequired => "hello_required",
            ErrorCode::TextEmpty => "text_empty",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::TextInvalid => "text_invalid",
            ErrorCode::InvalidClientMsgId => "invalid_client_msg_id",
            ErrorCode::InvalidSiteKey => "invalid_site_key",
            ErrorCode::OriginNotAllowed => "origin_not_allowed",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::CsrfFailed => "csrf_failed",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ConversationClosed => "conversation_closed",
            ErrorCode::AlreadyTaken => "already_taken",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::TargetOffline => "target_offline",
        }
    }
}

impl From<crate::text::TextError> for ErrorCode {
    fn from(value: crate::text::TextError) -> Self {
        use crate::text::TextError;
        match value {
            TextError::Empty => ErrorCode::TextEmpty,
            TextError::TooLong { .. } => ErrorCode::TextTooLong,
            TextError::ControlCharacters => ErrorCode::TextInvalid,
            TextError::InvalidId => ErrorCode::InvalidClientMsgId,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name() {
        for code in [
            ErrorCode::BadJson,
            ErrorCode::InvalidClientMsgId,
            ErrorCode::CsrfFailed,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
