//! Departments and their members. Write functions run inside the writer's
//! group transaction.

use std::collections::HashMap;

use shopkeep_core::department::{Department, DepartmentDraft, MAX_DEPARTMENTS, RoutingStrategy};
use shopkeep_core::ids::{DepartmentId, SiteId, StaffId};
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::sqlite::conversations::now;
use crate::sqlite::rows::{self, corrupt, get};
use crate::sqlite::writer::{backend, found};
use crate::sqlite::{conflict_on_unique, room_for, to_json};

const NAME_TAKEN: &str = "a department with that name exists";

/// A department row; members are filled in from `department_members`.
fn department(row: &SqliteRow) -> Result<Department> {
    let routing: String = get(row, "routing")?;
    Ok(Department {
        id: DepartmentId::from_uuid(get(row, "id")?),
        site_id: SiteId::from_uuid(get(row, "site_id")?),
        position: rows::unsigned("position", get(row, "position")?)?,
        draft: DepartmentDraft {
            name: get(row, "name")?,
            routing: RoutingStrategy::parse(&routing)
                .ok_or_else(|| corrupt("routing", &routing))?,
            public: get(row, "public")?,
            pages: rows::json(row, "pages")?,
            notify_address: get(row, "notify_address")?,
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
    if members.is_empty() {
        return Ok(());
    }
    // One insert in the order given (members are listed by rowid); the foreign
    // key refuses staff that do not exist.
    let mut insert =
        sqlx::QueryBuilder::new("INSERT INTO department_members (department_id, staff_id) ");
    insert.push_values(members, |mut row, member| {
        row.push_bind(id.as_uuid()).push_bind(member.as_uuid());
    });
    insert
        .build()
        .execute(&mut *conn)
        .await
        .map_err(|error| match &error {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
            _ => conflict_on_unique(error, "a member is listed twice"),
        })?;
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
    room_for(count, MAX_DEPARTMENTS, || {
        format!("a site has at most {MAX_DEPARTMENTS} departments")
    })?;
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
    Ok(Department {
        id,
        site_id: site,
        position: rows::unsigned("position", next)?,
        draft,
    })
}

pub(crate) async fn update(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    draft: DepartmentDraft,
) -> Result<Department> {
    let (site, position): (Uuid, i64) = sqlx::query_as(
        "UPDATE departments SET name = ?, routing = ?, public = ?, pages = ?, notify_address = ? \
         WHERE id = ? RETURNING site_id, position",
    )
    .bind(&draft.name)
    .bind(draft.routing.as_str())
    .bind(draft.public)
    .bind(to_json(&draft.pages)?)
    .bind(&draft.notify_address)
    .bind(id.as_uuid())
    .fetch_optional(&mut *conn)
    .await
    .map_err(|error| conflict_on_unique(error, NAME_TAKEN))?
    .ok_or(StoreError::NotFound)?;
    set_members(conn, id, &draft.members).await?;
    Ok(Department {
        id,
        site_id: SiteId::from_uuid(site),
        position: rows::unsigned("position", position)?,
        draft,
    })
}

pub(crate) async fn delete(conn: &mut SqliteConnection, id: DepartmentId) -> Result<()> {
    // Its conversations lose the department by the foreign key (ON DELETE SET
    // NULL); its members go with it (ON DELETE CASCADE).
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
