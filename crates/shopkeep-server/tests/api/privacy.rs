//! Site privacy settings: tracking off, Do-Not-Track, stripped parameters,
//! greetings; only admins change them.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::identity::sign;
use shopkeep_core::staff::Role;

use crate::helpers::{StaffLogin, TestApp, spawn_app_with, tracking_settings};
use crate::rules::{ADMIN_EMAIL, SUPERVISOR_EMAIL};
use crate::tracking::{page, profile_when, row_where, watching_console};

/// Long enough for several flushes of page views and live rows; only for
/// asserting that nothing was recorded.
const FLUSHES: Duration = Duration::from_millis(400);

async fn admin(app: &TestApp) -> StaffLogin {
    app.add_staff(ADMIN_EMAIL, "Ada", Role::Admin).await;
    app.staff_as(ADMIN_EMAIL).await
}

fn site_path(app: &TestApp) -> String {
    format!("/api/v1/sites/{}", app.site.id)
}

async fn patch_site(app: &TestApp, staff: &StaffLogin, patch: Value) -> reqwest::Response {
    app.call(staff, Method::PATCH, &site_path(app), Some(patch))
        .await
}

/// A visitor with `hello` browses and chats; the console watching the list
/// must not see them, and nothing about their browsing may be stored.
async fn browses_untracked(app: &TestApp, hello: Value) {
    let (mut console, _) = watching_console(app).await;
    let (mut visitor, welcome) = app.visitor_with(hello, &[]).await;
    let id = welcome["visitor_id"].clone();
    visitor
        .send(json!({"type": "page", "url": "https://shop.test/cart", "title": "Cart", "referrer": "https://news.example/"}))
        .await;
    visitor
        .send(json!({"type": "activity", "active": false}))
        .await;
    visitor
        .send(json!({"type": "set", "attributes": {"plan": "gold"}}))
        .await;
    visitor.send(json!({"type": "ping"})).await;
    assert_eq!(
        visitor
            .until_match(|f| f["type"] == "error" || f["type"] == "pong")
            .await["type"],
        "pong",
        "tracking frames are accepted"
    );

    // Chat works as ever.
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Do you ship to Oslo?"}))
        .await;
    let ack = visitor.until("ack").await;
    let event = console.until("event").await;
    assert_eq!(event["event"]["conversation_id"], ack["conversation_id"]);

    console
        .none_within(FLUSHES, |f| {
            (f["type"] == "visitors_changed"
                && f["changed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|row| row["visitor_id"] == id))
                || (f["type"] == "visitors" && !f["visitors"].as_array().unwrap().is_empty())
        })
        .await;
    let (_, snapshot) = watching_console(app).await;
    assert_eq!(snapshot["visitors"], json!([]));
    // Not on the list, so not there to be invited either.
    console
        .send(json!({"type": "invite", "visitor_id": id, "text": "Hi"}))
        .await;
    assert_eq!(console.until("error").await["code"], "not_found");

    let profile = profile_when(app, &id, |_| true).await;
    assert_eq!(profile["visits"], json!([]), "{profile}");
    assert!(profile["live"].is_null());
    assert_eq!(profile["attributes"], json!({}));
    assert_eq!(profile["conversations"][0]["id"], ack["conversation_id"]);
}

#[tokio::test]
async fn with_tracking_off_visitors_chat_but_nothing_of_their_browsing_is_kept() {
    let app = spawn_app_with(tracking_settings()).await;
    let ada = admin(&app).await;
    let response = patch_site(
        &app,
        &ada,
        json!({"tracking": {"enabled": false, "honor_dnt": false, "stripped_params": []}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let site: Value = response.json().await.unwrap();
    assert_eq!(site["tracking"]["enabled"], false);
    let listed = app.get_json(&ada, "/api/v1/sites").await;
    assert_eq!(listed[0]["tracking"], site["tracking"]);

    browses_untracked(&app, json!({"lang": "en"})).await;
}

#[tokio::test]
async fn a_site_that_honours_do_not_track_does_not_track_those_visitors() {
    let app = spawn_app_with(tracking_settings()).await;
    let ada = admin(&app).await;
    let defaults = app.get_json(&ada, "/api/v1/sites").await[0]["tracking"].clone();
    assert_eq!(defaults["enabled"], true);
    assert_eq!(defaults["honor_dnt"], false);
    let mut honouring = defaults.clone();
    honouring["honor_dnt"] = json!(true);
    let response = patch_site(&app, &ada, json!({"tracking": honouring})).await;
    assert_eq!(response.status(), 200);

    browses_untracked(&app, json!({"dnt": true})).await;

    // Without the signal the visitor is tracked as usual.
    let (mut console, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor_with(json!({"dnt": false}), &[]).await;
    visitor.send(page("https://shop.test/", "Home")).await;
    row_where(&mut console, &welcome["visitor_id"], |r| {
        r["page"].is_object()
    })
    .await;
}

#[tokio::test]
async fn do_not_track_is_ignored_unless_the_site_honours_it() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut console, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor_with(json!({"dnt": true}), &[]).await;
    visitor.send(page("https://shop.test/", "Home")).await;
    row_where(&mut console, &welcome["visitor_id"], |r| {
        r["page"].is_object()
    })
    .await;
}

#[tokio::test]
async fn the_sites_own_parameter_list_replaces_the_default() {
    let app = spawn_app_with(tracking_settings()).await;
    let ada = admin(&app).await;
    let response = patch_site(
        &app,
        &ada,
        json!({"tracking": {"enabled": true, "honor_dnt": false, "stripped_params": [" coupon ", ""]}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let site: Value = response.json().await.unwrap();
    assert_eq!(site["tracking"]["stripped_params"], json!(["coupon"]));

    let (mut console, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    visitor
        .send(page("https://shop.test/cart?COUPON=SPRING&item=7", "Cart"))
        .await;
    let row = row_where(&mut console, &welcome["visitor_id"], |r| {
        r["page"].is_object()
    })
    .await;
    assert_eq!(row["page"]["url"], "https://shop.test/cart?item=7");
}

#[tokio::test]
async fn the_sites_greeting_welcomes_a_returning_customer() {
    let app = spawn_app_with(tracking_settings()).await;
    let ada = admin(&app).await;
    let response = patch_site(
        &app,
        &ada,
        json!({"greetings": {"en": "Welcome back, {name}!", "ru": "  "}}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let site: Value = response.json().await.unwrap();
    assert_eq!(site["greetings"], json!({"en": "Welcome back, {name}!"}));
    assert_eq!(
        site["tracking"]["enabled"], true,
        "tracking is left as it was"
    );

    let secret = app
        .store
        .site(app.site.id)
        .await
        .unwrap()
        .unwrap()
        .hmac_secret;
    let hash = sign(&secret, "cust-9");
    for (hello, expected) in [
        (json!({"lang": "en"}), Value::Null),
        (json!({"lang": "en-US"}), json!("Welcome back, <b>Ann</b>!")),
        (
            json!({"lang": "ru"}),
            json!("Здравствуйте, <b>Ann</b>! Рады снова вас видеть."),
        ),
    ] {
        let (mut device, _) = app.visitor_with(hello.clone(), &[]).await;
        device
            .send(json!({"type": "identify", "id": "cust-9", "name": "<b>Ann</b>", "hash": hash}))
            .await;
        let identified = device.until("identified").await;
        assert_eq!(identified["verified"], true);
        assert_eq!(identified["greeting"], expected, "{hello}");
    }
}

#[tokio::test]
async fn only_admins_change_site_settings_and_bad_settings_are_refused() {
    let app = spawn_app_with(tracking_settings()).await;
    let operator = app.staff().await;
    app.add_staff(SUPERVISOR_EMAIL, "Sam", Role::Supervisor)
        .await;
    let sam = app.staff_as(SUPERVISOR_EMAIL).await;
    let ada = admin(&app).await;
    let off = json!({"tracking": {"enabled": false, "honor_dnt": false, "stripped_params": []}});

    for staff in [&operator, &sam] {
        let response = patch_site(&app, staff, off.clone()).await;
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "forbidden"
        );
    }

    let many: Vec<String> = (0..51).map(|n| format!("p{n}")).collect();
    let cases = [
        (
            "greeting in an unknown language",
            json!({"greetings": {"de": "Hallo {name}"}}),
        ),
        (
            "greeting too long",
            json!({"greetings": {"en": "x".repeat(301)}}),
        ),
        (
            "greeting with control characters",
            json!({"greetings": {"en": "Hi\u{7}"}}),
        ),
        (
            "51 parameters",
            json!({"tracking": {"enabled": true, "honor_dnt": false, "stripped_params": many}}),
        ),
        (
            "a parameter too long",
            json!({"tracking": {"enabled": true, "honor_dnt": false, "stripped_params": ["p".repeat(101)]}}),
        ),
        (
            "missing tracking field",
            json!({"tracking": {"enabled": false}}),
        ),
        (
            "unknown tracking field",
            json!({"tracking": {"enabled": false, "honor_dnt": false, "stripped_params": [], "ip": true}}),
        ),
        ("unknown field", json!({"name": "Renamed"})),
        ("not an object", json!("off")),
    ];
    for (what, patch) in cases {
        let response = patch_site(&app, &ada, patch).await;
        assert_eq!(response.status(), 422, "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_input", "{what}");
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
    let unknown = format!(
        "/api/v1/sites/{}",
        json!(shopkeep_core::ids::SiteId::new()).as_str().unwrap()
    );
    let response = app.call(&ada, Method::PATCH, &unknown, Some(off)).await;
    assert_eq!(response.status(), 404);

    let site = &app.get_json(&ada, "/api/v1/sites").await[0];
    assert_eq!(site["tracking"]["enabled"], true);
    assert_eq!(site["greetings"], json!({}));
    // A site view never carries the identity secret.
    assert!(site.get("hmac_secret").is_none(), "{site}");
}
