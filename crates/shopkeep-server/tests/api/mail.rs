//! Mail: the SMTP settings routes, the test email, and the outbox delivering
//! to a real SMTP server on loopback, across relay outages and restarts.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::email::{EmailAddress, HeaderText, MailKind};
use shopkeep_core::ids::MailId;
use shopkeep_core::staff::Role;
use shopkeep_server::ServerSettings;
use shopkeep_store::NewMail;

use crate::helpers::{StaffLogin, TestApp, eventually, spawn_app, spawn_app_with, test_settings};
use crate::smtp::{SmtpSink, free_port};

const ADMIN: &str = "ada@shop.test";

/// Settings whose sender polls and retries quickly.
fn fast_mail() -> ServerSettings {
    let mut settings = test_settings();
    settings.mail.poll_interval = Duration::from_millis(50);
    settings.mail.retry_first = Duration::from_millis(200);
    settings.mail.retry_max = Duration::from_millis(500);
    settings.mail.timeout = Duration::from_secs(2);
    settings
}

/// Fast settings with the relay in the settings file, at `port`.
fn relay_in_file(port: u16) -> ServerSettings {
    let mut settings = fast_mail();
    settings.mail.host = Some("127.0.0.1".into());
    settings.mail.port = port;
    settings.mail.tls = shopkeep_core::email::SmtpTls::None;
    settings.mail.from_address = Some("chat@shop.test".into());
    settings.mail.from_name = Some("Test Shop".into());
    settings
}

async fn admin(app: &TestApp) -> StaffLogin {
    app.add_staff(ADMIN, "Ada", Role::Admin).await;
    app.staff_as(ADMIN).await
}

fn relay_body(port: u16) -> Value {
    json!({
        "host": "127.0.0.1",
        "port": port,
        "tls": "none",
        "from_address": "chat@shop.test",
        "from_name": "Test Shop chat",
    })
}

async fn put_settings(app: &TestApp, staff: &StaffLogin, body: Value) -> reqwest::Response {
    app.call(staff, Method::PUT, "/api/v1/mail/settings", Some(body))
        .await
}

async fn send_test(app: &TestApp, staff: &StaffLogin, to: &str) -> reqwest::Response {
    app.call(
        staff,
        Method::POST,
        "/api/v1/mail/test",
        Some(json!({ "to": to })),
    )
    .await
}

fn offline_mail(subject: &str, key: Option<&str>) -> NewMail {
    NewMail {
        site_id: None,
        kind: MailKind::Offline,
        to: EmailAddress::parse("owner@shop.test").unwrap(),
        reply_to: Some(EmailAddress::parse("visitor@example.net").unwrap()),
        subject: HeaderText::parse(subject).unwrap(),
        text: format!("{subject}: plain"),
        html: format!("<p>{subject}: html</p>"),
        dedupe_key: key.map(str::to_owned),
    }
}

async fn enqueue(app: &TestApp, subject: &str) -> MailId {
    app.store
        .enqueue_mail(offline_mail(subject, None), shopkeep_store::sqlite::now())
        .await
        .unwrap()
        .unwrap()
}

/// Waits until the mail's delivery failed at least once.
async fn until_failed(app: &TestApp, id: MailId) {
    eventually("a failed delivery attempt", || async {
        let mail = app.store.mail(id).await.unwrap().unwrap();
        mail.last_error.is_some().then_some(())
    })
    .await;
}

async fn until_sent(app: &TestApp, id: MailId) {
    eventually("the mail marked sent", || async {
        let mail = app.store.mail(id).await.unwrap().unwrap();
        mail.sent_at.is_some().then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_test_email_arrives_from_the_configured_sender_with_both_parts() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(fast_mail()).await;
    let ada = admin(&app).await;
    let response = put_settings(&app, &ada, relay_body(sink.port)).await;
    assert_eq!(response.status(), 200);

    let response = send_test(&app, &ada, "owner@shop.test").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["sent_to"], "owner@shop.test");
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail.mail_from, "chat@shop.test");
    assert_eq!(mail.rcpt_tos, vec!["owner@shop.test".to_owned()]);
    let from = mail.header("From").unwrap();
    assert!(from.contains("<chat@shop.test>"), "{from}");
    assert!(from.contains("Test Shop chat"), "{from}");
    assert_eq!(mail.header("To").unwrap(), "owner@shop.test");
    assert_eq!(mail.header("Subject").unwrap(), "Shopkeep test email");
    assert!(mail.header("Message-ID").is_some());
    assert!(mail.header("Date").is_some());
    let content_type = mail.header("Content-Type").unwrap();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    assert!(mail.raw.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(mail.raw.contains("Content-Type: text/html; charset=utf-8"));
    assert!(mail.raw.contains("127.0.0.1"), "the body names the relay");
    // Sent directly, not through the outbox.
    assert!(app.store.mail_failures(10).await.unwrap().is_empty());
    sink.stop().await;
}

#[tokio::test]
async fn a_failing_test_email_says_why() {
    let app = spawn_app_with(fast_mail()).await;
    let ada = admin(&app).await;

    let response = send_test(&app, &ada, "owner@shop.test").await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("not set up"),
        "{body}"
    );

    let port = free_port();
    assert_eq!(
        put_settings(&app, &ada, relay_body(port)).await.status(),
        200
    );
    let response = send_test(&app, &ada, "owner@shop.test").await;

    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "unavailable");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(
        message.contains("could not talk to the mail server"),
        "{message}"
    );
}

#[tokio::test]
async fn the_password_is_write_only() {
    let app = spawn_app_with(fast_mail()).await;
    let ada = admin(&app).await;
    let empty = app.get_json(&ada, "/api/v1/mail/settings").await;
    assert_eq!(empty["source"], "none");
    assert_eq!(empty["password_set"], false);

    let mut body = relay_body(2525);
    body["username"] = json!("mailer");
    body["password"] = json!("s3cret-pw");
    let response = put_settings(&app, &ada, body.clone()).await;
    assert_eq!(response.status(), 200);
    let shown = response.text().await.unwrap();
    assert!(!shown.contains("s3cret-pw"), "{shown}");

    let shown = app.get_json(&ada, "/api/v1/mail/settings").await;
    assert_eq!(shown["source"], "console");
    assert_eq!(shown["password_set"], true);
    assert_eq!(shown["username"], "mailer");
    assert_eq!(shown["host"], "127.0.0.1");
    assert!(shown.get("password").is_none(), "{shown}");
    assert!(!shown.to_string().contains("s3cret-pw"));

    // Saving without a password keeps it…
    body.as_object_mut().unwrap().remove("password");
    body["from_name"] = json!("Renamed");
    assert_eq!(put_settings(&app, &ada, body.clone()).await.status(), 200);
    let stored = app.store.smtp_settings().await.unwrap().unwrap();
    assert_eq!(stored.password.as_deref(), Some("s3cret-pw"));
    assert_eq!(stored.from_name.as_deref(), Some("Renamed"));
    // …and an empty one removes it.
    body["password"] = json!("");
    let shown: Value = put_settings(&app, &ada, body).await.json().await.unwrap();
    assert_eq!(shown["password_set"], false);
    assert_eq!(
        app.store.smtp_settings().await.unwrap().unwrap().password,
        None
    );
}

#[tokio::test]
async fn header_injection_attempts_are_refused() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(fast_mail()).await;
    let ada = admin(&app).await;
    assert_eq!(
        put_settings(&app, &ada, relay_body(sink.port))
            .await
            .status(),
        200
    );
    let before = app.get_json(&ada, "/api/v1/mail/settings").await;

    let attempts: [(&str, Value); 7] = [
        ("from_address", json!("chat@shop.test\r\nBcc: x@evil.test")),
        ("from_address", json!("chat@shop.test%0aBcc:x@evil.test")),
        ("from_name", json!("Shop\r\nBcc: x@evil.test")),
        ("from_name", json!("Shop\nBcc: x@evil.test")),
        ("from_name", json!("Shop\u{2028}Bcc: x@evil.test")),
        ("host", json!("127.0.0.1\r\nRCPT TO:<x@evil.test>")),
        ("username", json!("mailer\r\nAUTH PLAIN")),
    ];
    for (field, value) in attempts {
        let mut body = relay_body(sink.port);
        body[field] = value.clone();
        let response = put_settings(&app, &ada, body).await;
        assert_eq!(response.status(), 422, "{field}: {value}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"], "invalid_input");
    }
    assert_eq!(app.get_json(&ada, "/api/v1/mail/settings").await, before);

    for to in [
        "owner@shop.test\r\nBcc: x@evil.test",
        "owner@shop.test\nBcc: x@evil.test",
        "owner@shop.test%0aBcc:x@evil.test",
        "owner@shop.test\u{2028}Bcc: x@evil.test",
        "Owner <owner@shop.test>, x@evil.test",
        "",
    ] {
        let response = send_test(&app, &ada, to).await;
        assert_eq!(response.status(), 422, "{to:?}");
    }
    // A literal %0a is an ordinary character, not a line break.
    let response = send_test(&app, &ada, "owner%0a@shop.test").await;
    assert_eq!(response.status(), 200);
    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].rcpt_tos, vec!["owner%0a@shop.test".to_owned()]);
    assert_eq!(
        received[0]
            .header_names()
            .iter()
            .filter(|h| *h == "bcc")
            .count(),
        0
    );
    sink.stop().await;
}

#[tokio::test]
async fn mail_routes_are_for_admins_with_a_csrf_token() {
    let app = spawn_app().await;
    let operator = app.staff().await;
    for path in ["/api/v1/mail/settings", "/api/v1/mail/failures"] {
        let response = app.call(&operator, Method::GET, path, None).await;
        assert_eq!(response.status(), 403, "{path}");
        let anonymous = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(anonymous.status(), 401, "{path}");
    }
    assert_eq!(
        put_settings(&app, &operator, relay_body(25)).await.status(),
        403
    );
    assert_eq!(
        send_test(&app, &operator, "owner@shop.test").await.status(),
        403
    );
    let ada = admin(&app).await;
    let no_csrf = reqwest::Client::new()
        .put(app.url("/api/v1/mail/settings"))
        .header("cookie", &ada.cookie)
        .header("origin", app.origin())
        .json(&relay_body(25))
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    assert_eq!(app.store.smtp_settings().await.unwrap(), None);
}

#[tokio::test]
async fn a_relay_in_the_settings_file_is_shown_read_only() {
    let mut settings = relay_in_file(2525);
    settings.mail.username = Some("mailer".into());
    settings.mail.password = Some("file-secret".into());
    let app = spawn_app_with(settings).await;
    let ada = admin(&app).await;

    let shown = app.get_json(&ada, "/api/v1/mail/settings").await;

    assert_eq!(shown["source"], "config");
    assert_eq!(shown["port"], 2525);
    assert_eq!(shown["from_address"], "chat@shop.test");
    assert_eq!(shown["password_set"], true);
    assert!(!shown.to_string().contains("file-secret"));
    let response = put_settings(&app, &ada, relay_body(25)).await;
    assert_eq!(response.status(), 409);
    assert_eq!(app.store.smtp_settings().await.unwrap(), None);
}

#[tokio::test]
async fn queued_mail_arrives_exactly_once_after_the_relay_comes_up() {
    let port = free_port();
    let app = spawn_app_with(relay_in_file(port)).await;
    let ada = admin(&app).await;
    let id = enqueue(&app, "Question about tea").await;

    until_failed(&app, id).await;
    let failures = app.get_json(&ada, "/api/v1/mail/failures").await;
    assert_eq!(failures[0]["id"], id.to_string());
    assert_eq!(failures[0]["kind"], "offline");
    assert_eq!(failures[0]["to"], "owner@shop.test");
    assert!(
        failures[0]["last_error"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}")),
        "{failures}"
    );
    assert!(failures[0]["next_attempt_at"].is_i64());

    let sink = SmtpSink::start_on(port).await;
    let received = sink.wait_for(1).await;
    until_sent(&app, id).await;
    // Several more polls and retry periods: nothing is sent again.
    tokio::time::sleep(Duration::from_millis(800)).await;

    assert_eq!(sink.received().len(), 1);
    let mail = &received[0];
    assert_eq!(mail.header("Subject").unwrap(), "Question about tea");
    assert_eq!(mail.header("Reply-To").unwrap(), "visitor@example.net");
    assert_eq!(mail.header("To").unwrap(), "owner@shop.test");
    let from = mail.header("From").unwrap();
    assert!(from.contains("<chat@shop.test>"), "{from}");
    assert!(!from.contains("visitor@example.net"));
    assert_eq!(mail.mail_from, "chat@shop.test");
    assert!(
        mail.header("Message-ID")
            .unwrap()
            .contains(&id.as_uuid().simple().to_string())
    );
    assert!(mail.raw.contains("Question about tea: plain"));
    assert!(mail.raw.contains("Question about tea: html"));
    let stored = app.store.mail(id).await.unwrap().unwrap();
    assert!(stored.attempts >= 2, "{stored:?}");
    assert_eq!(stored.next_attempt_at, None);
    let failures = app.get_json(&ada, "/api/v1/mail/failures").await;
    assert_eq!(failures, json!([]));
    sink.stop().await;
}

#[tokio::test]
async fn the_outbox_survives_a_restart_and_each_mail_arrives_once() {
    let port = free_port();
    let app = spawn_app_with(relay_in_file(port)).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        ids.push(enqueue(&app, &format!("Offline message {n}")).await);
    }
    for id in &ids {
        until_failed(&app, *id).await;
    }

    let app = app.restart().await;
    let sink = SmtpSink::start_on(port).await;

    let received = sink.wait_for(3).await;
    for id in &ids {
        until_sent(&app, *id).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(sink.received().len(), 3, "{received:?}");
    let mut subjects: Vec<String> = received
        .iter()
        .map(|mail| mail.header("Subject").unwrap())
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        vec![
            "Offline message 1",
            "Offline message 2",
            "Offline message 3"
        ]
    );
    sink.stop().await;
}

#[tokio::test]
async fn mail_queued_with_no_relay_waits_for_the_settings() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(fast_mail()).await;
    let ada = admin(&app).await;
    let id = enqueue(&app, "Waiting for settings").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = app.store.mail(id).await.unwrap().unwrap();
    assert_eq!(waiting.attempts, 0, "no attempt is counted without a relay");

    assert_eq!(
        put_settings(&app, &ada, relay_body(sink.port))
            .await
            .status(),
        200
    );

    let received = sink.wait_for(1).await;
    assert_eq!(
        received[0].header("Subject").unwrap(),
        "Waiting for settings"
    );
    until_sent(&app, id).await;
    sink.stop().await;
}
