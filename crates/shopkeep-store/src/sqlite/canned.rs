//! Canned answers: an operator's own and the site's shared set. Write
//! functions run inside the writer's group transaction.

use shopkeep_core::canned::{Canned, CannedDraft, MAX_CANNED};
use shopkeep_core::ids::{CannedId, SiteId, StaffId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::error::{Result, StoreError};
use crate::sqlite::conversations::now;
use crate::sqlite::writer::{backend, found};
use crate::sqlite::{conflict_on_unique, to_json};

const SHORTCUT_TAKEN: &str = "that shortcut is already used";

fn canned(row: &SqliteRow) -> Result<Canned> {
    let variants: String = row.try_get("variants").map_err(backend)?;
    Ok(Canned {
        id: CannedId::from_uuid(row.try_get("id").map_err(backend)?),
        site_id: SiteId::from_uuid(row.try_get("site_id").map_err(backend)?),
        owner: StaffId::from_uuid(row.try_get("owner_id").map_err(backend)?),
        draft: CannedDraft {
            shortcut: row.try_get("shortcut").map_err(backend)?,
            title: row.try_get("title").map_err(backend)?,
            text: row.try_get("text").map_err(backend)?,
            variants: serde_json::from_str(&variants).map_err(|_| {
                StoreError::Backend(format!("unreadable canned variants: {variants:?}"))
            })?,
            shared: row.try_get("shared").map_err(backend)?,
        },
        updated_at: row.try_get("updated_at").map_err(backend)?,
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
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_CANNED {
        return Err(StoreError::Limit(format!(
            "at most {MAX_CANNED} canned answers per person and per site's shared set"
        )));
    }
    Ok(())
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
