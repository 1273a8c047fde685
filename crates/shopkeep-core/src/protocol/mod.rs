//! The WebSocket wire protocol, version 1 (`/v1/visitor`, `/v1/agent`).
//! JSON text frames, each an object tagged by `type`. Documented in
//! `docs/protocol.md`; these types generate `web/protocol/*.ts`.

pub mod agent;
pub mod error;
pub mod shared;
pub mod visitor;

pub use error::ErrorCode;

/// Largest WebSocket message the server accepts, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Most events returned by one `sync` answer; the client asks again for the rest.
pub const MAX_SYNC_EVENTS: u32 = 500;
