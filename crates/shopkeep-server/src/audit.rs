//! Refused actions: logged, and kept for admins to review (`GET /api/v1/audit`).

use shopkeep_core::access::{Action, Denied, Viewer};
use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_store::{AuditEntry, Staff};

use crate::state::AppState;

/// Logs (tracing::warn) and stores a refused action.
pub async fn refused(
    state: &AppState,
    staff: &Staff,
    action: &str,
    conversation: Option<ConversationId>,
    reason: &str,
) {
    tracing::warn!(staff = %staff.id, action, conversation = ?conversation, reason, "action refused");
    let entry = AuditEntry {
        at: shopkeep_store::sqlite::now(),
        staff_id: staff.id,
        staff_name: staff.name.clone(),
        action: action.to_owned(),
        conversation,
        reason: reason.to_owned(),
    };
    if let Err(error) = state.store.record_audit(entry).await {
        tracing::error!(%error, "the refusal could not be recorded");
    }
}

/// Whether `viewer` (the access of `staff`) may do `action` to `summary`; a
/// refusal is recorded under `what` (a frame name or a route). REST routes
/// and the console socket both decide through here.
pub async fn check(
    state: &AppState,
    staff: &Staff,
    viewer: &Viewer,
    summary: &ConversationSummary,
    action: Action,
    what: &str,
) -> Result<(), Denied> {
    let denied = match viewer.check(&crate::team::scope(summary).as_scope(), action) {
        Ok(()) => return Ok(()),
        Err(denied) => denied,
    };
    refused(state, staff, what, Some(summary.id), &denied.to_string()).await;
    Err(denied)
}
