//! The durable event model. Every visible change of a conversation is an
//! [`Event`] with a per-conversation `seq`, committed before it is fanned out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::ids::{ConversationId, Seq, StaffId};

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Author {
    Visitor,
    Agent { id: StaffId, name: String },
    System,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum EventBody {
    /// A chat message, plain text; clients render it as text, never as markup.
    Message { text: String },
    /// A member of staff joined the conversation (took it).
    Joined,
    /// A member of staff left the conversation.
    Left,
    /// The conversation was closed; nothing more can be posted to it.
    Closed,
}

impl EventBody {
    /// The stable name stored in the `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Message { .. } => "message",
            EventBody::Joined => "joined",
            EventBody::Left => "left",
            EventBody::Closed => "closed",
        }
    }
}

/// One committed event of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Event {
    pub conversation_id: ConversationId,
    pub seq: Seq,
    #[ts(type = "number")]
    pub at: Millis,
    pub author: Author,
    pub body: EventBody,
    /// The sender's idempotency key, so the sender can match its optimistic copy.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_msg_id: Option<String>,
}
