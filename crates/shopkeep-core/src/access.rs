//! Who may see and do what with a conversation. One pure check used by every
//! REST route and every socket action, so the rules live in one place.
//!
//! - An operator sees chats without a department, chats of their departments,
//!   and chats they hold or joined; they act on the ones they hold.
//! - A supervisor sees and acts on every chat: monitor, whisper, join, take over.
//! - An admin can do what a supervisor can, plus settings and staff.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::Millis;
use crate::conversation::ConversationStatus;
use crate::ids::{ConversationId, DepartmentId, StaffId};
use crate::protocol::shared::AgentRef;
use crate::staff::Role;

/// The member of staff asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub id: StaffId,
    pub role: Role,
    pub departments: Vec<DepartmentId>,
}

/// The parts of a conversation access depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope<'a> {
    pub status: ConversationStatus,
    pub department: Option<DepartmentId>,
    pub assignee: Option<StaffId>,
    /// Staff who joined besides the assignee.
    pub participants: &'a [StaffId],
}

/// What staff do to a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Action {
    /// Read its history, follow it live, see its visitor.
    Read,
    /// Take a waiting chat.
    Take,
    /// Write to the visitor.
    Post,
    /// Whisper to the staff in the chat, or add an internal note or tags.
    Annotate,
    /// Hand it to another operator or department.
    Transfer,
    Close,
    /// Enter as a second participant the visitor sees.
    Join,
    /// Become its holder, whoever holds it.
    TakeOver,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Take => "take",
            Action::Post => "post",
            Action::Annotate => "annotate",
            Action::Transfer => "transfer",
            Action::Close => "close",
            Action::Join => "join",
            Action::TakeOver => "take_over",
        }
    }
}

/// A refused action as admins review it (`GET /api/v1/audit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntryView {
    #[ts(type = "number")]
    pub at: Millis,
    pub staff: AgentRef,
    /// What was tried: a socket frame (`whisper`) or a route (`GET /api/v1/conversations/{id}`).
    pub action: String,
    pub conversation_id: Option<ConversationId>,
    pub reason: String,
}

/// `PUT /api/v1/conversations/{id}/tags`: at most [`MAX_TAGS`] tags of 1 to
/// [`MAX_TAG_CHARS`] letters, digits, `-` or `_`; stored lower case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct TagsUpdate {
    pub tags: Vec<String>,
}

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;

/// The tags normalised (trimmed, lower case, no duplicates, sorted), or `None`
/// when one is invalid or there are too many.
pub fn normalise_tags(tags: &[String]) -> Option<Vec<String>> {
    let mut out: Vec<String> = tags
        .iter()
        .map(|tag| tag.trim().trim_start_matches('#').to_lowercase())
        .collect();
    if out.iter().any(|tag| {
        tag.is_empty()
            || tag.chars().count() > MAX_TAG_CHARS
            || !tag
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    }) {
        return None;
    }
    out.sort();
    out.dedup();
    (out.len() <= MAX_TAGS).then_some(out)
}

#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
pub enum Denied {
    /// Not theirs to see at all; callers answer as if it did not exist.
    #[error("no such conversation")]
    Hidden,
    #[error("only a supervisor may do that")]
    NeedsSupervisor,
    #[error("take the conversation first")]
    NotHolder,
}

impl Viewer {
    fn supervises(&self) -> bool {
        self.role >= Role::Supervisor
    }

    fn is_in(&self, scope: &Scope<'_>) -> bool {
        scope.assignee == Some(self.id) || scope.participants.contains(&self.id)
    }

    pub fn can_see(&self, scope: &Scope<'_>) -> bool {
        self.supervises()
            || self.is_in(scope)
            || scope
                .department
                .is_none_or(|d| self.departments.contains(&d))
    }

    /// Whether this member of staff may do `action`. Status checks (closed,
    /// taken by someone else) belong to the conversation state machine.
    pub fn check(&self, scope: &Scope<'_>, action: Action) -> Result<(), Denied> {
        if !self.can_see(scope) {
            return Err(Denied::Hidden);
        }
        match action {
            Action::Read | Action::Take | Action::Annotate => Ok(()),
            Action::Post => {
                if self.is_in(scope) {
                    Ok(())
                } else {
                    Err(Denied::NotHolder)
                }
            }
            Action::Transfer | Action::Close => {
                if scope.assignee == Some(self.id) || self.supervises() {
                    Ok(())
                } else if scope.status == ConversationStatus::Waiting && action == Action::Close {
                    // Anyone who could take a waiting chat may dismiss it.
                    Ok(())
                } else {
                    Err(Denied::NotHolder)
                }
            }
            Action::Join | Action::TakeOver => {
                if self.supervises() {
                    Ok(())
                } else {
                    Err(Denied::NeedsSupervisor)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Action; 8] = [
        Action::Read,
        Action::Take,
        Action::Post,
        Action::Annotate,
        Action::Transfer,
        Action::Close,
        Action::Join,
        Action::TakeOver,
    ];

    fn viewer(role: Role, departments: Vec<DepartmentId>) -> Viewer {
        Viewer {
            id: StaffId::new(),
            role,
            departments,
        }
    }

    #[test]
    fn an_operator_of_another_department_is_refused_everything_as_hidden() {
        let (sales, support) = (DepartmentId::new(), DepartmentId::new());
        let holder = StaffId::new();
        let outsider = viewer(Role::Operator, vec![support]);
        let scope = Scope {
            status: ConversationStatus::Active,
            department: Some(sales),
            assignee: Some(holder),
            participants: &[],
        };
        for action in ALL {
            assert_eq!(
                outsider.check(&scope, action),
                Err(Denied::Hidden),
                "{action:?}"
            );
        }
    }

    #[test]
    fn a_member_reads_and_takes_but_only_the_holder_writes_and_transfers() {
        let sales = DepartmentId::new();
        let member = viewer(Role::Operator, vec![sales]);
        let holder = viewer(Role::Operator, vec![sales]);
        let scope = Scope {
            status: ConversationStatus::Active,
            department: Some(sales),
            assignee: Some(holder.id),
            participants: &[],
        };
        assert_eq!(member.check(&scope, Action::Read), Ok(()));
        assert_eq!(member.check(&scope, Action::Annotate), Ok(()));
        assert_eq!(member.check(&scope, Action::Post), Err(Denied::NotHolder));
        assert_eq!(
            member.check(&scope, Action::Transfer),
            Err(Denied::NotHolder)
        );
        assert_eq!(member.check(&scope, Action::Close), Err(Denied::NotHolder));
        assert_eq!(
            member.check(&scope, Action::Join),
            Err(Denied::NeedsSupervisor)
        );
        assert_eq!(
            member.check(&scope, Action::TakeOver),
            Err(Denied::NeedsSupervisor)
        );
        for action in [Action::Post, Action::Transfer, Action::Close] {
            assert_eq!(holder.check(&scope, action), Ok(()));
        }
    }

    #[test]
    fn supervisors_and_admins_act_on_every_chat() {
        let scope = Scope {
            status: ConversationStatus::Active,
            department: Some(DepartmentId::new()),
            assignee: Some(StaffId::new()),
            participants: &[],
        };
        for role in [Role::Supervisor, Role::Admin] {
            let boss = viewer(role, vec![]);
            for action in ALL {
                let expected = if action == Action::Post {
                    Err(Denied::NotHolder)
                } else {
                    Ok(())
                };
                assert_eq!(boss.check(&scope, action), expected, "{role:?} {action:?}");
            }
        }
    }

    /// Every role × department membership × holding × status, with the answer
    /// to each action in [`ALL`]'s order: `y` allowed, `h` hidden, `n` not the
    /// holder, `s` needs a supervisor. The chat is of a department.
    #[test]
    fn the_rules_as_a_table() {
        use ConversationStatus::{Active, Closed, Waiting};
        use Role::{Admin, Operator, Supervisor};
        #[rustfmt::skip]
        let table = [
            // role, member of the department, holder, status, answers
            (Operator, false, false, Waiting, "hhhhhhhh"),
            (Operator, false, false, Active, "hhhhhhhh"),
            (Operator, false, false, Closed, "hhhhhhhh"),
            (Operator, false, true, Waiting, "yyyyyyss"),
            (Operator, false, true, Active, "yyyyyyss"),
            (Operator, false, true, Closed, "yyyyyyss"),
            (Operator, true, false, Waiting, "yynynyss"),
            (Operator, true, false, Active, "yynynnss"),
            (Operator, true, false, Closed, "yynynnss"),
            (Operator, true, true, Waiting, "yyyyyyss"),
            (Operator, true, true, Active, "yyyyyyss"),
            (Operator, true, true, Closed, "yyyyyyss"),
            (Supervisor, false, false, Waiting, "yynyyyyy"),
            (Supervisor, false, false, Active, "yynyyyyy"),
            (Supervisor, false, false, Closed, "yynyyyyy"),
            (Supervisor, false, true, Waiting, "yyyyyyyy"),
            (Supervisor, false, true, Active, "yyyyyyyy"),
            (Supervisor, false, true, Closed, "yyyyyyyy"),
            (Supervisor, true, false, Waiting, "yynyyyyy"),
            (Supervisor, true, false, Active, "yynyyyyy"),
            (Supervisor, true, false, Closed, "yynyyyyy"),
            (Supervisor, true, true, Waiting, "yyyyyyyy"),
            (Supervisor, true, true, Active, "yyyyyyyy"),
            (Supervisor, true, true, Closed, "yyyyyyyy"),
            (Admin, false, false, Waiting, "yynyyyyy"),
            (Admin, false, false, Active, "yynyyyyy"),
            (Admin, false, false, Closed, "yynyyyyy"),
            (Admin, false, true, Waiting, "yyyyyyyy"),
            (Admin, false, true, Active, "yyyyyyyy"),
            (Admin, false, true, Closed, "yyyyyyyy"),
            (Admin, true, false, Waiting, "yynyyyyy"),
            (Admin, true, false, Active, "yynyyyyy"),
            (Admin, true, false, Closed, "yynyyyyy"),
            (Admin, true, true, Waiting, "yyyyyyyy"),
            (Admin, true, true, Active, "yyyyyyyy"),
            (Admin, true, true, Closed, "yyyyyyyy"),
        ];
        let department = DepartmentId::new();
        for (role, member, holder, status, answers) in table {
            let asking = viewer(role, if member { vec![department] } else { vec![] });
            let scope = Scope {
                status,
                department: Some(department),
                assignee: Some(if holder { asking.id } else { StaffId::new() }),
                participants: &[],
            };
            for (action, answer) in ALL.into_iter().zip(answers.chars()) {
                let expected = match answer {
                    'y' => Ok(()),
                    'h' => Err(Denied::Hidden),
                    'n' => Err(Denied::NotHolder),
                    's' => Err(Denied::NeedsSupervisor),
                    other => panic!("unknown answer {other}"),
                };
                assert_eq!(
                    asking.check(&scope, action),
                    expected,
                    "{role:?} member={member} holder={holder} {status:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn named_cases_of_the_table() {
        let (sales, support) = (DepartmentId::new(), DepartmentId::new());
        // An operator still holding a chat of a department they are not in
        // (moved out of it, or handed it directly) keeps working it.
        let holder = viewer(Role::Operator, vec![support]);
        let held = Scope {
            status: ConversationStatus::Active,
            department: Some(sales),
            assignee: Some(holder.id),
            participants: &[],
        };
        for action in [Action::Read, Action::Post, Action::Transfer, Action::Close] {
            assert_eq!(holder.check(&held, action), Ok(()), "{action:?}");
        }
        assert_eq!(
            holder.check(&held, Action::Join),
            Err(Denied::NeedsSupervisor)
        );

        let waiting = Scope {
            status: ConversationStatus::Waiting,
            department: Some(sales),
            assignee: None,
            participants: &[],
        };
        let member = viewer(Role::Operator, vec![sales]);
        let outsider = viewer(Role::Operator, vec![support]);
        // Closing a waiting chat of a department: its members may, others do not see it.
        assert_eq!(member.check(&waiting, Action::Close), Ok(()));
        assert_eq!(outsider.check(&waiting, Action::Close), Err(Denied::Hidden));
        // Transferring a waiting chat takes holding it (or a supervisor).
        assert_eq!(
            member.check(&waiting, Action::Transfer),
            Err(Denied::NotHolder)
        );
        assert_eq!(
            viewer(Role::Supervisor, vec![]).check(&waiting, Action::Transfer),
            Ok(())
        );
    }

    #[test]
    fn tags_are_normalised_and_bounded() {
        let tags =
            |raw: &[&str]| normalise_tags(&raw.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            tags(&[" #Refund", "refund", "vip"]),
            Some(vec!["refund".into(), "vip".into()])
        );
        assert_eq!(tags(&["<b>"]), None);
        assert_eq!(tags(&[""]), None);
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("t{i}")).collect();
        assert_eq!(normalise_tags(&many), None);
    }

    #[test]
    fn a_joined_participant_writes_and_chats_without_department_are_everyones() {
        let joined = viewer(Role::Supervisor, vec![]);
        let participants = [joined.id];
        let scope = Scope {
            status: ConversationStatus::Active,
            department: Some(DepartmentId::new()),
            assignee: Some(StaffId::new()),
            participants: &participants,
        };
        assert_eq!(joined.check(&scope, Action::Post), Ok(()));
        let anyone = viewer(Role::Operator, vec![]);
        let open = Scope {
            status: ConversationStatus::Waiting,
            department: None,
            assignee: None,
            participants: &[],
        };
        assert_eq!(anyone.check(&open, Action::Take), Ok(()));
        assert_eq!(anyone.check(&open, Action::Close), Ok(()));
    }
}
