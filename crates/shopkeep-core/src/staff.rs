//! Staff roles and presence.

use serde::{Deserialize, Serialize};

use crate::ids::{DepartmentId, StaffId};
use ts_rs::TS;

/// What a member of staff may do. Ordered: each role can do what the one before can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    Operator,
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "operator" => Some(Role::Operator),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Whether an operator takes chats. Only `Online` counts as available to visitors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AgentStatus {
    Online,
    Away,
    #[default]
    Offline,
}

impl AgentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Online => "online",
            AgentStatus::Away => "away",
            AgentStatus::Offline => "offline",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "online" => Some(AgentStatus::Online),
            "away" => Some(AgentStatus::Away),
            "offline" => Some(AgentStatus::Offline),
            _ => None,
        }
    }
}

/// Most chats an operator holds at once unless an admin sets otherwise.
pub const DEFAULT_MAX_CHATS: u32 = 4;
/// Highest maximum an admin may set.
pub const MAX_MAX_CHATS: u32 = 50;

/// A member of staff as the team sees them: in the console's team list, as a
/// transfer target, in the internal chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TeamMember {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    /// Offline when no console of theirs is open, whatever they chose.
    pub status: AgentStatus,
    pub departments: Vec<DepartmentId>,
    pub max_chats: u32,
    /// Chats they hold now.
    pub active_chats: u32,
    /// Path of their photo, if any.
    pub photo: Option<String>,
}

/// `PATCH /api/v1/staff/{id}` (admin): absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct StaffPatch {
    #[ts(optional)]
    #[serde(default)]
    pub role: Option<Role>,
    /// 1 to [`MAX_MAX_CHATS`].
    #[ts(optional)]
    #[serde(default)]
    pub max_chats: Option<u32>,
}

/// `POST /api/v1/staff` (admin): a new member of staff who logs in with this password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NewStaffRequest {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
    #[ts(optional)]
    #[serde(default)]
    pub max_chats: Option<u32>,
}

/// A member of staff as admins manage them: the team view plus the login email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StaffAccount {
    #[serde(flatten)]
    pub member: TeamMember,
    pub email: String,
}
