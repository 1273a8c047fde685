use shopkeep_core::ids::StaffId;
use shopkeep_store::{Session, Store};

use crate::helpers::{T0, staff, token_hash};

conformance! {
    store: [
        session_is_found_with_its_staff_until_it_expires,
        unknown_session_is_not_found,
        deleted_session_is_gone,
        touch_session_records_last_seen,
        setup_token_is_consumed_exactly_once,
        expired_setup_token_is_not_consumed,
        unknown_setup_token_is_not_consumed,
    ],
}

const HOUR: i64 = 3_600_000;

fn session_of(staff: StaffId, expires_at: i64) -> Session {
    Session {
        token_hash: token_hash(),
        staff_id: staff,
        csrf_token: "csrf-token".to_owned(),
        created_at: T0,
        last_seen_at: T0,
        expires_at,
    }
}

async fn session_is_found_with_its_staff_until_it_expires(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let session = session_of(anna.id, T0 + HOUR);
    store.create_session(session.clone()).await.unwrap();

    let (found, owner) = store
        .session(&session.token_hash, T0)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(found.token_hash, session.token_hash);
    assert_eq!(found.staff_id, anna.id);
    assert_eq!(found.csrf_token, "csrf-token");
    assert_eq!(
        (found.created_at, found.last_seen_at, found.expires_at),
        (T0, T0, T0 + HOUR)
    );
    assert_eq!(owner.id, anna.id);

    assert!(
        store
            .session(&session.token_hash, T0 + HOUR - 1)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .session(&session.token_hash, T0 + HOUR)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&session.token_hash, T0 + 2 * HOUR)
            .await
            .unwrap()
            .is_none()
    );
}

async fn unknown_session_is_not_found(store: &dyn Store) {
    assert!(store.session(&token_hash(), T0).await.unwrap().is_none());
}

async fn deleted_session_is_gone(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let ended = session_of(anna.id, T0 + HOUR);
    let other = session_of(anna.id, T0 + HOUR);
    store.create_session(ended.clone()).await.unwrap();
    store.create_session(other.clone()).await.unwrap();

    store.delete_session(&ended.token_hash).await.unwrap();

    assert!(
        store
            .session(&ended.token_hash, T0)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&other.token_hash, T0)
            .await
            .unwrap()
            .is_some()
    );
    // Deleting again (a double logout) is harmless.
    store.delete_session(&ended.token_hash).await.unwrap();
}

async fn touch_session_records_last_seen(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let session = session_of(anna.id, T0 + HOUR);
    store.create_session(session.clone()).await.unwrap();

    store
        .touch_session(&session.token_hash, T0 + 60_000)
        .await
        .unwrap();

    let (found, _) = store
        .session(&session.token_hash, T0 + 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.last_seen_at, T0 + 60_000);
    assert_eq!(found.created_at, T0);
}

async fn setup_token_is_consumed_exactly_once(store: &dyn Store) {
    let token = token_hash();
    store
        .create_setup_token(token.clone(), T0 + HOUR)
        .await
        .unwrap();

    assert!(store.consume_setup_token(&token, T0).await.unwrap());
    assert!(!store.consume_setup_token(&token, T0).await.unwrap());
    assert!(!store.consume_setup_token(&token, T0 + 1).await.unwrap());
}

async fn expired_setup_token_is_not_consumed(store: &dyn Store) {
    let token = token_hash();
    store
        .create_setup_token(token.clone(), T0 + HOUR)
        .await
        .unwrap();

    assert!(!store.consume_setup_token(&token, T0 + HOUR).await.unwrap());
    assert!(
        !store
            .consume_setup_token(&token, T0 + 2 * HOUR)
            .await
            .unwrap()
    );
}

async fn unknown_setup_token_is_not_consumed(store: &dyn Store) {
    store
        .create_setup_token(token_hash(), T0 + HOUR)
        .await
        .unwrap();

    assert!(!store.consume_setup_token(&token_hash(), T0).await.unwrap());
}
