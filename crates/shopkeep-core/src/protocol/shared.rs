//! Payloads that appear in both the visitor and the agent protocol.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::conversation::ConversationStatus;
use crate::department::DepartmentRef;
use crate::event::Event;
use crate::ids::{ContactId, ConversationId, Seq, SiteId, StaffId, VisitorId};
use crate::protocol::ErrorCode;

/// A member of staff as others see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgentRef {
    pub id: StaffId,
    pub name: String,
}

/// Receipt marks: how far each side has received and read a conversation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Receipts {
    /// Highest seq a staff client has received.
    pub agent_delivered: Seq,
    /// Highest seq the visitor's widget has received.
    pub visitor_delivered: Seq,
    /// Highest seq a member of staff has had on screen.
    #[serde(default)]
    pub agent_read: Seq,
    /// Highest seq the visitor has had on screen (chat open, tab visible).
    #[serde(default)]
    pub visitor_read: Seq,
}

impl Receipts {
    /// One side's delivered or read mark.
    pub fn mark(&self, side: Side, mark: ReceiptMark) -> Seq {
        match (side, mark) {
            (Side::Agent, ReceiptMark::Delivered) => self.agent_delivered,
            (Side::Agent, ReceiptMark::Read) => self.agent_read,
            (Side::Visitor, ReceiptMark::Delivered) => self.visitor_delivered,
            (Side::Visitor, ReceiptMark::Read) => self.visitor_read,
        }
    }

    /// The marks as a visitor may see them: staff marks never pass the last
    /// event the visitor can see, so staff-only events (whispers, notes) do
    /// not show through the receipts.
    pub fn seen_by_visitor(self, visible_seq: Seq) -> Self {
        Self {
            agent_delivered: self.agent_delivered.min(visible_seq),
            agent_read: self.agent_read.min(visible_seq),
            ..self
        }
    }
}

/// Which receipt mark moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReceiptMark {
    Delivered,
    /// Read implies delivered.
    Read,
}

/// A conversation as its visitor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversationView {
    pub id: ConversationId,
    pub status: ConversationStatus,
    /// Left through the offline form: not a chat, the answer comes by email.
    #[ts(as = "Option<bool>", optional)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    pub assignee: Option<AgentRef>,
    /// Staff who joined besides the holder (a supervisor stepping in).
    #[serde(default)]
    pub participants: Vec<AgentRef>,
    /// The last seq the visitor can see (staff-only events are not counted).
    pub last_seq: Seq,
    pub receipts: Receipts,
}

/// A conversation as it appears in an operator's inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    /// The verified customer the visitor is, if the shop vouched for them.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<ContactId>,
    /// Left through the offline form: answers are emailed to the visitor.
    #[ts(as = "Option<bool>", optional)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
    /// The visitor left before anyone answered.
    #[ts(as = "Option<bool>", optional)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub missed: bool,
    /// Short label for the visitor ("Visitor 3f9a" until they give a name).
    pub visitor_label: String,
    pub status: ConversationStatus,
    pub assignee: Option<AgentRef>,
    /// Staff who joined besides the holder.
    #[serde(default)]
    pub participants: Vec<AgentRef>,
    /// The department whose queue and members it belongs to; none = the site's.
    #[serde(default)]
    pub department: Option<DepartmentRef>,
    /// Staff-only labels, lower case.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Since when the visitor's latest message is unanswered by staff.
    #[ts(type = "number | null")]
    #[serde(default)]
    pub unanswered_since: Option<Millis>,
    /// When the current holder got it (taken, routed or transferred).
    #[ts(type = "number | null")]
    #[serde(default)]
    pub assigned_at: Option<Millis>,
    /// The last seq of all events, staff-only ones included.
    pub last_seq: Seq,
    /// The last seq the visitor can see.
    #[serde(default)]
    pub visible_seq: Seq,
    pub receipts: Receipts,
    /// The latest message, for the inbox preview.
    pub last_message: Option<Event>,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

/// Events of one conversation in a seq range, answering `sync`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct History {
    pub conversation_id: ConversationId,
    pub events: Vec<Event>,
    /// The conversation's last seq when the answer was read; if the last event
    /// returned is below it, ask again from there.
    pub last_seq: Seq,
}

/// The server's answer to a `send`, after the message is durably committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Ack {
    pub client_msg_id: String,
    pub conversation_id: ConversationId,
    pub seq: Seq,
    #[ts(type = "number")]
    pub at: Millis,
    /// True when this was a resend of a message already stored.
    pub duplicate: bool,
}

/// A refused frame. The connection stays open unless the code says otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorFrame {
    pub code: ErrorCode,
    pub message: String,
    /// The `client_msg_id` of the refused `send`, if any.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
}

/// Which side a receipt or typing notice is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Side {
    Visitor,
    Agent,
}
