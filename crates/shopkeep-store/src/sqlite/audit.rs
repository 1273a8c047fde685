//! The audit log of refused actions.

use shopkeep_core::ids::{ConversationId, StaffId};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::error::Result;
use crate::model::AuditEntry;
use crate::sqlite::writer::backend;

pub(crate) async fn record(conn: &mut SqliteConnection, entry: AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, staff_id, staff_name, action, conversation_id, reason) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(entry.at)
    .bind(entry.staff_id.as_uuid())
    .bind(&entry.staff_name)
    .bind(&entry.action)
    .bind(entry.conversation.map(|c| c.as_uuid()))
    .bind(&entry.reason)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn list(conn: &mut SqliteConnection, limit: u32) -> Result<Vec<AuditEntry>> {
    let found = sqlx::query("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT ?")
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    found
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                at: row.try_get("at").map_err(backend)?,
                staff_id: StaffId::from_uuid(row.try_get("staff_id").map_err(backend)?),
                staff_name: row.try_get("staff_name").map_err(backend)?,
                action: row.try_get("action").map_err(backend)?,
                conversation: row
                    .try_get::<Option<Uuid>, _>("conversation_id")
                    .map_err(backend)?
                    .map(ConversationId::from_uuid),
                reason: row.try_get("reason").map_err(backend)?,
            })
        })
        .collect()
}
