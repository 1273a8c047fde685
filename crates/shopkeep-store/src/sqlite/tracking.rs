//! Visitor tracking in SQLite: identity and contacts, visits and page views,
//! invitation rules, staff photos. Write functions run inside the writer's
//! group transaction; read functions take any connection.

use rusqlite::params;
use shopkeep_core::attributes::Attributes;
use shopkeep_core::ids::{ContactId, RuleId, SiteId, StaffId, VisitId, VisitorId};
use shopkeep_core::rules::{MAX_RULES, Rule, RuleDraft};
use shopkeep_core::tracking::{Client, DeviceKind, PageView, Visit};
use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row, SqliteConnection};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::model::{Claims, Contact, Identified, NewVisit, StaffPhoto, TrackingBatch, Visitor};
use crate::sqlite::conversations::now;
use crate::sqlite::direct::Direct;
use crate::sqlite::writer::{backend, found};
use crate::sqlite::{room_for, rows};

/// Pages kept per visit when reading a visit back.
const PAGES_PER_VISIT: i64 = 100;

pub(crate) async fn visitor(conn: &mut SqliteConnection, id: VisitorId) -> Result<Option<Visitor>> {
    let row = sqlx::query("SELECT * FROM visitors WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(rows::visitor).transpose()
}

pub(crate) async fn contact(conn: &mut SqliteConnection, id: ContactId) -> Result<Option<Contact>> {
    let row = sqlx::query("SELECT * FROM contacts WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(contact_row).transpose()
}

fn contact_row(row: &SqliteRow) -> Result<Contact> {
    Ok(Contact {
        id: ContactId::from_uuid(row.try_get("id").map_err(backend)?),
        site_id: SiteId::from_uuid(row.try_get("site_id").map_err(backend)?),
        external_id: row.try_get("external_id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        email: row.try_get("email").map_err(backend)?,
        phone: row.try_get("phone").map_err(backend)?,
        created_at: row.try_get("created_at").map_err(backend)?,
        last_seen_at: row.try_get("last_seen_at").map_err(backend)?,
    })
}

pub(crate) async fn identify(
    conn: &mut SqliteConnection,
    id: VisitorId,
    claims: Claims,
    verified_id: Option<String>,
) -> Result<Identified> {
    let before = visitor(conn, id).await?.ok_or(StoreError::NotFound)?;
    let at = now();
    let mut returning = before.visits > 1;
    let contact = match verified_id {
        None => None,
        Some(external_id) => {
            let existing: Option<SqliteRow> =
                sqlx::query("SELECT * FROM contacts WHERE site_id = ? AND external_id = ?")
                    .bind(before.site_id.as_uuid())
                    .bind(&external_id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(backend)?;
            let contact_id = match existing.as_ref().map(contact_row).transpose()? {
                Some(found) => {
                    // Known before, from this visitor or another device.
                    let linked_before = before.contact_id == Some(found.id);
                    returning |= !linked_before || before.visits > 1;
                    found.id
                }
                None => {
                    let new_id = ContactId::new();
                    sqlx::query(
                        "INSERT INTO contacts (id, site_id, external_id, created_at, last_seen_at) \
                         VALUES (?, ?, ?, ?, ?)",
                    )
                    .bind(new_id.as_uuid())
                    .bind(before.site_id.as_uuid())
                    .bind(&external_id)
                    .bind(at)
                    .bind(at)
                    .execute(&mut *conn)
                    .await
                    .map_err(backend)?;
                    new_id
                }
            };
            sqlx::query(
                "UPDATE contacts SET name = COALESCE(?, name), email = COALESCE(?, email), \
                 phone = COALESCE(?, phone), last_seen_at = ? WHERE id = ?",
            )
            .bind(&claims.name)
            .bind(&claims.email)
            .bind(&claims.phone)
            .bind(at)
            .bind(contact_id.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            sqlx::query("UPDATE visitors SET contact_id = ? WHERE id = ?")
                .bind(contact_id.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            sqlx::query("UPDATE conversations SET contact_id = ? WHERE visitor_id = ?")
                .bind(contact_id.as_uuid())
                .bind(id.as_uuid())
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            contact(conn, contact_id).await?
        }
    };
    save_claims(conn, id, &claims).await?;
    let visitor = visitor(conn, id).await?.ok_or(StoreError::NotFound)?;
    Ok(Identified {
        visitor,
        returning: returning && contact.is_some(),
        contact,
    })
}

/// Name, email and phone the visitor gave; absent ones keep what was known.
pub(crate) async fn save_claims(
    conn: &mut SqliteConnection,
    id: VisitorId,
    claims: &Claims,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE visitors SET name = COALESCE(?, name), email = COALESCE(?, email), \
         phone = COALESCE(?, phone) WHERE id = ?",
    )
    .bind(&claims.name)
    .bind(&claims.email)
    .bind(&claims.phone)
    .bind(id.as_uuid())
    .execute(conn)
    .await
    .map_err(backend)?;
    found(updated)
}

pub(crate) async fn set_attributes(
    conn: &mut SqliteConnection,
    id: VisitorId,
    attributes: &Attributes,
) -> Result<()> {
    let updated = sqlx::query("UPDATE visitors SET attributes = ? WHERE id = ?")
        .bind(attributes.to_json())
        .bind(id.as_uuid())
        .execute(conn)
        .await
        .map_err(backend)?;
    found(updated)
}

pub(crate) async fn contact_visitors(
    conn: &mut SqliteConnection,
    id: ContactId,
) -> Result<Vec<VisitorId>> {
    let ids: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM visitors WHERE contact_id = ?")
        .bind(id.as_uuid())
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    Ok(ids.into_iter().map(VisitorId::from_uuid).collect())
}

pub(crate) async fn start_visit(conn: &mut SqliteConnection, visit: NewVisit) -> Result<u32> {
    let number: i64 = sqlx::query_scalar(
        "UPDATE visitors SET visits = visits + 1, last_seen_at = ? WHERE id = ? RETURNING visits",
    )
    .bind(visit.started_at)
    .bind(visit.visitor_id.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound)?;
    sqlx::query(
        "INSERT INTO visits (id, visitor_id, site_id, number, started_at, last_seen_at, referrer, \
         utm_source, country, browser, os, device, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(visit.id.as_uuid())
    .bind(visit.visitor_id.as_uuid())
    .bind(visit.site_id.as_uuid())
    .bind(number)
    .bind(visit.started_at)
    .bind(visit.started_at)
    .bind(&visit.referrer)
    .bind(&visit.utm_source)
    .bind(&visit.country)
    .bind(&visit.client.browser)
    .bind(&visit.client.os)
    .bind(device_name(visit.client.device))
    .bind(&visit.lang)
    .execute(conn)
    .await
    .map_err(backend)?;
    rows::seq(number)
}

/// Writes a batch of page views and "last seen" times. A direct job: the
/// tracker flushes a few times a second, up to thousands of rows each time, so
/// each statement is a call on the writer thread, not a hop to the driver's.
pub(crate) fn record(db: &Direct, batch: &TrackingBatch) -> Result<()> {
    for (visit, page) in &batch.pages {
        db.execute(
            "INSERT INTO page_views (visit_id, at, url, title) VALUES (?, ?, ?, ?)",
            params![visit.as_uuid(), page.at, page.url, page.title],
        )?;
    }
    for (visit, visitor, at) in &batch.seen {
        db.execute(
            "UPDATE visits SET last_seen_at = max(last_seen_at, ?) WHERE id = ?",
            params![at, visit.as_uuid()],
        )?;
        db.execute(
            "UPDATE visitors SET last_seen_at = max(last_seen_at, ?) WHERE id = ?",
            params![at, visitor.as_uuid()],
        )?;
    }
    Ok(())
}

/// Visits of `visitors`, newest first, with their pages (oldest first).
pub(crate) async fn visits(
    conn: &mut SqliteConnection,
    visitors: &[VisitorId],
    limit: u32,
) -> Result<Vec<Visit>> {
    if visitors.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = vec!["?"; visitors.len()].join(", ");
    let sql = format!(
        "SELECT * FROM visits WHERE visitor_id IN ({placeholders}) ORDER BY started_at DESC LIMIT ?"
    );
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in visitors {
        query = query.bind(id.as_uuid());
    }
    let found = query
        .bind(i64::from(limit))
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    let mut out = Vec::with_capacity(found.len());
    for row in &found {
        let mut visit = visit_row(row)?;
        visit.pages = pages(conn, visit.id).await?;
        out.push(visit);
    }
    Ok(out)
}

async fn pages(conn: &mut SqliteConnection, visit: VisitId) -> Result<Vec<PageView>> {
    let found = sqlx::query(
        "SELECT at, url, title FROM (SELECT rowid, at, url, title FROM page_views WHERE visit_id = ? \
         ORDER BY at DESC, rowid DESC LIMIT ?) ORDER BY at, rowid",
    )
    .bind(visit.as_uuid())
    .bind(PAGES_PER_VISIT)
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    found
        .iter()
        .map(|row| {
            Ok(PageView {
                at: row.try_get("at").map_err(backend)?,
                url: row.try_get("url").map_err(backend)?,
                title: row.try_get("title").map_err(backend)?,
            })
        })
        .collect()
}

fn visit_row(row: &SqliteRow) -> Result<Visit> {
    let get = |name: &str| -> Result<Option<String>> { row.try_get(name).map_err(backend) };
    let device: String = row.try_get("device").map_err(backend)?;
    Ok(Visit {
        id: VisitId::from_uuid(row.try_get("id").map_err(backend)?),
        number: rows::seq(row.try_get("number").map_err(backend)?)?,
        started_at: row.try_get("started_at").map_err(backend)?,
        last_seen_at: row.try_get("last_seen_at").map_err(backend)?,
        referrer: get("referrer")?,
        utm_source: get("utm_source")?,
        country: get("country")?,
        client: Client {
            browser: get("browser")?,
            os: get("os")?,
            device: parse_device(&device),
        },
        lang: get("lang")?,
        pages: Vec::new(),
    })
}

fn device_name(device: DeviceKind) -> &'static str {
    match device {
        DeviceKind::Desktop => "desktop",
        DeviceKind::Mobile => "mobile",
        DeviceKind::Tablet => "tablet",
        DeviceKind::Bot => "bot",
        DeviceKind::Unknown => "unknown",
    }
}

fn parse_device(name: &str) -> DeviceKind {
    match name {
        "desktop" => DeviceKind::Desktop,
        "mobile" => DeviceKind::Mobile,
        "tablet" => DeviceKind::Tablet,
        "bot" => DeviceKind::Bot,
        _ => DeviceKind::Unknown,
    }
}

fn rule_row(row: &SqliteRow) -> Result<Rule> {
    let body: String = row.try_get("body").map_err(backend)?;
    let draft: RuleDraft = serde_json::from_str(&body)
        .map_err(|error| StoreError::Backend(format!("unreadable rule: {error}")))?;
    Ok(Rule {
        id: RuleId::from_uuid(row.try_get("id").map_err(backend)?),
        site_id: SiteId::from_uuid(row.try_get("site_id").map_err(backend)?),
        draft,
        created_at: row.try_get("created_at").map_err(backend)?,
        updated_at: row.try_get("updated_at").map_err(backend)?,
    })
}

pub(crate) async fn list_rules(conn: &mut SqliteConnection, site: SiteId) -> Result<Vec<Rule>> {
    let found = sqlx::query("SELECT * FROM rules WHERE site_id = ? ORDER BY created_at, id")
        .bind(site.as_uuid())
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    found.iter().map(rule_row).collect()
}

pub(crate) async fn rule(conn: &mut SqliteConnection, id: RuleId) -> Result<Option<Rule>> {
    let row = sqlx::query("SELECT * FROM rules WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(rule_row).transpose()
}

fn draft_json(draft: &RuleDraft) -> Result<String> {
    serde_json::to_string(draft).map_err(|error| StoreError::Backend(error.to_string()))
}

pub(crate) async fn create_rule(
    conn: &mut SqliteConnection,
    site: SiteId,
    draft: RuleDraft,
) -> Result<Rule> {
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM rules WHERE site_id = ?")
        .bind(site.as_uuid())
        .fetch_one(&mut *conn)
        .await
        .map_err(backend)?;
    room_for(count, MAX_RULES, || {
        format!("a site has at most {MAX_RULES} rules")
    })?;
    let id = RuleId::new();
    let at = now();
    sqlx::query(
        "INSERT INTO rules (id, site_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(id.as_uuid())
    .bind(site.as_uuid())
    .bind(draft_json(&draft)?)
    .bind(at)
    .bind(at)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(Rule {
        id,
        site_id: site,
        draft,
        created_at: at,
        updated_at: at,
    })
}

pub(crate) async fn update_rule(
    conn: &mut SqliteConnection,
    id: RuleId,
    draft: RuleDraft,
) -> Result<Rule> {
    let updated = sqlx::query("UPDATE rules SET body = ?, updated_at = ? WHERE id = ?")
        .bind(draft_json(&draft)?)
        .bind(now())
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    found(updated)?;
    rule(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn delete_rule(conn: &mut SqliteConnection, id: RuleId) -> Result<()> {
    let deleted = sqlx::query("DELETE FROM rules WHERE id = ?")
        .bind(id.as_uuid())
        .execute(conn)
        .await
        .map_err(backend)?;
    found(deleted)
}

pub(crate) async fn set_photo(
    conn: &mut SqliteConnection,
    id: StaffId,
    photo: Option<StaffPhoto>,
) -> Result<()> {
    match photo {
        Some(photo) => {
            sqlx::query(
                "INSERT INTO staff_photos (staff_id, content_type, data) VALUES (?, ?, ?) \
                 ON CONFLICT (staff_id) DO UPDATE SET content_type = excluded.content_type, data = excluded.data",
            )
            .bind(id.as_uuid())
            .bind(&photo.content_type)
            .bind(&photo.data)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
            sqlx::query("UPDATE staff SET photo_at = ? WHERE id = ?")
                .bind(now())
                .bind(id.as_uuid())
                .execute(conn)
                .await
                .map_err(backend)?;
        }
        None => {
            sqlx::query("DELETE FROM staff_photos WHERE staff_id = ?")
                .bind(id.as_uuid())
                .execute(&mut *conn)
                .await
                .map_err(backend)?;
            sqlx::query("UPDATE staff SET photo_at = NULL WHERE id = ?")
                .bind(id.as_uuid())
                .execute(conn)
                .await
                .map_err(backend)?;
        }
    }
    Ok(())
}

pub(crate) async fn photo(conn: &mut SqliteConnection, id: StaffId) -> Result<Option<StaffPhoto>> {
    let row = sqlx::query("SELECT content_type, data FROM staff_photos WHERE staff_id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.map(|row| {
        Ok(StaffPhoto {
            content_type: row.try_get("content_type").map_err(backend)?,
            data: row.try_get("data").map_err(backend)?,
        })
    })
    .transpose()
}
