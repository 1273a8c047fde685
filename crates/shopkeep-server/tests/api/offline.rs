//! The offline form end to end: the visitor's message is stored as an offline
//! conversation, shown to the console and mailed to the shop's notify address
//! through a real SMTP server on loopback; operators' answers are mailed back;
//! opening hours reach the widget.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::hours::{BusinessHours, OpenInterval, WeeklyHours};
use shopkeep_core::site::SiteMail;
use shopkeep_core::staff::Role;
use shopkeep_server::ServerSettings;
use shopkeep_server::tracking::client_ip::TrustedProxy;

use crate::helpers::{StaffLogin, TestApp, Ws, spawn_app_with, test_settings};
use crate::smtp::{Received, SmtpSink};

pub const NOTIFY: &str = "owner@shop.test";
const ADMIN: &str = "ada@shop.test";

/// Settings whose mail goes to the sink at `port` quickly.
pub fn mail_to(port: u16) -> ServerSettings {
    let mut settings = test_settings();
    settings.mail.poll_interval = Duration::from_millis(50);
    settings.mail.retry_first = Duration::from_millis(200);
    settings.mail.retry_max = Duration::from_millis(500);
    settings.mail.timeout = Duration::from_secs(2);
    settings.mail.host = Some("127.0.0.1".into());
    settings.mail.port = port;
    settings.mail.tls = shopkeep_core::email::SmtpTls::None;
    settings.mail.from_address = Some("chat@shop.test".into());
    settings.mail.from_name = Some("Test Shop".into());
    settings
}

/// Sets the site's mail settings in the store, before any socket opens.
pub async fn set_site_mail(app: &TestApp, mail: SiteMail) {
    let mut settings = app.site.settings();
    settings.mail = mail;
    app.store
        .update_site_settings(app.site.id, settings)
        .await
        .unwrap();
}

pub fn notify_only() -> SiteMail {
    SiteMail {
        notify_address: Some(NOTIFY.into()),
        consent_text: None,
        auto_transcript: false,
    }
}

/// An app mailing to `sink`, whose site mails offline messages to [`NOTIFY`].
pub async fn app_with_sink(sink: &SmtpSink) -> TestApp {
    let app = spawn_app_with(mail_to(sink.port)).await;
    set_site_mail(&app, notify_only()).await;
    app
}

pub fn form(id: &str) -> Value {
    json!({
        "type": "offline_message",
        "client_msg_id": id,
        "name": "Eve Example",
        "email": "eve@example.net",
        "phone": "+47 22 33 44 55",
        "message": "Do you ship to Norway?",
    })
}

/// The decoded body of the part with this content type.
pub fn part(mail: &Received, content_type: &str) -> String {
    let raw = mail.raw.replace("\r\n", "\n");
    let marker = format!("Content-Type: {content_type}");
    let start = raw
        .find(&marker)
        .unwrap_or_else(|| panic!("no {content_type} part in:\n{raw}"));
    let rest = &raw[start..];
    let (head, body) = rest.split_once("\n\n").expect("a part body");
    let body = body.split("\n--").next().unwrap_or_default();
    let encoding = head
        .lines()
        .find_map(|line| line.strip_prefix("Content-Transfer-Encoding: "))
        .unwrap_or("7bit")
        .trim()
        .to_ascii_lowercase();
    match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => base64(body),
        _ => body.to_owned(),
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len() + 1
            && let Some(hex) = joined.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(body: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::new();
    for byte in body.bytes() {
        let Some(value) = ALPHABET.iter().position(|b| *b == byte) else {
            continue;
        };
        bits = (bits << 6) | value as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lets the sender run a few polls, for asserting that nothing more arrives.
pub async fn a_few_polls() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

async fn offline_count(app: &TestApp) -> usize {
    let staff = app.staff().await;
    let open = app.get_json(&staff, "/api/v1/conversations").await;
    open.as_array()
        .unwrap()
        .iter()
        .filter(|c| c["offline"] == true)
        .count()
}

#[tokio::test]
async fn an_offline_message_is_stored_shown_to_the_console_and_mailed_to_the_shop() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(welcome["availability"]["open"], true);

    visitor.send(form("o1")).await;

    let ack = visitor.until("offline_ack").await;
    assert_eq!(ack["client_msg_id"], "o1");
    let conversation = ack["conversation_id"].clone();
    // The event first, then the conversation's new summary.
    let event = console
        .until_match(|f| f["type"] == "event" && f["event"]["conversation_id"] == conversation)
        .await;
    assert_eq!(event["event"]["body"]["text"], "Do you ship to Norway?");
    let summary = console
        .until_match(|f| f["type"] == "conversation" && f["conversation"]["id"] == conversation)
        .await;
    assert_eq!(summary["conversation"]["offline"], true);
    assert_eq!(summary["conversation"]["status"], "waiting");
    assert_eq!(summary["conversation"]["visitor_label"], "Eve Example");

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, vec![NOTIFY.to_owned()]);
    assert_eq!(mail.header("Reply-To").as_deref(), Some("eve@example.net"));
    assert!(mail.header("From").unwrap().contains("chat@shop.test"));
    let subject = mail.header("Subject").unwrap();
    assert!(subject.contains("Eve Example"), "{subject}");
    let text = part(mail, "text/plain");
    let html = part(mail, "text/html");
    for body in [&text, &html] {
        assert!(body.contains("Do you ship to Norway?"), "{body}");
        assert!(body.contains("eve@example.net"));
        assert!(body.contains("+47 22 33 44 55"));
    }
    let profile = app
        .get_json(
            &app.staff().await,
            &format!(
                "/api/v1/visitors/{}",
                welcome["visitor_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(profile["identity"]["email"], "eve@example.net", "{profile}");
    assert_eq!(profile["identity"]["verified"], false);

    // On the next page the widget learns it was an offline message, not a chat.
    let token = welcome["token"].as_str().unwrap().to_owned();
    let (_next_page, again) = app.visitor(Some(&token)).await;
    assert_eq!(again["conversation"]["id"], conversation);
    assert_eq!(again["conversation"]["offline"], true);
}

#[tokio::test]
async fn a_resent_offline_message_gets_the_same_ack_and_one_mail() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    visitor.send(form("o1")).await;
    let first = visitor.until("offline_ack").await;
    sink.wait_for(1).await;
    visitor.close().await;

    let token = welcome["token"].as_str().unwrap();
    let (mut again, _) = app.visitor(Some(token)).await;
    again.send(form("o1")).await;
    let second = again.until("offline_ack").await;

    assert_eq!(first, second);
    a_few_polls().await;
    assert_eq!(sink.received().len(), 1);
    assert_eq!(offline_count(&app).await, 1);
}

#[tokio::test]
async fn a_filled_trap_field_is_acknowledged_and_nothing_is_stored_or_sent() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, _) = app.visitor(None).await;
    let mut bot = form("o1");
    bot["website"] = json!("https://cheap-pills.example");

    visitor.send(bot).await;

    let ack = visitor.until("offline_ack").await;
    assert_eq!(ack["client_msg_id"], "o1");
    assert!(ack["conversation_id"].is_string());
    a_few_polls().await;
    assert!(sink.received().is_empty());
    assert_eq!(offline_count(&app).await, 0);
}

#[tokio::test]
async fn bad_offline_forms_are_refused_and_nothing_is_stored_or_sent() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    set_site_mail(
        &app,
        SiteMail {
            consent_text: Some("I agree that Test Shop keeps my message.".into()),
            ..notify_only()
        },
    )
    .await;
    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(
        welcome["availability"]["consent_text"],
        "I agree that Test Shop keeps my message."
    );
    let with = |field: &str, value: Value| {
        let mut frame = form("o1");
        frame["consent"] = json!(true);
        frame[field] = value;
        frame
    };
    let cases = [
        (with("email", json!("not-an-address")), "invalid_input"),
        (
            with("email", json!("eve@example.net\r\nBcc: x@evil.example")),
            "invalid_input",
        ),
        (
            with("name", json!("Eve\r\nBcc: x@evil.example")),
            "invalid_input",
        ),
        (with("name", json!("Eve\u{2028}Bcc")), "invalid_input"),
        (with("name", json!("")), "invalid_input"),
        (with("name", json!("e".repeat(101))), "invalid_input"),
        (with("phone", json!("call me maybe")), "invalid_input"),
        (with("message", json!("   ")), "text_empty"),
        (with("message", json!("x".repeat(4001))), "text_too_long"),
        (
            with("client_msg_id", json!("has spaces")),
            "invalid_client_msg_id",
        ),
        (with("consent", json!(false)), "invalid_input"),
    ];
    for (frame, code) in cases {
        visitor.send(frame.clone()).await;
        let error = visitor.until("error").await;
        assert_eq!(error["code"], code, "{frame}");
    }

    a_few_polls().await;
    assert!(sink.received().is_empty());
    assert_eq!(offline_count(&app).await, 0);
    let (mut fine, _) = app.visitor(None).await;
    fine.send(with("consent", json!(true))).await;
    fine.until("offline_ack").await;
}

#[tokio::test]
async fn offline_messages_are_rate_limited_per_address_while_another_address_is_fine() {
    let sink = SmtpSink::start().await;
    let mut settings = mail_to(sink.port);
    settings.tracking.trusted_proxies = vec!["127.0.0.1".parse::<TrustedProxy>().unwrap()];
    settings.limits.offline_messages_per_minute = 100;
    settings.limits.offline_messages_per_ip_per_minute = 2;
    let app = spawn_app_with(settings).await;
    set_site_mail(&app, notify_only()).await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];

    let mut answers = Vec::new();
    for index in 0..3 {
        // A fresh socket each time: the limit is the address's, not the socket's.
        let (mut visitor, _) = app.visitor_with(json!({}), &from("203.0.113.7")).await;
        visitor.send(form(&format!("o{index}"))).await;
        answers.push(visitor.next().await["type"].clone());
    }
    let (mut elsewhere, _) = app.visitor_with(json!({}), &from("198.51.100.9")).await;
    elsewhere.send(form("x1")).await;

    assert_eq!(answers, vec!["offline_ack", "offline_ack", "error"]);
    elsewhere.until("offline_ack").await;
    sink.wait_for(3).await;
    a_few_polls().await;
    assert_eq!(sink.received().len(), 3);
}

#[tokio::test]
async fn a_flood_from_many_addresses_is_capped_per_site() {
    let sink = SmtpSink::start().await;
    let mut settings = mail_to(sink.port);
    settings.tracking.trusted_proxies = vec!["127.0.0.1".parse::<TrustedProxy>().unwrap()];
    settings.limits.offline_messages_per_site_per_hour = 2;
    let app = spawn_app_with(settings).await;
    set_site_mail(&app, notify_only()).await;

    let mut answers = Vec::new();
    for (index, ip) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .into_iter()
        .enumerate()
    {
        let (mut visitor, _) = app
            .visitor_with(json!({}), &[("x-forwarded-for", ip)])
            .await;
        visitor.send(form(&format!("o{index}"))).await;
        answers.push(visitor.next().await["type"].clone());
    }

    assert_eq!(answers, vec!["offline_ack", "offline_ack", "error"]);
    sink.wait_for(2).await;
    a_few_polls().await;
    assert_eq!(
        sink.received().len(),
        2,
        "the third never reached the mailbox"
    );
    assert_eq!(offline_count(&app).await, 2, "nor the disk");
}

#[tokio::test]
async fn offline_messages_are_rate_limited_per_socket() {
    let sink = SmtpSink::start().await;
    let mut settings = mail_to(sink.port);
    settings.limits.offline_messages_per_minute = 1;
    let app = spawn_app_with(settings).await;
    set_site_mail(&app, notify_only()).await;
    let (mut visitor, _) = app.visitor(None).await;

    visitor.send(form("o1")).await;
    visitor.until("offline_ack").await;
    visitor.send(form("o2")).await;

    let error = visitor.until("error").await;
    assert_eq!(error["code"], "rate_limited");
    assert_eq!(error["client_msg_id"], "o2");
}

#[tokio::test]
async fn markup_is_escaped_in_the_html_part_and_literal_in_the_text_part() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut visitor, _) = app.visitor(None).await;
    let mut frame = form("o1");
    frame["name"] = json!("<b>Eve</b>");
    frame["message"] = json!("<script>alert(1)</script> {{constructor.constructor('x')()}} ${x}");

    visitor.send(frame).await;
    visitor.until("offline_ack").await;

    let mails = sink.wait_for(1).await;
    let text = part(&mails[0], "text/plain");
    let html = part(&mails[0], "text/html");
    assert!(text.contains("<script>alert(1)</script>"), "{text}");
    assert!(text.contains("<b>Eve</b>"));
    assert!(text.contains("{{constructor.constructor('x')()}} ${x}"));
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains("<b>Eve</b>"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
}

#[tokio::test]
async fn without_a_notify_address_the_offline_message_is_kept_and_nothing_is_mailed() {
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(mail_to(sink.port)).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;

    visitor.send(form("o1")).await;

    let ack = visitor.until("offline_ack").await;
    let summary = console
        .until_match(|f| {
            f["type"] == "conversation" && f["conversation"]["id"] == ack["conversation_id"]
        })
        .await;
    assert_eq!(summary["conversation"]["offline"], true);
    a_few_polls().await;
    assert!(sink.received().is_empty());
}

/// Takes the conversation and answers it from the console.
pub async fn answer(console: &mut Ws, conversation: &Value, id: &str, text: &str) {
    console
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    console
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": id, "text": text}))
        .await;
    let ack = console
        .until_match(|f| f["type"] == "ack" && f["client_msg_id"] == id)
        .await;
    assert_eq!(ack["conversation_id"], *conversation);
}

#[tokio::test]
async fn an_operators_answer_to_an_offline_message_is_mailed_to_the_visitor() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor.send(form("o1")).await;
    let conversation = visitor.until("offline_ack").await["conversation_id"].clone();
    sink.wait_for(1).await;

    answer(&mut console, &conversation, "a1", "Yes, we ship to Norway.").await;
    // A resend of the same answer is not mailed twice.
    console
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "a1", "text": "Yes, we ship to Norway."}))
        .await;
    console
        .until_match(|f| f["type"] == "ack" && f["duplicate"] == true)
        .await;

    let mails = sink.wait_for(2).await;
    let reply = &mails[1];
    assert_eq!(reply.rcpt_tos, vec!["eve@example.net".to_owned()]);
    assert_eq!(reply.header("Reply-To").as_deref(), Some(NOTIFY));
    let text = part(reply, "text/plain");
    assert!(text.contains("Yes, we ship to Norway."), "{text}");
    assert!(text.contains("Anna"));
    assert!(
        text.contains("Do you ship to Norway?"),
        "the question is quoted"
    );
    a_few_polls().await;
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn answers_in_a_live_chat_are_not_mailed() {
    let sink = SmtpSink::start().await;
    let app = app_with_sink(&sink).await;
    let (mut console, _) = app.agent().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "identify", "email": "eve@example.net"}))
        .await;
    visitor.until("identified").await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Hello?"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();

    answer(&mut console, &conversation, "a1", "Hi!").await;

    a_few_polls().await;
    assert!(sink.received().is_empty());
}

/// A fixed-offset zone where it is now between noon and one o'clock, so that
/// "today" and "in an hour" never cross midnight, whenever the test runs.
fn midday_zone() -> (String, jiff::tz::TimeZone) {
    let utc_hour = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .hour();
    let offset = 12 - i32::from(utc_hour);
    // POSIX-style names: Etc/GMT-3 is three hours *ahead* of UTC.
    let name = match offset {
        0 => "Etc/GMT".to_owned(),
        ahead if ahead > 0 => format!("Etc/GMT-{ahead}"),
        behind => format!("Etc/GMT+{}", -behind),
    };
    let zone = jiff::tz::TimeZone::get(&name).expect("the bundled tz database has Etc zones");
    (name, zone)
}

/// Hours in `zone` with today open only in `open`, every other day closed, so
/// the expected answers follow from the clock.
fn hours_today(zone: &(String, jiff::tz::TimeZone), open: Vec<OpenInterval>) -> BusinessHours {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(zone.1.clone())
        .weekday();
    let mut weekly = WeeklyHours::default();
    let day = match today {
        jiff::civil::Weekday::Monday => &mut weekly.mon,
        jiff::civil::Weekday::Tuesday => &mut weekly.tue,
        jiff::civil::Weekday::Wednesday => &mut weekly.wed,
        jiff::civil::Weekday::Thursday => &mut weekly.thu,
        jiff::civil::Weekday::Friday => &mut weekly.fri,
        jiff::civil::Weekday::Saturday => &mut weekly.sat,
        jiff::civil::Weekday::Sunday => &mut weekly.sun,
    };
    *day = open;
    BusinessHours {
        time_zone: zone.0.clone(),
        weekly,
        holidays: Vec::new(),
    }
}

/// `HH:MM` in `zone` of now plus `minutes` (at most an hour: still today at midday).
fn clock_in(zone: &(String, jiff::tz::TimeZone), minutes: i64) -> (String, jiff::Timestamp) {
    let later = jiff::Timestamp::now()
        .to_zoned_datetime(zone.1.clone())
        .checked_add(jiff::SignedDuration::from_mins(minutes))
        .expect("a time an hour from now");
    let at = later
        .with()
        .second(0)
        .subsec_nanosecond(0)
        .build()
        .expect("a whole minute");
    (
        format!("{:02}:{:02}", at.hour(), at.minute()),
        at.timestamp(),
    )
}

#[tokio::test]
async fn closed_hours_say_when_the_shop_opens_again() {
    // Opens two minutes from now, today.
    let zone = midday_zone();
    let (opens, opens_at) = clock_in(&zone, 2);
    let app = spawn_app_with(test_settings()).await;
    let mut settings = app.site.settings();
    settings.hours = Some(hours_today(
        &zone,
        vec![OpenInterval {
            open: opens.clone(),
            close: "24:00".into(),
        }],
    ));
    app.store
        .update_site_settings(app.site.id, settings)
        .await
        .unwrap();

    let (_visitor, welcome) = app.visitor(None).await;

    let availability = &welcome["availability"];
    assert_eq!(availability["open"], false, "{availability}");
    assert_eq!(
        availability["back_at"],
        opens_at.as_millisecond(),
        "{availability}"
    );
    assert_eq!(availability["time_zone"], zone.0.as_str());
}

async fn admin(app: &TestApp) -> StaffLogin {
    app.add_staff(ADMIN, "Ada", Role::Admin).await;
    app.staff_as(ADMIN).await
}

#[tokio::test]
async fn changing_the_hours_tells_connected_widgets() {
    let zone = midday_zone();
    let (opens, _) = clock_in(&zone, 60);
    let app = spawn_app_with(test_settings()).await;
    let ada = admin(&app).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(welcome["availability"]["open"], true);

    let closed = hours_today(
        &zone,
        vec![OpenInterval {
            open: opens,
            close: "24:00".into(),
        }],
    );
    let response = app
        .call(
            &ada,
            Method::PATCH,
            &format!("/api/v1/sites/{}", app.site.id),
            Some(json!({"hours": closed})),
        )
        .await;
    assert_eq!(response.status(), 200);

    let frame = visitor.until("availability").await;
    assert_eq!(frame["availability"]["open"], false);
    assert!(frame["availability"]["back_at"].is_number());

    let response = app
        .call(
            &ada,
            Method::PATCH,
            &format!("/api/v1/sites/{}", app.site.id),
            Some(json!({"hours": null})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let frame = visitor.until("availability").await;
    assert_eq!(frame["availability"]["open"], true);
    assert_eq!(frame["availability"]["back_at"], Value::Null);
}

#[tokio::test]
async fn outside_opening_hours_the_widget_hears_that_nobody_is_online() {
    let zone = midday_zone();
    let (opens, _) = clock_in(&zone, 60);
    let app = spawn_app_with(test_settings()).await;
    let ada = admin(&app).await;
    let (mut operator, _) = app.agent().await;
    operator
        .send(json!({"type": "set_status", "status": "online"}))
        .await;
    operator.until("status").await;
    let mut settings = app.site.settings();
    settings.hours = Some(hours_today(
        &zone,
        vec![OpenInterval {
            open: opens,
            close: "24:00".into(),
        }],
    ));
    app.store
        .update_site_settings(app.site.id, settings)
        .await
        .unwrap();

    let (mut visitor, welcome) = app.visitor(None).await;
    assert_eq!(welcome["availability"]["open"], false);
    assert_eq!(
        welcome["operators_online"], false,
        "an operator is logged in, but the shop is closed"
    );

    let response = app
        .call(
            &ada,
            Method::PATCH,
            &format!("/api/v1/sites/{}", app.site.id),
            Some(json!({"hours": null})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let status = visitor.until("status").await;
    assert_eq!(status["operators_online"], true);
}
