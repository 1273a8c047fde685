use shopkeep_core::department::RoutingStrategy;
use shopkeep_core::ids::SiteId;
use shopkeep_core::site::SiteChat;
use shopkeep_store::{Store, StoreError};

use crate::helpers::{site, site_record};

conformance! {
    store: [
        created_site_is_found_by_public_key_slug_and_id,
        unknown_site_lookups_find_nothing,
        duplicate_slug_is_a_conflict,
        duplicate_public_key_is_a_conflict,
        list_sites_returns_every_site,
        chat_settings_are_stored_with_the_site,
    ],
}

async fn created_site_is_found_by_public_key_slug_and_id(store: &dyn Store) {
    let created = site(store, "demo").await;

    assert_eq!(
        store.site_by_public_key(&created.public_key).await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(
        store.site_by_slug("demo").await.unwrap(),
        Some(created.clone())
    );
    assert_eq!(store.site(created.id).await.unwrap(), Some(created));
}

async fn unknown_site_lookups_find_nothing(store: &dyn Store) {
    let existing = site(store, "demo").await;

    assert_eq!(store.site_by_public_key("pk_missing").await.unwrap(), None);
    assert_eq!(store.site_by_slug("missing").await.unwrap(), None);
    assert_eq!(store.site(SiteId::new()).await.unwrap(), None);
    // A value of one column is not found through another.
    assert_eq!(
        store.site_by_slug(&existing.public_key).await.unwrap(),
        None
    );
    assert_eq!(store.site_by_public_key("demo").await.unwrap(), None);
}

async fn duplicate_slug_is_a_conflict(store: &dyn Store) {
    let first = site(store, "demo").await;

    let again = store.create_site(site_record("demo")).await;

    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "got {again:?}"
    );
    assert_eq!(store.site_by_slug("demo").await.unwrap(), Some(first));
    assert_eq!(store.list_sites().await.unwrap().len(), 1);
}

async fn duplicate_public_key_is_a_conflict(store: &dyn Store) {
    let first = site(store, "demo").await;
    let mut copy = site_record("other");
    copy.public_key = first.public_key.clone();

    let again = store.create_site(copy).await;

    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "got {again:?}"
    );
    assert_eq!(
        store.site_by_public_key(&first.public_key).await.unwrap(),
        Some(first)
    );
    assert_eq!(store.site_by_slug("other").await.unwrap(), None);
}

async fn list_sites_returns_every_site(store: &dyn Store) {
    assert_eq!(store.list_sites().await.unwrap(), vec![]);
    let a = site(store, "alpha").await;
    let b = site(store, "beta").await;

    let mut listed = store.list_sites().await.unwrap();
    listed.sort_by(|x, y| x.slug.cmp(&y.slug));

    assert_eq!(listed, vec![a, b]);
}

async fn chat_settings_are_stored_with_the_site(store: &dyn Store) {
    let mut record = site_record("demo");
    record.chat = SiteChat {
        choose_department: true,
        sneak_peek: false,
        routing: RoutingStrategy::Manual,
    };
    let created = store.create_site(record.clone()).await.unwrap();
    assert_eq!(created, record);
    assert_eq!(store.site(created.id).await.unwrap(), Some(record.clone()));

    let mut settings = created.settings();
    settings.chat = SiteChat {
        choose_department: false,
        sneak_peek: true,
        routing: RoutingStrategy::RoundRobin,
    };
    let updated = store
        .update_site_settings(created.id, settings.clone())
        .await
        .unwrap();

    assert_eq!(updated.chat, settings.chat);
    assert_eq!(store.site(created.id).await.unwrap(), Some(updated));
}
