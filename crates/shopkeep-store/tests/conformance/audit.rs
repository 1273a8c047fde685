use shopkeep_core::ids::ConversationId;
use shopkeep_store::{AuditEntry, Store};

use crate::helpers::{T0, staff};

conformance! {
    store: [audit_log_lists_the_most_recent_entries_first],
}

async fn audit_log_lists_the_most_recent_entries_first(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let entry = |at, action: &str, conversation| AuditEntry {
        at,
        staff_id: anna.id,
        staff_name: anna.name.clone(),
        action: action.to_owned(),
        conversation,
        reason: "not in the department".to_owned(),
    };
    let conversation = ConversationId::new();
    let oldest = entry(T0, "whisper", Some(conversation));
    let newest = entry(T0 + 2_000, "GET /api/v1/audit", None);
    let middle = entry(T0 + 1_000, "take", Some(conversation));
    for recorded in [&oldest, &newest, &middle] {
        store.record_audit(recorded.clone()).await.unwrap();
    }

    assert_eq!(
        store.audit_log(10).await.unwrap(),
        [newest.clone(), middle, oldest]
    );
    assert_eq!(store.audit_log(1).await.unwrap(), [newest]);
}
