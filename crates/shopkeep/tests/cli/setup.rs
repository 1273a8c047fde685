//! The first-admin link `serve` prints on an empty database.

use serde_json::{Value, json};

use crate::support::{DataDir, Server};

const SETUP_LINK: &str = "/console/setup?token=";

async fn setup(server: &Server, token: &str, email: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/api/v1/setup"))
        .header("origin", server.origin())
        .header("x-csrf-token", "login")
        .json(&json!({
            "token": token,
            "name": "Olga Owner",
            "email": email,
            "password": "a long admin passphrase",
        }))
        .timeout(crate::support::WAIT)
        .send()
        .await
        .expect("the setup request is answered")
}

#[tokio::test]
async fn the_printed_setup_link_creates_one_admin_and_works_only_once() {
    let mut dir = DataDir::new();
    let mut server = dir.serve(&["serve"]).await;
    let link = server.line_containing(SETUP_LINK).await;
    let (base, token) = link
        .split_whitespace()
        .last()
        .and_then(|url| url.split_once(SETUP_LINK))
        .expect("a setup URL");
    assert_eq!(base, server.origin(), "the link points at this server");
    assert!(!token.is_empty());

    let first = setup(&server, token, "olga@shop.test").await;
    assert_eq!(first.status(), 200);
    assert!(
        first.headers().get("set-cookie").is_some(),
        "setup signs the new admin in"
    );
    let body: Value = first.json().await.expect("JSON");
    assert_eq!(body["me"]["role"], "admin", "{body}");
    assert_eq!(body["me"]["email"], "olga@shop.test", "{body}");

    let again = setup(&server, token, "mallory@shop.test").await;
    assert_eq!(again.status(), 403);
    let body: Value = again.json().await.expect("JSON");
    assert_eq!(body["error"], "forbidden", "{body}");

    let staff = dir.run(&["user", "list"]).await.success();
    let lines: Vec<&str> = staff.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", staff.stdout);
    assert!(
        lines[0].starts_with("olga@shop.test\tOlga Owner\tadmin"),
        "{}",
        staff.stdout
    );

    server.kill();
    let mut server = dir.serve(&["serve"]).await;
    server.terminate();
    assert!(server.exited().await.success());
    let printed = server.all_output().await;
    assert!(
        printed.iter().any(|line| line.contains("/console/")),
        "{printed:?}"
    );
    assert!(
        printed.iter().all(|line| !line.contains(SETUP_LINK)),
        "no setup link once an admin exists: {printed:?}"
    );
}
