use std::collections::BTreeMap;

use shopkeep_core::canned::{CannedDraft, MAX_CANNED};
use shopkeep_core::ids::CannedId;
use shopkeep_store::{Store, StoreError};

use crate::helpers::{site, staff};

conformance! {
    store: [
        an_operator_sees_the_shared_answers_and_their_own_by_shortcut,
        a_shortcut_is_unique_per_owner_and_among_shared_ones,
        update_and_delete_canned_answers,
        an_owner_has_at_most_max_canned_answers,
    ],
}

fn draft(shortcut: &str, shared: bool) -> CannedDraft {
    CannedDraft {
        shortcut: shortcut.to_owned(),
        title: format!("About {shortcut}"),
        text: format!("Hello {{visitor.name}}, about {shortcut}."),
        variants: BTreeMap::from([("ru".to_owned(), format!("Здравствуйте, {shortcut}"))]),
        shared,
    }
}

async fn an_operator_sees_the_shared_answers_and_their_own_by_shortcut(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other_shop = site(store, "other").await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let shared = store
        .create_canned(shop.id, boris.id, draft("delivery", true))
        .await
        .unwrap();
    let own = store
        .create_canned(shop.id, anna.id, draft("bye", false))
        .await
        .unwrap();
    store
        .create_canned(shop.id, boris.id, draft("boris-only", false))
        .await
        .unwrap();
    store
        .create_canned(other_shop.id, anna.id, draft("elsewhere", false))
        .await
        .unwrap();

    let listed = store.list_canned(shop.id, anna.id).await.unwrap();

    assert_eq!(listed, [own.clone(), shared.clone()]);
    assert_eq!(shared.owner, boris.id);
    assert_eq!(shared.site_id, shop.id);
    assert_eq!(shared.draft, draft("delivery", true));
    assert_eq!(store.canned(own.id).await.unwrap(), Some(own));
    assert_eq!(store.canned(CannedId::new()).await.unwrap(), None);
}

async fn a_shortcut_is_unique_per_owner_and_among_shared_ones(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    store
        .create_canned(shop.id, anna.id, draft("hi", false))
        .await
        .unwrap();
    store
        .create_canned(shop.id, anna.id, draft("faq", true))
        .await
        .unwrap();

    let own_again = store
        .create_canned(shop.id, anna.id, draft("hi", false))
        .await;
    let shared_again = store
        .create_canned(shop.id, boris.id, draft("faq", true))
        .await;

    assert!(
        matches!(own_again, Err(StoreError::Conflict(_))),
        "got {own_again:?}"
    );
    assert!(
        matches!(shared_again, Err(StoreError::Conflict(_))),
        "got {shared_again:?}"
    );
    // Another operator's personal set, and a shared answer beside a personal
    // one, may use the same shortcut.
    store
        .create_canned(shop.id, boris.id, draft("hi", false))
        .await
        .unwrap();
    store
        .create_canned(shop.id, boris.id, draft("hi", true))
        .await
        .unwrap();
    let sharing_clash = store
        .create_canned(shop.id, anna.id, draft("hi", true))
        .await;
    assert!(
        matches!(sharing_clash, Err(StoreError::Conflict(_))),
        "got {sharing_clash:?}"
    );
}

async fn update_and_delete_canned_answers(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let hi = store
        .create_canned(shop.id, anna.id, draft("hi", false))
        .await
        .unwrap();
    let bye = store
        .create_canned(shop.id, anna.id, draft("bye", false))
        .await
        .unwrap();

    let mut changed = draft("hello", true);
    changed.variants.clear();
    let updated = store.update_canned(hi.id, changed.clone()).await.unwrap();
    assert_eq!(updated.draft, changed);
    assert_eq!(updated.owner, anna.id);
    assert!(updated.updated_at >= hi.updated_at);
    let clash = store.update_canned(bye.id, draft("hello", true)).await;
    assert!(
        matches!(clash, Err(StoreError::Conflict(_))),
        "got {clash:?}"
    );

    store.delete_canned(bye.id).await.unwrap();
    assert_eq!(
        store.list_canned(shop.id, anna.id).await.unwrap(),
        [updated]
    );
    let again = store.delete_canned(bye.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "got {again:?}");
    let missing = store.update_canned(bye.id, draft("x", false)).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound)),
        "got {missing:?}"
    );
}

async fn an_owner_has_at_most_max_canned_answers(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    for n in 0..MAX_CANNED {
        store
            .create_canned(shop.id, anna.id, draft(&format!("a{n}"), false))
            .await
            .unwrap();
    }

    let personal = store
        .create_canned(shop.id, anna.id, draft("one-more", false))
        .await;

    assert!(
        matches!(personal, Err(StoreError::Limit(_))),
        "got {personal:?}"
    );
    // The site's shared set is counted apart.
    store
        .create_canned(shop.id, anna.id, draft("shared", true))
        .await
        .unwrap();
}
