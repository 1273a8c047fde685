//! Visitor tracking as staff see it: the live visitor list, visits and pages,
//! and the profile shown beside a chat.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::attributes::Attributes;
use crate::ids::{ContactId, ConversationId, InvitationId, RuleId, SiteId, VisitId, VisitorId};
use crate::protocol::shared::{AgentRef, ConversationSummary};

/// Most pages kept in a live visitor's path for the current visit.
pub const MAX_PATH_PAGES: usize = 50;
/// A visitor away this long starts a new visit when they come back.
pub const VISIT_GAP_MS: Millis = 30 * 60 * 1000;

/// A page as the widget reported it, after the server stripped private query parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PageView {
    pub url: String,
    pub title: String,
    #[ts(type = "number")]
    pub at: Millis,
}

/// The kind of device, from the user agent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeviceKind {
    Desktop,
    Mobile,
    Tablet,
    Bot,
    #[default]
    Unknown,
}

/// Browser, OS and device, parsed from the user agent. Unknown parts are `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Client {
    pub browser: Option<String>,
    pub os: Option<String>,
    pub device: DeviceKind,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvitationState {
    Pending,
    Accepted,
    Declined,
}

/// The latest invitation of a visitor's current visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InvitationView {
    pub id: InvitationId,
    /// The operator who invited, or the operator a rule's invitation is shown as.
    pub agent: Option<AgentRef>,
    /// The rule that fired, when it was not a manual invitation.
    pub rule_id: Option<RuleId>,
    pub text: String,
    pub state: InvitationState,
    #[ts(type = "number")]
    pub at: Millis,
}

/// The visitor's open conversation, for the "chatting with" column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChatRef {
    pub conversation_id: ConversationId,
    pub assignee: Option<AgentRef>,
}

/// Who the visitor says they are, and whether the shop vouched for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Identity {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The shop's own customer id, only when verified.
    pub external_id: Option<String>,
    /// True when the shop's backend signed the id (HMAC); otherwise the details are claims.
    pub verified: bool,
    pub contact_id: Option<ContactId>,
}

/// One visitor on the site now, as a row of the console's live list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LiveVisitor {
    pub visitor_id: VisitorId,
    pub site_id: SiteId,
    pub visit_id: VisitId,
    /// 1 for a first visit; higher for a returning visitor.
    pub visit_number: u32,
    pub identity: Identity,
    /// The current page; `None` until the widget reported one.
    pub page: Option<PageView>,
    /// Pages of this visit, oldest first, at most [`MAX_PATH_PAGES`].
    pub path: Vec<PageView>,
    pub referrer: Option<String>,
    pub utm_source: Option<String>,
    #[ts(type = "number")]
    pub visit_started_at: Millis,
    /// ISO 3166 alpha-2 code, from the GeoIP database.
    pub country: Option<String>,
    pub client: Client,
    pub lang: Option<String>,
    /// A tab of this visitor is visible.
    pub active: bool,
    pub chat: Option<ChatRef>,
    pub invitation: Option<InvitationView>,
}

/// One stored visit with its pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Visit {
    pub id: VisitId,
    pub number: u32,
    #[ts(type = "number")]
    pub started_at: Millis,
    #[ts(type = "number")]
    pub last_seen_at: Millis,
    pub referrer: Option<String>,
    pub utm_source: Option<String>,
    pub country: Option<String>,
    pub client: Client,
    pub lang: Option<String>,
    pub pages: Vec<PageView>,
}

/// Everything the console shows about a visitor beside the chat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VisitorProfile {
    pub visitor_id: VisitorId,
    pub site_id: SiteId,
    pub identity: Identity,
    /// Custom attributes the shop sent with `set`.
    pub attributes: Attributes,
    #[ts(type = "number")]
    pub first_seen_at: Millis,
    /// Newest first; of all visitors of the contact when verified.
    pub visits: Vec<Visit>,
    /// Newest first; of all visitors of the contact when verified.
    pub conversations: Vec<ConversationSummary>,
    /// The live row, when the visitor is on the site now.
    pub live: Option<LiveVisitor>,
}
