//! Reading conversations back: a visitor's view of the event log and the
//! staff's history search.

use shopkeep_core::event::Event;
use shopkeep_core::ids::{ConversationId, Seq};
use shopkeep_core::protocol::shared::ConversationSummary;
use sqlx::{AssertSqlSafe, SqliteConnection};

use crate::error::Result;
use crate::model::HistoryQuery;
use crate::sqlite::rows;
use crate::sqlite::writer::backend;

pub(crate) async fn visitor_events_after(
    conn: &mut SqliteConnection,
    id: ConversationId,
    after: Seq,
    limit: u32,
) -> Result<Vec<Event>> {
    let sql = format!(
        "SELECT {} FROM events WHERE conversation_id = ? AND seq > ? \
         AND kind NOT IN {} ORDER BY seq LIMIT ?",
        rows::EVENT_COLUMNS,
        rows::STAFF_ONLY_KINDS,
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .bind(id.as_uuid())
        .bind(i64::from(after))
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    found.iter().map(|row| rows::event(row, "")).collect()
}

/// One bound value of the search.
enum Value {
    Blob(uuid::Uuid),
    Text(String),
    Int(i64),
}

pub(crate) async fn search(
    conn: &mut SqliteConnection,
    query: HistoryQuery,
) -> Result<Vec<ConversationSummary>> {
    let mut conditions: Vec<&str> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    if let Some(site) = query.site {
        conditions.push("c.site_id = ?");
        values.push(Value::Blob(site.as_uuid()));
    }
    if let Some(tag) = query.tag {
        // Tags are stored as the caller normalised them (lower case).
        conditions.push("c.id IN (SELECT conversation_id FROM conversation_tags WHERE tag = ?)");
        values.push(Value::Text(tag));
    }
    if let Some(assignee) = query.assignee {
        conditions.push("c.last_assignee_id = ?");
        values.push(Value::Blob(assignee.as_uuid()));
    }
    if let Some(department) = query.department {
        conditions.push("c.department_id = ?");
        values.push(Value::Blob(department.as_uuid()));
    }
    if let Some(from) = query.from {
        conditions.push("c.created_at >= ?");
        values.push(Value::Int(from));
    }
    if let Some(to) = query.to {
        conditions.push("c.created_at < ?");
        values.push(Value::Int(to));
    }
    if let Some(status) = query.status {
        conditions.push("c.status = ?");
        values.push(Value::Text(status.as_str().to_owned()));
    }
    match (query.before, query.before_id) {
        (Some(before), Some(before_id)) => {
            conditions.push("(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))");
            values.push(Value::Int(before));
            values.push(Value::Int(before));
            values.push(Value::Blob(before_id.as_uuid()));
        }
        (Some(before), None) => {
            conditions.push("c.updated_at < ?");
            values.push(Value::Int(before));
        }
        (None, _) => {}
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "{} {filter} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?",
        rows::SUMMARY_SELECT
    );
    let mut statement = sqlx::query(AssertSqlSafe(sql));
    for value in values {
        statement = match value {
            Value::Blob(id) => statement.bind(id),
            Value::Text(text) => statement.bind(text),
            Value::Int(number) => statement.bind(number),
        };
    }
    // No limit given means a full page.
    let limit = match query.limit {
        0 => HistoryQuery::MAX_LIMIT,
        limit => limit.min(HistoryQuery::MAX_LIMIT),
    };
    let found = statement
        .bind(i64::from(limit))
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    found.iter().map(rows::summary).collect()
}
