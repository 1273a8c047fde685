use std::sync::Arc;

use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::protocol::shared::{ReceiptMark, Receipts, Side};
use shopkeep_core::staff::AgentStatus;
use shopkeep_store::{Session, Store, StoreError};
use tokio::task::JoinSet;

use crate::backends::Backend;
use crate::helpers::{
    T0, agent, all_events, msg_id, new_staff, site, site_record, staff, start_in_order, text,
    token_hash, visitor, visitor_says,
};

conformance! {
    store: [writes_after_close_fail_with_shutting_down],
    backend: [
        everything_written_survives_close_and_reopen,
        writes_racing_close_are_either_committed_or_refused,
        writes_started_before_close_are_committed,
    ],
}

async fn everything_written_survives_close_and_reopen(backend: &mut dyn Backend) {
    let store = backend.store();
    let shop = site(&*store, "shop").await;
    let anna = staff(&*store, "anna@shop.example").await;
    store
        .set_password(anna.id, "$argon2id$v=19$changed".to_owned())
        .await
        .unwrap();
    store
        .set_staff_status(anna.id, AgentStatus::Online)
        .await
        .unwrap();
    let session = Session {
        token_hash: token_hash(),
        staff_id: anna.id,
        csrf_token: "csrf".to_owned(),
        created_at: T0,
        last_seen_at: T0,
        expires_at: T0 + 3_600_000,
    };
    store.create_session(session.clone()).await.unwrap();
    let setup_token = token_hash();
    store
        .create_setup_token(setup_token.clone(), T0 + 3_600_000)
        .await
        .unwrap();
    let visitor_token = token_hash();
    let guest = store
        .create_visitor(shop.id, visitor_token.clone())
        .await
        .unwrap();
    let conversation = visitor_says(&*store, &guest, "m1").await.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Reply"),
            None,
        )
        .await
        .unwrap();
    store
        .mark_receipt(conversation, Side::Visitor, ReceiptMark::Delivered, 3)
        .await
        .unwrap();
    let events = all_events(&*store, conversation).await;
    let summary = store.conversation(conversation).await.unwrap().unwrap();
    drop(store);

    backend.reopen().await;
    let store = backend.store();

    assert_eq!(store.site_by_slug("shop").await.unwrap(), Some(shop));
    let reread = store
        .staff_by_email("anna@shop.example")
        .await
        .unwrap()
        .expect("staff survives");
    assert_eq!(reread.password_hash, "$argon2id$v=19$changed");
    assert_eq!(reread.status, AgentStatus::Online);
    let (reread_session, _) = store
        .session(&session.token_hash, T0)
        .await
        .unwrap()
        .expect("session survives");
    assert_eq!(reread_session.staff_id, anna.id);
    assert_eq!(
        store
            .visitor_by_token(guest.site_id, &visitor_token)
            .await
            .unwrap(),
        Some(guest.clone())
    );
    assert_eq!(all_events(&*store, conversation).await, events);
    let reread = store.conversation(conversation).await.unwrap();
    assert_eq!(reread.as_ref(), Some(&summary));
    assert_eq!(summary.status, ConversationStatus::Active);
    assert_eq!(
        summary.receipts,
        Receipts {
            agent_delivered: 0,
            visitor_delivered: 3,
            ..Receipts::default()
        }
    );
    assert!(store.consume_setup_token(&setup_token, T0).await.unwrap());

    // Seqs continue where they stopped, and resends are still recognised.
    let resent = visitor_says(&*store, &guest, "m1").await;
    assert!(resent.duplicate);
    let next = visitor_says(&*store, &guest, "m2").await;
    assert_eq!((next.conversation.id, next.event.seq), (conversation, 4));
    let again = store.create_staff(new_staff("ANNA@shop.example")).await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "got {again:?}"
    );
}

async fn writes_after_close_fail_with_shutting_down(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &guest, "m1").await.conversation.id;

    store.close().await;

    let refused = |what: &str, result: Result<(), StoreError>| {
        assert!(
            matches!(result, Err(StoreError::ShuttingDown)),
            "{what}: got {result:?}"
        );
    };
    refused(
        "create_site",
        store.create_site(site_record("late")).await.map(drop),
    );
    refused(
        "create_staff",
        store
            .create_staff(new_staff("late@shop.example"))
            .await
            .map(drop),
    );
    refused(
        "create_visitor",
        store.create_visitor(shop.id, token_hash()).await.map(drop),
    );
    refused(
        "post_visitor_message",
        store
            .post_visitor_message(shop.id, guest.id, None, msg_id("m2"), text("late"), None)
            .await
            .map(drop),
    );
    refused(
        "take_conversation",
        store
            .take_conversation(conversation, agent(&anna))
            .await
            .map(drop),
    );
    refused(
        "mark_received",
        store
            .mark_receipt(conversation, Side::Agent, ReceiptMark::Delivered, 1)
            .await
            .map(drop),
    );
    refused(
        "set_password",
        store.set_password(anna.id, "x".to_owned()).await,
    );
    // Closing twice is harmless.
    store.close().await;
}

async fn writes_racing_close_are_either_committed_or_refused(backend: &mut dyn Backend) {
    let store = backend.store();
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;
    let conversation = visitor_says(&*store, &guest, "opening")
        .await
        .conversation
        .id;

    let mut tasks = JoinSet::new();
    for n in 0..100 {
        let store = Arc::clone(&store);
        let guest = guest.clone();
        tasks.spawn(async move {
            let id = format!("m{n}");
            (
                id.clone(),
                store
                    .post_visitor_message(
                        guest.site_id,
                        guest.id,
                        None,
                        msg_id(&id),
                        text(&id),
                        None,
                    )
                    .await,
            )
        });
    }
    tokio::task::yield_now().await;
    store.close().await;
    let results = tasks.join_all().await;
    drop(store);

    backend.reopen().await;
    let store = backend.store();
    let stored = all_events(&*store, conversation).await;
    let mut acknowledged = 0;
    for (id, result) in results {
        match result {
            Ok(posted) => {
                acknowledged += 1;
                assert_eq!(
                    stored.get(posted.event.seq as usize - 1),
                    Some(&posted.event),
                    "{id} was acknowledged but lost"
                );
            }
            Err(StoreError::ShuttingDown) => {
                assert!(
                    stored
                        .iter()
                        .all(|event| event.client_msg_id.as_deref() != Some(&id)),
                    "{id} was refused but stored"
                );
            }
            Err(other) => panic!("{id}: expected success or ShuttingDown, got {other:?}"),
        }
    }
    assert_eq!(stored.len(), acknowledged + 1);
    let seqs: Vec<u32> = stored.iter().map(|event| event.seq).collect();
    assert_eq!(seqs, (1..=stored.len() as u32).collect::<Vec<_>>());
}

async fn writes_started_before_close_are_committed(backend: &mut dyn Backend) {
    let store = backend.store();
    let shop = site(&*store, "shop").await;
    let guest = visitor(&*store, &shop).await;
    let conversation = visitor_says(&*store, &guest, "opening")
        .await
        .conversation
        .id;
    let ids: Vec<String> = (0..600).map(|n| format!("m{n}")).collect();
    let writes = ids
        .iter()
        .map(|id| {
            store.post_visitor_message(guest.site_id, guest.id, None, msg_id(id), text(id), None)
        })
        .collect();

    // Every write is under way before `close` starts; close must flush them.
    // Unconstrained: tokio's cooperative budget would otherwise park the later
    // writes before they are handed to the store, so they would not have started.
    let (results, ()) = tokio::join!(
        biased;
        tokio::task::unconstrained(start_in_order(writes)),
        store.close(),
    );

    let posted: Vec<_> = results
        .into_iter()
        .map(|result| result.expect("a write started before close is committed"))
        .collect();
    drop(store);
    backend.reopen().await;
    let stored = all_events(&*backend.store(), conversation).await;
    assert_eq!(stored.len(), 601);
    for post in posted {
        assert_eq!(stored[post.event.seq as usize - 1], post.event);
    }
}
