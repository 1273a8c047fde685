use std::time::Duration;

use shopkeep_core::conversation::{ConversationStatus, TransitionError};
use shopkeep_core::event::{Author, EventBody};
use shopkeep_core::ids::{ConversationId, VisitorId};
use shopkeep_store::{ConversationFilter, Store, StoreError};

use crate::helpers::{
    agent, agent_author, all_events, message_text, msg_id, site, staff, text, visitor, visitor_says,
};

conformance! {
    store: [
        first_visitor_message_opens_a_waiting_conversation_at_seq_1,
        further_visitor_messages_get_consecutive_seqs_in_the_same_conversation,
        visitor_resend_with_same_client_msg_id_is_stored_once,
        visitor_resend_after_close_is_a_duplicate_not_a_new_conversation,
        same_client_msg_id_from_another_visitor_is_a_new_message,
        take_makes_the_conversation_active_and_records_joined,
        take_again_by_the_holder_records_nothing,
        take_by_another_agent_is_refused,
        agent_message_without_holding_the_conversation_is_refused,
        agent_message_by_the_holder_is_appended,
        agent_resend_with_same_client_msg_id_is_stored_once,
        agent_resend_after_close_is_a_duplicate,
        agent_reusing_a_visitors_client_msg_id_is_a_conflict_not_a_duplicate,
        visitor_reusing_an_agents_client_msg_id_is_a_conflict_and_stores_nothing,
        close_records_closed_and_a_second_close_is_refused,
        waiting_conversation_can_be_closed_by_the_visitor,
        closed_conversation_refuses_take_and_agent_messages,
        visitor_message_after_close_opens_a_new_conversation,
        latest_conversation_is_the_visitors_newest_open_or_closed,
        list_conversations_returns_open_ones_and_the_most_recently_closed,
        summary_previews_the_latest_message,
        events_after_pages_in_seq_order_with_limit,
        transitions_on_unknown_conversation_are_not_found,
    ],
}

async fn first_visitor_message_opens_a_waiting_conversation_at_seq_1(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;

    let posted = store
        .post_visitor_message(
            shop.id,
            guest.id,
            None,
            msg_id("m1"),
            text("Hello, is this in stock?"),
            None,
        )
        .await
        .unwrap();

    assert!(posted.opened);
    assert!(!posted.duplicate);
    assert_eq!(posted.event.seq, 1);
    assert_eq!(posted.event.author, Author::Visitor);
    assert_eq!(message_text(&posted.event), "Hello, is this in stock?");
    assert_eq!(posted.event.client_msg_id.as_deref(), Some("m1"));
    assert_eq!(posted.event.conversation_id, posted.conversation.id);
    let summary = &posted.conversation;
    assert_eq!(summary.status, ConversationStatus::Waiting);
    assert_eq!(summary.site_id, shop.id);
    assert_eq!(summary.visitor_id, guest.id);
    assert_eq!(summary.assignee, None);
    assert_eq!(summary.last_seq, 1);
    assert_eq!(summary.last_message.as_ref(), Some(&posted.event));
    assert!(!summary.visitor_label.is_empty());
    assert_eq!(
        store.conversation(summary.id).await.unwrap().as_ref(),
        Some(summary)
    );
    assert_eq!(all_events(store, summary.id).await, vec![posted.event]);
}

async fn further_visitor_messages_get_consecutive_seqs_in_the_same_conversation(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;

    let first = visitor_says(store, &guest, "m1").await;
    let second = visitor_says(store, &guest, "m2").await;
    let third = visitor_says(store, &guest, "m3").await;

    assert!(!second.opened && !third.opened);
    let conversation = first.conversation.id;
    assert_eq!(second.conversation.id, conversation);
    assert_eq!(third.conversation.id, conversation);
    assert_eq!(
        [first.event.seq, second.event.seq, third.event.seq],
        [1, 2, 3]
    );
    assert_eq!(third.conversation.last_seq, 3);
    let stored = all_events(store, conversation).await;
    assert_eq!(stored, vec![first.event, second.event, third.event]);
}

async fn visitor_resend_with_same_client_msg_id_is_stored_once(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let original = visitor_says(store, &guest, "m1").await;

    // A resend carries the same id; whatever its text, the stored message wins.
    let resent = store
        .post_visitor_message(
            shop.id,
            guest.id,
            None,
            msg_id("m1"),
            text("edited on resend"),
            None,
        )
        .await
        .unwrap();

    assert!(resent.duplicate);
    assert!(!resent.opened);
    assert_eq!(resent.event, original.event);
    assert_eq!(resent.conversation.id, original.conversation.id);
    assert_eq!(resent.conversation.last_seq, 1);
    assert_eq!(
        all_events(store, original.conversation.id).await,
        vec![original.event]
    );
    let next = visitor_says(store, &guest, "m2").await;
    assert_eq!(next.event.seq, 2);
}

async fn visitor_resend_after_close_is_a_duplicate_not_a_new_conversation(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let original = visitor_says(store, &guest, "m1").await;
    let conversation = original.conversation.id;
    store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    let resent = visitor_says(store, &guest, "m1").await;

    assert!(resent.duplicate);
    assert!(!resent.opened);
    assert_eq!(resent.event, original.event);
    assert_eq!(resent.conversation.id, conversation);
    assert_eq!(resent.conversation.status, ConversationStatus::Closed);
    assert_eq!(all_events(store, conversation).await.len(), 2);
    let latest = store.latest_conversation(guest.id).await.unwrap().unwrap();
    assert_eq!(latest.id, conversation);
    let open = store
        .list_conversations(ConversationFilter {
            open: true,
            closed_limit: 0,
        })
        .await
        .unwrap();
    assert!(open.is_empty(), "a resend opened {open:?}");
}

async fn same_client_msg_id_from_another_visitor_is_a_new_message(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = visitor(store, &shop).await;
    let boris = visitor(store, &shop).await;

    let from_anna = visitor_says(store, &anna, "m1").await;
    let from_boris = visitor_says(store, &boris, "m1").await;

    assert!(!from_boris.duplicate);
    assert!(from_boris.opened);
    assert_ne!(from_boris.conversation.id, from_anna.conversation.id);
    assert_eq!(from_boris.conversation.visitor_id, boris.id);
    assert_eq!(from_boris.event.seq, 1);
}

async fn take_makes_the_conversation_active_and_records_joined(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;

    let taken = store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    let joined = taken.event.expect("a joined event");
    assert_eq!(joined.seq, 2);
    assert_eq!(joined.body, EventBody::Joined);
    assert_eq!(joined.author, agent_author(&anna));
    assert_eq!(joined.client_msg_id, None);
    assert_eq!(taken.conversation.status, ConversationStatus::Active);
    assert_eq!(taken.conversation.assignee, Some(agent(&anna)));
    assert_eq!(taken.conversation.last_seq, 2);
    assert_eq!(
        store.conversation(conversation).await.unwrap(),
        Some(taken.conversation)
    );
    assert_eq!(all_events(store, conversation).await[1], joined);
}

async fn take_again_by_the_holder_records_nothing(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    let again = store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    assert!(again.event.is_none(), "got {:?}", again.event);
    assert_eq!(again.conversation.status, ConversationStatus::Active);
    assert_eq!(again.conversation.assignee, Some(agent(&anna)));
    assert_eq!(again.conversation.last_seq, 2);
    assert_eq!(all_events(store, conversation).await.len(), 2);
}

async fn take_by_another_agent_is_refused(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    let refused = store.take_conversation(conversation, agent(&boris)).await;

    assert!(
        matches!(
            refused,
            Err(StoreError::Rule(TransitionError::TakenByOther))
        ),
        "got {refused:?}"
    );
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.assignee, Some(agent(&anna)));
    assert_eq!(summary.last_seq, 2);
}

async fn agent_message_without_holding_the_conversation_is_refused(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;

    let while_waiting = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Hi!"), None)
        .await;
    assert!(
        matches!(
            while_waiting,
            Err(StoreError::Rule(TransitionError::NotAssignee))
        ),
        "got {while_waiting:?}"
    );

    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    let by_other = store
        .post_agent_message(conversation, agent(&boris), msg_id("b1"), text("Hi!"), None)
        .await;
    assert!(
        matches!(
            by_other,
            Err(StoreError::Rule(TransitionError::NotAssignee))
        ),
        "got {by_other:?}"
    );

    let kinds: Vec<_> = all_events(store, conversation)
        .await
        .iter()
        .map(|event| event.body.kind())
        .collect();
    assert_eq!(kinds, ["message", "joined"]);
}

async fn agent_message_by_the_holder_is_appended(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    let posted = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Yes, it is."),
            None,
        )
        .await
        .unwrap();

    assert!(!posted.duplicate && !posted.opened);
    assert_eq!(posted.event.seq, 3);
    assert_eq!(posted.event.author, agent_author(&anna));
    assert_eq!(message_text(&posted.event), "Yes, it is.");
    assert_eq!(posted.event.client_msg_id.as_deref(), Some("a1"));
    assert_eq!(posted.conversation.last_seq, 3);
    assert_eq!(
        posted.conversation.last_message.as_ref(),
        Some(&posted.event)
    );
    let reply = visitor_says(store, &guest, "m2").await;
    assert_eq!((reply.conversation.id, reply.event.seq), (conversation, 4));
}

async fn agent_resend_with_same_client_msg_id_is_stored_once(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    let original = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Yes."), None)
        .await
        .unwrap();

    let resent = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Yes."), None)
        .await
        .unwrap();

    assert!(resent.duplicate);
    assert_eq!(resent.event, original.event);
    assert_eq!(all_events(store, conversation).await.len(), 3);
}

async fn agent_resend_after_close_is_a_duplicate(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    let original = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Bye."), None)
        .await
        .unwrap();
    store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    // The ack was lost and the console resends after the close: still acked.
    let resent = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Bye."), None)
        .await
        .unwrap();

    assert!(resent.duplicate);
    assert_eq!(resent.event, original.event);
    assert_eq!(all_events(store, conversation).await.len(), 4);
}

/// Every event carries its client_msg_id to both sides, so ids of the other
/// side are known; reusing one must neither store a second event under it
/// nor answer with the other side's message as if it were the sender's.
async fn agent_reusing_a_visitors_client_msg_id_is_a_conflict_not_a_duplicate(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Anna here."),
            None,
        )
        .await
        .unwrap();

    let reused = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("m1"),
            text("Hello!"),
            None,
        )
        .await;
    assert!(
        matches!(reused, Err(StoreError::Conflict(_))),
        "got {reused:?}"
    );
    // Not the holder, and the id is Anna's: refused, not acknowledged as hers.
    let by_other = store
        .post_agent_message(
            conversation,
            agent(&boris),
            msg_id("a1"),
            text("Boris here."),
            None,
        )
        .await;
    assert!(by_other.is_err(), "got {by_other:?}");

    let kinds: Vec<_> = all_events(store, conversation)
        .await
        .iter()
        .map(|event| event.body.kind())
        .collect();
    assert_eq!(kinds, ["message", "joined", "message"]);
}

async fn visitor_reusing_an_agents_client_msg_id_is_a_conflict_and_stores_nothing(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    let answer = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Anna here."),
            None,
        )
        .await
        .unwrap();

    let reused = store
        .post_visitor_message(shop.id, guest.id, None, msg_id("a1"), text("Copycat"), None)
        .await;

    assert!(
        matches!(reused, Err(StoreError::Conflict(_))),
        "got {reused:?}"
    );
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.last_seq, 3);
    assert_eq!(summary.last_message, Some(answer.event));
    let next = visitor_says(store, &guest, "m2").await;
    assert_eq!((next.conversation.id, next.event.seq), (conversation, 4));
}

async fn close_records_closed_and_a_second_close_is_refused(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();

    let closed = store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    let event = closed.event.expect("a closed event");
    assert_eq!(event.seq, 3);
    assert_eq!(event.body, EventBody::Closed);
    assert_eq!(event.author, agent_author(&anna));
    assert_eq!(closed.conversation.status, ConversationStatus::Closed);
    assert_eq!(closed.conversation.last_seq, 3);

    let again = store.close_conversation(conversation, Author::System).await;
    assert!(
        matches!(again, Err(StoreError::Rule(TransitionError::Closed))),
        "got {again:?}"
    );
    let events = all_events(store, conversation).await;
    assert_eq!(events.len(), 3);
    assert_eq!(
        events
            .iter()
            .filter(|event| event.body == EventBody::Closed)
            .count(),
        1
    );
}

async fn waiting_conversation_can_be_closed_by_the_visitor(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;

    let closed = store
        .close_conversation(conversation, Author::Visitor)
        .await
        .unwrap();

    assert_eq!(closed.conversation.status, ConversationStatus::Closed);
    assert_eq!(closed.conversation.assignee, None);
    let event = closed.event.expect("a closed event");
    assert_eq!(
        (event.seq, event.author, event.body),
        (2, Author::Visitor, EventBody::Closed)
    );
}

async fn closed_conversation_refuses_take_and_agent_messages(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    for member in [&anna, &boris] {
        let take = store.take_conversation(conversation, agent(member)).await;
        assert!(
            matches!(take, Err(StoreError::Rule(TransitionError::Closed))),
            "got {take:?}"
        );
    }
    let post = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("late"),
            text("One more thing"),
            None,
        )
        .await;
    assert!(
        matches!(post, Err(StoreError::Rule(TransitionError::Closed))),
        "got {post:?}"
    );
    assert_eq!(all_events(store, conversation).await.len(), 3);
}

async fn visitor_message_after_close_opens_a_new_conversation(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let old = visitor_says(store, &guest, "m1").await.conversation.id;
    store.take_conversation(old, agent(&anna)).await.unwrap();
    store
        .close_conversation(old, agent_author(&anna))
        .await
        .unwrap();

    let posted = visitor_says(store, &guest, "m2").await;

    assert!(posted.opened);
    assert!(!posted.duplicate);
    assert_ne!(posted.conversation.id, old);
    assert_eq!(posted.event.seq, 1);
    assert_eq!(posted.conversation.status, ConversationStatus::Waiting);
    assert_eq!(posted.conversation.assignee, None);
    assert_eq!(
        all_events(store, posted.conversation.id).await,
        vec![posted.event]
    );
    let old = store.conversation(old).await.unwrap().unwrap();
    assert_eq!((old.status, old.last_seq), (ConversationStatus::Closed, 3));
}

async fn latest_conversation_is_the_visitors_newest_open_or_closed(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let other = visitor(store, &shop).await;
    assert_eq!(store.latest_conversation(guest.id).await.unwrap(), None);
    visitor_says(store, &other, "o1").await;

    let first = visitor_says(store, &guest, "m1").await.conversation.id;
    assert_eq!(
        store
            .latest_conversation(guest.id)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(first)
    );

    store
        .close_conversation(first, Author::Visitor)
        .await
        .unwrap();
    let latest = store.latest_conversation(guest.id).await.unwrap().unwrap();
    assert_eq!(
        (latest.id, latest.status),
        (first, ConversationStatus::Closed)
    );

    let second = visitor_says(store, &guest, "m2").await.conversation.id;
    let latest = store.latest_conversation(guest.id).await.unwrap().unwrap();
    assert_eq!(
        (latest.id, latest.status),
        (second, ConversationStatus::Waiting)
    );
    assert_eq!(
        store.latest_conversation(VisitorId::new()).await.unwrap(),
        None
    );
}

async fn list_conversations_returns_open_ones_and_the_most_recently_closed(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let mut conversations = Vec::new();
    for name in ["waiting", "active", "closed-first", "closed-second"] {
        let guest = visitor(store, &shop).await;
        conversations.push(visitor_says(store, &guest, name).await.conversation.id);
    }
    let [waiting, active, closed_first, closed_second] = conversations[..] else {
        unreachable!()
    };
    store.take_conversation(active, agent(&anna)).await.unwrap();
    store
        .close_conversation(closed_first, Author::Visitor)
        .await
        .unwrap();
    // Timestamps are milliseconds: make "more recently closed" unambiguous.
    tokio::time::sleep(Duration::from_millis(3)).await;
    store
        .close_conversation(closed_second, Author::Visitor)
        .await
        .unwrap();

    let ids =
        |list: Vec<shopkeep_core::protocol::shared::ConversationSummary>| -> Vec<ConversationId> {
            list.into_iter().map(|summary| summary.id).collect()
        };
    let list =
        |open, closed_limit| store.list_conversations(ConversationFilter { open, closed_limit });

    let mut open = ids(list(true, 0).await.unwrap());
    open.sort();
    let mut expected = vec![waiting, active];
    expected.sort();
    assert_eq!(open, expected);

    assert_eq!(ids(list(false, 1).await.unwrap()), vec![closed_second]);
    assert_eq!(
        ids(list(false, 10).await.unwrap()),
        vec![closed_second, closed_first]
    );
    assert!(list(false, 0).await.unwrap().is_empty());

    let everything = list(true, 10).await.unwrap();
    assert_eq!(everything.len(), 4);
    let status_of = |id| {
        everything
            .iter()
            .find(|summary| summary.id == id)
            .map(|summary| summary.status)
    };
    assert_eq!(status_of(waiting), Some(ConversationStatus::Waiting));
    assert_eq!(status_of(active), Some(ConversationStatus::Active));
    assert_eq!(status_of(closed_first), Some(ConversationStatus::Closed));
    assert_eq!(status_of(closed_second), Some(ConversationStatus::Closed));
}

async fn summary_previews_the_latest_message(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let question = visitor_says(store, &guest, "m1").await;
    let conversation = question.conversation.id;
    let preview = |summary: Option<shopkeep_core::protocol::shared::ConversationSummary>| {
        summary
            .expect("conversation exists")
            .last_message
            .map(|event| event.seq)
    };

    // Joined and closed are not messages: the preview stays on the last message.
    let taken = store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    assert_eq!(
        taken.conversation.last_message,
        Some(question.event.clone())
    );
    assert_eq!(
        preview(store.conversation(conversation).await.unwrap()),
        Some(1)
    );

    let answer = store
        .post_agent_message(conversation, agent(&anna), msg_id("a1"), text("Yes."), None)
        .await
        .unwrap();
    assert_eq!(
        preview(store.conversation(conversation).await.unwrap()),
        Some(answer.event.seq)
    );

    let closed = store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();
    assert_eq!(closed.conversation.last_message, Some(answer.event.clone()));
    let listed = store
        .list_conversations(ConversationFilter {
            open: false,
            closed_limit: 5,
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_message, Some(answer.event.clone()));
    let latest = store.latest_conversation(guest.id).await.unwrap();
    assert_eq!(
        latest.and_then(|summary| summary.last_message),
        Some(answer.event)
    );
}

async fn events_after_pages_in_seq_order_with_limit(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let other = visitor(store, &shop).await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;
    for id in ["m2", "m3", "m4", "m5"] {
        visitor_says(store, &guest, id).await;
    }
    visitor_says(store, &other, "elsewhere").await;

    let mut pages = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events_after(conversation, after, 2).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.seq;
        pages.push(
            page.iter()
                .map(|event| (event.seq, message_text(event).to_owned()))
                .collect::<Vec<_>>(),
        );
    }

    let s = |seq, text: &str| (seq, text.to_owned());
    assert_eq!(
        pages,
        vec![
            vec![s(1, "m1"), s(2, "m2")],
            vec![s(3, "m3"), s(4, "m4")],
            vec![s(5, "m5")]
        ]
    );
    assert!(
        store
            .events_after(conversation, 5, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .events_after(conversation, 3, 100)
            .await
            .unwrap()
            .len(),
        2
    );
    assert!(
        store
            .events_after(ConversationId::new(), 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn transitions_on_unknown_conversation_are_not_found(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let unknown = ConversationId::new();

    assert_eq!(store.conversation(unknown).await.unwrap(), None);
    let take = store.take_conversation(unknown, agent(&anna)).await;
    assert!(matches!(take, Err(StoreError::NotFound)), "got {take:?}");
    let close = store.close_conversation(unknown, Author::System).await;
    assert!(matches!(close, Err(StoreError::NotFound)), "got {close:?}");
    let post = store
        .post_agent_message(unknown, agent(&anna), msg_id("a1"), text("Hello?"), None)
        .await;
    assert!(matches!(post, Err(StoreError::NotFound)), "got {post:?}");
}
