use std::collections::BTreeSet;
use std::sync::Arc;

use shopkeep_core::conversation::TransitionError;
use shopkeep_core::ids::ConversationId;
use shopkeep_store::{Store, StoreError};
use tokio::task::JoinSet;

use crate::helpers::{
    agent, all_events, message_text, msg_id, new_staff, site, staff, text, visitor, visitor_says,
};

conformance! {
    shared: [
        concurrent_visitor_messages_get_seqs_without_gaps_or_duplicates,
        concurrent_resends_store_each_client_msg_id_once,
        concurrent_takes_let_exactly_one_agent_join,
        concurrent_conversations_keep_their_own_seqs,
        failed_writes_do_not_undo_writes_committed_with_them,
    ],
}

async fn concurrent_visitor_messages_get_seqs_without_gaps_or_duplicates(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;

    let mut tasks = JoinSet::new();
    for n in 0..200 {
        let store = Arc::clone(&store);
        let guest = guest.clone();
        tasks.spawn(async move {
            let id = format!("m{n}");
            store
                .post_visitor_message(guest.site_id, guest.id, None, msg_id(&id), text(&id), None)
                .await
        });
    }
    let posted: Vec<_> = tasks
        .join_all()
        .await
        .into_iter()
        .map(|result| result.unwrap())
        .collect();

    let conversations: BTreeSet<ConversationId> =
        posted.iter().map(|post| post.conversation.id).collect();
    assert_eq!(
        conversations.len(),
        1,
        "messages were split over {conversations:?}"
    );
    let conversation = posted[0].conversation.id;
    assert_eq!(posted.iter().filter(|post| post.opened).count(), 1);
    assert!(posted.iter().all(|post| !post.duplicate));
    let mut seqs: Vec<u32> = posted.iter().map(|post| post.event.seq).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=200).collect::<Vec<u32>>());

    let stored = all_events(&*store, conversation).await;
    assert_eq!(
        stored.iter().map(|event| event.seq).collect::<Vec<_>>(),
        (1..=200).collect::<Vec<u32>>()
    );
    for post in &posted {
        // Each acknowledged seq holds that very message.
        assert_eq!(stored[post.event.seq as usize - 1], post.event);
    }
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.last_seq, 200);
}

async fn concurrent_resends_store_each_client_msg_id_once(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;
    let conversation = visitor_says(&*store, &guest, "opening")
        .await
        .conversation
        .id;

    let mut tasks = JoinSet::new();
    for round in 0..2 {
        for n in 0..50 {
            let store = Arc::clone(&store);
            let guest = guest.clone();
            tasks.spawn(async move {
                let id = format!("m{n}");
                let posted = store
                    .post_visitor_message(
                        guest.site_id,
                        guest.id,
                        None,
                        msg_id(&id),
                        text(&format!("{id} try {round}")),
                        None,
                    )
                    .await;
                (id, posted)
            });
        }
    }
    let results = tasks.join_all().await;

    let stored = all_events(&*store, conversation).await;
    assert_eq!(
        stored.len(),
        51,
        "expected the opening message and 50 others"
    );
    let stored_ids: BTreeSet<_> = stored
        .iter()
        .filter_map(|event| event.client_msg_id.clone())
        .collect();
    assert_eq!(stored_ids.len(), 51);
    assert_eq!(
        results
            .iter()
            .filter(|(_, posted)| posted.as_ref().unwrap().duplicate)
            .count(),
        50
    );
    for (id, posted) in &results {
        let posted = posted.as_ref().unwrap();
        assert_eq!(posted.conversation.id, conversation);
        assert_eq!(posted.event.client_msg_id.as_deref(), Some(id.as_str()));
        // Both sends of an id are answered with the one stored event.
        assert_eq!(stored[posted.event.seq as usize - 1], posted.event);
        assert!(message_text(&posted.event).starts_with(&format!("{id} try ")));
    }
}

async fn concurrent_takes_let_exactly_one_agent_join(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;
    let conversation = visitor_says(&*store, &guest, "m1").await.conversation.id;
    let mut agents = Vec::new();
    for n in 0..10 {
        agents.push(staff(&*store, &format!("agent{n}@shop.example")).await);
    }

    let mut tasks = JoinSet::new();
    for member in &agents {
        let store = Arc::clone(&store);
        let agent = agent(member);
        tasks.spawn(async move { (agent.id, store.take_conversation(conversation, agent).await) });
    }
    let results = tasks.join_all().await;

    let winners: Vec<_> = results
        .iter()
        .filter(|(_, result)| result.is_ok())
        .collect();
    assert_eq!(winners.len(), 1, "got {results:?}");
    let (winner, taken) = winners[0];
    assert!(taken.as_ref().unwrap().event.is_some());
    for (_, result) in results.iter().filter(|(_, result)| result.is_err()) {
        assert!(
            matches!(result, Err(StoreError::Rule(TransitionError::TakenByOther))),
            "got {result:?}"
        );
    }
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    assert_eq!(summary.assignee.map(|holder| holder.id), Some(*winner));
    let kinds: Vec<_> = all_events(&*store, conversation)
        .await
        .iter()
        .map(|event| event.body.kind())
        .collect();
    assert_eq!(kinds, ["message", "joined"]);
}

async fn concurrent_conversations_keep_their_own_seqs(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let mut guests = Vec::new();
    for _ in 0..5 {
        guests.push(visitor(&*store, &shop).await);
    }

    let mut tasks = JoinSet::new();
    for guest in &guests {
        for n in 0..20 {
            let store = Arc::clone(&store);
            let guest = guest.clone();
            tasks.spawn(async move {
                let id = format!("m{n}");
                store
                    .post_visitor_message(
                        guest.site_id,
                        guest.id,
                        None,
                        msg_id(&id),
                        text(&id),
                        None,
                    )
                    .await
            });
        }
    }
    for result in tasks.join_all().await {
        result.unwrap();
    }

    for guest in &guests {
        let summary = store.latest_conversation(guest.id).await.unwrap().unwrap();
        let seqs: Vec<u32> = all_events(&*store, summary.id)
            .await
            .iter()
            .map(|event| event.seq)
            .collect();
        assert_eq!(seqs, (1..=20).collect::<Vec<u32>>());
        assert_eq!(summary.last_seq, 20);
    }
}

/// A backend may commit concurrent writes together (SQLite's group commit);
/// one refused write must not take the others of its batch down with it.
async fn failed_writes_do_not_undo_writes_committed_with_them(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;
    let conversation = visitor_says(&*store, &guest, "opening")
        .await
        .conversation
        .id;

    let mut staff_tasks = JoinSet::new();
    let mut message_tasks = JoinSet::new();
    for n in 0..30 {
        for _ in 0..2 {
            let store = Arc::clone(&store);
            staff_tasks.spawn(async move {
                store
                    .create_staff(new_staff(&format!("agent{n}@shop.example")))
                    .await
            });
        }
        let store = Arc::clone(&store);
        let guest = guest.clone();
        message_tasks.spawn(async move {
            let id = format!("m{n}");
            store
                .post_visitor_message(guest.site_id, guest.id, None, msg_id(&id), text(&id), None)
                .await
        });
    }
    let created = staff_tasks.join_all().await;
    let posted = message_tasks.join_all().await;

    let conflicts = created
        .iter()
        .filter(|result| matches!(result, Err(StoreError::Conflict(_))))
        .count();
    assert_eq!(conflicts, 30);
    assert_eq!(created.iter().filter(|result| result.is_ok()).count(), 30);
    assert_eq!(store.count_staff().await.unwrap(), 30);
    for n in 0..30 {
        let email = format!("agent{n}@shop.example");
        assert!(
            store.staff_by_email(&email).await.unwrap().is_some(),
            "{email} was lost"
        );
    }
    for result in &posted {
        assert!(result.is_ok(), "got {result:?}");
    }
    assert_eq!(all_events(&*store, conversation).await.len(), 31);
}
