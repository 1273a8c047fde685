//! Canned answers: an operator's own and the site's shared set. Write
//! functions run inside the writer's group transaction.

use shopkeep_core::canned::{Canned, CannedDraft, MAX_CANNED};
use shopkeep_core::ids::{CannedId, SiteId, StaffId};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use crate::error::{Result, StoreError};
use crate::sqlite::conversations::now;
use crate::sqlite::rows::{self, get};
use crate::sqlite::writer::{backend, found};
use crate::sqlite::{conflict_on_unique, room_for, to_json};

const SHORTCUT_TAKEN: &str = "that shortcut is already used";

fn canned(row: &SqliteRow) -> Result<Canned> {
    Ok(Canned {
        id: CannedId::from_uuid(get(row, "id")?),
        site_id: SiteId::from_uuid(get(row, "site_id")?),
        owner: StaffId::from_uuid(get(row, "owner_id")?),
        draft: CannedDraft {
            shortcut: get(row, "shortcut")?,
            title: get(row, "title")?,
            text: get(row, "text")?,
            variants: rows::json(row, "variants")?,
            shared: get(row, "shared")?,
        },
        updated_at: get(row, "updated_at")?,
    })
}

pub(crate) async fn list(
    conn: &mut SqliteConnection,
    site: SiteId,
    staff: StaffId,
) -> Result<Vec<Canned>> {
    let found = sqlx::query(
        "SELECT * FROM canned WHERE site_id = ? AND (shared = 1 OR owner_id = ?) \
         ORDER BY shortcut, shared, id",
    )
    .bind(site.as_uuid())
    .bind(staff.as_uuid())
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    found.iter().map(canned).collect()
}

pub(crate) async fn fetch(conn: &mut SqliteConnection, id: CannedId) -> Result<Option<Canned>> {
    let row = sqlx::query("SELECT * FROM canned WHERE id = ?")
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(canned).transpose()
}

/// Refuses a new answer in a set that is full: the site's shared answers, or
/// `owner`'s own on the site.
async fn check_room(
    conn: &mut SqliteConnection,
    site: SiteId,
    owner: StaffId,
    shared: bool,
) -> Result<()> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM canned WHERE site_id = ?1 AND shared = ?3 AND (?3 OR owner_id = ?2)",
    )
    .bind(site.as_uuid())
    .bind(owner.as_uuid())
    .bind(shared)
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    room_for(count, MAX_CANNED, || {
        format!("at most {MAX_CANNED} canned answers per person and per site's shared set")
    })
}

pub(crate) async fn create(
    conn: &mut SqliteConnection,
    site: SiteId,
    owner: StaffId,
    draft: CannedDraft,
) -> Result<Canned> {
    check_room(conn, site, owner, draft.shared).await?;
    let id = CannedId::new();
    sqlx::query(
        "INSERT INTO canned (id, site_id, owner_id, shortcut, title, text, variants, shared, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_uuid())
    .bind(site.as_uuid())
    .bind(owner.as_uuid())
    .bind(&draft.shortcut)
    .bind(&draft.title)
    .bind(&draft.text)
    .bind(to_json(&draft.variants)?)
    .bind(draft.shared)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(|error| conflict_on_unique(error, SHORTCUT_TAKEN))?;
    fetch(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn update(
    conn: &mut SqliteConnection,
    id: CannedId,
    draft: CannedDraft,
) -> Result<Canned> {
    let before = fetch(conn, id).await?.ok_or(StoreError::NotFound)?;
    if before.draft.shared != draft.shared {
        check_room(conn, before.site_id, before.owner, draft.shared).await?;
    }
    sqlx::query(
        "UPDATE canned SET shortcut = ?, title = ?, text = ?, variants = ?, shared = ?, updated_at = ? \
         WHERE id = ?",
    )
    .bind(&draft.shortcut)
    .bind(&draft.title)
    .bind(&draft.text)
    .bind(to_json(&draft.variants)?)
    .bind(draft.shared)
    .bind(now())
    .bind(id.as_uuid())
    .execute(&mut *conn)
    .await
    .map_err(|error| conflict_on_unique(error, SHORTCUT_TAKEN))?;
    fetch(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn delete(conn: &mut SqliteConnection, id: CannedId) -> Result<()> {
    found(
        sqlx::query("DELETE FROM canned WHERE id = ?")
            .bind(id.as_uuid())
            .execute(conn)
            .await
            .map_err(backend)?,
    )
}
