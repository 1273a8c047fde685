//! Missed chats: a visitor who left before anyone answered marks the chat
//! missed and the shop gets one mail about it, also across restarts.

use std::time::Duration;

use serde_json::json;

use crate::helpers::spawn_app_with;
use crate::offline::{NOTIFY, a_few_polls, answer, mail_to, notify_only, part, set_site_mail};
use crate::smtp::SmtpSink;

fn quick_missed(port: u16) -> shopkeep_server::ServerSettings {
    let mut settings = mail_to(port);
    settings.missed_after = Duration::from_millis(300);
    settings.missed_interval = Duration::from_millis(50);
    settings
}

#[tokio::test]
async fn a_chat_whose_visitor_left_unanswered_is_marked_missed_and_mailed_once() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(quick_missed(sink.port)).await;
    set_site_mail(&app, notify_only()).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "identify", "name": "Eve <b>", "email": "eve@example.net"}))
        .await;
    visitor.until("identified").await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Anyone there?"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();

    visitor.close().await;

    let summary = console
        .until_match(|f| {
            f["type"] == "conversation"
                && f["conversation"]["id"] == conversation
                && f["conversation"]["missed"] == true
        })
        .await;
    assert_eq!(summary["conversation"]["status"], "waiting");
    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, vec![NOTIFY.to_owned()]);
    assert_eq!(mail.header("Reply-To").as_deref(), Some("eve@example.net"));
    let text = part(mail, "text/plain");
    assert!(text.contains("Anyone there?"), "{text}");
    assert!(text.contains("Eve <b>"));
    assert!(part(mail, "text/html").contains("Eve &lt;b&gt;"));

    // Many more checks, and a restart, send nothing more.
    let app = app.restart().await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    a_few_polls().await;
    assert_eq!(sink.received().len(), 1);
    let stored = app
        .store
        .conversation(serde_json::from_value(conversation).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.missed);
}

#[tokio::test]
async fn a_connected_visitor_or_an_answered_chat_is_not_missed() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(quick_missed(sink.port)).await;
    set_site_mail(&app, notify_only()).await;
    let (mut console, _) = app.agent().await;
    let (mut waiting, _) = app.visitor(None).await;
    waiting
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Still here"}))
        .await;
    let still_here = waiting.until("ack").await["conversation_id"].clone();
    let (mut answered, _) = app.visitor(None).await;
    answered
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Hello"}))
        .await;
    let conversation = answered.until("ack").await["conversation_id"].clone();
    answer(&mut console, &conversation, "a1", "Hi!").await;

    answered.close().await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    a_few_polls().await;
    assert!(sink.received().is_empty());
    for id in [still_here, conversation] {
        let stored = app
            .store
            .conversation(serde_json::from_value(id).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(!stored.missed);
    }
}
