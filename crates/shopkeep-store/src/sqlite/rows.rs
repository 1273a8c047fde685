//! Decoding rows into domain values. Queries name their columns so these
//! functions can read them by name.

use shopkeep_core::attributes::Attributes;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::DepartmentRef;
use shopkeep_core::event::{Author, Event, EventBody};
use shopkeep_core::ids::{ContactId, ConversationId, DepartmentId, SiteId, StaffId, VisitorId};
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary, Receipts};
use shopkeep_core::site::{SiteChat, SiteMail, TrackingSettings};
use shopkeep_core::staff::{AgentStatus, Role};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::model::{Session, Site, Staff, Visitor};
use crate::sqlite::direct;
use crate::sqlite::writer::backend;

/// A stored value this code cannot read.
pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {what} in the database: {value:?}"))
}

/// A row from either driver: sqlx for reads and most writes, rusqlite for
/// the writer thread's direct statements (see `direct.rs`).
pub(crate) trait Columns {
    fn column<T: Stored>(&self, name: &str) -> Result<T>;
}

/// A value both drivers store and decode alike (a UUID is a 16-byte blob in both).
pub(crate) trait Stored:
    for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + rusqlite::types::FromSql
{
}

impl<T> Stored for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + rusqlite::types::FromSql
{
}

impl Columns for SqliteRow {
    fn column<T: Stored>(&self, name: &str) -> Result<T> {
        self.try_get(name).map_err(backend)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn column<T: Stored>(&self, name: &str) -> Result<T> {
        self.get(name).map_err(direct::backend)
    }
}

/// The named column of `row`.
pub(crate) fn get<T: Stored>(row: &impl Columns, column: &str) -> Result<T> {
    row.column(column)
}

/// The named column of `row`, a JSON text.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &impl Columns, column: &str) -> Result<T> {
    let json: String = get(row, column)?;
    serde_json::from_str(&json).map_err(|_| corrupt(column, &json))
}

/// A stored count or position (`what` names it in the error).
pub(crate) fn unsigned(what: &str, value: i64) -> Result<u32> {
    u32::try_from(value).map_err(|_| corrupt(what, &value.to_string()))
}

pub(crate) fn seq(value: i64) -> Result<u32> {
    unsigned("seq", value)
}

pub(crate) fn site(row: &SqliteRow) -> Result<Site> {
    let origins: String = get(row, "allowed_origins")?;
    Ok(Site {
        id: SiteId::from_uuid(get(row, "id")?),
        slug: get(row, "slug")?,
        name: get(row, "name")?,
        public_key: get(row, "public_key")?,
        allowed_origins: serde_json::from_str(&origins)
            .map_err(|_| corrupt("allowed_origins", &origins))?,
        hmac_secret: get(row, "hmac_secret")?,
        color: get(row, "color")?,
        lang: get(row, "lang")?,
        tracking: match get::<Option<String>>(row, "tracking")? {
            Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("tracking", &json))?,
            None => TrackingSettings::default(),
        },
        greetings: {
            let json: String = get(row, "greetings")?;
            serde_json::from_str(&json).map_err(|_| corrupt("greetings", &json))?
        },
        hours: match get::<Option<String>>(row, "hours")? {
            Some(json) => Some(serde_json::from_str(&json).map_err(|_| corrupt("hours", &json))?),
            None => None,
        },
        mail: match get::<Option<String>>(row, "mail")? {
            Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("mail", &json))?,
            None => SiteMail::default(),
        },
        chat: match get::<Option<String>>(row, "chat")? {
            Some(json) => serde_json::from_str(&json).map_err(|_| corrupt("chat", &json))?,
            None => SiteChat::default(),
        },
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn staff(row: &SqliteRow) -> Result<Staff> {
    let role: String = get(row, "role")?;
    let status: String = get(row, "status")?;
    Ok(Staff {
        id: StaffId::from_uuid(get(row, "id")?),
        email: get(row, "email")?,
        name: get(row, "name")?,
        role: Role::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        password_hash: get(row, "password_hash")?,
        status: AgentStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        lang: get(row, "lang")?,
        photo_at: get(row, "photo_at")?,
        max_chats: seq(get(row, "max_chats")?)?,
        created_at: get(row, "created_at")?,
    })
}

pub(crate) fn session(row: &SqliteRow) -> Result<Session> {
    Ok(Session {
        token_hash: get(row, "token_hash")?,
        staff_id: StaffId::from_uuid(get(row, "staff_id")?),
        csrf_token: get(row, "csrf_token")?,
        created_at: get(row, "created_at")?,
        last_seen_at: get(row, "last_seen_at")?,
        expires_at: get(row, "expires_at")?,
    })
}

pub(crate) fn visitor(row: &SqliteRow) -> Result<Visitor> {
    Ok(Visitor {
        id: VisitorId::from_uuid(get(row, "id")?),
        site_id: SiteId::from_uuid(get(row, "site_id")?),
        name: get(row, "name")?,
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        contact_id: get::<Option<Uuid>>(row, "contact_id")?.map(ContactId::from_uuid),
        attributes: {
            let json: String = get(row, "attributes")?;
            Attributes::from_stored(&json).ok_or_else(|| corrupt("attributes", &json))?
        },
        visits: seq(get(row, "visits")?)?,
        created_at: get(row, "created_at")?,
        last_seen_at: get(row, "last_seen_at")?,
    })
}

/// Columns: see `EVENT_COLUMNS`, optionally prefixed (`m_` for the inbox preview).
pub(crate) fn event(row: &impl Columns, prefix: &str) -> Result<Event> {
    let col = |name: &str| format!("{prefix}{name}");
    let author_kind: String = get(row, &col("author_kind"))?;
    let author = match author_kind.as_str() {
        "visitor" => Author::Visitor,
        "system" => Author::System,
        "agent" => {
            let id: Option<Uuid> = get(row, &col("author_id"))?;
            let name: Option<String> = get(row, &col("author_name"))?;
            Author::Agent {
                id: StaffId::from_uuid(id.ok_or_else(|| corrupt("agent id", "NULL"))?),
                name: name.unwrap_or_default(),
            }
        }
        other => return Err(corrupt("author kind", other)),
    };
    let kind: String = get(row, &col("kind"))?;
    let text =
        || -> Result<String> { Ok(get::<Option<String>>(row, &col("text"))?.unwrap_or_default()) };
    let body = match kind.as_str() {
        "message" => EventBody::Message { text: text()? },
        "joined" => EventBody::Joined,
        "left" => EventBody::Left,
        "closed" => EventBody::Closed,
        "whisper" => EventBody::Whisper { text: text()? },
        "note" => EventBody::Note { text: text()? },
        "transferred" => {
            let json: String = get::<Option<String>>(row, &col("data"))?.unwrap_or_default();
            serde_json::from_str(&json).map_err(|_| corrupt("transfer", &json))?
        }
        other => return Err(corrupt("event kind", other)),
    };
    Ok(Event {
        conversation_id: ConversationId::from_uuid(get(row, &col("conversation_id"))?),
        seq: seq(get(row, &col("seq"))?)?,
        at: get(row, &col("at"))?,
        author,
        body,
        client_msg_id: get(row, &col("client_msg_id"))?,
        visible_prev: get::<Option<i64>>(row, &col("visible_prev"))?
            .map(seq)
            .transpose()?,
    })
}

pub(crate) const EVENT_COLUMNS: &str = "conversation_id, seq, at, author_kind, author_id, \
    author_name, kind, text, data, client_msg_id, visible_prev";

/// [`EVENT_COLUMNS`] of the events table named `alias` in a join.
pub(crate) fn event_columns(alias: &str) -> String {
    EVENT_COLUMNS
        .split(',')
        .map(|column| format!("{alias}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `kind`s a visitor never receives: those whose [`EventBody::visible_to_visitor`]
/// is false, filtered in SQL so a page of a visitor's sync is never short.
pub(crate) const STAFF_ONLY_KINDS: &str = "('whisper', 'note')";

/// The summary query: a conversation with its visitor, assignee and latest message.
pub(crate) const SUMMARY_SELECT: &str = "SELECT c.id, c.site_id, c.visitor_id, c.contact_id, c.offline, c.missed, c.status, \
    c.assignee_id, s.name AS assignee_name, c.last_seq, c.visible_seq, \
    c.agent_delivered, c.visitor_delivered, c.agent_read, c.visitor_read, \
    c.participants, c.department_id, d.name AS department_name, c.unanswered_since, c.assigned_at, \
    (SELECT json_group_array(t.tag) FROM conversation_tags t WHERE t.conversation_id = c.id) AS tags, \
    c.created_at, c.updated_at, v.name AS visitor_name, \
    m.conversation_id AS m_conversation_id, m.seq AS m_seq, m.at AS m_at, \
    m.author_kind AS m_author_kind, m.author_id AS m_author_id, m.author_name AS m_author_name, \
    m.kind AS m_kind, m.text AS m_text, m.data AS m_data, m.client_msg_id AS m_client_msg_id, \
    m.visible_prev AS m_visible_prev \
    FROM conversations c \
    JOIN visitors v ON v.id = c.visitor_id \
    LEFT JOIN staff s ON s.id = c.assignee_id \
    LEFT JOIN departments d ON d.id = c.department_id \
    LEFT JOIN events m ON m.conversation_id = c.id AND m.seq = c.last_message_seq";

pub(crate) fn summary(row: &impl Columns) -> Result<ConversationSummary> {
    let status: String = get(row, "status")?;
    let visitor_id = VisitorId::from_uuid(get(row, "visitor_id")?);
    let visitor_name: Option<String> = get(row, "visitor_name")?;
    let assignee = match get::<Option<Uuid>>(row, "assignee_id")? {
        Some(id) => Some(AgentRef {
            id: StaffId::from_uuid(id),
            name: get::<Option<String>>(row, "assignee_name")?.unwrap_or_default(),
        }),
        None => None,
    };
    let last_message = match get::<Option<i64>>(row, "m_seq")? {
        Some(_) => Some(event(row, "m_")?),
        None => None,
    };
    Ok(ConversationSummary {
        id: ConversationId::from_uuid(get(row, "id")?),
        site_id: SiteId::from_uuid(get(row, "site_id")?),
        visitor_id,
        contact_id: get::<Option<Uuid>>(row, "contact_id")?.map(ContactId::from_uuid),
        offline: get(row, "offline")?,
        missed: get(row, "missed")?,
        visitor_label: visitor_name.unwrap_or_else(|| visitor_label(visitor_id)),
        status: ConversationStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        assignee,
        participants: {
            let json: String = get(row, "participants")?;
            serde_json::from_str(&json).map_err(|_| corrupt("participants", &json))?
        },
        department: match get::<Option<Uuid>>(row, "department_id")? {
            Some(id) => Some(DepartmentRef {
                id: DepartmentId::from_uuid(id),
                name: get::<Option<String>>(row, "department_name")?.unwrap_or_default(),
            }),
            None => None,
        },
        tags: {
            let json: String = get(row, "tags")?;
            let mut tags: Vec<String> =
                serde_json::from_str(&json).map_err(|_| corrupt("tags", &json))?;
            tags.sort();
            tags
        },
        unanswered_since: get(row, "unanswered_since")?,
        assigned_at: get(row, "assigned_at")?,
        last_seq: seq(get(row, "last_seq")?)?,
        visible_seq: seq(get(row, "visible_seq")?)?,
        receipts: Receipts {
            agent_delivered: seq(get(row, "agent_delivered")?)?,
            visitor_delivered: seq(get(row, "visitor_delivered")?)?,
            agent_read: seq(get(row, "agent_read")?)?,
            visitor_read: seq(get(row, "visitor_read")?)?,
        },
        last_message,
        created_at: get(row, "created_at")?,
        updated_at: get(row, "updated_at")?,
    })
}

/// "Visitor 3f9a": the random tail of the id, so labels of visitors who came
/// at the same moment still differ.
pub(crate) fn visitor_label(id: VisitorId) -> String {
    let hex = id.as_uuid().simple().to_string();
    format!("Visitor {}", &hex[hex.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_columns_name_each_column_of_the_alias() {
        let columns = event_columns("e");
        assert!(columns.starts_with("e.conversation_id, e.seq, e.at, "));
        assert!(columns.ends_with(", e.client_msg_id, e.visible_prev"));
        assert_eq!(
            columns.matches("e.").count(),
            EVENT_COLUMNS.split(',').count()
        );
    }

    #[test]
    fn staff_only_kinds_are_the_events_a_visitor_never_sees() {
        let bodies = [
            EventBody::Message { text: "hi".into() },
            EventBody::Joined,
            EventBody::Left,
            EventBody::Closed,
            EventBody::Transferred {
                to: None,
                department: None,
            },
            EventBody::Whisper {
                text: "psst".into(),
            },
            EventBody::Note { text: "vip".into() },
        ];
        for body in bodies {
            let listed = STAFF_ONLY_KINDS.contains(&format!("'{}'", body.kind()));
            assert_eq!(listed, !body.visible_to_visitor(), "{}", body.kind());
        }
    }
}
