//! The conversation state machine: pure decisions, no IO.
//!
//! ```text
//!  waiting ──take / route──▶ active ──close──▶ closed
//!     ▲                        │ join, take over, transfer to an operator
//!     └── transfer to a department
//!     └──────────────────────close────────────▶ closed
//! ```

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::ids::StaffId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConversationStatus {
    /// Started by the visitor, no operator yet.
    Waiting,
    /// An operator has taken it.
    Active,
    /// Finished; the visitor's next message starts a new conversation.
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Waiting => "waiting",
            ConversationStatus::Active => "active",
            ConversationStatus::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "waiting" => Some(ConversationStatus::Waiting),
            "active" => Some(ConversationStatus::Active),
            "closed" => Some(ConversationStatus::Closed),
            _ => None,
        }
    }
}

/// Why a transition was refused.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum TransitionError {
    #[error("the conversation is closed")]
    Closed,
    #[error("another operator has already taken the conversation")]
    TakenByOther,
    #[error("take the conversation before writing to it")]
    NotAssignee,
    #[error("that operator already holds the conversation")]
    SameHolder,
    #[error("already in the conversation")]
    AlreadyIn,
    #[error("not in the conversation")]
    NotIn,
}

/// What taking a conversation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TakeOutcome {
    /// The operator joins: record a `joined` event and assign them.
    Join,
    /// The operator already holds it: nothing to record.
    AlreadyHeld,
}

/// The part of a conversation the rules look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationState {
    pub status: ConversationStatus,
    pub assignee: Option<StaffId>,
    /// Staff who joined besides the holder (a supervisor stepping in).
    pub participants: Vec<StaffId>,
}

impl ConversationState {
    pub fn take(&self, agent: StaffId) -> Result<TakeOutcome, TransitionError> {
        match (self.status, self.assignee) {
            (ConversationStatus::Closed, _) => Err(TransitionError::Closed),
            (_, Some(holder)) if holder == agent => Ok(TakeOutcome::AlreadyHeld),
            (ConversationStatus::Active, Some(_)) => Err(TransitionError::TakenByOther),
            _ => Ok(TakeOutcome::Join),
        }
    }

    pub fn post(&self) -> Result<(), TransitionError> {
        match self.status {
            ConversationStatus::Closed => Err(TransitionError::Closed),
            _ => Ok(()),
        }
    }

    /// Staff write only to conversations they hold or joined.
    pub fn post_as(&self, agent: StaffId) -> Result<(), TransitionError> {
        self.post()?;
        if self.assignee == Some(agent) || self.participants.contains(&agent) {
            Ok(())
        } else {
            Err(TransitionError::NotAssignee)
        }
    }

    /// A supervisor joins as a second participant the visitor sees.
    pub fn join(&self, agent: StaffId) -> Result<(), TransitionError> {
        self.post()?;
        if self.assignee == Some(agent) || self.participants.contains(&agent) {
            return Err(TransitionError::AlreadyIn);
        }
        Ok(())
    }

    /// A participant who joined leaves; the holder leaves by transferring or closing.
    pub fn leave(&self, agent: StaffId) -> Result<(), TransitionError> {
        self.post()?;
        if self.participants.contains(&agent) {
            Ok(())
        } else {
            Err(TransitionError::NotIn)
        }
    }

    /// Hands the conversation to `to` (a transfer accepted, or a supervisor
    /// taking over); the previous holder is out of it.
    pub fn hand_to(&self, to: StaffId) -> Result<(), TransitionError> {
        self.post()?;
        if self.assignee == Some(to) {
            return Err(TransitionError::SameHolder);
        }
        Ok(())
    }

    /// Sends the conversation back to a queue (a department's): nobody holds it.
    pub fn requeue(&self) -> Result<(), TransitionError> {
        self.post()
    }

    /// Closing twice is refused so only one `closed` event is ever recorded.
    pub fn close(&self) -> Result<(), TransitionError> {
        self.post()
    }

    pub fn after_take(self, agent: StaffId) -> Self {
        Self {
            status: ConversationStatus::Active,
            assignee: Some(agent),
            participants: self
                .participants
                .into_iter()
                .filter(|p| *p != agent)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: ConversationStatus, assignee: Option<StaffId>) -> ConversationState {
        ConversationState {
            status,
            assignee,
            participants: vec![],
        }
    }

    #[test]
    fn waiting_conversation_can_be_taken_once() {
        let anna = StaffId::new();
        let boris = StaffId::new();
        let waiting = state(ConversationStatus::Waiting, None);
        assert_eq!(waiting.take(anna), Ok(TakeOutcome::Join));
        let active = waiting.clone().after_take(anna);
        assert_eq!(active.take(anna), Ok(TakeOutcome::AlreadyHeld));
        assert_eq!(active.take(boris), Err(TransitionError::TakenByOther));
    }

    #[test]
    fn only_the_holder_writes_as_staff() {
        let anna = StaffId::new();
        let waiting = state(ConversationStatus::Waiting, None);
        assert_eq!(waiting.post_as(anna), Err(TransitionError::NotAssignee));
        let active = waiting.after_take(anna);
        assert_eq!(active.post_as(anna), Ok(()));
        assert_eq!(
            active.post_as(StaffId::new()),
            Err(TransitionError::NotAssignee)
        );
    }

    #[test]
    fn a_joined_supervisor_writes_until_they_leave() {
        let (anna, sue) = (StaffId::new(), StaffId::new());
        let mut active = state(ConversationStatus::Active, Some(anna));
        assert_eq!(active.join(anna), Err(TransitionError::AlreadyIn));
        assert_eq!(active.join(sue), Ok(()));
        assert_eq!(active.leave(sue), Err(TransitionError::NotIn));
        active.participants.push(sue);
        assert_eq!(active.post_as(sue), Ok(()));
        assert_eq!(active.join(sue), Err(TransitionError::AlreadyIn));
        assert_eq!(active.leave(sue), Ok(()));
        assert_eq!(active.hand_to(anna), Err(TransitionError::SameHolder));
        let taken_over = active.after_take(sue);
        assert_eq!(taken_over.assignee, Some(sue));
        assert!(taken_over.participants.is_empty());
    }

    #[test]
    fn closed_conversation_refuses_everything() {
        let closed = state(ConversationStatus::Closed, Some(StaffId::new()));
        assert_eq!(closed.take(StaffId::new()), Err(TransitionError::Closed));
        assert_eq!(closed.post(), Err(TransitionError::Closed));
        assert_eq!(closed.close(), Err(TransitionError::Closed));
        assert_eq!(closed.join(StaffId::new()), Err(TransitionError::Closed));
        assert_eq!(closed.hand_to(StaffId::new()), Err(TransitionError::Closed));
        assert_eq!(closed.requeue(), Err(TransitionError::Closed));
    }
}
