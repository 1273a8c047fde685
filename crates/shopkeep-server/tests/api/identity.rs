//! Verified identity: only the shop's signature links a visitor to a customer
//! and their conversations; claims are stored as claims and checked.

use serde_json::{Value, json};
use shopkeep_core::identity::sign;

use crate::helpers::{TestApp, Ws, spawn_app_with, tracking_settings};
use crate::tracking::{page, profile_when, row_where, watching_console};

const CUSTOMER: &str = "cust-1001";

async fn site_secret(app: &TestApp) -> String {
    app.store
        .site(app.site.id)
        .await
        .unwrap()
        .expect("the test site")
        .hmac_secret
}

async fn identify(visitor: &mut Ws, frame: Value) -> Value {
    let mut frame = frame;
    frame["type"] = json!("identify");
    visitor.send(frame).await;
    visitor.until("identified").await
}

/// A visitor (its own "device") that wrote a message and then identified as
/// the customer with a valid signature: its socket, id and conversation.
async fn customer_with_a_conversation(app: &TestApp) -> (Ws, Value, Value) {
    let hash = sign(&site_secret(app).await, CUSTOMER);
    let (mut laptop, welcome) = app.visitor(None).await;
    laptop
        .send(json!({"type": "send", "client_msg_id": "l1", "text": "Where is my order?"}))
        .await;
    let conversation = laptop.until("ack").await["conversation_id"].clone();
    let identified = identify(
        &mut laptop,
        json!({"id": CUSTOMER, "name": "Anna", "email": "anna@example.com", "hash": hash}),
    )
    .await;
    assert_eq!(identified["verified"], true);
    assert!(
        identified["greeting"].is_null(),
        "not a returning customer yet"
    );
    assert_eq!(identified["conversation"]["id"], conversation);
    (laptop, welcome["visitor_id"].clone(), conversation)
}

#[tokio::test]
async fn a_verified_customer_finds_their_conversation_on_another_device() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut laptop, laptop_id, conversation) = customer_with_a_conversation(&app).await;
    let hash = sign(&site_secret(&app).await, CUSTOMER);

    let (mut phone, welcome) = app.visitor(None).await;
    assert_ne!(welcome["visitor_id"], laptop_id);
    assert!(welcome["conversation"].is_null());
    let identified = identify(&mut phone, json!({"id": CUSTOMER, "hash": hash})).await;
    assert_eq!(identified["verified"], true);
    assert_eq!(
        identified["greeting"],
        "Hello, Anna! Glad to see you again."
    );
    assert_eq!(identified["conversation"]["id"], conversation);
    assert_eq!(identified["conversation"]["last_seq"], 1);

    phone
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let history = phone.until("history").await;
    assert_eq!(history["events"][0]["body"]["text"], "Where is my order?");

    // Operator replies reach both devices; the phone writes into the same conversation.
    let (mut agent, _) = app.agent().await;
    agent
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    agent
        .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": "a1", "text": "It ships today."}))
        .await;
    for device in [&mut laptop, &mut phone] {
        let reply = device
            .until_match(|f| f["type"] == "event" && f["event"]["seq"] == 3)
            .await;
        assert_eq!(reply["event"]["body"]["text"], "It ships today.");
    }
    phone
        .send(json!({"type": "send", "client_msg_id": "p1", "text": "Thanks!"}))
        .await;
    let ack = phone.until("ack").await;
    assert_eq!(ack["conversation_id"], conversation);
    assert_eq!(ack["seq"], 4);
    let echoed = laptop
        .until_match(|f| f["type"] == "event" && f["event"]["seq"] == 4)
        .await;
    assert_eq!(echoed["event"]["body"]["text"], "Thanks!");

    // The profile spans both devices.
    let profile = profile_when(&app, &laptop_id, |p| p["identity"]["verified"] == true).await;
    assert_eq!(profile["identity"]["external_id"], CUSTOMER);
    assert_eq!(profile["identity"]["name"], "Anna");
    assert_eq!(profile["conversations"][0]["id"], conversation);
}

#[tokio::test]
async fn an_upper_case_signature_is_the_same_signature() {
    let app = spawn_app_with(tracking_settings()).await;
    let (_laptop, _, conversation) = customer_with_a_conversation(&app).await;
    let hash = sign(&site_secret(&app).await, CUSTOMER).to_ascii_uppercase();

    let (mut phone, _) = app.visitor(None).await;
    let identified = identify(&mut phone, json!({"id": CUSTOMER, "hash": hash})).await;

    assert_eq!(identified["verified"], true);
    assert_eq!(identified["conversation"]["id"], conversation);
}

#[tokio::test]
async fn forged_identities_unlock_nothing() {
    let app = spawn_app_with(tracking_settings()).await;
    let (_laptop, laptop_id, conversation) = customer_with_a_conversation(&app).await;
    let valid = sign(&site_secret(&app).await, CUSTOMER);
    let other_customers = sign(&site_secret(&app).await, "cust-1002");
    let mut flipped = valid.clone().into_bytes();
    flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
    let flipped = String::from_utf8(flipped).unwrap();

    let forgeries = [
        json!({"id": CUSTOMER, "hash": flipped}),
        json!({"id": CUSTOMER, "hash": other_customers}),
        json!({"id": CUSTOMER, "hash": sign("another-sites-secret", CUSTOMER)}),
        json!({"id": CUSTOMER, "hash": &valid[..62]}),
        json!({"id": CUSTOMER, "hash": format!("{valid}00")}),
        json!({"id": CUSTOMER, "hash": "z".repeat(64)}),
        json!({"id": CUSTOMER, "hash": ""}),
        json!({"id": CUSTOMER}),
        json!({"hash": valid}),
        json!({"email": "anna@example.com"}),
        json!({"id": CUSTOMER, "email": "anna@example.com", "name": "Anna"}),
    ];
    for forgery in forgeries {
        let (mut mallory, _) = app.visitor(None).await;
        let identified = identify(&mut mallory, forgery.clone()).await;
        assert_eq!(identified["verified"], false, "{forgery}");
        assert!(identified["greeting"].is_null(), "{forgery}");
        assert!(identified["conversation"].is_null(), "{forgery}");
        mallory
            .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
            .await;
        assert_eq!(
            mallory.until("error").await["code"],
            "not_found",
            "{forgery}"
        );
        mallory
            .send(json!({"type": "received", "conversation_id": conversation, "seq": 1}))
            .await;
        assert_eq!(
            mallory.until("error").await["code"],
            "not_found",
            "{forgery}"
        );
        // Her own message opens her own conversation.
        mallory
            .send(json!({"type": "send", "client_msg_id": "m1", "text": "hi"}))
            .await;
        assert_ne!(mallory.until("ack").await["conversation_id"], conversation);
    }

    // The claims are kept as unverified claims; the customer's details are untouched.
    let (mut mallory, welcome) = app.visitor(None).await;
    let mallory_id = welcome["visitor_id"].clone();
    mallory
        .send(json!({"type": "page", "url": "https://shop.test/", "title": "Home"}))
        .await;
    identify(
        &mut mallory,
        json!({"id": CUSTOMER, "name": "Mallory", "email": "anna@example.com", "hash": flipped}),
    )
    .await;
    let profile = profile_when(&app, &mallory_id, |p| p["identity"]["name"] == "Mallory").await;
    assert_eq!(profile["identity"]["verified"], false);
    assert_eq!(profile["identity"]["email"], "anna@example.com");
    assert!(profile["identity"]["external_id"].is_null());
    assert!(profile["identity"]["contact_id"].is_null());
    assert!(
        profile["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != conversation)
    );
    mallory.close().await;
    let profile = profile_when(&app, &mallory_id, |p| p["live"].is_null()).await;
    assert_eq!(profile["identity"]["verified"], false);
    assert_eq!(profile["identity"]["name"], "Mallory");

    let customer = profile_when(&app, &laptop_id, |_| true).await;
    assert_eq!(customer["identity"]["name"], "Anna");
    assert_eq!(customer["identity"]["verified"], true);
}

#[tokio::test]
async fn invalid_claims_are_refused_and_nothing_is_stored() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();

    let refused = [
        json!({"email": "anna@example.com\r\nBcc: x@evil.example"}),
        json!({"email": "anna@example.com\nBcc: x@evil.example", "name": "Anna"}),
        json!({"name": "x".repeat(101), "email": "anna@example.com"}),
        json!({"name": "Anna\u{0}", "email": "anna@example.com"}),
        json!({"email": "not-an-email", "name": "Anna"}),
        json!({"phone": "call me maybe", "name": "Anna"}),
        json!({"id": "x".repeat(201), "name": "Anna"}),
    ];
    for claims in refused {
        let mut frame = claims.clone();
        frame["type"] = json!("identify");
        visitor.send(frame).await;
        let error = visitor.until("error").await;
        assert_eq!(error["code"], "invalid_input", "{claims}");
    }

    let profile = profile_when(&app, &id, |_| true).await;
    assert!(profile["identity"]["name"].is_null(), "{profile}");
    assert!(profile["identity"]["email"].is_null(), "{profile}");
    assert!(profile["identity"]["phone"].is_null(), "{profile}");
    // The socket is still fine for valid claims.
    let identified = identify(&mut visitor, json!({"name": "<b>Anna</b>"})).await;
    assert_eq!(identified["verified"], false);
    let profile = profile_when(&app, &id, |p| !p["identity"]["name"].is_null()).await;
    assert_eq!(profile["identity"]["name"], "<b>Anna</b>");
}

#[tokio::test]
async fn a_shared_browser_without_the_signature_does_not_reach_the_customers_chats() {
    let app = spawn_app_with(tracking_settings()).await;
    let (laptop, _, laptop_conversation) = customer_with_a_conversation(&app).await;
    let hash = sign(&site_secret(&app).await, CUSTOMER);
    // The customer's phone proves who she is once and chats.
    let (mut phone, welcome) = app.visitor(None).await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    identify(&mut phone, json!({"id": CUSTOMER, "hash": hash})).await;
    drop(phone);
    drop(laptop);

    // Someone else opens the same browser later: the page no longer identifies.
    let (mut stranger, welcome) = app.visitor(Some(&token)).await;
    assert!(
        welcome["conversation"].is_null(),
        "the phone itself never chatted"
    );
    stranger
        .send(json!({"type": "sync", "conversation_id": laptop_conversation, "after_seq": 0}))
        .await;
    assert_eq!(stranger.until("error").await["code"], "not_found");
    stranger
        .send(json!({"type": "send", "client_msg_id": "s1", "text": "Whose chat is this?"}))
        .await;
    let ack = stranger.until("ack").await;
    assert_ne!(
        ack["conversation_id"], laptop_conversation,
        "a message without the signature opens the browser's own conversation"
    );
}

#[tokio::test]
async fn a_verified_customers_other_device_shows_as_chatting() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut console, _) = watching_console(&app).await;
    let hash = sign(&site_secret(&app).await, CUSTOMER);
    let (mut phone, welcome) = app.visitor(None).await;
    let phone_id = welcome["visitor_id"].clone();
    phone
        .send(page("https://shop.test/account", "Account"))
        .await;
    identify(&mut phone, json!({"id": CUSTOMER, "hash": hash})).await;
    row_where(&mut console, &phone_id, |row| {
        row["identity"]["verified"] == true && row["chat"].is_null()
    })
    .await;

    // The same customer proves who she is on the laptop and starts a chat there.
    let (mut laptop, _) = app.visitor(None).await;
    identify(&mut laptop, json!({"id": CUSTOMER, "hash": hash})).await;
    laptop
        .send(json!({"type": "send", "client_msg_id": "l1", "text": "Where is my order?"}))
        .await;
    let conversation = laptop.until("ack").await["conversation_id"].clone();

    let row = row_where(&mut console, &phone_id, |row| !row["chat"].is_null()).await;
    assert_eq!(row["chat"]["conversation_id"], conversation);
}
