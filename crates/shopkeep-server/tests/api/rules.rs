//! Invitation rules: REST with roles and validation, preview over live
//! visitors, and rules that invite by themselves.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::staff::Role;

use crate::helpers::{StaffLogin, TestApp, Ws, eventually, spawn_app_with, tracking_settings};
use crate::tracking::{left, page, row_where, watching_console};

pub const SUPERVISOR_EMAIL: &str = "sam@shop.test";
pub const ADMIN_EMAIL: &str = "ada@shop.test";
/// Longer than a rule with `time_on_page {seconds: 1}` needs to fire, with room
/// for a few rule checks; only for asserting that nothing fires.
const QUIET: Duration = Duration::from_millis(1600);

fn cart_rule(text: &str) -> Value {
    json!({
        "name": "Lingering on the cart",
        "enabled": true,
        "conditions": [
            {"kind": "time_on_page", "seconds": 1},
            {"kind": "url_matches", "pattern": "/cart*"},
        ],
        "text": text,
        "department": null,
    })
}

fn rules_path(app: &TestApp) -> String {
    format!("/api/v1/sites/{}/rules", app.site.id)
}

async fn supervisor(app: &TestApp) -> StaffLogin {
    app.add_staff(SUPERVISOR_EMAIL, "Sam", Role::Supervisor)
        .await;
    app.staff_as(SUPERVISOR_EMAIL).await
}

async fn create_rule(app: &TestApp, staff: &StaffLogin, draft: Value) -> Value {
    let response = app
        .call(staff, Method::POST, &rules_path(app), Some(draft))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// The operator's console with status online, after the status is confirmed.
async fn online_operator(app: &TestApp) -> Ws {
    let (mut agent, _) = app.agent().await;
    agent
        .send(json!({"type": "set_status", "status": "online"}))
        .await;
    agent.until("status").await;
    agent
}

async fn on_the_cart(app: &TestApp) -> (Ws, Value) {
    let (mut visitor, welcome) = app.visitor(None).await;
    visitor.send(page("https://shop.test/cart", "Cart")).await;
    (visitor, welcome)
}

fn is_invitation(frame: &Value) -> bool {
    frame["type"] == "invitation"
}

#[tokio::test]
async fn only_supervisors_and_admins_change_rules() {
    let app = spawn_app_with(tracking_settings()).await;
    let operator = app.staff().await;
    let sam = supervisor(&app).await;
    app.add_staff(ADMIN_EMAIL, "Ada", Role::Admin).await;
    let ada = app.staff_as(ADMIN_EMAIL).await;
    let path = rules_path(&app);

    let refused = app
        .call(&operator, Method::POST, &path, Some(cart_rule("Hi")))
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().await.unwrap()["error"], "forbidden");

    let rule = create_rule(&app, &sam, cart_rule("Need help with your cart?")).await;
    assert_eq!(rule["name"], "Lingering on the cart");
    assert_eq!(rule["site_id"], json!(app.site.id));
    assert_eq!(rule["conditions"][1]["pattern"], "/cart*");
    let rule_path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());
    // Everyone may read them.
    let listed = app.get_json(&operator, &path).await;
    assert_eq!(listed, json!([rule]));

    let mut changed = cart_rule("  Questions about delivery?  ");
    changed["enabled"] = json!(false);
    for staff in [&operator] {
        let response = app
            .call(staff, Method::PUT, &rule_path, Some(changed.clone()))
            .await;
        assert_eq!(response.status(), 403);
        let response = app.call(staff, Method::DELETE, &rule_path, None).await;
        assert_eq!(response.status(), 403);
    }
    let updated = app
        .call(&ada, Method::PUT, &rule_path, Some(changed.clone()))
        .await;
    assert_eq!(updated.status(), 200);
    let updated: Value = updated.json().await.unwrap();
    assert_eq!(updated["id"], rule["id"]);
    assert_eq!(updated["text"], "Questions about delivery?");
    assert_eq!(updated["enabled"], false);
    assert_eq!(app.get_json(&sam, &path).await, json!([updated]));

    // Without the CSRF token even a supervisor is refused.
    let forged = reqwest::Client::new()
        .delete(app.url(&rule_path))
        .header("cookie", &sam.cookie)
        .header("origin", app.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let deleted = app.call(&sam, Method::DELETE, &rule_path, None).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(app.get_json(&operator, &path).await, json!([]));
    let again = app.call(&sam, Method::DELETE, &rule_path, None).await;
    assert_eq!(again.status(), 404);
    let missing = app
        .call(&sam, Method::PUT, &rule_path, Some(cart_rule("x")))
        .await;
    assert_eq!(missing.status(), 404);
    for bad in ["/api/v1/rules/nope", "/api/v1/rules/%27%20OR%201=1"] {
        let response = app.call(&sam, Method::DELETE, bad, None).await;
        assert_eq!(response.status(), 404, "{bad}");
    }
    let unknown_site = format!(
        "/api/v1/sites/{}/rules",
        json!(shopkeep_core::ids::SiteId::new()).as_str().unwrap()
    );
    let response = app
        .call(&sam, Method::POST, &unknown_site, Some(cart_rule("x")))
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn invalid_rules_are_refused_with_a_message() {
    let app = spawn_app_with(tracking_settings()).await;
    let sam = supervisor(&app).await;
    let path = rules_path(&app);

    let with = |field: &str, value: Value| {
        let mut draft = cart_rule("Hi");
        draft[field] = value;
        draft
    };
    let cases = [
        (
            "unknown condition",
            with("conditions", json!([{"kind": "moon_phase"}])),
        ),
        (
            "negative seconds",
            with(
                "conditions",
                json!([{"kind": "time_on_page", "seconds": -1}]),
            ),
        ),
        (
            "empty pattern",
            with(
                "conditions",
                json!([{"kind": "url_matches", "pattern": "  "}]),
            ),
        ),
        (
            "unknown condition field",
            with(
                "conditions",
                json!([{"kind": "url_matches", "pattern": "/x", "regex": ".*"}]),
            ),
        ),
        (
            "bad country",
            with("conditions", json!([{"kind": "country", "country": "GBR"}])),
        ),
        (
            "bad attribute name",
            with(
                "conditions",
                json!([{"kind": "attribute", "key": "<b>", "op": "eq", "value": 1}]),
            ),
        ),
        (
            "ordering with a string",
            with(
                "conditions",
                json!([{"kind": "attribute", "key": "cart", "op": "gt", "value": "x"}]),
            ),
        ),
        (
            "too many conditions",
            with(
                "conditions",
                Value::Array(vec![json!({"kind": "time_on_page", "seconds": 1}); 21]),
            ),
        ),
        ("text too long", with("text", json!("x".repeat(501)))),
        ("empty text", with("text", json!("   "))),
        ("empty name", with("name", json!(""))),
        ("name too long", with("name", json!("n".repeat(101)))),
        ("unknown field", with("color", json!("red"))),
        ("missing field", {
            let mut draft = cart_rule("Hi");
            draft.as_object_mut().unwrap().remove("enabled");
            draft
        }),
        ("not an object", json!([1, 2, 3])),
    ];
    for (what, draft) in cases {
        let response = app.call(&sam, Method::POST, &path, Some(draft)).await;
        assert_eq!(response.status(), 422, "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_input", "{what}");
        assert!(
            !body["message"].as_str().unwrap_or_default().is_empty(),
            "{what}: {body}"
        );
    }

    for (content_type, body) in [
        ("application/json", "{not json"),
        ("application/json", ""),
        ("text/plain", "{}"),
    ] {
        let response = reqwest::Client::new()
            .post(app.url(&path))
            .header("cookie", &sam.cookie)
            .header("origin", app.origin())
            .header("x-csrf-token", &sam.csrf)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{content_type} {body:?}");
        let body: Value = response.json().await.unwrap();
        assert!(!body["message"].as_str().unwrap_or_default().is_empty());
    }
    assert_eq!(app.get_json(&sam, &path).await, json!([]));

    // Updates are checked the same way.
    let rule = create_rule(&app, &sam, cart_rule("Hi")).await;
    let rule_path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());
    let response = app
        .call(
            &sam,
            Method::PUT,
            &rule_path,
            Some(with("text", json!("x".repeat(501)))),
        )
        .await;
    assert_eq!(response.status(), 422);
    assert_eq!(app.get_json(&sam, &path).await, json!([rule]));
}

#[tokio::test]
async fn preview_lists_the_live_visitors_a_draft_matches() {
    let app = spawn_app_with(tracking_settings()).await;
    let operator = app.staff().await;
    let (mut anna, _) = watching_console(&app).await;
    let (_cart, cart) = on_the_cart(&app).await;
    let (mut home, home_welcome) = app.visitor(None).await;
    home.send(page("https://shop.test/", "Home")).await;
    home.send(json!({"type": "set", "attributes": {"cart_total": 250}}))
        .await;
    // Both rows may come in one batch, so each frame is checked for either.
    let mut unseen = vec![
        cart["visitor_id"].clone(),
        home_welcome["visitor_id"].clone(),
    ];
    while !unseen.is_empty() {
        let frame = anna.until("visitors_changed").await;
        for row in frame["changed"].as_array().unwrap() {
            if row["page"].is_object() {
                unseen.retain(|visitor| *visitor != row["visitor_id"]);
            }
        }
    }
    let preview = |draft: Value| {
        let app = &app;
        let operator = &operator;
        async move {
            let path = format!("/api/v1/sites/{}/rules/preview", app.site.id);
            let response = app.call(operator, Method::POST, &path, Some(draft)).await;
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            body["visitors"].clone()
        }
    };

    let mut cart_only = cart_rule("Hi");
    cart_only["conditions"] = json!([{"kind": "url_matches", "pattern": "/cart*"}]);
    assert_eq!(
        preview(cart_only.clone()).await,
        json!([cart["visitor_id"]])
    );
    // A disabled draft previews what it would match once enabled.
    cart_only["enabled"] = json!(false);
    assert_eq!(preview(cart_only).await, json!([cart["visitor_id"]]));
    let mut big_carts = cart_rule("Hi");
    big_carts["conditions"] =
        json!([{"kind": "attribute", "key": "cart_total", "op": "gte", "value": 100}]);
    // The attribute is applied after the page, maybe after the row above.
    let matched = eventually("the big cart in the preview", || {
        let found = preview(big_carts.clone());
        async move { Some(found.await).filter(|found| *found != json!([])) }
    })
    .await;
    assert_eq!(matched, json!([home_welcome["visitor_id"]]));
    // Nobody has been on a page for a minute yet.
    let mut patient = cart_rule("Hi");
    patient["conditions"] = json!([{"kind": "time_on_page", "seconds": 60}]);
    assert_eq!(preview(patient).await, json!([]));

    // A preview stores nothing, and a visitor who left is not listed.
    assert_eq!(app.get_json(&operator, &rules_path(&app)).await, json!([]));
    home.close().await;
    left(&mut anna, &home_welcome["visitor_id"]).await;
    let mut anyone = cart_rule("Hi");
    anyone["conditions"] = json!([]);
    assert_eq!(preview(anyone).await, json!([cart["visitor_id"]]));
}

#[tokio::test]
async fn a_rule_invites_a_visitor_once_when_an_operator_is_online() {
    let app = spawn_app_with(tracking_settings()).await;
    let _anna = online_operator(&app).await;
    let sam = supervisor(&app).await;
    let rule = create_rule(&app, &sam, cart_rule("Need help with your cart?")).await;
    let (mut watcher, _) = watching_console(&app).await;

    let (mut shopper, welcome) = on_the_cart(&app).await;
    let (mut browser, _) = app.visitor(None).await;
    browser
        .send(page("https://shop.test/jackets", "Jackets"))
        .await;

    let shown = shopper.until("invitation").await;
    assert_eq!(shown["text"], "Need help with your cart?");
    assert_eq!(shown["agent"]["name"], "Anna");
    let row = row_where(&mut watcher, &welcome["visitor_id"], |r| {
        r["invitation"].is_object()
    })
    .await;
    assert_eq!(row["invitation"]["rule_id"], rule["id"]);
    assert_eq!(row["invitation"]["state"], "pending");
    shopper.none_within(QUIET, is_invitation).await;
    browser.none_within(Duration::ZERO, is_invitation).await;

    // Accepting opens the chat with the operator the invitation was shown from.
    shopper
        .send(json!({"type": "answer_invitation", "invitation_id": shown["invitation_id"], "accept": true}))
        .await;
    let opened = shopper.until("conversation").await;
    assert_eq!(opened["conversation"]["assignee"]["name"], "Anna");
}

#[tokio::test]
async fn no_rule_fires_while_nobody_is_online() {
    let app = spawn_app_with(tracking_settings()).await;
    let sam = supervisor(&app).await;
    create_rule(&app, &sam, cart_rule("Need help?")).await;
    let (mut anna, _) = app.agent().await;
    anna.send(json!({"type": "set_status", "status": "away"}))
        .await;
    anna.until("status").await;

    let (mut shopper, _) = on_the_cart(&app).await;
    shopper.none_within(QUIET, is_invitation).await;

    anna.send(json!({"type": "set_status", "status": "online"}))
        .await;
    assert_eq!(shopper.until("invitation").await["text"], "Need help?");
}

#[tokio::test]
async fn disabled_rules_do_not_fire_and_changes_apply_at_once() {
    let app = spawn_app_with(tracking_settings()).await;
    let _anna = online_operator(&app).await;
    let sam = supervisor(&app).await;
    let mut disabled = cart_rule("Disabled");
    disabled["enabled"] = json!(false);
    let rule = create_rule(&app, &sam, disabled).await;

    let (mut shopper, _) = on_the_cart(&app).await;
    shopper.none_within(QUIET, is_invitation).await;

    let rule_path = format!("/api/v1/rules/{}", rule["id"].as_str().unwrap());
    let response = app
        .call(
            &sam,
            Method::PUT,
            &rule_path,
            Some(cart_rule("Enabled now")),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(shopper.until("invitation").await["text"], "Enabled now");
}

#[tokio::test]
async fn after_a_dismissal_no_rule_fires_again_in_the_visit() {
    let app = spawn_app_with(tracking_settings()).await;
    let _anna = online_operator(&app).await;
    let sam = supervisor(&app).await;
    create_rule(&app, &sam, cart_rule("About your cart")).await;
    let mut any_page = cart_rule("Browsing?");
    any_page["conditions"] = json!([{"kind": "pages_this_visit", "count": 1}]);
    create_rule(&app, &sam, any_page).await;

    let (mut shopper, welcome) = on_the_cart(&app).await;
    let shown = shopper.until("invitation").await;
    shopper
        .send(json!({"type": "answer_invitation", "invitation_id": shown["invitation_id"], "accept": false}))
        .await;
    shopper.none_within(QUIET, is_invitation).await;

    // Nor on the next page of the same visit.
    shopper.close().await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    let (mut shopper, _) = app.visitor(Some(&token)).await;
    shopper
        .send(page("https://shop.test/cart?step=2", "Cart"))
        .await;
    shopper.none_within(QUIET, is_invitation).await;
}

#[tokio::test]
async fn each_rule_fires_at_most_once_per_visit() {
    let app = spawn_app_with(tracking_settings()).await;
    let mut anna = online_operator(&app).await;
    let sam = supervisor(&app).await;
    create_rule(&app, &sam, cart_rule("First rule")).await;

    let (mut shopper, _) = on_the_cart(&app).await;
    let shown = shopper.until("invitation").await;
    assert_eq!(shown["text"], "First rule");
    shopper
        .send(json!({"type": "answer_invitation", "invitation_id": shown["invitation_id"], "accept": true}))
        .await;
    let conversation = shopper.until("conversation").await["conversation"]["id"].clone();
    anna.send(json!({"type": "close", "conversation_id": conversation}))
        .await;
    shopper
        .until_match(|f| f["type"] == "event" && f["event"]["body"]["kind"] == "closed")
        .await;

    // The chat is over and the visitor is still on the cart: the rule that
    // fired stays quiet, while a rule that has not fired may still invite.
    shopper.none_within(QUIET, is_invitation).await;
    create_rule(&app, &sam, cart_rule("Second rule")).await;
    assert_eq!(shopper.until("invitation").await["text"], "Second rule");
}

#[tokio::test]
async fn leaving_the_list_and_coming_back_in_the_same_visit_does_not_repeat_a_rule() {
    let app = spawn_app_with(tracking_settings()).await;
    let _anna = online_operator(&app).await;
    let sam = supervisor(&app).await;
    create_rule(&app, &sam, cart_rule("Once per visit")).await;
    let (mut watcher, _) = watching_console(&app).await;

    let (mut shopper, welcome) = on_the_cart(&app).await;
    let id = welcome["visitor_id"].clone();
    let token = welcome["token"].as_str().unwrap().to_owned();
    let shown = shopper.until("invitation").await;
    shopper
        .send(json!({"type": "answer_invitation", "invitation_id": shown["invitation_id"], "accept": false}))
        .await;
    shopper.close().await;
    left(&mut watcher, &id).await;

    // Back a moment later: the same visit, so neither the rule nor the
    // dismissal is forgotten.
    let (mut shopper, _) = app.visitor(Some(&token)).await;
    shopper.send(page("https://shop.test/cart", "Cart")).await;
    let row = row_where(&mut watcher, &id, |r| r["page"].is_object()).await;
    assert_eq!(row["visit_number"], 1);
    shopper.none_within(QUIET, is_invitation).await;
}
