//! The two WebSockets: `/v1/visitor` for the widget, `/v1/agent` for the console.
//! Both parse frames the same way and share the limits set here.

pub mod agent;
mod pipeline;
pub mod visitor;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use serde::de::DeserializeOwned;
use shopkeep_core::ids::Seq;
use shopkeep_core::protocol::shared::{
    ConversationSummary, ErrorFrame, History, ReceiptMark, Side,
};
use shopkeep_core::protocol::{ErrorCode, MAX_FRAME_BYTES, MAX_SYNC_EVENTS};
use shopkeep_store::{Store, StoreError};

use crate::hub::{Frame, to_frame};

/// Small buffers: an idle socket should cost kilobytes, not the 128 KiB default.
/// Client frames are small (a message, a page view); a rare large one is read
/// in more calls, into room reserved for its whole length.
pub fn limit(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_write_buffer_size(MAX_FRAME_BYTES * 4)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
}

/// Most bytes queued for a console socket. A console's welcome lists every open
/// conversation it may see, which in a busy shop is far more than a client may
/// send in one frame; the limit on what the console sends stays as small.
const STAFF_WRITE_BUFFER: usize = 32 * 1024 * 1024;

/// [`limit`] for console sockets, whose own frames may be large.
pub fn limit_staff(upgrade: WebSocketUpgrade) -> WebSocketUpgrade {
    limit(upgrade).max_write_buffer_size(STAFF_WRITE_BUFFER)
}

pub fn error(code: ErrorCode, message: impl Into<String>) -> ErrorFrame {
    ErrorFrame {
        code,
        message: message.into(),
        client_msg_id: None,
    }
}

pub fn store_error(error: &StoreError) -> ErrorFrame {
    let (_, code, message) = crate::error::describe(error);
    self::error(code, message)
}

/// Events of a conversation after `after`, answering a staff `sync` (staff-only
/// events included); the caller has checked that the conversation is theirs to see.
pub async fn history(
    store: &dyn Store,
    conversation: &ConversationSummary,
    after: Seq,
) -> Result<History, ErrorFrame> {
    let events = store
        .events_after(conversation.id, after, MAX_SYNC_EVENTS)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(History {
        conversation_id: conversation.id,
        last_seq: conversation.last_seq,
        events,
    })
}

/// What the visitor may see of a conversation after `after`: never a whisper
/// or a note, and `last_seq` is the last seq they can see.
pub async fn visitor_history(
    store: &dyn Store,
    conversation: &ConversationSummary,
    after: Seq,
) -> Result<History, ErrorFrame> {
    let events = store
        .visitor_events_after(conversation.id, after, MAX_SYNC_EVENTS)
        .await
        .map_err(|error| store_error(&error))?;
    Ok(History {
        conversation_id: conversation.id,
        last_seq: conversation.visible_seq,
        events,
    })
}

/// Parses one client frame: `bad_json` when it is not JSON at all,
/// `unknown_frame` when it is JSON but not a frame we know.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ErrorFrame> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| error(ErrorCode::BadJson, "the frame is not valid JSON"))?;
    serde_json::from_value(value)
        .map_err(|e| error(ErrorCode::UnknownFrame, format!("not a known frame: {e}")))
}

/// What the socket loop should do with a message from the client.
pub enum Incoming<'a> {
    Text(&'a str),
    /// Binary frames are not part of the protocol.
    Refused(ErrorFrame),
    Ignore,
    Closed,
}

pub fn classify(message: &Option<Result<Message, axum::Error>>) -> Incoming<'_> {
    match message {
        Some(Ok(Message::Text(text))) => Incoming::Text(text.as_str()),
        Some(Ok(Message::Binary(_))) => Incoming::Refused(error(
            ErrorCode::UnknownFrame,
            "binary frames are not supported",
        )),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Incoming::Ignore,
        Some(Ok(Message::Close(_))) | None => Incoming::Closed,
        Some(Err(error)) => {
            tracing::debug!(%error, "socket read failed");
            Incoming::Closed
        }
    }
}

/// Close codes we use.
pub mod close {
    /// Service restart: reconnect.
    pub const RESTART: u16 = 1012;
    /// Frame larger than the limit.
    pub const TOO_BIG: u16 = 1009;
    /// Policy violation (hello missing, session gone, not reading).
    pub const POLICY: u16 = 1008;
}

pub async fn send_frame(socket: &mut WebSocket, frame: Frame) -> bool {
    socket.send(Message::Text(frame)).await.is_ok()
}

/// Most frames written to a socket before one flush.
const BATCH: usize = 64;

/// Writes `first` and the frames already waiting behind it (`next` hands them
/// over without waiting; up to [`BATCH`] in all), then flushes once: under load
/// a socket gets a few large writes instead of one system call per frame.
pub async fn send_batch(
    socket: &mut WebSocket,
    first: Frame,
    mut next: impl FnMut() -> Option<Frame>,
) -> bool {
    use futures_util::SinkExt;
    if socket.feed(Message::Text(first)).await.is_err() {
        return false;
    }
    for _ in 1..BATCH {
        let Some(frame) = next() else { break };
        if socket.feed(Message::Text(frame)).await.is_err() {
            return false;
        }
    }
    socket.flush().await.is_ok()
}

pub async fn send<T: serde::Serialize>(socket: &mut WebSocket, value: &T) -> bool {
    send_frame(socket, to_frame(value)).await
}

pub async fn close_with(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.send(Message::Close(Some(frame))).await;
}

/// Whether a read failed because the client sent more than the size limit.
pub fn is_too_big(error: &axum::Error) -> bool {
    let text = error.to_string();
    text.contains("too long") || text.contains("Space limit exceeded")
}

/// A jittered delay so clients told to reconnect do not all come back at once.
pub fn reconnect_delay_ms() -> u64 {
    use rand::Rng;
    rand::rng().random_range(500..3000)
}

/// Raises `side`'s `mark` of a conversation (already checked as theirs) to
/// `seq` and tells both sides, unless the mark is there already.
pub async fn mark_receipt(
    state: &crate::state::AppState,
    summary: &ConversationSummary,
    side: Side,
    mark: ReceiptMark,
    seq: Seq,
) -> Result<(), ErrorFrame> {
    if seq <= summary.receipts.mark(side, mark) {
        return Ok(());
    }
    let receipts = state
        .store
        .mark_receipt(summary.id, side, mark, seq)
        .await
        .map_err(|error| store_error(&error))?;
    if receipts != summary.receipts {
        state.hub.publish_receipts(summary, receipts);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopkeep_core::protocol::visitor::ClientFrame;

    #[test]
    fn bad_json_and_unknown_frames_get_distinct_codes() {
        assert_eq!(
            parse::<ClientFrame>("{nope").unwrap_err().code,
            ErrorCode::BadJson
        );
        assert_eq!(
            parse::<ClientFrame>(r#"{"type":"launch_missiles"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UnknownFrame
        );
        assert_eq!(
            parse::<ClientFrame>(r#"{"type":"send","client_msg_id":{"$regex":".*"},"text":"x"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UnknownFrame
        );
        assert!(parse::<ClientFrame>(r#"{"type":"ping"}"#).is_ok());
    }
}
