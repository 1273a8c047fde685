use serde_json::{Value, json};

use crate::helpers::{OPERATOR_EMAIL, OPERATOR_PASSWORD, spawn_app};

#[tokio::test]
async fn wrong_password_is_refused_and_then_rate_limited() {
    let app = spawn_app().await;
    let response = app.login(OPERATOR_EMAIL, "not the password").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_credentials");
    // An unknown email answers exactly like a wrong password.
    let response = app.login("nobody@shop.test", "not the password").await;
    assert_eq!(response.status(), 401);

    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            app.login(OPERATOR_EMAIL, "still wrong")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let limited = app.login(OPERATOR_EMAIL, OPERATOR_PASSWORD).await;
    assert_eq!(
        limited.status(),
        429,
        "even the right password waits out the limit"
    );
}

#[tokio::test]
async fn login_without_the_csrf_header_or_from_another_origin_is_refused() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let body = json!({"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD});
    let no_header = client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", app.origin())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), 403);
    let foreign = client
        .post(app.url("/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .header("x-csrf-token", "login")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403);
    let value: Value = foreign.json().await.unwrap();
    assert_eq!(value["error"], "csrf_failed");
}

#[tokio::test]
async fn state_changes_need_the_session_csrf_token() {
    let app = spawn_app().await;
    let staff = app.staff().await;
    let client = reqwest::Client::new();
    let patch = |token: Option<&str>| {
        let mut request = client
            .patch(app.url("/api/v1/me"))
            .header("cookie", &staff.cookie)
            .header("origin", app.origin())
            .json(&json!({"lang": "ja"}));
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    assert_eq!(patch(None).await.unwrap().status(), 403);
    assert_eq!(patch(Some("")).await.unwrap().status(), 403);
    assert_eq!(patch(Some("login")).await.unwrap().status(), 403);
    let changed = patch(Some(&staff.csrf)).await.unwrap();
    assert_eq!(changed.status(), 200);
    let me: Value = changed.json().await.unwrap();
    assert_eq!(me["me"]["lang"], "ja");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    let staff = app.staff().await;
    let client = reqwest::Client::new();
    let me = || {
        client
            .get(app.url("/api/v1/me"))
            .header("cookie", &staff.cookie)
            .send()
    };
    assert_eq!(me().await.unwrap().status(), 200);
    let logout = client
        .post(app.url("/api/v1/auth/logout"))
        .header("cookie", &staff.cookie)
        .header("origin", app.origin())
        .header("x-csrf-token", &staff.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(me().await.unwrap().status(), 401);
    assert!(
        app.agent_socket(&app.origin(), Some(&staff.cookie))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_console_socket_refuses_foreign_origins_and_missing_sessions() {
    let app = spawn_app().await;
    let staff = app.staff().await;
    let hijack = app
        .agent_socket("https://evil.example", Some(&staff.cookie))
        .await;
    assert!(
        matches!(hijack, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 403)
    );
    let anonymous = app.agent_socket(&app.origin(), None).await;
    assert!(
        matches!(anonymous, Err(tokio_tungstenite::tungstenite::Error::Http(ref r)) if r.status() == 401)
    );
}

#[tokio::test]
async fn staff_rest_routes_need_a_session() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    for path in ["/api/v1/me", "/api/v1/conversations"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 401, "{path}");
    }
    let staff = app.staff().await;
    let listed = client
        .get(app.url("/api/v1/conversations"))
        .header("cookie", &staff.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
}
