//! The staff's internal chat: one team room and direct messages between two
//! members of staff. Never visible to visitors.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Millis;
use crate::ids::{InternalMessageId, StaffId};

/// Where an internal message is posted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Room {
    /// Everyone on the staff.
    Team,
    /// A direct conversation with one other member of staff (as the reader sees it:
    /// `with` is the other person).
    Direct { with: StaffId },
}

/// The room a message is stored in: direct rooms are keyed by both people,
/// the smaller id first, so both sides find the same room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RoomKey {
    Team,
    Direct(StaffId, StaffId),
}

impl RoomKey {
    pub fn of(room: Room, me: StaffId) -> Self {
        match room {
            Room::Team => RoomKey::Team,
            Room::Direct { with } => RoomKey::Direct(me.min(with), me.max(with)),
        }
    }

    /// The room as `reader` sees it, if they are in it.
    pub fn seen_by(self, reader: StaffId) -> Option<Room> {
        match self {
            RoomKey::Team => Some(Room::Team),
            RoomKey::Direct(a, b) if a == reader => Some(Room::Direct { with: b }),
            RoomKey::Direct(a, b) if b == reader => Some(Room::Direct { with: a }),
            RoomKey::Direct(..) => None,
        }
    }

    /// Stable text form for storage: `team` or `dm:<id>:<id>`.
    pub fn encode(self) -> String {
        match self {
            RoomKey::Team => "team".to_owned(),
            RoomKey::Direct(a, b) => format!("dm:{a}:{b}"),
        }
    }

    pub fn decode(raw: &str) -> Option<Self> {
        if raw == "team" {
            return Some(RoomKey::Team);
        }
        let mut parts = raw.strip_prefix("dm:")?.split(':');
        let a = parts.next()?.parse().ok()?;
        let b = parts.next()?.parse().ok()?;
        Some(RoomKey::Direct(a, b))
    }
}

/// One internal message as its reader sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InternalMessage {
    pub id: InternalMessageId,
    pub room: Room,
    pub author: crate::protocol::shared::AgentRef,
    pub text: String,
    #[ts(type = "number")]
    pub at: Millis,
    pub client_msg_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_of_a_direct_room_share_one_key_and_outsiders_see_nothing() {
        let (anna, boris, eve) = (StaffId::new(), StaffId::new(), StaffId::new());
        let key = RoomKey::of(Room::Direct { with: boris }, anna);
        assert_eq!(key, RoomKey::of(Room::Direct { with: anna }, boris));
        assert_eq!(key.seen_by(anna), Some(Room::Direct { with: boris }));
        assert_eq!(key.seen_by(boris), Some(Room::Direct { with: anna }));
        assert_eq!(key.seen_by(eve), None);
        assert_eq!(RoomKey::decode(&key.encode()), Some(key));
        assert_eq!(RoomKey::decode("team"), Some(RoomKey::Team));
        assert_eq!(RoomKey::decode("dm:x:y"), None);
    }
}
