//! The mail outbox and the stored SMTP settings.
//!
//! [`enqueue`] takes the writer's connection, so a write job that records an
//! event can put the mail it causes in the same transaction: both are
//! committed, or neither is.

use shopkeep_core::Millis;
use shopkeep_core::email::{MailFailure, MailKind, SmtpTls};
use shopkeep_core::ids::{MailId, SiteId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::model::{Mail, NewMail, SmtpSettings};
use crate::sqlite::writer::backend;

/// Longest delivery error kept, in characters.
const MAX_ERROR_CHARS: usize = 1000;

/// Adds a mail, due at `now`. A mail whose `dedupe_key` is already in the
/// outbox is not added again: `None`.
/// A mail to send; a second one with the same dedupe key is not queued.
pub(crate) const INSERT_MAIL: &str = "INSERT INTO outbox (id, site_id, kind, to_address, reply_to, \
    subject, body_text, body_html, dedupe_key, created_at, next_attempt_at) \
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING";

pub(crate) async fn enqueue(
    conn: &mut SqliteConnection,
    mail: &NewMail,
    now: Millis,
) -> Result<Option<MailId>> {
    let id = MailId::new();
    let inserted = sqlx::query(INSERT_MAIL)
        .bind(id.as_uuid())
        .bind(mail.site_id.map(|site| site.as_uuid()))
        .bind(mail.kind.as_str())
        .bind(mail.to.as_str())
        .bind(mail.reply_to.as_ref().map(|address| address.as_str()))
        .bind(mail.subject.as_str())
        .bind(&mail.text)
        .bind(&mail.html)
        .bind(&mail.dedupe_key)
        .bind(now)
        .bind(now)
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok((inserted.rows_affected() == 1).then_some(id))
}

/// Takes up to `limit` due mails for sending: each counts an attempt and is
/// not due again until `now + lease`, unless marked sent or failed before.
pub(crate) async fn claim(
    conn: &mut SqliteConnection,
    now: Millis,
    limit: u32,
    lease: Millis,
) -> Result<Vec<Mail>> {
    let rows = sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?1, next_attempt_at = ?2 \
         WHERE id IN (SELECT id FROM outbox WHERE next_attempt_at <= ?1 AND sent_at IS NULL \
                      ORDER BY next_attempt_at, id LIMIT ?3) \
         RETURNING *",
    )
    .bind(now)
    .bind(now.saturating_add(lease))
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    let mut claimed = rows.iter().map(mail).collect::<Result<Vec<_>>>()?;
    claimed.sort_by_key(|mail| (mail.created_at, mail.id));
    Ok(claimed)
}

/// Records that the relay accepted the mail; it is never due again. Marking a
/// sent mail again changes nothing.
pub(crate) async fn mark_sent(conn: &mut SqliteConnection, id: MailId, at: Millis) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE outbox SET sent_at = ?, next_attempt_at = NULL, last_error = NULL \
         WHERE id = ? AND sent_at IS NULL",
    )
    .bind(at)
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if updated.rows_affected() == 0 && fetch(conn, id).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Records a failed attempt; the mail is due again at `retry_at`, or never
/// (given up) with `None`. A mail already sent stays sent.
pub(crate) async fn mark_failed(
    conn: &mut SqliteConnection,
    id: MailId,
    error: &str,
    at: Millis,
    retry_at: Option<Millis>,
) -> Result<()> {
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let updated = sqlx::query(
        "UPDATE outbox SET last_error = ?, last_attempt_at = ?, next_attempt_at = ? \
         WHERE id = ? AND sent_at IS NULL",
    )
    .bind(error)
    .bind(at)
    .bind(retry_at)
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    if updated.rows_affected() == 0 && fetch(conn, id).await?.is_none() {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub(crate) async fn fetch(conn: &mut SqliteConnection, id: MailId) -> Result<Option<Mail>> {
    let row = sqlx::query("SELECT * FROM outbox WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(mail).transpose()
}

/// Unsent mails whose last attempt failed, the most recent failure first.
pub(crate) async fn failures(conn: &mut SqliteConnection, limit: u32) -> Result<Vec<MailFailure>> {
    let rows = sqlx::query(
        "SELECT * FROM outbox WHERE last_error IS NOT NULL AND sent_at IS NULL \
         ORDER BY last_attempt_at DESC, id DESC LIMIT ?",
    )
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            let mail = mail(row)?;
            Ok(MailFailure {
                id: mail.id,
                site_id: mail.site_id,
                kind: mail.kind,
                to: mail.to,
                subject: mail.subject,
                attempts: mail.attempts,
                last_error: mail.last_error.unwrap_or_default(),
                last_attempt_at: mail.last_attempt_at.unwrap_or(mail.created_at),
                next_attempt_at: mail.next_attempt_at,
            })
        })
        .collect()
}

pub(crate) async fn smtp_settings(conn: &mut SqliteConnection) -> Result<Option<SmtpSettings>> {
    let row = sqlx::query("SELECT * FROM smtp_settings WHERE id = 1")
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let tls: String = get(&row, "tls")?;
    let port: i64 = get(&row, "port")?;
    Ok(Some(SmtpSettings {
        host: get(&row, "host")?,
        port: u16::try_from(port).map_err(|_| corrupt("SMTP port", &port.to_string()))?,
        tls: SmtpTls::parse(&tls).ok_or_else(|| corrupt("TLS mode", &tls))?,
        username: get(&row, "username")?,
        password: get(&row, "password")?,
        from_address: get(&row, "from_address")?,
        from_name: get(&row, "from_name")?,
    }))
}

/// Replaces the settings, or removes them with `None`.
pub(crate) async fn set_smtp_settings(
    conn: &mut SqliteConnection,
    settings: Option<SmtpSettings>,
    now: Millis,
) -> Result<()> {
    let Some(settings) = settings else {
        sqlx::query("DELETE FROM smtp_settings")
            .execute(conn)
            .await
            .map_err(backend)?;
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO smtp_settings (id, host, port, tls, username, password, from_address, from_name, updated_at) \
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, tls = excluded.tls, \
         username = excluded.username, password = excluded.password, from_address = excluded.from_address, \
         from_name = excluded.from_name, updated_at = excluded.updated_at",
    )
    .bind(&settings.host)
    .bind(i64::from(settings.port))
    .bind(settings.tls.as_str())
    .bind(&settings.username)
    .bind(&settings.password)
    .bind(&settings.from_address)
    .bind(&settings.from_name)
    .bind(now)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {what} in the database: {value:?}"))
}

fn get<'r, T>(row: &'r SqliteRow, column: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(column).map_err(backend)
}

fn mail(row: &SqliteRow) -> Result<Mail> {
    let kind: String = get(row, "kind")?;
    let attempts: i64 = get(row, "attempts")?;
    let site: Option<Uuid> = get(row, "site_id")?;
    Ok(Mail {
        id: MailId::from_uuid(get(row, "id")?),
        site_id: site.map(SiteId::from_uuid),
        kind: MailKind::parse(&kind).ok_or_else(|| corrupt("mail kind", &kind))?,
        to: get(row, "to_address")?,
        reply_to: get(row, "reply_to")?,
        subject: get(row, "subject")?,
        text: get(row, "body_text")?,
        html: get(row, "body_html")?,
        dedupe_key: get(row, "dedupe_key")?,
        created_at: get(row, "created_at")?,
        attempts: u32::try_from(attempts)
            .map_err(|_| corrupt("attempts", &attempts.to_string()))?,
        next_attempt_at: get(row, "next_attempt_at")?,
        last_attempt_at: get(row, "last_attempt_at")?,
        last_error: get(row, "last_error")?,
        sent_at: get(row, "sent_at")?,
    })
}
