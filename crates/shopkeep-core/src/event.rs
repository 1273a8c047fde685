//! The durable event model. Every visible change of a conversation is an
//! [`Event`] with a per-conversation `seq`, committed before it is fanned out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::department::DepartmentRef;
use crate::ids::{ConversationId, Seq, StaffId};
use crate::protocol::shared::AgentRef;

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Author {
    Visitor,
    Agent { id: StaffId, name: String },
    System,
}

impl From<AgentRef> for Author {
    fn from(agent: AgentRef) -> Self {
        Author::Agent {
            id: agent.id,
            name: agent.name,
        }
    }
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
    /// Handed to another operator (`to`) or to a department's queue. The
    /// visitor sees who took over; the reason is a separate staff-only note.
    Transferred {
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<AgentRef>,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department: Option<DepartmentRef>,
    },
    /// A message only the staff in the chat see (a supervisor coaching the operator).
    /// Never sent to a visitor.
    Whisper { text: String },
    /// An internal note on the conversation, for staff only. Never sent to a visitor.
    Note { text: String },
}

impl EventBody {
    /// The stable name stored in the `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Message { .. } => "message",
            EventBody::Joined => "joined",
            EventBody::Left => "left",
            EventBody::Closed => "closed",
            EventBody::Transferred { .. } => "transferred",
            EventBody::Whisper { .. } => "whisper",
            EventBody::Note { .. } => "note",
        }
    }

    /// Whether the visitor may ever receive this event. Whispers and notes are
    /// staff-only: the store never returns them to a visitor's sync and the hub
    /// never fans them out to a visitor socket.
    pub fn visible_to_visitor(&self) -> bool {
        !matches!(self, EventBody::Whisper { .. } | EventBody::Note { .. })
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
    /// For visitors: the seq of the previous event they can see, when staff-only
    /// events lie between (it is not `seq - 1`), so the gap is not waited for.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_prev: Option<Seq>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agent_ref_authors_as_that_agent() {
        let id = StaffId::new();
        let author = Author::from(AgentRef {
            id,
            name: "Anna".to_owned(),
        });
        assert_eq!(
            author,
            Author::Agent {
                id,
                name: "Anna".to_owned()
            }
        );
    }
}
