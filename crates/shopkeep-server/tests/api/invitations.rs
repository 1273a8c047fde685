//! Operators inviting visitors who are on the site now.

use std::time::Duration;

use serde_json::{Value, json};
use shopkeep_core::identity::sign;
use shopkeep_core::ids::VisitorId;

use crate::helpers::{SECOND_OPERATOR_EMAIL, TestApp, Ws, spawn_app_with, tracking_settings};
use crate::tracking::{page, row_where, watching_console};

/// A visitor on a page of the shop, with the hello given; its socket and id.
pub async fn browsing(app: &TestApp, hello: Value) -> (Ws, Value) {
    let (mut visitor, welcome) = app.visitor_with(hello, &[]).await;
    visitor
        .send(page("https://shop.test/jackets", "Jackets"))
        .await;
    (visitor, welcome["visitor_id"].clone())
}

fn invite(visitor: &Value, text: Option<&str>) -> Value {
    match text {
        Some(text) => json!({"type": "invite", "visitor_id": visitor, "text": text}),
        None => json!({"type": "invite", "visitor_id": visitor}),
    }
}

fn answer(invitation: &Value, accept: bool) -> Value {
    json!({"type": "answer_invitation", "invitation_id": invitation, "accept": accept})
}

/// The answer to the last frame: an error, or the pong of a ping sent after it.
async fn error_or_pong(ws: &mut Ws) -> Value {
    ws.send(json!({"type": "ping"})).await;
    let answer = ws
        .until_match(|f| f["type"] == "error" || f["type"] == "pong")
        .await;
    if answer["type"] == "error" {
        ws.until("pong").await;
    }
    answer
}

#[tokio::test]
async fn an_accepted_invitation_opens_a_chat_with_the_inviting_operator() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut boris, _) = app.agent_as(SECOND_OPERATOR_EMAIL).await;
    let (mut visitor, id) = browsing(&app, json!({"lang": "en"})).await;
    row_where(&mut anna, &id, |r| r["page"].is_object()).await;

    anna.send(invite(&id, Some("Can I help with sizes?"))).await;
    let shown = visitor.until("invitation").await;
    assert_eq!(shown["text"], "Can I help with sizes?");
    assert_eq!(shown["agent"]["name"], "Anna");
    assert!(shown["photo"].is_null());
    let invitation = shown["invitation_id"].clone();
    let row = row_where(&mut anna, &id, |r| r["invitation"].is_object()).await;
    assert_eq!(row["invitation"]["state"], "pending");
    assert_eq!(row["invitation"]["id"], invitation);
    assert_eq!(row["invitation"]["agent"]["name"], "Anna");
    assert!(row["invitation"]["rule_id"].is_null());

    visitor.send(answer(&invitation, true)).await;
    let opened = visitor.until("conversation").await;
    let conversation = opened["conversation"]["id"].clone();
    assert_eq!(opened["conversation"]["status"], "active");
    assert_eq!(opened["conversation"]["assignee"]["name"], "Anna");
    assert_eq!(opened["conversation"]["last_seq"], 2);

    let answered = anna.until("invitation").await;
    assert_eq!(answered["visitor_id"], id);
    assert_eq!(answered["invitation"]["id"], invitation);
    assert_eq!(answered["invitation"]["state"], "accepted");
    for console in [&mut anna, &mut boris] {
        let summary = console
            .until_match(|f| f["type"] == "conversation" && f["conversation"]["id"] == conversation)
            .await;
        assert_eq!(summary["conversation"]["status"], "active");
        assert_eq!(summary["conversation"]["assignee"]["name"], "Anna");
        assert_eq!(
            summary["conversation"]["last_message"]["body"]["text"],
            "Can I help with sizes?"
        );
    }
    let row = row_where(&mut anna, &id, |r| r["chat"].is_object()).await;
    assert_eq!(row["chat"]["conversation_id"], conversation);
    assert_eq!(row["invitation"]["state"], "accepted");

    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["body"]["kind"], "joined");
    assert_eq!(events[0]["author"]["name"], "Anna");
    assert_eq!(events[1]["body"]["text"], "Can I help with sizes?");
    assert_eq!(events[1]["author"]["kind"], "agent");

    // The chat goes on as any other.
    visitor
        .send(json!({"type": "send", "client_msg_id": "v1", "text": "Is M true to size?"}))
        .await;
    let ack = visitor.until("ack").await;
    assert_eq!(
        (ack["conversation_id"].clone(), ack["seq"].clone()),
        (conversation.clone(), json!(3))
    );
    anna.send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "a1", "text": "Yes."}))
        .await;
    assert_eq!(anna.until("ack").await["seq"], 4);
    // Only the inviting operator hears the answer.
    boris
        .none_within(Duration::from_millis(200), |f| f["type"] == "invitation")
        .await;
}

#[tokio::test]
async fn a_dismissed_invitation_is_reported_as_declined() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, id) = browsing(&app, json!({})).await;
    row_where(&mut anna, &id, |r| r["page"].is_object()).await;

    anna.send(invite(&id, Some("Hello!"))).await;
    let invitation = visitor.until("invitation").await["invitation_id"].clone();
    visitor.send(answer(&invitation, false)).await;

    let answered = anna.until("invitation").await;
    assert_eq!(answered["visitor_id"], id);
    assert_eq!(answered["invitation"]["state"], "declined");
    let row = row_where(&mut anna, &id, |r| r["invitation"]["state"] == "declined").await;
    assert!(row["chat"].is_null());
    // Nothing was opened for the visitor.
    visitor
        .none_within(Duration::from_millis(200), |f| f["type"] == "conversation")
        .await;
    // Answering again finds no invitation on screen.
    visitor.send(answer(&invitation, true)).await;
    assert_eq!(error_or_pong(&mut visitor).await["code"], "not_found");
}

#[tokio::test]
async fn a_pending_invitation_is_shown_again_on_the_next_page() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();
    let token = welcome["token"].as_str().unwrap().to_owned();
    visitor.send(page("https://shop.test/", "Home")).await;
    row_where(&mut anna, &id, |r| r["page"].is_object()).await;
    anna.send(invite(&id, Some("Hi there"))).await;
    let first = visitor.until("invitation").await;
    visitor.close().await;

    let (mut visitor, _) = app.visitor(Some(&token)).await;
    let again = visitor.until("invitation").await;
    assert_eq!(again["invitation_id"], first["invitation_id"]);
    assert_eq!(again["text"], "Hi there");
    visitor.send(answer(&first["invitation_id"], true)).await;
    assert_eq!(
        visitor.until("conversation").await["conversation"]["status"],
        "active"
    );
}

#[tokio::test]
async fn invitations_that_cannot_be_shown_or_answered_are_refused() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut alice, alice_id) = browsing(&app, json!({})).await;
    let (mut bob, bob_id) = browsing(&app, json!({})).await;
    row_where(&mut anna, &bob_id, |r| r["page"].is_object()).await;

    // Nobody by that id is on the site.
    anna.send(invite(&json!(VisitorId::new()), None)).await;
    assert_eq!(anna.until("error").await["code"], "not_found");
    anna.send(json!({"type": "invite", "visitor_id": "nope"}))
        .await;
    assert_eq!(anna.until("error").await["code"], "unknown_frame");

    // Too long, then one already on screen.
    let long = "x".repeat(501);
    anna.send(invite(&alice_id, Some(&long))).await;
    assert_eq!(anna.until("error").await["code"], "text_too_long");
    anna.send(invite(&alice_id, Some(&"x".repeat(500)))).await;
    let shown = alice.until("invitation").await;
    let invitation = shown["invitation_id"].clone();
    anna.send(invite(&alice_id, Some("Again?"))).await;
    assert_eq!(anna.until("error").await["code"], "invalid_input");
    let (mut boris, _) = app.agent_as(SECOND_OPERATOR_EMAIL).await;
    boris.send(invite(&alice_id, Some("Me too"))).await;
    assert_eq!(boris.until("error").await["code"], "invalid_input");

    // Someone else's invitation, an unknown one, and a malformed id.
    bob.send(answer(&invitation, true)).await;
    assert_eq!(error_or_pong(&mut bob).await["code"], "not_found");
    alice
        .send(answer(&json!("0190a4b2-7c3d-7e5f-8a9b-0c1d2e3f4a5b"), true))
        .await;
    assert_eq!(error_or_pong(&mut alice).await["code"], "not_found");
    alice.send(answer(&json!({"$regex": ".*"}), true)).await;
    assert_eq!(error_or_pong(&mut alice).await["code"], "unknown_frame");
    bob.none_within(Duration::from_millis(100), |f| f["type"] == "conversation")
        .await;

    // Alice accepts; now she is chatting and cannot be invited.
    alice.send(answer(&invitation, true)).await;
    alice.until("conversation").await;
    row_where(&mut anna, &alice_id, |r| r["chat"].is_object()).await;
    anna.send(invite(&alice_id, Some("More?"))).await;
    assert_eq!(anna.until("error").await["code"], "invalid_input");

    // A visitor whose socket closed is not there to be invited.
    bob.close().await;
    row_where(&mut anna, &bob_id, |r| r["active"] == false).await;
    anna.send(invite(&bob_id, None)).await;
    assert_eq!(anna.until("error").await["code"], "not_found");
}

#[tokio::test]
async fn a_visitor_who_is_already_chatting_is_not_invited() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, id) = browsing(&app, json!({})).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "hello"}))
        .await;
    visitor.until("ack").await;
    row_where(&mut anna, &id, |r| r["chat"].is_object()).await;

    anna.send(invite(&id, Some("Hi"))).await;

    assert_eq!(anna.until("error").await["code"], "invalid_input");
    visitor
        .none_within(Duration::from_millis(200), |f| f["type"] == "invitation")
        .await;
}

#[tokio::test]
async fn without_text_the_invitation_speaks_the_visitors_language() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let cases = [
        (
            json!({"lang": "ru"}),
            None,
            "Здравствуйте! Могу чем-нибудь помочь?",
        ),
        (
            json!({"lang": "ru-RU"}),
            Some("   "),
            "Здравствуйте! Могу чем-нибудь помочь?",
        ),
        (
            json!({"lang": "ja"}),
            None,
            "こんにちは！何かお手伝いできることはありますか？",
        ),
        (
            json!({"lang": "de"}),
            None,
            "Hi! Can I help you with anything?",
        ),
        (json!({}), None, "Hi! Can I help you with anything?"),
    ];
    for (hello, text, expected) in cases {
        let (mut visitor, id) = browsing(&app, hello.clone()).await;
        row_where(&mut anna, &id, |r| r["page"].is_object()).await;
        anna.send(invite(&id, text)).await;
        assert_eq!(
            visitor.until("invitation").await["text"],
            expected,
            "{hello}"
        );
    }

    // A language set later wins over the one from hello.
    let (mut visitor, id) = browsing(&app, json!({"lang": "en"})).await;
    visitor
        .send(json!({"type": "language", "lang": "uk"}))
        .await;
    row_where(&mut anna, &id, |r| r["lang"] == "uk").await;
    anna.send(invite(&id, None)).await;
    assert_eq!(
        visitor.until("invitation").await["text"],
        "Вітаємо! Можу чимось допомогти?"
    );
}

#[tokio::test]
async fn a_customer_chatting_on_another_device_accepts_into_that_chat() {
    let app = spawn_app_with(tracking_settings()).await;
    let secret = app
        .store
        .site(app.site.id)
        .await
        .unwrap()
        .unwrap()
        .hmac_secret;
    let identify = json!({"type": "identify", "id": "cust-42", "hash": sign(&secret, "cust-42")});
    let (mut anna, _) = watching_console(&app).await;
    let (mut laptop, _) = browsing(&app, json!({})).await;
    laptop.send(identify.clone()).await;
    laptop.until("identified").await;
    laptop
        .send(json!({"type": "send", "client_msg_id": "l1", "text": "Hello from the laptop"}))
        .await;
    let conversation = laptop.until("ack").await["conversation_id"].clone();
    let (mut phone, phone_id) = browsing(&app, json!({})).await;
    phone.send(identify).await;
    assert_eq!(
        phone.until("identified").await["conversation"]["id"],
        conversation
    );
    row_where(&mut anna, &phone_id, |r| r["identity"]["verified"] == true).await;

    anna.send(invite(&phone_id, Some("Anything else?"))).await;
    let shown = phone.until("invitation").await;
    phone.send(answer(&shown["invitation_id"], true)).await;

    // No second conversation for the same customer: the phone is shown the open one.
    let opened = phone.until("conversation").await;
    assert_eq!(opened["conversation"]["id"], conversation);
    phone
        .send(json!({"type": "send", "client_msg_id": "p1", "text": "From the phone"}))
        .await;
    assert_eq!(phone.until("ack").await["conversation_id"], conversation);
    let open = app
        .store
        .list_conversations(shopkeep_store::ConversationFilter {
            open: true,
            closed_limit: 0,
        })
        .await
        .unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
}
