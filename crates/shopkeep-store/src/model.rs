//! Records the store reads and writes that are not part of the wire protocol.

use shopkeep_core::Millis;
use shopkeep_core::event::Event;
use shopkeep_core::ids::{SiteId, StaffId, VisitorId};
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_core::staff::{AgentStatus, Role};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub id: SiteId,
    /// Short name used on the command line (`shopkeep site snippet demo`).
    pub slug: String,
    pub name: String,
    /// Goes in the embed snippet; identifies the site, grants nothing.
    pub public_key: String,
    /// Shop origins (`https://shop.example`) whose pages may open the visitor socket.
    pub allowed_origins: Vec<String>,
    /// Key for the identity HMAC the shop's backend computes.
    pub hmac_secret: String,
    pub color: String,
    pub lang: Option<String>,
    pub created_at: Millis,
}

#[derive(Clone)]
pub struct Staff {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub status: AgentStatus,
    pub lang: String,
    pub created_at: Millis,
}

impl std::fmt::Debug for Staff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staff")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub lang: String,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub staff_id: StaffId,
    pub csrf_token: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visitor {
    pub id: VisitorId,
    pub site_id: SiteId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

/// The result of posting a message.
#[derive(Clone, Debug)]
pub struct Posted {
    pub event: Event,
    /// The message was a resend of one already stored; nothing new was written.
    pub duplicate: bool,
    /// The conversation after the post.
    pub conversation: ConversationSummary,
    /// The post opened this conversation.
    pub opened: bool,
}

/// The result of a state change (take, close): the event it recorded, if any.
#[derive(Clone, Debug)]
pub struct Transitioned {
    pub event: Option<Event>,
    pub conversation: ConversationSummary,
}

/// Which conversations to list.
#[derive(Clone, Copy, Debug, Default)]
pub struct ConversationFilter {
    /// Waiting and active ones.
    pub open: bool,
    /// Closed ones, most recently updated first.
    pub closed_limit: u32,
}
