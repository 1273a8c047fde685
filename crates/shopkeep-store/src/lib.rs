//! Shopkeep's storage: one [`Store`] trait and its backends.
//!
//! # Layout
//! - [`error`]: the one error enum every backend converts into.
//! - [`model`]: stored records that are not wire types (sites, staff, sessions, visitors,
//!   outbox mail, SMTP settings).
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
use shopkeep_core::attributes::Attributes;
use shopkeep_core::canned::{Canned, CannedDraft};
use shopkeep_core::department::{Department, DepartmentDraft, DepartmentRef};
use shopkeep_core::email::MailFailure;
use shopkeep_core::event::{Author, Event};
use shopkeep_core::ids::{
    CannedId, ContactId, ConversationId, DepartmentId, InternalMessageId, MailId, RuleId, Seq,
    SiteId, StaffId, VisitorId,
};
use shopkeep_core::internal::RoomKey;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary, ReceiptMark, Receipts, Side};
use shopkeep_core::rules::{Rule, RuleDraft};
use shopkeep_core::staff::{AgentStatus, Role};
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_core::tracking::Visit;

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
    /// Replaces the identity secret; signatures made with the old one stop verifying.
    async fn set_site_secret(&self, id: SiteId, secret: String) -> Result<Site>;
    async fn update_site_settings(&self, id: SiteId, settings: SiteSettings) -> Result<Site>;

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
    /// Changes role and/or maximum concurrent chats (admin only, checked by the caller).
    async fn update_staff_team(
        &self,
        id: StaffId,
        role: Option<Role>,
        max_chats: Option<u32>,
    ) -> Result<Staff>;

    // Departments.
    /// Every department of `site` (of all sites with `None`), by position.
    async fn list_departments(&self, site: Option<SiteId>) -> Result<Vec<Department>>;
    async fn department(&self, id: DepartmentId) -> Result<Option<Department>>;
    /// Added last in order. [`StoreError::Limit`] past `MAX_DEPARTMENTS`; a
    /// name already used in the site is a [`StoreError::Conflict`]; an unknown
    /// member is [`StoreError::NotFound`].
    async fn create_department(&self, site: SiteId, draft: DepartmentDraft) -> Result<Department>;
    async fn update_department(
        &self,
        id: DepartmentId,
        draft: DepartmentDraft,
    ) -> Result<Department>;
    /// Removes it; its conversations and rules fall back to the site's queue.
    async fn delete_department(&self, id: DepartmentId) -> Result<()>;
    /// Sets or (with `None`) removes the photo; returns the staff row after.
    async fn set_staff_photo(&self, id: StaffId, photo: Option<StaffPhoto>) -> Result<Staff>;
    async fn staff_photo(&self, id: StaffId) -> Result<Option<StaffPhoto>>;

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
    async fn visitor(&self, id: VisitorId) -> Result<Option<Visitor>>;
    /// Records who the visitor says they are. With `verified_id`, the contact with
    /// that id is found or created, takes the claims, and the visitor (and its
    /// conversations) are linked to it; without, the claims stay on the visitor
    /// only and any earlier link is kept as it was.
    async fn identify_visitor(
        &self,
        visitor: VisitorId,
        claims: Claims,
        verified_id: Option<String>,
    ) -> Result<Identified>;
    async fn set_visitor_attributes(
        &self,
        visitor: VisitorId,
        attributes: Attributes,
    ) -> Result<()>;
    async fn contact(&self, id: ContactId) -> Result<Option<Contact>>;
    /// Every visitor linked to the contact.
    async fn contact_visitors(&self, id: ContactId) -> Result<Vec<VisitorId>>;

    // Visits and pages.
    /// Starts a visit; returns its number (1 for the visitor's first).
    async fn start_visit(&self, visit: NewVisit) -> Result<u32>;
    /// The visitor's latest visit with up to its last 50 pages.
    async fn latest_visit(&self, visitor: VisitorId) -> Result<Option<Visit>>;
    /// Visits of these visitors, newest first, each with up to 100 pages.
    async fn visits(&self, visitors: &[VisitorId], limit: u32) -> Result<Vec<Visit>>;
    /// Writes page views and visit activity in one transaction.
    async fn record_tracking(&self, batch: TrackingBatch) -> Result<()>;

    // Conversations and their event log.
    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationSummary>>;
    /// The visitor's most recent conversation, open or closed.
    async fn latest_conversation(&self, visitor: VisitorId) -> Result<Option<ConversationSummary>>;
    /// The contact's most recent conversation, from any of its visitors.
    async fn latest_contact_conversation(
        &self,
        contact: ContactId,
    ) -> Result<Option<ConversationSummary>>;
    /// Conversations of these visitors, newest first.
    async fn conversations_of(
        &self,
        visitors: &[VisitorId],
        limit: u32,
    ) -> Result<Vec<ConversationSummary>>;
    /// Opens a conversation already assigned to `agent`, whose invitation the
    /// visitor accepted: `joined`, then the invitation text as the agent's first
    /// message. A visitor with an open conversation, or whose contact has one
    /// from another device, gets [`StoreError::Conflict`].
    async fn open_invited_conversation(
        &self,
        site: SiteId,
        visitor: VisitorId,
        contact: Option<ContactId>,
        agent: AgentRef,
        text: MessageText,
        department: Option<DepartmentId>,
    ) -> Result<Transitioned>;
    async fn list_conversations(
        &self,
        filter: ConversationFilter,
    ) -> Result<Vec<ConversationSummary>>;
    /// Events with `seq > after`, in order, at most `limit`; staff see them all.
    async fn events_after(&self, id: ConversationId, after: Seq, limit: u32) -> Result<Vec<Event>>;
    /// What a visitor may see of [`Store::events_after`]: staff-only events
    /// (whispers, notes) are never returned, and each event carries
    /// `visible_prev` where staff-only events lie before it.
    async fn visitor_events_after(
        &self,
        id: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<Event>>;
    /// Conversations for the history view, newest first. A `tag` is matched as
    /// given: normalise it as for [`Store::set_tags`].
    async fn search_conversations(&self, query: HistoryQuery) -> Result<Vec<ConversationSummary>>;
    /// Appends a visitor's message to their open conversation, opening one if
    /// none is open. `contact` is the customer the visitor proved to be on this
    /// connection (valid identity signature): their open conversation from
    /// another device counts as the visitor's. A link stored from an earlier
    /// visit does not, so a shared browser never writes into someone's chat. A `client_msg_id` the visitor already used returns the
    /// stored event with `duplicate = true`, even if that conversation has since
    /// closed; one an operator used in the open conversation is a
    /// [`StoreError::Conflict`].
    async fn post_visitor_message(
        &self,
        site: SiteId,
        visitor: VisitorId,
        contact: Option<ContactId>,
        client_msg_id: ClientMsgId,
        text: MessageText,
        department: Option<DepartmentId>,
    ) -> Result<Posted>;
    /// Appends a message of the operator holding the conversation. A
    /// `client_msg_id` this operator already used in it returns the stored event
    /// with `duplicate = true`; one someone else used is a [`StoreError::Conflict`].
    /// `mail` (the answer to an offline message, by email) goes into the outbox
    /// in the same transaction, and only when the message is new.
    async fn post_agent_message(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
        mail: Option<NewMail>,
    ) -> Result<Posted>;
    /// Stores an offline message in one transaction: a new waiting conversation
    /// marked `offline` whose first event is the message, the form's details as
    /// the visitor's claims (no contact is created), and the mail to the shop.
    /// A `client_msg_id` the visitor already used returns the stored event with
    /// `duplicate = true` and changes nothing.
    async fn post_offline_message(&self, offline: OfflineMessage) -> Result<Posted>;
    /// Waiting conversations that no operator has taken or answered, not left
    /// through the offline form and not yet marked missed, oldest first.
    async fn unanswered_conversations(&self) -> Result<Vec<ConversationSummary>>;
    /// Marks a conversation missed and queues `mail` in the same transaction,
    /// if it is still waiting, unanswered and not yet missed; otherwise changes
    /// nothing and answers `None`.
    async fn mark_missed(
        &self,
        conversation: ConversationId,
        mail: Option<NewMail>,
    ) -> Result<Option<ConversationSummary>>;
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
    /// Hands an open conversation to `to`: a transfer accepted, or a supervisor
    /// taking over (`by` is then `to`). Records `transferred {to}`; `to` leaves
    /// the participants if they had joined.
    async fn hand_conversation(
        &self,
        conversation: ConversationId,
        by: AgentRef,
        to: AgentRef,
    ) -> Result<Transitioned>;
    /// Moves an open conversation to `department`'s queue: waiting, nobody
    /// holds it, participants cleared; records `transferred {department}`.
    async fn transfer_to_department(
        &self,
        conversation: ConversationId,
        by: AgentRef,
        department: DepartmentRef,
    ) -> Result<Transitioned>;
    /// A supervisor enters as a participant: records `joined`.
    async fn join_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned>;
    /// A participant leaves: records `left`.
    async fn leave_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned>;
    /// Appends a whisper or note (staff-only; the visitor's `last_seq` does not
    /// move). Idempotent by `client_msg_id` like [`Store::post_agent_message`];
    /// allowed to anyone the caller checked, whoever holds the chat.
    async fn post_staff_only(
        &self,
        conversation: ConversationId,
        kind: StaffOnly,
        agent: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<Posted>;
    /// Replaces the conversation's tags (already normalised by the caller).
    async fn set_tags(
        &self,
        conversation: ConversationId,
        tags: Vec<String>,
    ) -> Result<ConversationSummary>;
    /// Raises the side's delivered or read mark to `seq` (never lowers it, never
    /// past what that side can see); read raises delivered too.
    async fn mark_receipt(
        &self,
        conversation: ConversationId,
        side: Side,
        mark: ReceiptMark,
        seq: Seq,
    ) -> Result<Receipts>;

    // Canned answers.
    /// The site's shared answers and `staff`'s own, by shortcut.
    async fn list_canned(&self, site: SiteId, staff: StaffId) -> Result<Vec<Canned>>;
    async fn canned(&self, id: CannedId) -> Result<Option<Canned>>;
    /// A shortcut already used by the same owner (or among shared ones) is a
    /// [`StoreError::Conflict`]; [`StoreError::Limit`] past `MAX_CANNED`.
    async fn create_canned(
        &self,
        site: SiteId,
        owner: StaffId,
        draft: CannedDraft,
    ) -> Result<Canned>;
    async fn update_canned(&self, id: CannedId, draft: CannedDraft) -> Result<Canned>;
    async fn delete_canned(&self, id: CannedId) -> Result<()>;

    // Internal chat.
    /// Stores a message; a `client_msg_id` the author already used in the room
    /// returns the stored message with `true` (a duplicate).
    async fn post_internal(
        &self,
        room: RoomKey,
        author: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<(StoredInternal, bool)>;
    /// Up to `limit` messages of the room older than `before`, newest first.
    async fn internal_messages(
        &self,
        room: RoomKey,
        before: Option<InternalMessageId>,
        limit: u32,
    ) -> Result<Vec<StoredInternal>>;

    // Audit.
    async fn record_audit(&self, entry: AuditEntry) -> Result<()>;
    /// The most recent entries first.
    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>>;

    // Invitation rules.
    async fn list_rules(&self, site: SiteId) -> Result<Vec<Rule>>;
    async fn rule(&self, id: RuleId) -> Result<Option<Rule>>;
    /// Fails with [`StoreError::Limit`] when the site already has the most rules allowed.
    async fn create_rule(&self, site: SiteId, draft: RuleDraft) -> Result<Rule>;
    async fn update_rule(&self, id: RuleId, draft: RuleDraft) -> Result<Rule>;
    async fn delete_rule(&self, id: RuleId) -> Result<()>;

    // Mail outbox and SMTP settings.
    /// Adds a mail, due at `now`. With a `dedupe_key` already in the outbox
    /// nothing is added: `None`.
    async fn enqueue_mail(&self, mail: NewMail, now: Millis) -> Result<Option<MailId>>;
    /// Takes up to `limit` mails due at `now`, oldest first. Each counts an
    /// attempt and is not due again before `now + lease` unless marked sent or
    /// failed first, so a sender that stops mid-send leaves it for a retry.
    async fn claim_due_mail(&self, now: Millis, limit: u32, lease: Millis) -> Result<Vec<Mail>>;
    /// The relay accepted the mail: it is never due again.
    async fn mark_mail_sent(&self, id: MailId, at: Millis) -> Result<()>;
    /// An attempt failed: due again at `retry_at`, or given up with `None`.
    async fn mark_mail_failed(
        &self,
        id: MailId,
        error: String,
        at: Millis,
        retry_at: Option<Millis>,
    ) -> Result<()>;
    async fn mail(&self, id: MailId) -> Result<Option<Mail>>;
    /// Unsent mails whose last attempt failed, the most recent failure first.
    async fn mail_failures(&self, limit: u32) -> Result<Vec<MailFailure>>;
    async fn smtp_settings(&self) -> Result<Option<SmtpSettings>>;
    /// Replaces the SMTP settings, or removes them with `None`.
    async fn set_smtp_settings(&self, settings: Option<SmtpSettings>) -> Result<()>;

    /// Flushes pending writes and stops the writer; later writes fail.
    async fn close(&self);
}
