//! SIGTERM: sockets are told to reconnect, the process exits cleanly, and the
//! next start serves the same conversations.

use serde_json::json;

use crate::support::DataDir;

/// The close code for "service restart".
const RESTART: u16 = 1012;

#[tokio::test]
async fn sigterm_tells_visitors_to_reconnect_exits_zero_and_the_restart_keeps_the_chat() {
    let mut dir = DataDir::new();
    let key = dir.add_shop_site().await;
    let mut server = dir.serve(&["serve"]).await;
    let (mut ws, welcome) = server.visitor(&key, None).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let token = welcome["token"].as_str().expect("a token").to_owned();
    ws.send(json!({"type": "send", "client_msg_id": "before-term", "text": "Is this in stock?"}))
        .await;
    let ack = ws.until("ack").await;
    assert_eq!(ack["seq"], 1);
    let conversation = ack["conversation_id"].as_str().expect("an id").to_owned();

    server.terminate();
    let reconnect = ws.until("reconnect").await;
    assert!(
        reconnect["after_ms"].as_u64().is_some_and(|ms| ms > 0),
        "{reconnect}"
    );
    assert_eq!(ws.closed().await, Some(RESTART));
    let status = server.exited().await;
    assert!(status.success(), "a clean exit on SIGTERM, got {status}");

    let server = dir.serve(&["serve"]).await;
    let (mut ws, welcome) = server.visitor(&key, Some(&token)).await;
    assert_eq!(
        welcome["type"], "welcome",
        "the token still works: {welcome}"
    );
    assert_eq!(welcome["conversation"]["id"], conversation.as_str());
    assert_eq!(welcome["conversation"]["last_seq"], 1);
    let (events, _) = ws.sync_all(&conversation, 0).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["client_msg_id"], "before-term");
    assert_eq!(events[0]["body"]["text"], "Is this in stock?");
}

#[tokio::test]
async fn sigterm_right_after_the_server_announces_itself_still_exits_cleanly() {
    let mut dir = DataDir::new();
    let mut server = dir.serve(&["serve"]).await;
    server.terminate();
    let status = server.exited().await;
    assert!(
        status.success(),
        "the signal handler is in place before the address is printed, got {status}"
    );
}
