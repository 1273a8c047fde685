//! Access checks for REST routes: the same rules as the staff socket
//! (`shopkeep_core::access`), with refusals audited.

use axum::http::StatusCode;
use shopkeep_core::access::{Action, Denied};
use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::protocol::shared::ConversationSummary;

use crate::audit;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::team;

/// The conversation `id` if this member of staff may do `action` to it. A
/// conversation they may not see answers 404, as if it did not exist; every
/// refusal is audited under `route`.
pub async fn conversation(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    action: Action,
    route: &str,
) -> Result<ConversationSummary, ApiError> {
    let id: ConversationId = id.parse().map_err(|_| ApiError::not_found())?;
    let summary = state
        .store
        .conversation(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let viewer = state.team.viewer(&session.staff);
    match audit::check(state, &session.staff, &viewer, &summary, action, route).await {
        Ok(()) => Ok(summary),
        Err(Denied::Hidden) => Err(ApiError::not_found()),
        Err(denied) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            denied.to_string(),
        )),
    }
}

/// Keeps only the conversations this member of staff may see.
pub fn visible(
    state: &AppState,
    session: &StaffSession,
    mut summaries: Vec<ConversationSummary>,
) -> Vec<ConversationSummary> {
    let viewer = state.team.viewer(&session.staff);
    summaries.retain(|summary| viewer.can_see(&team::scope(summary).as_scope()));
    summaries
}
