//! The one-shot commands (`config`, `migrate`, `user`, `site`) and what
//! `serve --demo` prints and serves.

use crate::support::{DataDir, SHOP_ORIGIN, WAIT};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn help_lists_every_command() {
    let help = DataDir::new().run(&["--help"]).await.success();
    for command in ["serve", "config", "user", "site", "migrate"] {
        assert!(
            help.stdout
                .lines()
                .any(|line| line.trim_start().starts_with(&format!("{command} "))),
            "--help lists {command}:\n{}",
            help.stdout
        );
    }
}

#[tokio::test]
async fn config_example_prints_a_settings_file_the_binary_accepts() {
    let dir = DataDir::new();
    let example = dir.run(&["config", "example"]).await.success();
    assert!(
        example.stdout.lines().any(|l| l.starts_with("listen = ")),
        "{}",
        example.stdout
    );
    assert!(example.stdout.contains("[server.limits]"));
    let file = dir.path().join("example.toml");
    std::fs::write(&file, &example.stdout).expect("the example is written");
    dir.run(&["--config", file.to_str().expect("a UTF-8 path"), "migrate"])
        .await
        .success();
}

#[tokio::test]
async fn a_missing_config_file_is_an_error() {
    let dir = DataDir::new();
    let run = dir
        .run(&["--config", "nowhere.toml", "migrate"])
        .await
        .failure();
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
}

#[tokio::test]
async fn migrate_creates_the_database_and_can_run_again() {
    let dir = DataDir::new();
    let database = dir.path().join("shopkeep.db");
    assert!(!database.exists());
    let run = dir.run(&["migrate"]).await.success();
    assert!(
        run.stdout.contains("database is up to date"),
        "{}",
        run.stdout
    );
    assert!(database.is_file(), "migrate creates {}", database.display());
    dir.run(&["migrate"]).await.success();
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_user_list_shows_the_user() {
    let dir = DataDir::new();
    let added = dir
        .run_with_stdin(
            &[
                "user",
                "add",
                "--email",
                "anna@shop.test",
                "--name",
                "Anna",
                "--role",
                "operator",
                "--password-stdin",
            ],
            &format!("{PASSWORD}\n"),
        )
        .await
        .success();
    assert!(added.stdout.contains("anna@shop.test"), "{}", added.stdout);
    let list = dir.run(&["user", "list"]).await.success();
    let rows: Vec<Vec<&str>> = list
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 1, "{}", list.stdout);
    assert_eq!(rows[0][..3], ["anna@shop.test", "Anna", "operator"]);
}

async fn add_user(dir: &DataDir, email: &str, password: &str) -> crate::support::Run {
    dir.run_with_stdin(
        &[
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Someone",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    )
    .await
}

#[tokio::test]
async fn user_add_refuses_a_short_password_with_a_clear_message() {
    let dir = DataDir::new();
    let refused = add_user(&dir, "short@shop.test", "hunter2").await.failure();
    assert!(
        refused.stderr.contains("at least 10 characters"),
        "{}",
        refused.stderr
    );
    let list = dir.run(&["user", "list"]).await.success();
    assert_eq!(list.stdout, "", "nobody was added");
}

#[tokio::test]
async fn user_add_refuses_an_email_that_is_taken() {
    let dir = DataDir::new();
    add_user(&dir, "anna@shop.test", PASSWORD).await.success();
    let refused = add_user(&dir, "anna@shop.test", PASSWORD).await.failure();
    assert!(refused.stderr.contains("taken"), "{}", refused.stderr);
    let list = dir.run(&["user", "list"]).await.success();
    assert_eq!(list.stdout.lines().count(), 1, "{}", list.stdout);
}

#[tokio::test]
async fn site_add_refuses_a_script_origin() {
    let dir = DataDir::new();
    let refused = dir
        .run(&[
            "site",
            "add",
            "evil",
            "--name",
            "Evil",
            "--origin",
            "javascript:alert(1)",
        ])
        .await
        .failure();
    assert!(
        refused.stderr.contains("javascript:alert(1)") && refused.stderr.contains("origin"),
        "{}",
        refused.stderr
    );
    let list = dir.run(&["site", "list"]).await.success();
    assert_eq!(list.stdout, "", "no site was added");
}

#[tokio::test]
async fn site_snippet_prints_one_line_with_the_loader_and_the_public_key() {
    let dir = DataDir::new();
    let key = dir.add_shop_site().await;
    let list = dir.run(&["site", "list"]).await.success();
    assert!(list.stdout.contains(SHOP_ORIGIN), "{}", list.stdout);
    let snippet = dir.run(&["site", "snippet", "shop"]).await.success();
    assert_eq!(snippet.stdout.lines().count(), 1, "{}", snippet.stdout);
    assert!(
        snippet.stdout.contains("/widget/loader.js"),
        "{}",
        snippet.stdout
    );
    assert!(snippet.stdout.contains(&key), "{}", snippet.stdout);

    let unknown = dir.run(&["site", "snippet", "nope"]).await.failure();
    assert!(
        unknown.stderr.contains("no site named nope"),
        "{}",
        unknown.stderr
    );
}

#[tokio::test]
async fn serve_demo_prints_the_demo_url_and_serves_the_shop_with_its_snippet() {
    let mut dir = DataDir::new();
    let mut server = dir.serve(&["serve", "--demo"]).await;
    let demo_line = server.line_containing("/demo/").await;
    let demo_url = format!("{}/demo/", server.origin());
    assert!(demo_line.ends_with(&demo_url), "{demo_line}");

    let http = reqwest::Client::builder()
        .timeout(WAIT)
        .build()
        .expect("an HTTP client");
    let page = http.get(&demo_url).send().await.expect("the demo page");
    assert_eq!(page.status(), 200);
    let content_type = page.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = page.text().await.expect("the page's text");

    // The snippet the CLI prints for a server at this address is the one the page embeds.
    let addr = server.addr.to_string();
    let snippet = dir
        .run_with_env(
            &["site", "snippet", "demo"],
            &[("SHOPKEEP__LISTEN", &addr)],
            None,
        )
        .await
        .success();
    let snippet = snippet.stdout.trim_end();
    assert!(snippet.contains("/widget/loader.js"), "{snippet}");
    assert!(html.contains(snippet), "the demo page embeds {snippet}");

    let health = http
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("/healthz");
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.expect("a body"), "ok");
}

#[tokio::test]
async fn site_secret_prints_the_identity_secret_and_rotates_it() {
    let dir = DataDir::new();
    dir.add_shop_site().await;
    let first = dir.run(&["site", "secret", "shop"]).await.success();
    let secret = first.stdout.trim().to_owned();
    assert!(secret.len() >= 32, "a long random secret: {secret:?}");
    let again = dir.run(&["site", "secret", "shop"]).await.success();
    assert_eq!(again.stdout.trim(), secret, "reading does not change it");
    let rotated = dir
        .run(&["site", "secret", "shop", "--rotate"])
        .await
        .success();
    let new_secret = rotated.stdout.trim().to_owned();
    assert_ne!(new_secret, secret);
    let after = dir.run(&["site", "secret", "shop"]).await.success();
    assert_eq!(after.stdout.trim(), new_secret, "the rotation is stored");
    let unknown = dir.run(&["site", "secret", "nope"]).await.failure();
    assert!(
        unknown.stderr.contains("no site named nope"),
        "{}",
        unknown.stderr
    );
}
