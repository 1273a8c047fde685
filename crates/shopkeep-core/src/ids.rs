//! Identifiers. Each is a newtype so the compiler keeps them apart.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export, type = "string")]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7), so ids sort by creation.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A conversation between one visitor and the shop's staff.
    ConversationId
);
uuid_id!(
    /// A visitor of a shop, anonymous until the shop identifies them.
    VisitorId
);
uuid_id!(
    /// A member of staff: operator, supervisor or admin.
    StaffId
);
uuid_id!(
    /// A shop site that embeds the widget.
    SiteId
);

uuid_id!(
    /// One mail in the outbox.
    MailId
);

/// Per-conversation event sequence number, assigned at commit, starting at 1.
pub type Seq = u32;
uuid_id!(
    /// A shop customer the shop's backend vouched for (verified `identify`); one
    /// contact may have many visitors, one per device or browser.
    ContactId
);
uuid_id!(
    /// One visit: a visitor's pages from arrival until 30 minutes of absence.
    VisitId
);
uuid_id!(
    /// An invitation rule of a site.
    RuleId
);
uuid_id!(
    /// One invitation shown to a visitor, by an operator or a rule.
    InvitationId
);
uuid_id!(
    /// A department of a site (Sales, Support, Delivery) with its own members.
    DepartmentId
);
uuid_id!(
    /// A canned answer, personal or shared.
    CannedId
);
uuid_id!(
    /// A message of the staff's internal chat (team room or direct).
    InternalMessageId
);
