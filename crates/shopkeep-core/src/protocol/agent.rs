//! Frames of the staff WebSocket, `/v1/agent` (session cookie, same origin).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::department::Department;
use crate::event::Event;
use crate::ids::{ConversationId, DepartmentId, InternalMessageId, Seq, StaffId, VisitorId};
use crate::internal::{InternalMessage, Room};
use crate::protocol::shared::{
    Ack, AgentRef, ConversationSummary, ErrorFrame, History, Receipts, Side,
};
use crate::staff::{AgentStatus, Role, TeamMember};
use crate::tracking::{InvitationView, LiveVisitor};

/// What the console sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export, rename = "AgentClientFrame")]
pub enum ClientFrame {
    /// Ask for events of a conversation with `seq > after_seq`.
    Sync {
        conversation_id: ConversationId,
        after_seq: Seq,
    },
    /// Take a waiting conversation; the visitor sees "<name> joined".
    Take {
        conversation_id: ConversationId,
    },
    /// Post a message to a conversation.
    Send {
        conversation_id: ConversationId,
        client_msg_id: String,
        text: String,
    },
    /// Close a conversation.
    Close {
        conversation_id: ConversationId,
    },
    /// Typing in a conversation. Ephemeral.
    Typing {
        conversation_id: ConversationId,
        active: bool,
    },
    /// The console has received events of a conversation up to `seq`.
    Received {
        conversation_id: ConversationId,
        seq: Seq,
    },
    /// The conversation is on screen up to `seq` (the visitor sees "Read").
    Read {
        conversation_id: ConversationId,
        seq: Seq,
    },
    /// Hand my chat to another operator (they accept or decline) or to a
    /// department's queue. `note` is stored as an internal note first.
    Transfer {
        conversation_id: ConversationId,
        to: TransferTarget,
        #[ts(optional)]
        #[serde(default)]
        note: Option<String>,
    },
    /// Accept or decline a transfer offered to me.
    AnswerTransfer {
        conversation_id: ConversationId,
        accept: bool,
    },
    /// A message only staff in the chat see. Acked like `send`.
    Whisper {
        conversation_id: ConversationId,
        client_msg_id: String,
        text: String,
    },
    /// An internal note on the conversation. Acked like `send`.
    Note {
        conversation_id: ConversationId,
        client_msg_id: String,
        text: String,
    },
    /// Supervisor: enter the chat as a second participant the visitor sees.
    Join {
        conversation_id: ConversationId,
    },
    /// Leave a chat I joined.
    Leave {
        conversation_id: ConversationId,
    },
    /// Supervisor: become the chat's holder.
    TakeOver {
        conversation_id: ConversationId,
    },
    /// The conversation this tab shows (`null`: none), so others see who else
    /// is looking at it.
    Viewing {
        conversation_id: Option<ConversationId>,
    },
    /// Post to the internal chat; echoed back as `internal` with the same id.
    InternalSend {
        room: Room,
        client_msg_id: String,
        text: String,
    },
    /// Internal messages of a room older than `before` (newest page without it).
    InternalSync {
        room: Room,
        #[ts(optional)]
        #[serde(default)]
        before: Option<InternalMessageId>,
    },
    /// Start (`true`) or stop receiving the live visitor list.
    WatchVisitors {
        watch: bool,
    },
    /// Invite a visitor on the site now to chat; `text` overrides the default invitation.
    Invite {
        visitor_id: VisitorId,
        #[ts(optional)]
        #[serde(default)]
        text: Option<String>,
    },
    /// Change my presence.
    SetStatus {
        status: AgentStatus,
    },
    Ping,
}

/// Where a transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TransferTarget {
    Operator { id: StaffId },
    Department { id: DepartmentId },
}

/// Why a transfer I offered did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TransferOutcome {
    Accepted,
    Declined,
    /// Not answered in time; the chat stays with me.
    TimedOut,
    /// The target went offline, or the chat closed, before an answer.
    Cancelled,
}

/// The logged-in member of staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Me {
    pub id: StaffId,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: AgentStatus,
    /// Console language chosen by the operator.
    pub lang: String,
    /// Path of my photo (`/v1/staff/<id>/photo`), if I uploaded one.
    pub photo: Option<String>,
    #[serde(default)]
    pub departments: Vec<DepartmentId>,
    #[serde(default)]
    pub max_chats: u32,
}

/// What the server sends to the console.
// A frame is built, serialised once and dropped; it is never kept in bulk, so
// the size of its largest variant costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export, rename = "AgentServerFrame")]
pub enum ServerFrame {
    /// First frame: who I am and the inbox (waiting, active and recently closed).
    Welcome {
        me: Me,
        /// The conversations I may see: open ones and recently closed ones.
        conversations: Vec<ConversationSummary>,
        #[serde(default)]
        team: Vec<TeamMember>,
        #[serde(default)]
        departments: Vec<Department>,
    },
    /// Someone's presence, load or departments changed: the whole team again.
    Team {
        members: Vec<TeamMember>,
    },
    /// Departments were created, edited or removed.
    Departments {
        departments: Vec<Department>,
    },
    /// A chat is offered to me by transfer; answer with `answer_transfer`
    /// before `expires_at`, or it stays with `from`.
    TransferOffer {
        conversation_id: ConversationId,
        from: AgentRef,
        note: Option<String>,
        #[ts(type = "number")]
        expires_at: crate::Millis,
    },
    /// The offer of `conversation_id` ended (sent to both sides).
    TransferEnded {
        conversation_id: ConversationId,
        to: AgentRef,
        outcome: TransferOutcome,
    },
    /// Which staff (other than me) have this conversation on screen.
    Viewers {
        conversation_id: ConversationId,
        staff: Vec<AgentRef>,
    },
    /// Sneak peek: what the visitor is typing, not yet sent. Ephemeral.
    Draft {
        conversation_id: ConversationId,
        text: String,
    },
    /// An internal chat message (mine echoed too).
    Internal {
        message: InternalMessage,
    },
    /// Answer to `internal_sync`, oldest first; `more` when older ones exist.
    InternalHistory {
        room: Room,
        messages: Vec<InternalMessage>,
        more: bool,
    },
    /// A conversation appeared or changed (status, assignee, last message).
    Conversation {
        conversation: ConversationSummary,
    },
    /// A committed event of a conversation this member of staff may see.
    Event {
        event: Event,
    },
    /// My `send` is stored.
    Ack(Ack),
    /// Answer to `sync`.
    History(History),
    /// Answer to `watch_visitors {watch: true}`: everyone on the site now.
    Visitors {
        visitors: Vec<LiveVisitor>,
    },
    /// Changes to the live list since the last frame: rows to add or replace, and
    /// visitors who left. Sent at most a few times a second.
    VisitorsChanged {
        changed: Vec<LiveVisitor>,
        left: Vec<VisitorId>,
    },
    /// An invitation I sent was accepted or declined (sent to its operator only).
    Invitation {
        visitor_id: VisitorId,
        invitation: InvitationView,
    },
    /// My presence changed (here or in another tab).
    Status {
        status: AgentStatus,
    },
    /// Someone typing: the visitor, or (`agent`) another member of staff.
    Typing {
        conversation_id: ConversationId,
        side: Side,
        active: bool,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        agent: Option<AgentRef>,
    },
    Receipts {
        conversation_id: ConversationId,
        receipts: Receipts,
    },
    Error(ErrorFrame),
    Reconnect {
        #[ts(type = "number")]
        after_ms: u64,
    },
    Pong,
}
