//! Hostile and broken input from visitors: clear errors, a healthy socket, nothing stored.

use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{SHOP_ORIGIN, spawn_app};

#[tokio::test]
async fn unknown_site_key_and_foreign_origin_are_refused_at_the_upgrade() {
    let app = spawn_app().await;
    let wrong_key = app.visitor_socket(SHOP_ORIGIN, "pk_nope").await;
    assert!(
        matches!(wrong_key, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 404)
    );
    let wrong_origin = app
        .visitor_socket("https://evil.example", &app.site.public_key)
        .await;
    assert!(
        matches!(wrong_origin, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403)
    );
}

#[tokio::test]
async fn the_first_frame_must_be_hello() {
    let app = spawn_app().await;
    let mut ws = app
        .visitor_socket(SHOP_ORIGIN, &app.site.public_key)
        .await
        .unwrap();
    ws.send(json!({"type": "send", "client_msg_id": "m1", "text": "hi"}))
        .await;
    assert_eq!(ws.until("error").await["code"], "hello_required");
    assert_eq!(ws.closed().await, Some(1008));
}

#[tokio::test]
async fn bad_frames_get_error_codes_and_the_socket_stays_usable() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    let cases = [
        (Message::text("{not json"), "bad_json"),
        (Message::text(r#"{"type":"launch"}"#), "unknown_frame"),
        (
            Message::text(r#"{"type":"send","client_msg_id":{"$regex":".*"},"text":"x"}"#),
            "unknown_frame",
        ),
        (
            Message::text(r#"{"type":"send","client_msg_id":"a b","text":"x"}"#),
            "invalid_client_msg_id",
        ),
        (
            Message::text(r#"{"type":"send","client_msg_id":"e1","text":"   "}"#),
            "text_empty",
        ),
        (Message::binary(vec![1, 2, 3]), "unknown_frame"),
    ];
    for (message, code) in cases {
        visitor.send_raw(message).await;
        assert_eq!(visitor.until("error").await["code"], code);
    }
    let long = "я".repeat(4001);
    visitor
        .send(json!({"type": "send", "client_msg_id": "long", "text": long}))
        .await;
    let error = visitor.until("error").await;
    assert_eq!(
        (error["code"].clone(), error["client_msg_id"].clone()),
        (json!("text_too_long"), json!("long"))
    );
    visitor.send(json!({"type": "ping"})).await;
    visitor.until("pong").await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "ok", "text": "still here"}))
        .await;
    assert_eq!(visitor.until("ack").await["seq"], 1);
}

#[tokio::test]
async fn a_frame_over_the_size_limit_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    let huge = "x".repeat(70 * 1024);
    visitor
        .send_raw(Message::text(format!(
            r#"{{"type":"send","client_msg_id":"big","text":"{huge}"}}"#
        )))
        .await;
    assert_eq!(visitor.closed().await, Some(1009));
}

#[tokio::test]
async fn markup_is_stored_and_delivered_literally() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    let payloads = [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "{{constructor.constructor('alert(1)')()}}",
    ];
    let mut conversation = serde_json::Value::Null;
    for (n, text) in payloads.iter().enumerate() {
        visitor
            .send(json!({"type": "send", "client_msg_id": format!("x{n}"), "text": text}))
            .await;
        conversation = visitor.until("ack").await["conversation_id"].clone();
    }
    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    let texts: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["text"].clone())
        .collect();
    assert_eq!(texts, payloads.map(|p| json!(p)).to_vec());
}

#[tokio::test]
async fn a_visitor_cannot_read_or_mark_another_visitors_conversation() {
    let app = spawn_app().await;
    let (mut alice, _) = app.visitor(None).await;
    alice
        .send(json!({"type": "send", "client_msg_id": "secret", "text": "my address is 1 Elm St"}))
        .await;
    let conversation = alice.until("ack").await["conversation_id"].clone();

    let (mut mallory, welcome) = app.visitor(None).await;
    assert!(welcome["conversation"].is_null());
    mallory
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    assert_eq!(mallory.until("error").await["code"], "not_found");
    mallory
        .send(json!({"type": "received", "conversation_id": conversation, "seq": 1}))
        .await;
    assert_eq!(mallory.until("error").await["code"], "not_found");
    // Mallory's own message goes to her own new conversation, never Alice's.
    mallory
        .send(json!({"type": "send", "client_msg_id": "secret", "text": "hi"}))
        .await;
    assert_ne!(mallory.until("ack").await["conversation_id"], conversation);
}

#[tokio::test]
async fn a_forged_token_gets_a_fresh_visitor_not_someone_elses() {
    let app = spawn_app().await;
    let (_alice, alice) = app.visitor(None).await;
    let mut ws = app
        .visitor_socket(SHOP_ORIGIN, &app.site.public_key)
        .await
        .unwrap();
    ws.send(json!({"type": "hello", "token": "forged-token-value"}))
        .await;
    assert_eq!(ws.until("error").await["code"], "invalid_token");
    let welcome = ws.until("welcome").await;
    assert_ne!(welcome["visitor_id"], alice["visitor_id"]);
    assert_ne!(welcome["token"], "forged-token-value");
}
