//! The embedded SQLite backend: WAL, `synchronous=FULL` (an ack means the
//! message is on disk), a pool of read-only connections and one writer task.
//!
//! # Layout
//! - `writer`: the single writer task and its group commit.
//! - `rows`: decoding rows into domain values.
//! - `conversations`: the event log, posting, taking, closing, receipts.
//! - `team`: hand-overs, department transfers, supervisors, whispers, notes, tags.
//! - `history`: the visitor's filtered sync and the history search.
//! - `departments`, `canned`, `internal`, `audit`, `tracking`, `outbox`: one
//!   kind of record each.

mod audit;
mod canned;
mod conversations;
mod departments;
mod direct;
mod history;
mod internal;
mod messages;
mod outbox;
mod rows;
mod team;
mod tracking;
mod writer;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use shopkeep_core::Millis;
use shopkeep_core::attributes::Attributes;
use shopkeep_core::canned::{Canned, CannedDraft};
use shopkeep_core::department::{Department, DepartmentDraft, DepartmentRef};
use shopkeep_core::email::MailFailure;
use shopkeep_core::event::{Author, Event};
use shopkeep_core::ids::{
    CannedId, ContactId, ConversationId, DepartmentId, InternalMessageId, MailId, RuleId, Seq,
    SiteId, StaffId, VisitorId,
};
use shopkeep_core::internal::RoomKey;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary, ReceiptMark, Receipts, Side};
use shopkeep_core::rules::{Rule, RuleDraft};
use shopkeep_core::staff::{AgentStatus, Role};
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_core::tracking::Visit;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions, SqliteConnection, SqlitePool};
use tokio::task::JoinHandle;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::model::{
    AuditEntry, Claims, Contact, ConversationFilter, HistoryQuery, Identified, Mail, NewMail,
    NewStaff, NewVisit, OfflineMessage, Posted, Session, Site, SiteSettings, SmtpSettings, Staff,
    StaffOnly, StaffPhoto, StoredInternal, TrackingBatch, Transitioned, Visitor,
};
use writer::{Writer, backend, found};

pub use conversations::now;

/// Read connections; SQLite readers in WAL mode do not block the writer.
const READERS: u32 = 4;

pub struct SqliteStore {
    reads: SqlitePool,
    points: direct::PointReads,
    writer: Writer,
    /// The writer task, awaited on close so queued writes are committed first.
    writer_task: Mutex<Option<JoinHandle<()>>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .disable_statement_logging();
        migrate(base.clone().create_if_missing(true)).await?;
        let write_conn = base.clone().connect().await.map_err(backend)?;
        let reads = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(base.read_only(true))
            .await
            .map_err(backend)?;
        let direct = direct::Direct::open(path)?;
        let (writer, task) = Writer::spawn(write_conn, direct);
        Ok(Self {
            reads,
            points: direct::PointReads::new(path),
            writer,
            writer_task: Mutex::new(Some(task)),
        })
    }

    /// Applies migrations without starting a store (`shopkeep migrate`).
    pub async fn migrate_file(path: &Path) -> Result<()> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .journal_mode(SqliteJournalMode::Wal)
            .create_if_missing(true);
        migrate(options).await
    }

    async fn read<T>(
        &self,
        work: impl for<'c> FnOnce(&'c mut SqliteConnection) -> writer::BoxFuture<'c, Result<T>>,
    ) -> Result<T> {
        let mut conn = self.reads.acquire().await.map_err(backend)?;
        work(&mut conn).await
    }
}

/// Runs the migrations over a one-connection pool: `Migrator::run` on a
/// `&mut SqliteConnection` makes every future awaiting it fail the `Send` check
/// ("`Acquire` is not general enough"), so `open` could not run in `tokio::spawn`.
async fn migrate(options: SqliteConnectOptions) -> Result<()> {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(backend)?;
    let migrated = sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .map_err(|error| StoreError::Backend(format!("migration failed: {error}")));
    pool.close().await;
    migrated
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|error| StoreError::Backend(error.to_string()))
}

/// Refuses one more row where `count` rows already reach `max`.
fn room_for(count: i64, max: usize, refusal: impl FnOnce() -> String) -> Result<()> {
    if usize::try_from(count).unwrap_or(usize::MAX) >= max {
        return Err(StoreError::Limit(refusal()));
    }
    Ok(())
}

fn conflict_on_unique(error: sqlx::Error, what: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(what.to_owned())
        }
        _ => backend(error),
    }
}

async fn fetch_site(
    conn: &mut SqliteConnection,
    column: &'static str,
    value: SiteLookup,
) -> Result<Option<Site>> {
    let sql = format!("SELECT * FROM sites WHERE {column} = ?");
    let query = sqlx::query(AssertSqlSafe(sql));
    let query = match value {
        SiteLookup::Text(text) => query.bind(text),
        SiteLookup::Id(id) => query.bind(id.as_uuid()),
    };
    let row = query.fetch_optional(conn).await.map_err(backend)?;
    row.as_ref().map(rows::site).transpose()
}

enum SiteLookup {
    Text(String),
    Id(SiteId),
}

async fn fetch_staff(conn: &mut SqliteConnection, id: StaffId) -> Result<Option<Staff>> {
    let row = sqlx::query("SELECT * FROM staff WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(rows::staff).transpose()
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_site(&self, site: Site) -> Result<Site> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let origins = serde_json::to_string(&site.allowed_origins)
                        .map_err(|error| StoreError::Backend(error.to_string()))?;
                    sqlx::query(
                        "INSERT INTO sites (id, slug, name, public_key, allowed_origins, hmac_secret, color, lang, created_at, tracking, greetings, hours, mail, chat) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(site.id.as_uuid())
                    .bind(&site.slug)
                    .bind(&site.name)
                    .bind(&site.public_key)
                    .bind(origins)
                    .bind(&site.hmac_secret)
                    .bind(&site.color)
                    .bind(&site.lang)
                    .bind(site.created_at)
                    .bind(to_json(&site.tracking)?)
                    .bind(to_json(&site.greetings)?)
                    .bind(site.hours.as_ref().map(to_json).transpose()?)
                    .bind(to_json(&site.mail)?)
                    .bind(to_json(&site.chat)?)
                    .execute(conn)
                    .await
                    .map_err(|error| conflict_on_unique(error, "a site with that name exists"))?;
                    Ok(site)
                })
            })
            .await
    }

    async fn site_by_public_key(&self, public_key: &str) -> Result<Option<Site>> {
        let key = SiteLookup::Text(public_key.to_owned());
        self.read(|conn| Box::pin(fetch_site(conn, "public_key", key)))
            .await
    }

    async fn site_by_slug(&self, slug: &str) -> Result<Option<Site>> {
        let slug = SiteLookup::Text(slug.to_owned());
        self.read(|conn| Box::pin(fetch_site(conn, "slug", slug)))
            .await
    }

    async fn site(&self, id: SiteId) -> Result<Option<Site>> {
        self.read(move |conn| Box::pin(fetch_site(conn, "id", SiteLookup::Id(id))))
            .await
    }

    async fn list_sites(&self) -> Result<Vec<Site>> {
        let rows = sqlx::query("SELECT * FROM sites ORDER BY created_at")
            .fetch_all(&self.reads)
            .await
            .map_err(backend)?;
        rows.iter().map(rows::site).collect()
    }

    async fn create_staff(&self, new: NewStaff) -> Result<Staff> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    // Without max_chats the column's default applies.
                    let sql = match new.max_chats {
                        Some(_) => {
                            "INSERT INTO staff (id, email, name, role, password_hash, lang, created_at, max_chats) \
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *"
                        }
                        None => {
                            "INSERT INTO staff (id, email, name, role, password_hash, lang, created_at) \
                             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *"
                        }
                    };
                    let mut insert = sqlx::query(sql)
                        .bind(StaffId::new().as_uuid())
                        .bind(&new.email)
                        .bind(&new.name)
                        .bind(new.role.as_str())
                        .bind(&new.password_hash)
                        .bind(&new.lang)
                        .bind(now());
                    if let Some(max_chats) = new.max_chats {
                        insert = insert.bind(i64::from(max_chats));
                    }
                    let row = insert
                        .fetch_one(&mut *conn)
                        .await
                        .map_err(|error| conflict_on_unique(error, "that email is taken"))?;
                    rows::staff(&row)
                })
            })
            .await
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<Staff>> {
        let row = sqlx::query("SELECT * FROM staff WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.reads)
            .await
            .map_err(backend)?;
        row.as_ref().map(rows::staff).transpose()
    }

    async fn staff(&self, id: StaffId) -> Result<Option<Staff>> {
        self.read(move |conn| Box::pin(fetch_staff(conn, id))).await
    }

    async fn list_staff(&self) -> Result<Vec<Staff>> {
        let rows = sqlx::query("SELECT * FROM staff ORDER BY created_at")
            .fetch_all(&self.reads)
            .await
            .map_err(backend)?;
        rows.iter().map(rows::staff).collect()
    }

    async fn count_staff(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.reads)
            .await
            .map_err(backend)?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    async fn set_password(&self, id: StaffId, password_hash: String) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    found(
                        sqlx::query("UPDATE staff SET password_hash = ? WHERE id = ?")
                            .bind(&password_hash)
                            .bind(id.as_uuid())
                            .execute(&mut *conn)
                            .await
                            .map_err(backend)?,
                    )?;
                    sqlx::query("DELETE FROM sessions WHERE staff_id = ?")
                        .bind(id.as_uuid())
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_staff_profile(
        &self,
        id: StaffId,
        name: Option<String>,
        lang: Option<String>,
    ) -> Result<Staff> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE staff SET name = COALESCE(?, name), lang = COALESCE(?, lang) WHERE id = ?",
                    )
                    .bind(name)
                    .bind(lang)
                    .bind(id.as_uuid())
                    .execute(&mut *conn)
                    .await
                    .map_err(backend)?;
                    fetch_staff(conn, id).await?.ok_or(StoreError::NotFound)
                })
            })
            .await
    }

    async fn set_staff_status(&self, id: StaffId, status: AgentStatus) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE staff SET status = ? WHERE id = ?")
                        .bind(status.as_str())
                        .bind(id.as_uuid())
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn create_session(&self, session: Session) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) \
                         VALUES (?, ?, ?, ?, ?, ?)",
                    )
                    .bind(&session.token_hash)
                    .bind(session.staff_id.as_uuid())
                    .bind(&session.csrf_token)
                    .bind(session.created_at)
                    .bind(session.last_seen_at)
                    .bind(session.expires_at)
                    .execute(conn)
                    .await
                    .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn session(&self, token_hash: &[u8], now: Millis) -> Result<Option<(Session, Staff)>> {
        let token_hash = token_hash.to_vec();
        self.read(move |conn| {
            Box::pin(async move {
                let row =
                    sqlx::query("SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?")
                        .bind(&token_hash)
                        .bind(now)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(backend)?;
                let Some(session) = row.as_ref().map(rows::session).transpose()? else {
                    return Ok(None);
                };
                Ok(fetch_staff(conn, session.staff_id)
                    .await?
                    .map(|staff| (session, staff)))
            })
        })
        .await
    }

    async fn touch_session(&self, token_hash: &[u8], now: Millis) -> Result<()> {
        let token_hash = token_hash.to_vec();
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
                        .bind(now)
                        .bind(&token_hash)
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        let token_hash = token_hash.to_vec();
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
                        .bind(&token_hash)
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn create_setup_token(&self, token_hash: Vec<u8>, expires_at: Millis) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)")
                        .bind(&token_hash)
                        .bind(expires_at)
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn consume_setup_token(&self, token_hash: &[u8], now: Millis) -> Result<bool> {
        let token_hash = token_hash.to_vec();
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let deleted = sqlx::query(
                        "DELETE FROM setup_tokens WHERE token_hash = ? AND expires_at > ?",
                    )
                    .bind(&token_hash)
                    .bind(now)
                    .execute(conn)
                    .await
                    .map_err(backend)?;
                    Ok(deleted.rows_affected() == 1)
                })
            })
            .await
    }

    async fn create_visitor(&self, site: SiteId, token_hash: Vec<u8>) -> Result<Visitor> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let id = VisitorId::new();
                    let at = now();
                    sqlx::query(
                        "INSERT INTO visitors (id, site_id, token_hash, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(id.as_uuid())
                    .bind(site.as_uuid())
                    .bind(&token_hash)
                    .bind(at)
                    .bind(at)
                    .execute(conn)
                    .await
                    .map_err(|error| conflict_on_unique(error, "visitor token collision"))?;
                    Ok(Visitor {
                        id,
                        site_id: site,
                        name: None,
                        email: None,
                        phone: None,
                        contact_id: None,
                        attributes: Attributes::default(),
                        visits: 0,
                        created_at: at,
                        last_seen_at: at,
                    })
                })
            })
            .await
    }

    async fn visitor_by_token(&self, site: SiteId, token_hash: &[u8]) -> Result<Option<Visitor>> {
        let row = sqlx::query("SELECT * FROM visitors WHERE token_hash = ? AND site_id = ?")
            .bind(token_hash)
            .bind(site.as_uuid())
            .fetch_optional(&self.reads)
            .await
            .map_err(backend)?;
        row.as_ref().map(rows::visitor).transpose()
    }

    async fn touch_visitor(&self, id: VisitorId, now: Millis) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE visitors SET last_seen_at = ? WHERE id = ?")
                        .bind(now)
                        .bind(id.as_uuid())
                        .execute(conn)
                        .await
                        .map_err(backend)?;
                    Ok(())
                })
            })
            .await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationSummary>> {
        self.points.read(|db| messages::find_summary(db, id))
    }

    async fn latest_conversation(&self, visitor: VisitorId) -> Result<Option<ConversationSummary>> {
        let sql = format!(
            "{} WHERE c.visitor_id = ? ORDER BY c.created_at DESC LIMIT 1",
            rows::SUMMARY_SELECT
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(visitor.as_uuid())
            .fetch_optional(&self.reads)
            .await
            .map_err(backend)?;
        row.as_ref().map(rows::summary).transpose()
    }

    async fn list_conversations(
        &self,
        filter: ConversationFilter,
    ) -> Result<Vec<ConversationSummary>> {
        let mut found = Vec::new();
        if filter.open {
            let sql = format!(
                "{} WHERE c.status IN ('waiting', 'active') ORDER BY c.created_at",
                rows::SUMMARY_SELECT
            );
            for row in sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.reads)
                .await
                .map_err(backend)?
            {
                found.push(rows::summary(&row)?);
            }
        }
        if filter.closed_limit > 0 {
            let sql = format!(
                "{} WHERE c.status = 'closed' ORDER BY c.updated_at DESC LIMIT ?",
                rows::SUMMARY_SELECT
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(i64::from(filter.closed_limit))
                .fetch_all(&self.reads)
                .await
                .map_err(backend)?;
            for row in rows {
                found.push(rows::summary(&row)?);
            }
        }
        Ok(found)
    }

    async fn events_after(&self, id: ConversationId, after: Seq, limit: u32) -> Result<Vec<Event>> {
        let sql = format!(
            "SELECT {} FROM events WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            rows::EVENT_COLUMNS
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(id.as_uuid())
            .bind(i64::from(after))
            .bind(i64::from(limit))
            .fetch_all(&self.reads)
            .await
            .map_err(backend)?;
        rows.iter().map(|row| rows::event(row, "")).collect()
    }

    async fn post_visitor_message(
        &self,
        site: SiteId,
        visitor: VisitorId,
        contact: Option<ContactId>,
        client_msg_id: ClientMsgId,
        text: MessageText,
        department: Option<DepartmentId>,
    ) -> Result<Posted> {
        self.writer
            .write_direct(move |db| {
                messages::post_visitor_message(
                    db,
                    site,
                    visitor,
                    contact,
                    client_msg_id,
                    text,
                    department,
                )
            })
            .await
    }

    async fn post_agent_message(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
        mail: Option<NewMail>,
    ) -> Result<Posted> {
        self.writer
            .write_direct(move |db| {
                messages::post_agent_message(db, conversation, agent, client_msg_id, text, mail)
            })
            .await
    }

    async fn post_offline_message(&self, offline: OfflineMessage) -> Result<Posted> {
        self.writer
            .write(move |conn| Box::pin(conversations::post_offline_message(conn, offline)))
            .await
    }

    async fn unanswered_conversations(&self) -> Result<Vec<ConversationSummary>> {
        self.read(move |conn| Box::pin(conversations::unanswered(conn)))
            .await
    }

    async fn mark_missed(
        &self,
        conversation: ConversationId,
        mail: Option<NewMail>,
    ) -> Result<Option<ConversationSummary>> {
        self.writer
            .write(move |conn| Box::pin(conversations::mark_missed(conn, conversation, mail)))
            .await
    }

    async fn take_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(conversations::take(conn, conversation, agent)))
            .await
    }

    async fn close_conversation(
        &self,
        conversation: ConversationId,
        by: Author,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(conversations::close(conn, conversation, by)))
            .await
    }

    async fn update_staff_team(
        &self,
        id: StaffId,
        role: Option<Role>,
        max_chats: Option<u32>,
    ) -> Result<Staff> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    found(
                        sqlx::query(
                            "UPDATE staff SET role = COALESCE(?, role), max_chats = COALESCE(?, max_chats) \
                             WHERE id = ?",
                        )
                        .bind(role.map(Role::as_str))
                        .bind(max_chats.map(i64::from))
                        .bind(id.as_uuid())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?,
                    )?;
                    fetch_staff(conn, id).await?.ok_or(StoreError::NotFound)
                })
            })
            .await
    }

    async fn list_departments(&self, site: Option<SiteId>) -> Result<Vec<Department>> {
        self.read(move |conn| Box::pin(departments::list(conn, site)))
            .await
    }

    async fn department(&self, id: DepartmentId) -> Result<Option<Department>> {
        self.read(move |conn| Box::pin(departments::fetch(conn, id)))
            .await
    }

    async fn create_department(&self, site: SiteId, draft: DepartmentDraft) -> Result<Department> {
        self.writer
            .write(move |conn| Box::pin(departments::create(conn, site, draft)))
            .await
    }

    async fn update_department(
        &self,
        id: DepartmentId,
        draft: DepartmentDraft,
    ) -> Result<Department> {
        self.writer
            .write(move |conn| Box::pin(departments::update(conn, id, draft)))
            .await
    }

    async fn delete_department(&self, id: DepartmentId) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(departments::delete(conn, id)))
            .await
    }

    async fn visitor_events_after(
        &self,
        id: ConversationId,
        after: Seq,
        limit: u32,
    ) -> Result<Vec<Event>> {
        self.read(move |conn| Box::pin(history::visitor_events_after(conn, id, after, limit)))
            .await
    }

    async fn search_conversations(&self, query: HistoryQuery) -> Result<Vec<ConversationSummary>> {
        self.read(move |conn| Box::pin(history::search(conn, query)))
            .await
    }

    async fn hand_conversation(
        &self,
        conversation: ConversationId,
        by: AgentRef,
        to: AgentRef,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(team::hand(conn, conversation, by, to)))
            .await
    }

    async fn transfer_to_department(
        &self,
        conversation: ConversationId,
        by: AgentRef,
        department: DepartmentRef,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(team::to_department(conn, conversation, by, department)))
            .await
    }

    async fn join_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(team::join(conn, conversation, agent)))
            .await
    }

    async fn leave_conversation(
        &self,
        conversation: ConversationId,
        agent: AgentRef,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| Box::pin(team::leave(conn, conversation, agent)))
            .await
    }

    async fn post_staff_only(
        &self,
        conversation: ConversationId,
        kind: StaffOnly,
        agent: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<Posted> {
        self.writer
            .write(move |conn| {
                Box::pin(team::post_staff_only(
                    conn,
                    conversation,
                    kind,
                    agent,
                    client_msg_id,
                    text,
                ))
            })
            .await
    }

    async fn set_tags(
        &self,
        conversation: ConversationId,
        tags: Vec<String>,
    ) -> Result<ConversationSummary> {
        self.writer
            .write(move |conn| Box::pin(team::set_tags(conn, conversation, tags)))
            .await
    }

    async fn mark_receipt(
        &self,
        conversation: ConversationId,
        side: Side,
        mark: ReceiptMark,
        seq: Seq,
    ) -> Result<Receipts> {
        self.writer
            .write(move |conn| {
                Box::pin(conversations::mark_receipt(
                    conn,
                    conversation,
                    side,
                    mark,
                    seq,
                ))
            })
            .await
    }

    async fn list_canned(&self, site: SiteId, staff: StaffId) -> Result<Vec<Canned>> {
        self.read(move |conn| Box::pin(canned::list(conn, site, staff)))
            .await
    }

    async fn canned(&self, id: CannedId) -> Result<Option<Canned>> {
        self.read(move |conn| Box::pin(canned::fetch(conn, id)))
            .await
    }

    async fn create_canned(
        &self,
        site: SiteId,
        owner: StaffId,
        draft: CannedDraft,
    ) -> Result<Canned> {
        self.writer
            .write(move |conn| Box::pin(canned::create(conn, site, owner, draft)))
            .await
    }

    async fn update_canned(&self, id: CannedId, draft: CannedDraft) -> Result<Canned> {
        self.writer
            .write(move |conn| Box::pin(canned::update(conn, id, draft)))
            .await
    }

    async fn delete_canned(&self, id: CannedId) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(canned::delete(conn, id)))
            .await
    }

    async fn post_internal(
        &self,
        room: RoomKey,
        author: AgentRef,
        client_msg_id: ClientMsgId,
        text: MessageText,
    ) -> Result<(StoredInternal, bool)> {
        self.writer
            .write(move |conn| Box::pin(internal::post(conn, room, author, client_msg_id, text)))
            .await
    }

    async fn internal_messages(
        &self,
        room: RoomKey,
        before: Option<InternalMessageId>,
        limit: u32,
    ) -> Result<Vec<StoredInternal>> {
        self.read(move |conn| Box::pin(internal::messages(conn, room, before, limit)))
            .await
    }

    async fn record_audit(&self, entry: AuditEntry) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(audit::record(conn, entry)))
            .await
    }

    async fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        self.read(move |conn| Box::pin(audit::list(conn, limit)))
            .await
    }

    async fn set_site_secret(&self, id: SiteId, secret: String) -> Result<Site> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query("UPDATE sites SET hmac_secret = ? WHERE id = ?")
                        .bind(&secret)
                        .bind(id.as_uuid())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?;
                    fetch_site(conn, "id", SiteLookup::Id(id))
                        .await?
                        .ok_or(StoreError::NotFound)
                })
            })
            .await
    }

    async fn update_site_settings(&self, id: SiteId, settings: SiteSettings) -> Result<Site> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    let hours = settings.hours.as_ref().map(to_json).transpose()?;
                    found(
                        sqlx::query(
                            "UPDATE sites SET tracking = ?, greetings = ?, hours = ?, mail = ?, chat = ? WHERE id = ?",
                        )
                        .bind(to_json(&settings.tracking)?)
                        .bind(to_json(&settings.greetings)?)
                        .bind(hours)
                        .bind(to_json(&settings.mail)?)
                        .bind(to_json(&settings.chat)?)
                        .bind(id.as_uuid())
                        .execute(&mut *conn)
                        .await
                        .map_err(backend)?,
                    )?;
                    fetch_site(conn, "id", SiteLookup::Id(id))
                        .await?
                        .ok_or(StoreError::NotFound)
                })
            })
            .await
    }

    async fn set_staff_photo(&self, id: StaffId, photo: Option<StaffPhoto>) -> Result<Staff> {
        self.writer
            .write(move |conn| {
                Box::pin(async move {
                    tracking::set_photo(conn, id, photo).await?;
                    fetch_staff(conn, id).await?.ok_or(StoreError::NotFound)
                })
            })
            .await
    }

    async fn staff_photo(&self, id: StaffId) -> Result<Option<StaffPhoto>> {
        self.read(move |conn| Box::pin(tracking::photo(conn, id)))
            .await
    }

    async fn visitor(&self, id: VisitorId) -> Result<Option<Visitor>> {
        self.read(move |conn| Box::pin(tracking::visitor(conn, id)))
            .await
    }

    async fn identify_visitor(
        &self,
        visitor: VisitorId,
        claims: Claims,
        verified_id: Option<String>,
    ) -> Result<Identified> {
        self.writer
            .write(move |conn| Box::pin(tracking::identify(conn, visitor, claims, verified_id)))
            .await
    }

    async fn set_visitor_attributes(
        &self,
        visitor: VisitorId,
        attributes: Attributes,
    ) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move { tracking::set_attributes(conn, visitor, &attributes).await })
            })
            .await
    }

    async fn contact(&self, id: ContactId) -> Result<Option<Contact>> {
        self.read(move |conn| Box::pin(tracking::contact(conn, id)))
            .await
    }

    async fn contact_visitors(&self, id: ContactId) -> Result<Vec<VisitorId>> {
        self.read(move |conn| Box::pin(tracking::contact_visitors(conn, id)))
            .await
    }

    async fn start_visit(&self, visit: NewVisit) -> Result<u32> {
        self.writer
            .write(move |conn| Box::pin(tracking::start_visit(conn, visit)))
            .await
    }

    async fn latest_visit(&self, visitor: VisitorId) -> Result<Option<Visit>> {
        let mut found = self.visits(&[visitor], 1).await?;
        Ok(found.pop())
    }

    async fn visits(&self, visitors: &[VisitorId], limit: u32) -> Result<Vec<Visit>> {
        let visitors = visitors.to_vec();
        self.read(move |conn| {
            Box::pin(async move { tracking::visits(conn, &visitors, limit).await })
        })
        .await
    }

    async fn record_tracking(&self, batch: TrackingBatch) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        self.writer
            .write_direct(move |db| tracking::record(db, &batch))
            .await
    }

    async fn latest_contact_conversation(
        &self,
        contact: ContactId,
    ) -> Result<Option<ConversationSummary>> {
        let sql = format!(
            "{} WHERE c.contact_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT 1",
            rows::SUMMARY_SELECT
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(contact.as_uuid())
            .fetch_optional(&self.reads)
            .await
            .map_err(backend)?;
        row.as_ref().map(rows::summary).transpose()
    }

    async fn conversations_of(
        &self,
        visitors: &[VisitorId],
        limit: u32,
    ) -> Result<Vec<ConversationSummary>> {
        if visitors.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; visitors.len()].join(", ");
        let sql = format!(
            "{} WHERE c.visitor_id IN ({placeholders}) ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
            rows::SUMMARY_SELECT
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in visitors {
            query = query.bind(id.as_uuid());
        }
        let found = query
            .bind(i64::from(limit))
            .fetch_all(&self.reads)
            .await
            .map_err(backend)?;
        found.iter().map(rows::summary).collect()
    }

    async fn open_invited_conversation(
        &self,
        site: SiteId,
        visitor: VisitorId,
        contact: Option<ContactId>,
        agent: AgentRef,
        text: MessageText,
        department: Option<DepartmentId>,
    ) -> Result<Transitioned> {
        self.writer
            .write(move |conn| {
                Box::pin(conversations::open_invited(
                    conn, site, visitor, contact, agent, text, department,
                ))
            })
            .await
    }

    async fn list_rules(&self, site: SiteId) -> Result<Vec<Rule>> {
        self.read(move |conn| Box::pin(tracking::list_rules(conn, site)))
            .await
    }

    async fn rule(&self, id: RuleId) -> Result<Option<Rule>> {
        self.read(move |conn| Box::pin(tracking::rule(conn, id)))
            .await
    }

    async fn create_rule(&self, site: SiteId, draft: RuleDraft) -> Result<Rule> {
        self.writer
            .write(move |conn| Box::pin(tracking::create_rule(conn, site, draft)))
            .await
    }

    async fn update_rule(&self, id: RuleId, draft: RuleDraft) -> Result<Rule> {
        self.writer
            .write(move |conn| Box::pin(tracking::update_rule(conn, id, draft)))
            .await
    }

    async fn delete_rule(&self, id: RuleId) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(tracking::delete_rule(conn, id)))
            .await
    }

    async fn enqueue_mail(&self, mail: NewMail, now: Millis) -> Result<Option<MailId>> {
        self.writer
            .write(move |conn| Box::pin(async move { outbox::enqueue(conn, &mail, now).await }))
            .await
    }

    async fn claim_due_mail(&self, now: Millis, limit: u32, lease: Millis) -> Result<Vec<Mail>> {
        self.writer
            .write(move |conn| Box::pin(outbox::claim(conn, now, limit, lease)))
            .await
    }

    async fn mark_mail_sent(&self, id: MailId, at: Millis) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(outbox::mark_sent(conn, id, at)))
            .await
    }

    async fn mark_mail_failed(
        &self,
        id: MailId,
        error: String,
        at: Millis,
        retry_at: Option<Millis>,
    ) -> Result<()> {
        self.writer
            .write(move |conn| {
                Box::pin(async move { outbox::mark_failed(conn, id, &error, at, retry_at).await })
            })
            .await
    }

    async fn mail(&self, id: MailId) -> Result<Option<Mail>> {
        self.read(move |conn| Box::pin(outbox::fetch(conn, id)))
            .await
    }

    async fn mail_failures(&self, limit: u32) -> Result<Vec<MailFailure>> {
        self.read(move |conn| Box::pin(outbox::failures(conn, limit)))
            .await
    }

    async fn smtp_settings(&self) -> Result<Option<SmtpSettings>> {
        self.read(|conn| Box::pin(outbox::smtp_settings(conn)))
            .await
    }

    async fn set_smtp_settings(&self, settings: Option<SmtpSettings>) -> Result<()> {
        self.writer
            .write(move |conn| Box::pin(outbox::set_smtp_settings(conn, settings, now())))
            .await
    }

    async fn close(&self) {
        self.writer.stop();
        let task = self
            .writer_task
            .lock()
            .map(|mut task| task.take())
            .unwrap_or(None);
        if let Some(task) = task {
            let _ = task.await;
        }
        self.reads.close().await;
    }
}

#[cfg(test)]
mod upgrade_tests;
