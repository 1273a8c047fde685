//! Refused actions: logged, and kept for admins to review (`GET /api/v1/audit`).

use shopkeep_core::ids::ConversationId;
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
