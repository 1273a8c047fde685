//! The audit log of refused actions.

use shopkeep_core::ids::{ConversationId, StaffId};
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::error::Result;
use crate::model::AuditEntry;
use crate::sqlite::rows::get;
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
                at: get(row, "at")?,
                staff_id: StaffId::from_uuid(get(row, "staff_id")?),
                staff_name: get(row, "staff_name")?,
                action: get(row, "action")?,
                conversation: get::<Option<Uuid>>(row, "conversation_id")?
                    .map(ConversationId::from_uuid),
                reason: get(row, "reason")?,
            })
        })
        .collect()
}
