use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::{ReceiptMark, Receipts, Side};
use shopkeep_store::{Store, StoreError};

use shopkeep_store::StaffOnly;

use crate::helpers::{agent, msg_id, site, staff, text, visitor, visitor_says};

conformance! {
    store: [
        new_conversation_has_nothing_delivered,
        mark_received_raises_only_its_side,
        mark_received_never_lowers_the_mark,
        mark_received_never_passes_last_seq,
        receipts_on_unknown_conversation_are_not_found,
        read_raises_read_and_delivered_but_never_lowers_them,
        visitor_marks_are_capped_at_what_the_visitor_can_see,
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

async fn read_raises_read_and_delivered_but_never_lowers_them(store: &dyn Store) {
    let conversation = three_messages(store).await;

    let read = store
        .mark_receipt(conversation, Side::Agent, ReceiptMark::Read, 2)
        .await
        .unwrap();
    assert_eq!((read.agent_delivered, read.agent_read), (2, 2));
    let delivered = store
        .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 3)
        .await
        .unwrap();
    assert_eq!((delivered.agent_delivered, delivered.agent_read), (3, 2));
    let lower = store
        .mark_receipt(conversation, Side::Agent, ReceiptMark::Read, 1)
        .await
        .unwrap();
    assert_eq!((lower.agent_delivered, lower.agent_read), (3, 2));
    let visitor = store
        .mark_receipt(conversation, Side::Visitor, ReceiptMark::Read, 1)
        .await
        .unwrap();

    assert_eq!(
        visitor,
        Receipts {
            agent_delivered: 3,
            visitor_delivered: 1,
            agent_read: 2,
            visitor_read: 1,
        }
    );
    assert_eq!(stored_receipts(store, conversation).await, visitor);
}

async fn visitor_marks_are_capped_at_what_the_visitor_can_see(store: &dyn Store) {
    let conversation = three_messages(store).await;
    let anna = staff(store, "anna@shop.example").await;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    store
        .post_staff_only(
            conversation,
            StaffOnly::Note,
            agent(&anna),
            msg_id("n1"),
            text("staff only"),
        )
        .await
        .unwrap();

    let visitor = store
        .mark_receipt(conversation, Side::Visitor, ReceiptMark::Read, 99)
        .await
        .unwrap();
    let agent_side = store
        .mark_receipt(conversation, Side::Agent, ReceiptMark::Read, 99)
        .await
        .unwrap();

    assert_eq!((visitor.visitor_delivered, visitor.visitor_read), (4, 4));
    assert_eq!((agent_side.agent_delivered, agent_side.agent_read), (5, 5));
}
