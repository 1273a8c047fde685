//! Departments and their members. Write functions run inside the writer's
//! group transaction.

use std::collections::HashMap;

use shopkeep_core::department::{Department, DepartmentDraft, MAX_DEPARTMENTS, RoutingStrategy};
use shopkeep_core::ids::{DepartmentId, SiteId, StaffId};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::sqlite::conversations::now;
use crate::sqlite::writer::{backend, found};
use crate::sqlite::{conflict_on_unique, to_json};

const NAME_TAKEN: &str = "a department with that name exists";

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {what} in the database: {value:?}"))
}

/// A department row; members are filled in from `department_members`.
fn department(row: &SqliteRow) -> Result<Department> {
    let routing: String = row.try_get("routing").map_err(backend)?;
    let pages: String = row.try_get("pages").map_err(backend)?;
    let position: i64 = row.try_get("position").map_err(backend)?;
    Ok(Department {
        id: DepartmentId::from_uuid(row.try_get("id").map_err(backend)?),
        site_id: SiteId::from_uuid(row.try_get("site_id").map_err(backend)?),
        position: u32::try_from(position)
            .map_err(|_| corrupt("position", &position.to_string()))?,
        draft: DepartmentDraft {
            name: row.try_get("name").map_err(backend)?,
            routing: RoutingStrategy::parse(&routing)
                .ok_or_else(|| corrupt("routing", &routing))?,
            public: row.try_get("public").map_err(backend)?,
            pages: serde_json::from_str(&pages).map_err(|_| corrupt("pages", &pages))?,
            notify_address: row.try_get("notify_address").map_err(backend)?,
            members: Vec::new(),
        },
    })
}

/// The departments of `site` (all with `None`), or the one with `id`, with members.
async fn select(
    conn: &mut SqliteConnection,
    site: Option<SiteId>,
    id: Option<DepartmentId>,
) -> Result<Vec<Department>> {
    const FILTER: &str = "(?1 IS NULL OR site_id = ?1) AND (?2 IS NULL OR id = ?2)";
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM departments WHERE {FILTER} ORDER BY site_id, position"
    )))
    .bind(site.map(|s| s.as_uuid()))
    .bind(id.map(|d| d.as_uuid()))
    .fetch_all(&mut *conn)
    .await
    .map_err(backend)?;
    let mut departments = rows.iter().map(department).collect::<Result<Vec<_>>>()?;
    let members: Vec<(Uuid, Uuid)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT department_id, staff_id FROM department_members \
         WHERE department_id IN (SELECT id FROM departments WHERE {FILTER}) ORDER BY rowid"
    )))
    .bind(site.map(|s| s.as_uuid()))
    .bind(id.map(|d| d.as_uuid()))
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    let mut by_department: HashMap<Uuid, Vec<StaffId>> = HashMap::new();
    for (department, staff) in members {
        by_department
            .entry(department)
            .or_default()
            .push(StaffId::from_uuid(staff));
    }
    for department in &mut departments {
        department.draft.members = by_department
            .remove(&department.id.as_uuid())
            .unwrap_or_default();
    }
    Ok(departments)
}

pub(crate) async fn list(
    conn: &mut SqliteConnection,
    site: Option<SiteId>,
) -> Result<Vec<Department>> {
    select(conn, site, None).await
}

pub(crate) async fn fetch(
    conn: &mut SqliteConnection,
    id: DepartmentId,
) -> Result<Option<Department>> {
    Ok(select(conn, None, Some(id)).await?.pop())
}

async fn set_members(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    members: &[StaffId],
) -> Result<()> {
    sqlx::query("DELETE FROM department_members WHERE department_id = ?")
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    for member in members {
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM staff WHERE id = ?")
            .bind(member.as_uuid())
            .fetch_optional(&mut *conn)
            .await
            .map_err(backend)?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query("INSERT INTO department_members (department_id, staff_id) VALUES (?, ?)")
            .bind(id.as_uuid())
            .bind(member.as_uuid())
            .execute(&mut *conn)
            .await
            .map_err(|error| conflict_on_unique(error, "a member is listed twice"))?;
    }
    Ok(())
}

pub(crate) async fn create(
    conn: &mut SqliteConnection,
    site: SiteId,
    draft: DepartmentDraft,
) -> Result<Department> {
    let (site_known, count, next): (Option<i64>, i64, i64) = sqlx::query_as(
        "SELECT (SELECT 1 FROM sites WHERE id = ?1), COUNT(*), COALESCE(MAX(position) + 1, 0) \
         FROM departments WHERE site_id = ?1",
    )
    .bind(site.as_uuid())
    .fetch_one(&mut *conn)
    .await
    .map_err(backend)?;
    if site_known.is_none() {
        return Err(StoreError::NotFound);
    }
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_DEPARTMENTS {
        return Err(StoreError::Limit(format!(
            "a site has at most {MAX_DEPARTMENTS} departments"
        )));
    }
    let id = DepartmentId::new();
    sqlx::query(
        "INSERT INTO departments (id, site_id, position, name, routing, public, pages, notify_address, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.as_uuid())
    .bind(site.as_uuid())
    .bind(next)
    .bind(&draft.name)
    .bind(draft.routing.as_str())
    .bind(draft.public)
    .bind(to_json(&draft.pages)?)
    .bind(&draft.notify_address)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(|error| conflict_on_unique(error, NAME_TAKEN))?;
    set_members(conn, id, &draft.members).await?;
    fetch(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn update(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    draft: DepartmentDraft,
) -> Result<Department> {
    found(
        sqlx::query(
            "UPDATE departments SET name = ?, routing = ?, public = ?, pages = ?, notify_address = ? \
             WHERE id = ?",
        )
        .bind(&draft.name)
        .bind(draft.routing.as_str())
        .bind(draft.public)
        .bind(to_json(&draft.pages)?)
        .bind(&draft.notify_address)
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(|error| conflict_on_unique(error, NAME_TAKEN))?,
    )?;
    set_members(conn, id, &draft.members).await?;
    fetch(conn, id).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn delete(conn: &mut SqliteConnection, id: DepartmentId) -> Result<()> {
    sqlx::query("UPDATE conversations SET department_id = NULL WHERE department_id = ?")
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    // Rules keep their draft as JSON, where the id is in its text form.
    sqlx::query(
        "UPDATE rules SET body = json_set(body, '$.department', NULL) \
         WHERE json_extract(body, '$.department') = ?",
    )
    .bind(id.to_string())
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    found(
        sqlx::query("DELETE FROM departments WHERE id = ?")
            .bind(id.as_uuid())
            .execute(conn)
            .await
            .map_err(backend)?,
    )
}
