//! The staff's internal chat: the team room and direct rooms. Write functions
//! run inside the writer's group transaction.

use shopkeep_core::ids::{InternalMessageId, StaffId};
use shopkeep_core::internal::RoomKey;
use shopkeep_core::protocol::shared::AgentRef;
use shopkeep_core::text::{ClientMsgId, MessageText};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use crate::error::Result;
use crate::model::StoredInternal;
use crate::sqlite::conversations::now;
use crate::sqlite::rows::{corrupt, get};
use crate::sqlite::writer::backend;

fn message(row: &SqliteRow) -> Result<StoredInternal> {
    let room: String = get(row, "room")?;
    Ok(StoredInternal {
        id: InternalMessageId::from_uuid(get(row, "id")?),
        room: RoomKey::decode(&room).ok_or_else(|| corrupt("room", &room))?,
        author: AgentRef {
            id: StaffId::from_uuid(get(row, "author_id")?),
            name: get(row, "author_name")?,
        },
        text: get(row, "text")?,
        at: get(row, "at")?,
        client_msg_id: get(row, "client_msg_id")?,
    })
}

/// Stores the message unless the author already sent one with that id in
/// the room; answers the stored one and whether it was a resend.
pub(crate) async fn post(
    conn: &mut SqliteConnection,
    room: RoomKey,
    author: AgentRef,
    client_msg_id: ClientMsgId,
    text: MessageText,
) -> Result<(StoredInternal, bool)> {
    let room_key = room.encode();
    let earlier = sqlx::query(
        "SELECT * FROM internal_messages WHERE room = ? AND author_id = ? AND client_msg_id = ?",
    )
    .bind(&room_key)
    .bind(author.id.as_uuid())
    .bind(client_msg_id.as_str())
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?;
    if let Some(row) = earlier {
        return Ok((message(&row)?, true));
    }
    let stored = StoredInternal {
        id: InternalMessageId::new(),
        room,
        author,
        text: text.into_string(),
        at: now(),
        client_msg_id: client_msg_id.as_str().to_owned(),
    };
    sqlx::query(
        "INSERT INTO internal_messages (id, room, author_id, author_name, text, at, client_msg_id) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(stored.id.as_uuid())
    .bind(&room_key)
    .bind(stored.author.id.as_uuid())
    .bind(&stored.author.name)
    .bind(&stored.text)
    .bind(stored.at)
    .bind(&stored.client_msg_id)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok((stored, false))
}

pub(crate) async fn messages(
    conn: &mut SqliteConnection,
    room: RoomKey,
    before: Option<InternalMessageId>,
    limit: u32,
) -> Result<Vec<StoredInternal>> {
    // Ids are UUIDv7 blobs, so comparing them compares their times.
    let found = sqlx::query(
        "SELECT * FROM internal_messages WHERE room = ?1 AND (?2 IS NULL OR id < ?2) \
         ORDER BY id DESC LIMIT ?3",
    )
    .bind(room.encode())
    .bind(before.map(|id| id.as_uuid()))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    found.iter().map(message).collect()
}
