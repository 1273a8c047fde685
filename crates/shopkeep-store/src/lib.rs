//! Shopkeep's storage: one [`Store`] trait and its backends.
//!
//! # Layout
//! - [`error`]: the one error enum every backend converts into.
//! - [`model`]: stored records that are not wire types (sites, staff, sessions, visitors).
//! - [`sqlite`]: the embedded default backend; a single writer task does group commit.
//!
//! Every method takes and returns plain domain values; nothing here is specific
//! to SQLite, so a PostgreSQL backend implements the same trait.
#![forbid(unsafe_code)]

pub mod error;
pub mod model;
pub mod sqlite;

use async_trait::async_trait;
use shopkeep_core::Millis;
use shopkeep_core::event::{Author, Event};
use shopkeep_core::ids::{ConversationId, Seq, SiteId, StaffId, VisitorId};
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary, Receipts, Side};
use shopkeep_core::staff::AgentStatus;
use shopkeep_core::text::{ClientMsgId, MessageText};

pub use error::{Result, StoreError};
pub use model::*;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // Sites.
    async fn create_site(&self, site: Site) -> Result<Site>;
    async fn site_by_public_key(&self, public_key: &str) -> Result<Option<Site>>;
    async fn site_by_slug(&self, slug: &str) -> Result<Option<Site>>;
    async fn site(&self, id: SiteId) -> Result<Option<Site>>;
    async fn list_sites(&self) -> Result<Vec<Site>>;

    // Staff.
    /// Fails with [`StoreError::Conflict`] when the email is taken.
    async fn create_staff(&self, staff: NewStaff) -> Result<Staff>;
    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>>;
    async fn staff(&self, id: StaffId) -> Result<Option<Staff>>;
    async fn list_staff(&self) -> Result<Vec<Staff>>;
    async fn count_staff(&self) -> Result<u64>;
    /// Sets the password and ends every session of that member of staff.
    async fn set_password(&self, id: StaffId, password_hash: String) -> Result<()>;
    async fn update_staff_profile(
        &self,
        id: StaffId,
        name: Option<String>,
        lang: Option<String>,
    ) -> Result<Staff>;
    async fn set_staff_status(&self, id: StaffId, status: AgentStatus) -> Result<()>;

    // Staff sessions and one-time setup tokens.
    async fn create_session(&self, session: Session) -> Result<()>;
    /// The unexpired session with that token hash, and its member of staff.
    async fn session(&self, token_hash: &[u8], now: Millis) -> Result<Option<(Session, Staff)>>;
    async fn touch_session(&self, token_hash: &[u8], now: Millis) -> Result<()>;
    async fn delete_session(&self, token_hash: &[u8]) -> Result<()>;
    async fn create_setup_token(&self, token_hash: Vec<u8>, expires_at: Millis) -> Result<()>;
    /// True once per unexpired token: consuming deletes it.
    async fn consume_setup_token(&self, token_hash: &[u8], now: Millis) -> Result<bool>;

    // Visitors.
    async fn create_visitor(&self, site: SiteId, token_hash: Vec<u8>) -> Result<Visitor>;
    async fn visitor_by_token(&self, site: SiteId, token_hash: &[u8]) -> Result<Option<Visitor>>;
    async fn touch_visitor(&self, id: VisitorId, now: Millis) -> Result<()>;

    // Conversations and their event log.
    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationSummary>>;
    /// The visitor's most recent conversation, open or closed.
    async fn latest_conversation(&self, visitor: VisitorId) -> Result<Option<ConversationSummary>>;
    async fn list_conversations(
        &self,
        filter: ConversationFilter,
    ) -> Result<Vec<ConversationSummary>>;
    /// Events with `seq > after`, in order, at most `limit`.
    async fn events_after(&self, id: ConversationId, after: Seq, limit: u32) -> Result<Vec<Event>>;
    /// Appends a visitor's message to their open conversation, opening one if
    /// none is open. A `client_msg_id` the visitor already used returns the
    /// stored event with `duplicate = true`, even if that conversation has since
    /// closed; one an operator used in the open conversation is a
    /// [`StoreError::Conflict`].
    async fn post_visitor_message(
        &self,
        site: SiteId,
        visitor: VisitorId,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<Posted>;
    /// Appends a message of the operator holding the conversation. A
    /// `client_msg_id` this operator already used in it returns the stored event
    /// with `duplicate = true`; one someone else used is a [`StoreError::Conflict`].
    async fn post_agent_message(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<Posted>;
    async fn take_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned>;
    async fn close_conversation(
        &self,
        conversation: ConversationId,
        by: Author,
    ) -> Result<Transitioned>;
    /// Raises the side's delivered mark to `seq` (never lowers it, never past `last_seq`).
    async fn mark_received(
        &self,
        conversation: ConversationId,
        side: Side,
        seq: Seq,
    ) -> Result<Receipts>;

    /// Flushes pending writes and stops the writer; later writes fail.
    async fn close(&self);
}
