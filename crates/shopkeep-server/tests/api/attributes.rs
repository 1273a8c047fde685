//! Custom attributes from `set`: merged, removed with null, limited, stored literally.

use serde_json::{Map, Value, json};

use crate::helpers::{Ws, spawn_app_with, tracking_settings};
use crate::tracking::profile_when;

async fn set(visitor: &mut Ws, attributes: Value) {
    visitor
        .send(json!({"type": "set", "attributes": attributes}))
        .await;
}

#[tokio::test]
async fn set_merges_and_null_removes() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();

    set(
        &mut visitor,
        json!({"plan": "gold", "cart_total": 129.5, "tags": ["vip"]}),
    )
    .await;
    set(
        &mut visitor,
        json!({"cart_total": 20, "tags": null, "orders": 3}),
    )
    .await;

    let profile = profile_when(&app, &id, |p| p["attributes"].get("orders").is_some()).await;
    assert_eq!(
        profile["attributes"],
        json!({"plan": "gold", "cart_total": 20, "orders": 3})
    );
    // The attributes survive a reconnect of the same visitor.
    let token = welcome["token"].as_str().unwrap().to_owned();
    visitor.close().await;
    let (mut visitor, _) = app.visitor(Some(&token)).await;
    set(&mut visitor, json!({"plan": null})).await;
    let profile = profile_when(&app, &id, |p| p["attributes"].get("plan").is_none()).await;
    assert_eq!(
        profile["attributes"],
        json!({"cart_total": 20, "orders": 3})
    );
}

#[tokio::test]
async fn attributes_over_the_limits_are_refused_and_nothing_changes() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();
    set(&mut visitor, json!({"plan": "gold"})).await;
    profile_when(&app, &id, |p| p["attributes"] == json!({"plan": "gold"})).await;

    let many: Map<String, Value> = (0..51).map(|n| (format!("k{n}"), json!(n))).collect();
    let fifty: Map<String, Value> = (0..50).map(|n| (format!("k{n}"), json!(n))).collect();
    let large: Map<String, Value> = (0..10)
        .map(|n| (format!("k{n}"), json!("x".repeat(950))))
        .collect();
    let refused = [
        ("51 keys", Value::Object(many)),
        ("50 more keys than the 1 stored", Value::Object(fifty)),
        ("depth 4", json!({"a": {"b": {"c": {"d": {}}}}})),
        ("deep arrays", json!({"a": [[[["x"]]]]})),
        ("9.5 KiB", Value::Object(large)),
        (
            "a string over 1000 characters",
            json!({"note": "x".repeat(1001)}),
        ),
        ("an array", json!([])),
        ("a string", json!("x")),
        ("a number", json!(1)),
        ("null", Value::Null),
        ("markup in a key", json!({"<script>": 1})),
        ("markup in a nested key", json!({"a": {"<img src=x>": 1}})),
        ("an empty key", json!({"": 1})),
        ("a key with spaces", json!({"my plan": 1})),
        ("a key over 64 characters", json!({"k".repeat(65): 1})),
    ];
    for (what, attributes) in refused {
        set(&mut visitor, attributes).await;
        visitor.send(json!({"type": "ping"})).await;
        let answer = visitor
            .until_match(|f| f["type"] == "error" || f["type"] == "pong")
            .await;
        assert_eq!(answer["code"], "invalid_input", "{what}: {answer}");
        visitor.until("pong").await;
    }
    // A frame without attributes is not a `set` at all.
    visitor.send(json!({"type": "set"})).await;
    assert_eq!(visitor.until("error").await["code"], "unknown_frame");

    visitor.send(json!({"type": "ping"})).await;
    visitor.until("pong").await;
    let profile = profile_when(&app, &id, |_| true).await;
    assert_eq!(profile["attributes"], json!({"plan": "gold"}));
}

#[tokio::test]
async fn markup_in_values_is_stored_literally() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();
    let values = json!({
        "note": "<img src=x onerror=alert(1)>",
        "template": "{{constructor.constructor('alert(1)')()}}",
        "nested": {"html": "\"><script>alert(1)</script>"},
    });

    set(&mut visitor, values.clone()).await;

    let profile = profile_when(&app, &id, |p| {
        !p["attributes"].as_object().unwrap().is_empty()
    })
    .await;
    assert_eq!(profile["attributes"], values);
}
