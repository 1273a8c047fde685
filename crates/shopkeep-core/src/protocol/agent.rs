//! Frames of the staff WebSocket, `/v1/agent` (session cookie, same origin).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::event::Event;
use crate::ids::{ConversationId, Seq, StaffId, VisitorId};
use crate::protocol::shared::{Ack, ConversationSummary, ErrorFrame, History, Receipts, Side};
use crate::staff::{AgentStatus, Role};
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
}

/// What the server sends to the console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export, rename = "AgentServerFrame")]
pub enum ServerFrame {
    /// First frame: who I am and the inbox (waiting, active and recently closed).
    Welcome {
        me: Me,
        conversations: Vec<ConversationSummary>,
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
    Typing {
        conversation_id: ConversationId,
        side: Side,
        active: bool,
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
