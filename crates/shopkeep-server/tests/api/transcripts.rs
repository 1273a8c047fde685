//! Transcripts by mail: asked for by the visitor (their own conversations
//! only), by staff over REST, and sent when a chat closes on a site that
//! mails them automatically.

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::site::SiteMail;

use crate::helpers::{TestApp, Ws};
use crate::offline::{
    NOTIFY, a_few_polls, answer, app_with_sink, form, notify_only, part, set_site_mail,
};
use crate::smtp::SmtpSink;

/// A visitor who chatted with Anna: "Where is my order?" / "On its way!".
async fn chatted(app: &TestApp) -> (Ws, Ws, Value, Value) {
    let (mut console, _) = app.agent().await;
    let (mut visitor, welcome) = app.visitor(None).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Where is my <order>?"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();
    answer(&mut console, &conversation, "a1", "On its way!").await;
    (visitor, console, welcome, conversation)
}

#[tokio::test]
async fn a_visitor_mails_their_own_transcript() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, _console, _, conversation) = chatted(&app).await;

    visitor
        .send(json!({"type": "email_transcript", "conversation_id": conversation, "email": "me@example.net"}))
        .await;

    let queued = visitor.until("transcript_queued").await;
    assert_eq!(queued["conversation_id"], conversation);
    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, vec!["me@example.net".to_owned()]);
    assert_eq!(mail.header("Reply-To").as_deref(), Some(NOTIFY));
    let text = part(mail, "text/plain");
    let html = part(mail, "text/html");
    assert!(text.contains("Where is my <order>?"), "{text}");
    assert!(text.contains("On its way!"));
    assert!(
        text.contains("You:"),
        "the visitor is named as they saw it: {text}"
    );
    assert!(text.contains("Anna:"));
    assert!(html.contains("Where is my &lt;order&gt;?"), "{html}");
    assert!(!html.contains("<order>"));
}

#[tokio::test]
async fn a_visitor_cannot_mail_another_visitors_transcript() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (_owner, _console, _, conversation) = chatted(&app).await;
    let (mut stranger, _) = app.visitor(None).await;

    stranger
        .send(json!({"type": "email_transcript", "conversation_id": conversation, "email": "thief@example.net"}))
        .await;

    let error = stranger.until("error").await;
    assert_eq!(error["code"], "not_found");
    a_few_polls().await;
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_transcript_to_a_bad_address_is_refused() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, _console, _, conversation) = chatted(&app).await;

    for email in ["nope", "me@example.net\r\nBcc: x@evil.example", ""] {
        visitor
            .send(json!({"type": "email_transcript", "conversation_id": conversation, "email": email}))
            .await;
        let error = visitor.until("error").await;
        assert_eq!(error["code"], "invalid_input", "{email:?}");
    }
    a_few_polls().await;
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn transcripts_are_rate_limited_per_socket() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, _console, _, conversation) = chatted(&app).await;
    let ask = json!({"type": "email_transcript", "conversation_id": conversation, "email": "me@example.net"});

    let mut answers = Vec::new();
    for _ in 0..4 {
        visitor.send(ask.clone()).await;
        let frame = visitor
            .until_match(|f| f["type"] == "transcript_queued" || f["type"] == "error")
            .await;
        answers.push(frame["type"].as_str().unwrap().to_owned());
    }

    assert_eq!(
        answers,
        [
            "transcript_queued",
            "transcript_queued",
            "transcript_queued",
            "error"
        ]
    );
    sink.wait_for(3).await;
}

#[tokio::test]
async fn staff_mail_a_transcript_to_the_visitors_email_or_another() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor.send(form("o1")).await;
    let conversation = visitor.until("offline_ack").await["conversation_id"].clone();
    sink.wait_for(1).await;
    answer(&mut console, &conversation, "a1", "We do.").await;
    sink.wait_for(2).await;
    let anna = app.staff().await;
    let path = format!(
        "/api/v1/conversations/{}/transcript",
        conversation.as_str().unwrap()
    );

    let response = app.call(&anna, Method::POST, &path, Some(json!({}))).await;
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["to"], "eve@example.net");
    let response = app
        .call(
            &anna,
            Method::POST,
            &path,
            Some(json!({"to": "boss@shop.test"})),
        )
        .await;
    assert_eq!(response.status(), 202);

    let mails = sink.wait_for(4).await;
    let to: Vec<_> = mails[2..].iter().map(|m| m.rcpt_tos[0].clone()).collect();
    assert!(to.contains(&"eve@example.net".to_owned()), "{to:?}");
    assert!(to.contains(&"boss@shop.test".to_owned()));
    let text = part(&mails[3], "text/plain");
    assert!(text.contains("Do you ship to Norway?"), "{text}");
    assert!(text.contains("We do."));
}

#[tokio::test]
async fn staff_transcripts_need_an_address_csrf_and_a_known_conversation() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (_visitor, _console, _, conversation) = chatted(&app).await;
    let anna = app.staff().await;
    let path = format!(
        "/api/v1/conversations/{}/transcript",
        conversation.as_str().unwrap()
    );

    let no_email = app.call(&anna, Method::POST, &path, Some(json!({}))).await;
    let bad_to = app
        .call(
            &anna,
            Method::POST,
            &path,
            Some(json!({"to": "x@example.net\r\nBcc: y@evil.example"})),
        )
        .await;
    let unknown = app
        .call(
            &anna,
            Method::POST,
            "/api/v1/conversations/00000000-0000-0000-0000-000000000000/transcript",
            Some(json!({"to": "boss@shop.test"})),
        )
        .await;
    let no_csrf = reqwest::Client::new()
        .post(app.url(&path))
        .header("cookie", &anna.cookie)
        .header("origin", app.origin())
        .json(&json!({"to": "boss@shop.test"}))
        .send()
        .await
        .unwrap();

    assert_eq!(no_email.status(), 422);
    assert_eq!(bad_to.status(), 422);
    assert_eq!(unknown.status(), 404);
    assert_eq!(no_csrf.status(), 403);
    a_few_polls().await;
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_closed_chat_mails_its_transcript_when_the_site_says_so() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    set_site_mail(
        &app,
        SiteMail {
            auto_transcript: true,
            ..notify_only()
        },
    )
    .await;
    let (mut visitor, mut console, _, conversation) = chatted(&app).await;
    visitor
        .send(json!({"type": "identify", "email": "eve@example.net"}))
        .await;
    visitor.until("identified").await;

    console
        .send(json!({"type": "close", "conversation_id": conversation}))
        .await;

    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].rcpt_tos, vec!["eve@example.net".to_owned()]);
    let text = part(&mails[0], "text/plain");
    assert!(text.contains("On its way!"), "{text}");
    a_few_polls().await;
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn without_auto_transcripts_or_an_email_closing_mails_nothing() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    set_site_mail(
        &app,
        SiteMail {
            auto_transcript: true,
            ..notify_only()
        },
    )
    .await;
    // No email known for this visitor.
    let (_visitor, mut console, _, conversation) = chatted(&app).await;

    console
        .send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    console
        .until_match(|f| f["type"] == "conversation" && f["conversation"]["status"] == "closed")
        .await;

    a_few_polls().await;
    assert!(sink.received().is_empty());
}
