//! The demo shop's signed identities.

use serde_json::{Value, json};
use shopkeep_core::identity::verify;
use shopkeep_server::sites::{self, DEMO_SLUG, NewSite};
use shopkeep_store::Site;

use crate::helpers::{TestApp, spawn_app_with, tracking_settings};

/// The demo site as `shopkeep serve` creates it, allowing this server's origin.
async fn demo_site(app: &TestApp) -> Site {
    sites::create(
        &*app.store,
        NewSite {
            slug: DEMO_SLUG.into(),
            name: "Northwind Outfitters".into(),
            origins: vec![app.origin()],
            color: "#0b6e4f".into(),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn demo_customers_come_signed_with_the_demo_sites_secret() {
    let app = spawn_app_with(tracking_settings()).await;
    let demo = demo_site(&app).await;

    for customer in ["cust-1001", "cust-1002"] {
        let response = reqwest::get(app.url(&format!("/demo/identity/{customer}")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let identity: Value = response.json().await.unwrap();
        assert_eq!(identity["id"], customer);
        assert!(identity["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(identity["email"].as_str().is_some_and(|e| e.contains('@')));
        let hash = identity["hash"].as_str().unwrap();
        assert!(verify(&demo.hmac_secret, customer, hash));
        assert!(!verify(&app.site.hmac_secret, customer, hash));
    }
    let anna = reqwest::get(app.url("/demo/identity/cust-1001"))
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(anna["name"], "Anna Petrova");

    // The demo page passes it to identify, as a shop would.
    let mut widget = app
        .visitor_socket(&app.origin(), &demo.public_key)
        .await
        .unwrap();
    widget.send(json!({"type": "hello", "lang": "en"})).await;
    widget.until("welcome").await;
    widget
        .send(json!({"type": "identify", "id": anna["id"], "name": anna["name"], "email": anna["email"], "hash": anna["hash"]}))
        .await;
    assert_eq!(widget.until("identified").await["verified"], true);
}

#[tokio::test]
async fn only_known_demo_customers_are_signed() {
    let app = spawn_app_with(tracking_settings()).await;
    // Without a demo site there is nothing to sign with.
    let response = reqwest::get(app.url("/demo/identity/cust-1001"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    demo_site(&app).await;
    for customer in ["cust-9999", "CUST-1001", "cust-1001%20", "cust-1001%2F.."] {
        let response = reqwest::get(app.url(&format!("/demo/identity/{customer}")))
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{customer}");
    }
}
