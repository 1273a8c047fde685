//! Team work on one conversation: handing it over, sending it to a
//! department's queue, supervisors joining and leaving.

use shopkeep_core::conversation::{ConversationStatus, TransitionError};
use shopkeep_core::event::EventBody;
use shopkeep_core::ids::ConversationId;
use shopkeep_store::{Store, StoreError};

use crate::helpers::{
    agent, agent_author, all_events, department, msg_id, site, staff, text, visitor, visitor_says,
};

conformance! {
    store: [
        hand_over_gives_the_chat_to_the_new_holder_and_records_transferred,
        hand_over_to_the_holder_is_refused,
        taking_over_removes_the_supervisor_from_the_participants,
        transfer_to_a_department_requeues_the_chat,
        transfer_to_an_unknown_department_is_not_found,
        supervisor_joins_writes_and_leaves,
        joining_twice_or_leaving_without_joining_is_refused,
        closed_conversation_refuses_join_hand_and_transfer,
        team_transitions_on_unknown_conversation_are_not_found,
    ],
}

/// A conversation `anna` holds.
async fn held_by(store: &dyn Store, holder: &shopkeep_store::Staff) -> ConversationId {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let conversation = visitor_says(store, &guest, "v1").await.conversation.id;
    store
        .take_conversation(conversation, agent(holder))
        .await
        .unwrap();
    conversation
}

async fn hand_over_gives_the_chat_to_the_new_holder_and_records_transferred(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let conversation = held_by(store, &anna).await;
    let taken_at = store
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap()
        .assigned_at
        .expect("assigned when taken");

    let handed = store
        .hand_conversation(conversation, agent(&anna), agent(&boris))
        .await
        .unwrap();

    let event = handed.event.expect("an event");
    assert_eq!(event.seq, 3);
    assert_eq!(event.author, agent_author(&anna));
    assert_eq!(
        event.body,
        EventBody::Transferred {
            to: Some(agent(&boris)),
            department: None
        }
    );
    let summary = handed.conversation;
    assert_eq!(summary.status, ConversationStatus::Active);
    assert_eq!(summary.assignee, Some(agent(&boris)));
    assert!(summary.assigned_at.unwrap() >= taken_at);
    assert_eq!(summary.last_seq, 3);
    assert_eq!(summary.visible_seq, 3);
    assert_eq!(all_events(store, conversation).await.last(), Some(&event));

    let refused = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("still here?"),
            None,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(TransitionError::NotAssignee))),
        "got {refused:?}"
    );
    store
        .post_agent_message(
            conversation,
            agent(&boris),
            msg_id("b1"),
            text("Boris here"),
            None,
        )
        .await
        .unwrap();
}

async fn hand_over_to_the_holder_is_refused(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let conversation = held_by(store, &anna).await;

    let result = store
        .hand_conversation(conversation, agent(&anna), agent(&anna))
        .await;

    assert!(
        matches!(result, Err(StoreError::Rule(TransitionError::SameHolder))),
        "got {result:?}"
    );
    assert_eq!(all_events(store, conversation).await.len(), 2);
}

async fn taking_over_removes_the_supervisor_from_the_participants(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let conversation = held_by(store, &anna).await;
    let joined = store
        .join_conversation(conversation, agent(&sue))
        .await
        .unwrap();
    assert_eq!(joined.conversation.participants, vec![agent(&sue)]);

    let taken_over = store
        .hand_conversation(conversation, agent(&sue), agent(&sue))
        .await
        .unwrap();

    assert_eq!(taken_over.conversation.assignee, Some(agent(&sue)));
    assert!(taken_over.conversation.participants.is_empty());
    assert_eq!(taken_over.event.unwrap().author, agent_author(&sue));
}

async fn transfer_to_a_department_requeues_the_chat(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let conversation = held_by(store, &anna).await;
    let site_id = store
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap()
        .site_id;
    let sales = department(store, site_id, "Sales").await;
    store
        .join_conversation(conversation, agent(&sue))
        .await
        .unwrap();

    let moved = store
        .transfer_to_department(conversation, agent(&anna), sales.as_ref())
        .await
        .unwrap();

    assert_eq!(
        moved.event.unwrap().body,
        EventBody::Transferred {
            to: None,
            department: Some(sales.as_ref())
        }
    );
    let summary = moved.conversation;
    assert_eq!(summary.status, ConversationStatus::Waiting);
    assert_eq!(summary.assignee, None);
    assert_eq!(summary.assigned_at, None);
    assert!(summary.participants.is_empty());
    assert_eq!(summary.department, Some(sales.as_ref()));
    assert_eq!(
        store.conversation(conversation).await.unwrap(),
        Some(summary)
    );

    let boris = staff(store, "boris@shop.example").await;
    let taken = store
        .take_conversation(conversation, agent(&boris))
        .await
        .unwrap();
    assert_eq!(taken.conversation.assignee, Some(agent(&boris)));
    assert!(taken.conversation.assigned_at.is_some());
    assert_eq!(taken.conversation.department, Some(sales.as_ref()));
}

async fn transfer_to_an_unknown_department_is_not_found(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let conversation = held_by(store, &anna).await;
    let elsewhere = site(store, "elsewhere").await;
    let foreign = department(store, elsewhere.id, "Sales").await;

    let result = store
        .transfer_to_department(conversation, agent(&anna), foreign.as_ref())
        .await;

    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "got {result:?}"
    );
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.assignee, Some(agent(&anna)));
    assert_eq!(summary.department, None);
    assert_eq!(summary.last_seq, 2);
}

async fn supervisor_joins_writes_and_leaves(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let conversation = held_by(store, &anna).await;

    let joined = store
        .join_conversation(conversation, agent(&sue))
        .await
        .unwrap();
    let event = joined.event.unwrap();
    assert_eq!(event.body, EventBody::Joined);
    assert_eq!(event.author, agent_author(&sue));
    assert_eq!(joined.conversation.assignee, Some(agent(&anna)));
    assert_eq!(joined.conversation.participants, vec![agent(&sue)]);

    let posted = store
        .post_agent_message(
            conversation,
            agent(&sue),
            msg_id("s1"),
            text("Sue here"),
            None,
        )
        .await
        .unwrap();
    assert!(!posted.duplicate);

    let left = store
        .leave_conversation(conversation, agent(&sue))
        .await
        .unwrap();
    let event = left.event.unwrap();
    assert_eq!(event.body, EventBody::Left);
    assert_eq!(event.author, agent_author(&sue));
    assert!(left.conversation.participants.is_empty());
    assert_eq!(left.conversation.assignee, Some(agent(&anna)));
    assert_eq!(left.conversation.last_seq, 5);
    assert_eq!(left.conversation.visible_seq, 5);

    let refused = store
        .post_agent_message(conversation, agent(&sue), msg_id("s2"), text("again"), None)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Rule(TransitionError::NotAssignee))),
        "got {refused:?}"
    );
}

async fn joining_twice_or_leaving_without_joining_is_refused(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let conversation = held_by(store, &anna).await;

    let holder_joins = store.join_conversation(conversation, agent(&anna)).await;
    assert!(
        matches!(
            holder_joins,
            Err(StoreError::Rule(TransitionError::AlreadyIn))
        ),
        "got {holder_joins:?}"
    );
    let stranger_leaves = store.leave_conversation(conversation, agent(&sue)).await;
    assert!(
        matches!(
            stranger_leaves,
            Err(StoreError::Rule(TransitionError::NotIn))
        ),
        "got {stranger_leaves:?}"
    );
    store
        .join_conversation(conversation, agent(&sue))
        .await
        .unwrap();
    let again = store.join_conversation(conversation, agent(&sue)).await;
    assert!(
        matches!(again, Err(StoreError::Rule(TransitionError::AlreadyIn))),
        "got {again:?}"
    );
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.participants, vec![agent(&sue)]);
    assert_eq!(summary.last_seq, 3);
}

async fn closed_conversation_refuses_join_hand_and_transfer(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let conversation = held_by(store, &anna).await;
    let site_id = store
        .conversation(conversation)
        .await
        .unwrap()
        .unwrap()
        .site_id;
    let sales = department(store, site_id, "Sales").await;
    store
        .close_conversation(conversation, agent_author(&anna))
        .await
        .unwrap();

    let results = [
        store.join_conversation(conversation, agent(&sue)).await,
        store
            .hand_conversation(conversation, agent(&anna), agent(&sue))
            .await,
        store
            .transfer_to_department(conversation, agent(&anna), sales.as_ref())
            .await,
    ];

    for result in results {
        assert!(
            matches!(result, Err(StoreError::Rule(TransitionError::Closed))),
            "got {result:?}"
        );
    }
    assert_eq!(all_events(store, conversation).await.len(), 3);
}

async fn team_transitions_on_unknown_conversation_are_not_found(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let sue = staff(store, "sue@shop.example").await;
    let unknown = ConversationId::new();

    let results = [
        store.join_conversation(unknown, agent(&sue)).await,
        store.leave_conversation(unknown, agent(&sue)).await,
        store
            .hand_conversation(unknown, agent(&anna), agent(&sue))
            .await,
    ];

    for result in results {
        assert!(
            matches!(result, Err(StoreError::NotFound)),
            "got {result:?}"
        );
    }
    let tags = store.set_tags(unknown, vec!["vip".into()]).await;
    assert!(matches!(tags, Err(StoreError::NotFound)), "got {tags:?}");
}
