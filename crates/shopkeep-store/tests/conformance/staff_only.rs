//! Whispers and notes: kept in the log for staff, never shown to the visitor,
//! and the visitor's history stays contiguous around them.

use shopkeep_core::conversation::TransitionError;
use shopkeep_core::event::{Event, EventBody};
use shopkeep_core::ids::ConversationId;
use shopkeep_store::{StaffOnly, Store, StoreError};

use crate::helpers::{
    agent, agent_author, all_events, msg_id, site, staff, text, visitor, visitor_says,
};

conformance! {
    store: [
        whispers_and_notes_are_never_returned_to_the_visitor,
        visible_prev_points_over_staff_only_events,
        visitor_sync_after_a_whisper_is_contiguous,
        staff_only_events_move_last_seq_but_not_visible_seq,
        staff_only_resend_is_stored_once,
        staff_only_post_reusing_someone_elses_client_msg_id_is_a_conflict,
        closed_conversation_refuses_whispers_but_takes_notes,
        staff_only_posts_do_not_answer_the_visitor,
        staff_only_post_on_unknown_conversation_is_not_found,
    ],
}

/// A conversation anna holds, with the visitor's message at seq 1 and her joining at 2.
async fn held(store: &dyn Store) -> (ConversationId, shopkeep_store::Staff) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "v1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    (conversation, anna)
}

async fn staff_only(
    store: &dyn Store,
    conversation: ConversationId,
    kind: StaffOnly,
    anna: &shopkeep_store::Staff,
    id: &str,
) -> Event {
    store
        .post_staff_only(conversation, kind, agent(anna), msg_id(id), text(id))
        .await
        .expect("post staff-only")
        .event
}

async fn agent_says(
    store: &dyn Store,
    conversation: ConversationId,
    anna: &shopkeep_store::Staff,
    id: &str,
) -> Event {
    store
        .post_agent_message(conversation, agent(anna), msg_id(id), text(id), None)
        .await
        .expect("post agent message")
        .event
}

fn seqs(events: &[Event]) -> Vec<u32> {
    events.iter().map(|event| event.seq).collect()
}

async fn whispers_and_notes_are_never_returned_to_the_visitor(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    let whisper = staff_only(store, conversation, StaffOnly::Whisper, &anna, "w1").await;
    let note = staff_only(store, conversation, StaffOnly::Note, &anna, "n1").await;
    agent_says(store, conversation, &anna, "a1").await;

    assert_eq!(whisper.body, EventBody::Whisper { text: "w1".into() });
    assert_eq!(whisper.author, agent_author(&anna));
    assert_eq!(note.body, EventBody::Note { text: "n1".into() });
    let staff_view = all_events(store, conversation).await;
    assert_eq!(seqs(&staff_view), [1, 2, 3, 4, 5]);
    assert_eq!(staff_view[2], whisper);
    assert_eq!(staff_view[3], note);
    let visitor_view = store
        .visitor_events_after(conversation, 0, 100)
        .await
        .unwrap();
    assert_eq!(seqs(&visitor_view), [1, 2, 5]);
    assert!(visitor_view.iter().all(|e| e.body.visible_to_visitor()));
}

async fn visible_prev_points_over_staff_only_events(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    let first = agent_says(store, conversation, &anna, "a1").await;
    staff_only(store, conversation, StaffOnly::Whisper, &anna, "w1").await;
    staff_only(store, conversation, StaffOnly::Note, &anna, "n1").await;
    let after_gap = agent_says(store, conversation, &anna, "a2").await;
    let next = agent_says(store, conversation, &anna, "a3").await;

    assert_eq!(first.visible_prev, None);
    assert_eq!((after_gap.seq, after_gap.visible_prev), (6, Some(3)));
    assert_eq!(next.visible_prev, None);
    let visitor_view = store
        .visitor_events_after(conversation, 0, 100)
        .await
        .unwrap();
    let marks: Vec<_> = visitor_view
        .iter()
        .map(|e| (e.seq, e.visible_prev))
        .collect();
    assert_eq!(
        marks,
        [(1, None), (2, None), (3, None), (6, Some(3)), (7, None)]
    );
    assert_eq!(visitor_view[3], after_gap);
}

async fn visitor_sync_after_a_whisper_is_contiguous(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    staff_only(store, conversation, StaffOnly::Whisper, &anna, "w1").await;
    agent_says(store, conversation, &anna, "a1").await;
    staff_only(store, conversation, StaffOnly::Whisper, &anna, "w2").await;
    agent_says(store, conversation, &anna, "a2").await;

    // A visitor who had seq 2 pages one event at a time: each page follows on
    // from the last one it saw, with nothing to wait for.
    let mut seen = 2;
    let mut pages = Vec::new();
    loop {
        let page = store
            .visitor_events_after(conversation, seen, 1)
            .await
            .unwrap();
        let Some(event) = page.first() else { break };
        assert_eq!(event.visible_prev.unwrap_or(event.seq - 1), seen);
        seen = event.seq;
        pages.push(event.seq);
    }
    assert_eq!(pages, [4, 6]);
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.visible_seq, seen);
}

async fn staff_only_events_move_last_seq_but_not_visible_seq(store: &dyn Store) {
    let (conversation, anna) = held(store).await;

    let posted = store
        .post_staff_only(
            conversation,
            StaffOnly::Note,
            agent(&anna),
            msg_id("n1"),
            text("VIP customer"),
        )
        .await
        .unwrap();

    assert!(!posted.duplicate);
    assert_eq!(posted.conversation.last_seq, 3);
    assert_eq!(posted.conversation.visible_seq, 2);
    // The inbox preview stays the last chat message.
    assert_eq!(
        posted.conversation.last_message.as_ref().map(|m| m.seq),
        Some(1)
    );
    assert_eq!(
        store.conversation(conversation).await.unwrap(),
        Some(posted.conversation)
    );
}

async fn staff_only_resend_is_stored_once(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    let first = store
        .post_staff_only(
            conversation,
            StaffOnly::Whisper,
            agent(&anna),
            msg_id("w1"),
            text("psst"),
        )
        .await
        .unwrap();

    let again = store
        .post_staff_only(
            conversation,
            StaffOnly::Whisper,
            agent(&anna),
            msg_id("w1"),
            text("edited on resend"),
        )
        .await
        .unwrap();

    assert!(again.duplicate);
    assert_eq!(again.event, first.event);
    assert_eq!(all_events(store, conversation).await.len(), 3);
}

async fn staff_only_post_reusing_someone_elses_client_msg_id_is_a_conflict(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    let sue = staff(store, "sue@shop.example").await;
    staff_only(store, conversation, StaffOnly::Note, &anna, "n1").await;

    let results = [
        store
            .post_staff_only(
                conversation,
                StaffOnly::Note,
                agent(&sue),
                msg_id("n1"),
                text("mine"),
            )
            .await,
        store
            .post_staff_only(
                conversation,
                StaffOnly::Whisper,
                agent(&sue),
                msg_id("v1"),
                text("the visitor's"),
            )
            .await,
    ];

    for result in results {
        assert!(
            matches!(result, Err(StoreError::Conflict(_))),
            "got {result:?}"
        );
    }
    assert_eq!(all_events(store, conversation).await.len(), 3);
}

async fn closed_conversation_refuses_whispers_but_takes_notes(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    let whisper = store
        .post_staff_only(
            conversation,
            StaffOnly::Whisper,
            agent(&anna),
            msg_id("w1"),
            text("too late"),
        )
        .await;
    assert!(
        matches!(whisper, Err(StoreError::Rule(TransitionError::Closed))),
        "got {whisper:?}"
    );

    let note = store
        .post_staff_only(
            conversation,
            StaffOnly::Note,
            agent(&anna),
            msg_id("n1"),
            text("Refund issued"),
        )
        .await
        .unwrap();
    assert_eq!(note.event.seq, 4);
    assert_eq!(note.conversation.visible_seq, 3);
    let visitor_view = store
        .visitor_events_after(conversation, 0, 100)
        .await
        .unwrap();
    assert_eq!(seqs(&visitor_view), [1, 2, 3]);
}

async fn staff_only_posts_do_not_answer_the_visitor(store: &dyn Store) {
    let (conversation, anna) = held(store).await;
    let waiting_since = store
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap()
        .unanswered_since
        .expect("the visitor waits for an answer");

    let whispered = store
        .post_staff_only(
            conversation,
            StaffOnly::Whisper,
            agent(&anna),
            msg_id("w1"),
            text("answer them"),
        )
        .await
        .unwrap();
    assert_eq!(whispered.conversation.unanswered_since, Some(waiting_since));

    let answered = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Hi!"), None)
        .await
        .unwrap();
    assert_eq!(answered.conversation.unanswered_since, None);
}

async fn staff_only_post_on_unknown_conversation_is_not_found(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;

    for kind in [StaffOnly::Whisper, StaffOnly::Note] {
        let result = store
            .post_staff_only(
                ConversationId::new(),
                kind,
                agent(&anna),
                msg_id("n1"),
                text("x"),
            )
            .await;
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "got {result:?}"
        );
    }
}
