//! Staff photos: uploaded by their owner, type judged by the bytes, served to
//! shop pages with a cross-origin policy and a CSP, shown in invitations.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{StaffLogin, TestApp, spawn_app_with, tracking_settings};
use crate::invitations::browsing;
use crate::tracking::{row_where, watching_console};

/// A 1×1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

async fn upload(
    app: &TestApp,
    staff: &StaffLogin,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    reqwest::Client::new()
        .put(app.url("/api/v1/me/photo"))
        .header("cookie", &staff.cookie)
        .header("origin", app.origin())
        .header("x-csrf-token", &staff.csrf)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Uploads the PNG and returns the photo path from `me`.
async fn upload_png(app: &TestApp, staff: &StaffLogin) -> String {
    let response = upload(app, staff, "image/png", PNG.to_vec()).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["me"]["photo"].as_str().expect("me.photo").to_owned()
}

#[tokio::test]
async fn an_uploaded_photo_is_served_to_shop_pages() {
    let app = spawn_app_with(tracking_settings()).await;
    let anna = app.staff().await;

    let path = upload_png(&app, &anna).await;

    let me = app.get_json(&anna, "/api/v1/me").await;
    let id = me["me"]["id"].as_str().unwrap();
    assert!(
        path.starts_with(&format!("/v1/staff/{id}/photo?v=")),
        "{path}"
    );
    assert_eq!(me["me"]["photo"], path.as_str());
    // No session needed: shop pages load it.
    let served = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cross-origin-resource-policy"], "cross-origin");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("sandbox"),
        "{csp}"
    );
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    let removed = app
        .call(&anna, Method::DELETE, "/api/v1/me/photo", None)
        .await;
    assert_eq!(removed.status(), 200);
    let removed: Value = removed.json().await.unwrap();
    assert!(removed["me"]["photo"].is_null());
    let gone = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn only_real_images_of_a_sensible_size_are_accepted() {
    let app = spawn_app_with(tracking_settings()).await;
    let anna = app.staff().await;
    let path = upload_png(&app, &anna).await;

    let mut large_png = PNG.to_vec();
    large_png.resize(61 * 1024, 0);
    let cases: [(&str, &str, Vec<u8>, u16); 8] = [
        (
            "HTML labelled as PNG",
            "image/png",
            b"<html><script>alert(1)</script></html>".to_vec(),
            422,
        ),
        (
            "SVG",
            "image/svg+xml",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            422,
        ),
        (
            "GIF",
            "image/gif",
            b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
            422,
        ),
        ("PDF", "application/pdf", b"%PDF-1.7\n".to_vec(), 422),
        ("empty", "image/png", Vec::new(), 422),
        ("a PNG over 60 KiB", "image/png", large_png, 422),
        (
            "over the body limit",
            "image/png",
            vec![0x89; 100 * 1024],
            413,
        ),
        (
            "a PNG sent as HTML, shorter than its magic",
            "text/html",
            PNG[..4].to_vec(),
            422,
        ),
    ];
    for (what, content_type, body, status) in cases {
        let response = upload(&app, &anna, content_type, body).await;
        assert_eq!(response.status(), status, "{what}");
    }
    // Without the CSRF token nothing changes either.
    let forged = reqwest::Client::new()
        .put(app.url("/api/v1/me/photo"))
        .header("cookie", &anna.cookie)
        .header("origin", app.origin())
        .body(b"GIF89a".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let me = app.get_json(&anna, "/api/v1/me").await;
    assert_eq!(me["me"]["photo"], path.as_str());
    let served = reqwest::get(app.url(&path)).await.unwrap();
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);
}

#[tokio::test]
async fn unknown_photos_are_not_found() {
    let app = spawn_app_with(tracking_settings()).await;
    let anna = app.staff().await;
    let me = app.get_json(&anna, "/api/v1/me").await;
    let without_photo = format!("/v1/staff/{}/photo", me["me"]["id"].as_str().unwrap());
    let unknown = format!(
        "/v1/staff/{}/photo",
        json!(shopkeep_core::ids::StaffId::new()).as_str().unwrap()
    );
    for path in [
        without_photo.as_str(),
        unknown.as_str(),
        "/v1/staff/nope/photo",
        "/v1/staff/..%2F..%2Fetc%2Fpasswd/photo",
    ] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn invitations_carry_the_inviting_operators_photo() {
    let app = spawn_app_with(tracking_settings()).await;
    let anna = app.staff().await;
    let path = upload_png(&app, &anna).await;
    let (mut console, _) = watching_console(&app).await;
    let (mut visitor, id) = browsing(&app, json!({})).await;
    row_where(&mut console, &id, |r| r["page"].is_object()).await;

    console
        .send(json!({"type": "invite", "visitor_id": id, "text": "Hi!"}))
        .await;

    let shown = visitor.until("invitation").await;
    assert_eq!(shown["photo"], path.as_str());
    let served = reqwest::get(app.url(shown["photo"].as_str().unwrap()))
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
}

#[tokio::test]
async fn a_photo_uploaded_with_the_console_open_is_used_at_once() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut console, _) = watching_console(&app).await;
    let (mut visitor, id) = browsing(&app, json!({})).await;
    row_where(&mut console, &id, |r| r["page"].is_object()).await;

    // The operator sets a photo from the console already open, then invites.
    let anna = app.staff().await;
    let path = upload_png(&app, &anna).await;
    console
        .send(json!({"type": "invite", "visitor_id": id, "text": "Hi!"}))
        .await;

    let shown = visitor.until("invitation").await;
    assert_eq!(shown["photo"], path.as_str());
}
