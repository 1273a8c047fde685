//! `/api/v1/audit`: actions the access rules refused, for admins.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use shopkeep_core::access::AuditEntryView;
use shopkeep_core::protocol::shared::AgentRef;
use shopkeep_core::staff::Role;

use crate::api::require;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

const MAX_ENTRIES: u32 = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    session: StaffSession,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    require(&session, Role::Admin)?;
    let Query(query) = query.map_err(|_| ApiError::invalid("limit: a number"))?;
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_ENTRIES);
    let entries = state.store.audit_log(limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|entry| AuditEntryView {
                at: entry.at,
                staff: AgentRef {
                    id: entry.staff_id,
                    name: entry.staff_name,
                },
                action: entry.action,
                conversation_id: entry.conversation,
                reason: entry.reason,
            })
            .collect(),
    ))
}
