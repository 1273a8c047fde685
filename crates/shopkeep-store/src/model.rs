//! Records the store reads and writes that are not part of the wire protocol.

use shopkeep_core::Millis;
use shopkeep_core::attributes::Attributes;
use shopkeep_core::email::{EmailAddress, HeaderText, MailKind, SmtpTls};
use shopkeep_core::event::Event;
use shopkeep_core::hours::BusinessHours;
use shopkeep_core::ids::{
    ContactId, ConversationId, DepartmentId, InternalMessageId, MailId, SiteId, StaffId, VisitId,
    VisitorId,
};
use shopkeep_core::internal::RoomKey;
use shopkeep_core::protocol::shared::AgentRef;
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_core::site::{Greetings, SiteChat, SiteMail, TrackingSettings};
use shopkeep_core::staff::{AgentStatus, Role};
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_core::tracking::{Client, PageView};

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
    pub tracking: TrackingSettings,
    pub greetings: Greetings,
    /// Opening hours; `None` = always open.
    pub hours: Option<BusinessHours>,
    pub mail: SiteMail,
    pub chat: SiteChat,
    pub created_at: Millis,
}

/// A site's editable settings, written together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteSettings {
    pub tracking: TrackingSettings,
    pub greetings: Greetings,
    pub hours: Option<BusinessHours>,
    pub mail: SiteMail,
    pub chat: SiteChat,
}

impl Site {
    pub fn settings(&self) -> SiteSettings {
        SiteSettings {
            tracking: self.tracking.clone(),
            greetings: self.greetings.clone(),
            hours: self.hours.clone(),
            mail: self.mail.clone(),
            chat: self.chat.clone(),
        }
    }
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
    /// When the current photo was set; `None` without a photo.
    pub photo_at: Option<Millis>,
    /// Most chats routing gives them at once.
    pub max_chats: u32,
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
    /// Most chats routing gives them at once; `None` = the default.
    pub max_chats: Option<u32>,
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

#[derive(Clone, Debug, PartialEq)]
pub struct Visitor {
    pub id: VisitorId,
    pub site_id: SiteId,
    /// Name, email and phone as last given: verified when `contact_id` is set
    /// and they came with the contact, otherwise claims.
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The verified customer this visitor was last identified as.
    pub contact_id: Option<ContactId>,
    pub attributes: Attributes,
    /// How many visits have started.
    pub visits: u32,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

/// A customer the shop vouched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub site_id: SiteId,
    pub external_id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: Millis,
    pub last_seen_at: Millis,
}

/// Name, email and phone from `identify`, already checked for size and content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The outcome of an `identify`.
#[derive(Clone, Debug)]
pub struct Identified {
    pub visitor: Visitor,
    /// Set when the identity was verified.
    pub contact: Option<Contact>,
    /// The contact existed before this visitor was linked to it, or this visitor
    /// had visited before.
    pub returning: bool,
}

/// A visit about to start.
#[derive(Clone, Debug)]
pub struct NewVisit {
    pub id: VisitId,
    pub visitor_id: VisitorId,
    pub site_id: SiteId,
    pub started_at: Millis,
    pub referrer: Option<String>,
    pub utm_source: Option<String>,
    pub country: Option<String>,
    pub client: Client,
    pub lang: Option<String>,
}

/// Page views and visit activity gathered since the last flush, written in one go.
#[derive(Clone, Debug, Default)]
pub struct TrackingBatch {
    pub pages: Vec<(VisitId, PageView)>,
    /// Visits (and their visitors) seen at this time.
    pub seen: Vec<(VisitId, VisitorId, Millis)>,
}

impl TrackingBatch {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.seen.is_empty()
    }
}

/// A staff photo as uploaded (type checked by its magic bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffPhoto {
    pub content_type: String,
    pub data: Vec<u8>,
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

/// A message left through the offline form, with everything its one write
/// job records.
#[derive(Clone, Debug)]
pub struct OfflineMessage {
    pub site: SiteId,
    pub visitor: VisitorId,
    /// The customer the visitor proved to be on this connection, if any.
    pub contact: Option<ContactId>,
    /// The department the visitor chose, already checked to be the site's.
    pub department: Option<DepartmentId>,
    pub client_msg_id: ClientMsgId,
    pub text: MessageText,
    /// Name, email and phone from the form, saved as the visitor's claims.
    pub claims: Claims,
    /// The mail to the shop; `None` when the site has no notify address.
    pub mail: Option<NewMail>,
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

/// Which closed and open conversations to find for the history view. Every
/// field narrows; `before` (with `before_id`) pages by `(updated_at, id)`,
/// newest first.
#[derive(Clone, Debug, Default)]
pub struct HistoryQuery {
    pub site: Option<SiteId>,
    pub tag: Option<String>,
    /// Held (or last held) by this member of staff.
    pub assignee: Option<StaffId>,
    pub department: Option<DepartmentId>,
    /// Created at or after.
    pub from: Option<Millis>,
    /// Created before.
    pub to: Option<Millis>,
    pub status: Option<shopkeep_core::conversation::ConversationStatus>,
    /// Updated strictly before this time (the previous page's last `updated_at`).
    pub before: Option<Millis>,
    /// With `before`: also the conversations updated at exactly `before` whose
    /// id is below this one (the previous page's last id), so rows sharing an
    /// `updated_at` are not skipped. Ignored without `before`.
    pub before_id: Option<ConversationId>,
    /// Most rows; 0 or anything above [`HistoryQuery::MAX_LIMIT`] means that maximum.
    pub limit: u32,
}

impl HistoryQuery {
    /// Most conversations one page of the history holds.
    pub const MAX_LIMIT: u32 = 200;
}

/// A staff-only event kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffOnly {
    Whisper,
    Note,
}

/// An internal chat message as stored (the room keyed by both people).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredInternal {
    pub id: InternalMessageId,
    pub room: RoomKey,
    pub author: AgentRef,
    pub text: String,
    pub at: Millis,
    pub client_msg_id: String,
}

/// An action refused by the access rules, kept for admins to review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: Millis,
    pub staff_id: StaffId,
    pub staff_name: String,
    /// What was tried, e.g. `whisper`, `GET /api/v1/conversations/{id}`.
    pub action: String,
    pub conversation: Option<ConversationId>,
    /// Why it was refused.
    pub reason: String,
}

/// A mail to put in the outbox. Addresses and subject are parsed types, so
/// nothing unchecked reaches a header.
#[derive(Clone, Debug)]
pub struct NewMail {
    /// The site it is about; `None` for server mail such as the test email.
    pub site_id: Option<SiteId>,
    pub kind: MailKind,
    pub to: EmailAddress,
    pub reply_to: Option<EmailAddress>,
    pub subject: HeaderText,
    pub text: String,
    pub html: String,
    /// Names the cause: a second mail with the same key is not stored.
    pub dedupe_key: Option<String>,
}

/// A mail in the outbox and how its delivery went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub id: MailId,
    pub site_id: Option<SiteId>,
    pub kind: MailKind,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub dedupe_key: Option<String>,
    pub created_at: Millis,
    /// Times it was claimed for sending.
    pub attempts: u32,
    /// When it is due (again); `None` once sent or given up.
    pub next_attempt_at: Option<Millis>,
    pub last_attempt_at: Option<Millis>,
    pub last_error: Option<String>,
    pub sent_at: Option<Millis>,
}

/// The SMTP relay staff configured in the console.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from_address: String,
    pub from_name: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .finish()
    }
}
