use serde_json::json;

use crate::helpers::{SECOND_OPERATOR_EMAIL, spawn_app};

#[tokio::test]
async fn visitor_and_operator_chat_both_ways_and_the_operator_closes() {
    let app = spawn_app().await;
    let (mut agent, welcome) = app.agent().await;
    assert_eq!(welcome["me"]["name"], "Anna");
    agent
        .send(json!({"type": "set_status", "status": "online"}))
        .await;
    agent.until("status").await;

    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(welcome["operators_online"], true);
    assert_eq!(welcome["look"]["site_name"], "Test Shop");
    assert!(welcome["conversation"].is_null());

    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Is this jacket waterproof?"}))
        .await;
    let ack = visitor.until("ack").await;
    assert_eq!(ack["seq"], 1);
    assert_eq!(ack["duplicate"], false);
    let conversation = ack["conversation_id"].as_str().unwrap().to_owned();

    let event = agent.until("event").await;
    assert_eq!(event["event"]["body"]["text"], "Is this jacket waterproof?");
    let summary = agent.until("conversation").await;
    assert_eq!(summary["conversation"]["status"], "waiting");
    assert_eq!(summary["conversation"]["last_message"]["seq"], 1);

    agent
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    let joined = visitor
        .until_match(|f| f["type"] == "event" && f["event"]["body"]["kind"] == "joined")
        .await;
    assert_eq!(joined["event"]["author"]["name"], "Anna");
    assert_eq!(joined["event"]["seq"], 2);

    agent
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "a1", "text": "Yes, 20k mm."}))
        .await;
    let ack = agent.until("ack").await;
    assert_eq!(ack["seq"], 3);
    let reply = visitor
        .until_match(|f| f["type"] == "event" && f["event"]["seq"] == 3)
        .await;
    assert_eq!(reply["event"]["body"]["text"], "Yes, 20k mm.");
    assert_eq!(reply["event"]["author"]["kind"], "agent");

    // Receipts: the operator's console has the visitor's message.
    agent
        .send(json!({"type": "received", "conversation_id": conversation, "seq": 3}))
        .await;
    let receipts = visitor.until("receipts").await;
    assert_eq!(receipts["receipts"]["agent_delivered"], 3);

    agent
        .send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    let closed = visitor
        .until_match(|f| f["type"] == "event" && f["event"]["body"]["kind"] == "closed")
        .await;
    assert_eq!(closed["event"]["seq"], 4);

    // After the close, the visitor's next message opens a new conversation.
    visitor
        .send(json!({"type": "send", "client_msg_id": "m2", "text": "One more thing"}))
        .await;
    let ack = visitor.until("ack").await;
    assert_ne!(ack["conversation_id"], conversation.as_str());
    assert_eq!(ack["seq"], 1);
}

#[tokio::test]
async fn a_second_operator_cannot_take_a_taken_conversation_or_write_to_it() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "hello"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();

    let (mut boris, _) = app.agent_as(SECOND_OPERATOR_EMAIL).await;
    boris
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "early", "text": "hi"}))
        .await;
    assert_eq!(boris.until("error").await["code"], "forbidden");

    let (mut anna, _) = app.agent().await;
    anna.send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    anna.until_match(|f| f["type"] == "event" && f["event"]["body"]["kind"] == "joined")
        .await;

    boris
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    let refused = boris.until("error").await;
    assert_eq!(refused["code"], "already_taken");
    boris
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "late", "text": "hi"}))
        .await;
    let refused = boris.until("error").await;
    assert_eq!(refused["code"], "forbidden");
    assert_eq!(refused["client_msg_id"], "late");
}

#[tokio::test]
async fn operator_status_reaches_open_widgets() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(welcome["operators_online"], false);
    let (mut agent, _) = app.agent().await;
    agent
        .send(json!({"type": "set_status", "status": "online"}))
        .await;
    assert_eq!(visitor.until("status").await["operators_online"], true);
    agent
        .send(json!({"type": "set_status", "status": "away"}))
        .await;
    assert_eq!(visitor.until("status").await["operators_online"], false);
    agent
        .send(json!({"type": "set_status", "status": "online"}))
        .await;
    assert_eq!(visitor.until("status").await["operators_online"], true);
    agent.close().await;
    assert_eq!(visitor.until("status").await["operators_online"], false);
}

#[tokio::test]
async fn typing_is_relayed_but_never_stored() {
    let app = spawn_app().await;
    let (mut agent, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "hi"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();
    agent
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    visitor
        .send(json!({"type": "typing", "active": true}))
        .await;
    let typing = agent.until("typing").await;
    assert_eq!(typing["side"], "visitor");
    agent
        .send(json!({"type": "typing", "conversation_id": conversation, "active": true}))
        .await;
    let typing = visitor.until("typing").await;
    assert_eq!(typing["name"], "Anna");
    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    let kinds: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("message"), json!("joined")]);
}
