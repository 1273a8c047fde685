use shopkeep_core::internal::{Room, RoomKey};
use shopkeep_store::Store;

use crate::helpers::{agent, msg_id, staff, text};

conformance! {
    store: [
        internal_messages_are_listed_newest_first_per_room,
        internal_resend_is_stored_once,
        internal_messages_page_by_id,
    ],
}

async fn internal_messages_are_listed_newest_first_per_room(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let direct = RoomKey::of(Room::Direct { with: boris.id }, anna.id);
    let (first, duplicate) = store
        .post_internal(
            RoomKey::Team,
            agent(&anna),
            msg_id("t1"),
            text("Morning all"),
        )
        .await
        .unwrap();
    assert!(!duplicate);
    let (second, _) = store
        .post_internal(RoomKey::Team, agent(&boris), msg_id("t2"), text("Morning"))
        .await
        .unwrap();
    let (private, _) = store
        .post_internal(direct, agent(&boris), msg_id("d1"), text("Lunch?"))
        .await
        .unwrap();

    assert_eq!(first.room, RoomKey::Team);
    assert_eq!(first.author, agent(&anna));
    assert_eq!(first.text, "Morning all");
    assert_eq!(first.client_msg_id, "t1");
    assert_eq!(
        store
            .internal_messages(RoomKey::Team, None, 10)
            .await
            .unwrap(),
        [second, first]
    );
    let seen_by_anna = RoomKey::of(Room::Direct { with: boris.id }, anna.id);
    assert_eq!(
        store
            .internal_messages(seen_by_anna, None, 10)
            .await
            .unwrap(),
        [private]
    );
}

async fn internal_resend_is_stored_once(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let (first, _) = store
        .post_internal(RoomKey::Team, agent(&anna), msg_id("t1"), text("hello"))
        .await
        .unwrap();

    let (again, duplicate) = store
        .post_internal(RoomKey::Team, agent(&anna), msg_id("t1"), text("edited"))
        .await
        .unwrap();
    assert!(duplicate);
    assert_eq!(again, first);
    // The same id from someone else is their own message.
    let (other, duplicate) = store
        .post_internal(RoomKey::Team, agent(&boris), msg_id("t1"), text("hi"))
        .await
        .unwrap();
    assert!(!duplicate);
    assert_ne!(other.id, first.id);
    assert_eq!(
        store
            .internal_messages(RoomKey::Team, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn internal_messages_page_by_id(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let mut posted = Vec::new();
    for n in 0..5 {
        let id = format!("t{n}");
        let (message, _) = store
            .post_internal(RoomKey::Team, agent(&anna), msg_id(&id), text(&id))
            .await
            .unwrap();
        posted.push(message.id);
    }

    let newest = store
        .internal_messages(RoomKey::Team, None, 2)
        .await
        .unwrap();
    let older = store
        .internal_messages(RoomKey::Team, Some(newest[1].id), 10)
        .await
        .unwrap();

    let paged: Vec<_> = newest.iter().chain(&older).map(|m| m.id).collect();
    posted.reverse();
    assert_eq!(paged, posted);
}
