use shopkeep_core::ids::SiteId;
use shopkeep_store::Store;

use crate::helpers::{T0, site, token_hash};

conformance! {
    store: [
        visitor_is_found_by_token_on_its_site,
        visitor_token_of_one_site_is_not_found_on_another,
        touch_visitor_records_last_seen,
    ],
}

async fn visitor_is_found_by_token_on_its_site(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let token = token_hash();

    let created = store.create_visitor(shop.id, token.clone()).await.unwrap();

    assert_eq!(created.site_id, shop.id);
    assert_eq!(
        (created.name.as_deref(), created.email.as_deref()),
        (None, None)
    );
    assert_eq!(
        store.visitor_by_token(shop.id, &token).await.unwrap(),
        Some(created)
    );
    assert_eq!(
        store
            .visitor_by_token(shop.id, &token_hash())
            .await
            .unwrap(),
        None
    );
}

async fn visitor_token_of_one_site_is_not_found_on_another(store: &dyn Store) {
    let shop_a = site(store, "shop-a").await;
    let shop_b = site(store, "shop-b").await;
    let token = token_hash();
    store
        .create_visitor(shop_a.id, token.clone())
        .await
        .unwrap();

    assert_eq!(
        store.visitor_by_token(shop_b.id, &token).await.unwrap(),
        None
    );
    assert_eq!(
        store.visitor_by_token(SiteId::new(), &token).await.unwrap(),
        None
    );
    assert!(
        store
            .visitor_by_token(shop_a.id, &token)
            .await
            .unwrap()
            .is_some()
    );
}

async fn touch_visitor_records_last_seen(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let token = token_hash();
    let created = store.create_visitor(shop.id, token.clone()).await.unwrap();
    let later = created.last_seen_at.max(T0) + 60_000;

    store.touch_visitor(created.id, later).await.unwrap();

    let found = store
        .visitor_by_token(shop.id, &token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.last_seen_at, later);
    assert_eq!(found.created_at, created.created_at);
}
