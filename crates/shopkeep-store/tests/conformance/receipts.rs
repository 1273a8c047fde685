use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::{ReceiptMark, Receipts, Side};
use shopkeep_store::{Store, StoreError};

use crate::helpers::{site, visitor, visitor_says};

conformance! {
    store: [
        new_conversation_has_nothing_delivered,
        mark_received_raises_only_its_side,
        mark_received_never_lowers_the_mark,
        mark_received_never_passes_last_seq,
        receipts_on_unknown_conversation_are_not_found,
    ],
}

fn receipts(agent_delivered: u32, visitor_delivered: u32) -> Receipts {
    Receipts {
        agent_delivered,
        visitor_delivered,
        ..Receipts::default()
    }
}

/// A conversation with three messages.
async fn three_messages(store: &dyn Store) -> ConversationId {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    visitor_says(store, &guest, "m2").await;
    visitor_says(store, &guest, "m3").await;
    conversation
}

async fn stored_receipts(store: &dyn Store, conversation: ConversationId) -> Receipts {
    store
        .conversation(conversation)
        .await
        .unwrap()
        .expect("conversation")
        .receipts
}

async fn new_conversation_has_nothing_delivered(store: &dyn Store) {
    let conversation = three_messages(store).await;

    assert_eq!(stored_receipts(store, conversation).await, receipts(0, 0));
}

async fn mark_received_raises_only_its_side(store: &dyn Store) {
    let conversation = three_messages(store).await;

    assert_eq!(
        store
            .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 2)
            .await
            .unwrap(),
        receipts(2, 0)
    );
    assert_eq!(
        store
            .mark_receipt(conversation, Side::Visitor, ReceiptMark::Delivered, 1)
            .await
            .unwrap(),
        receipts(2, 1)
    );
    assert_eq!(
        store
            .mark_receipt(conversation, Side::Visitor, ReceiptMark::Delivered, 3)
            .await
            .unwrap(),
        receipts(2, 3)
    );

    assert_eq!(stored_receipts(store, conversation).await, receipts(2, 3));
}

async fn mark_received_never_lowers_the_mark(store: &dyn Store) {
    let conversation = three_messages(store).await;
    store
        .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 3)
        .await
        .unwrap();
    store
        .mark_receipt(conversation, Side::Visitor, ReceiptMark::Delivered, 2)
        .await
        .unwrap();

    assert_eq!(
        store
            .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 1)
            .await
            .unwrap(),
        receipts(3, 2)
    );
    assert_eq!(
        store
            .mark_receipt(conversation, Side::Visitor, ReceiptMark::Delivered, 0)
            .await
            .unwrap(),
        receipts(3, 2)
    );

    assert_eq!(stored_receipts(store, conversation).await, receipts(3, 2));
}

async fn mark_received_never_passes_last_seq(store: &dyn Store) {
    let conversation = three_messages(store).await;

    assert_eq!(
        store
            .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 99)
            .await
            .unwrap(),
        receipts(3, 0)
    );
    assert_eq!(
        store
            .mark_receipt(
                conversation,
                Side::Visitor,
                ReceiptMark::Delivered,
                u32::MAX
            )
            .await
            .unwrap(),
        receipts(3, 3)
    );

    assert_eq!(stored_receipts(store, conversation).await, receipts(3, 3));
}

async fn receipts_on_unknown_conversation_are_not_found(store: &dyn Store) {
    three_messages(store).await;

    for side in [Side::Agent, Side::Visitor] {
        let result = store
            .mark_receipt(ConversationId::new(), side, ReceiptMark::Delivered, 1)
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "got {result:?}"
        );
    }
}
