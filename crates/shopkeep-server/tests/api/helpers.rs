//! `spawn_app()`: a real server on 127.0.0.1:0 with a fresh SQLite file, a
//! site for `http://shop.test` and one operator; clients that speak the real
//! WebSocket protocol.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use shopkeep_core::staff::Role;
use shopkeep_server::ServerSettings;
use shopkeep_server::auth::password::hash_blocking;
use shopkeep_server::sites::{self, NewSite};
use shopkeep_store::sqlite::SqliteStore;
use shopkeep_store::{NewStaff, Site, Store};
use tempfile::TempDir;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const SHOP_ORIGIN: &str = "http://shop.test";
pub const OPERATOR_EMAIL: &str = "anna@shop.test";
pub const OPERATOR_PASSWORD: &str = "correct horse battery";
/// A second operator, with the same password.
pub const SECOND_OPERATOR_EMAIL: &str = "boris@shop.test";
/// Longest a test waits for a frame before it fails.
const WAIT: Duration = Duration::from_secs(5);

pub struct TestApp {
    pub addr: SocketAddr,
    pub site: Site,
    pub dir: TempDir,
    pub settings: ServerSettings,
    /// The server's own store, for arranging and checking what REST does not show.
    pub store: Arc<dyn Store>,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// Logs only when `TEST_LOG` is set, so failures are quiet unless asked.
fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_test_writer()
            .try_init();
    }
}

pub fn test_settings() -> ServerSettings {
    ServerSettings {
        presence_grace: Duration::ZERO,
        ..ServerSettings::default()
    }
}

/// Settings for tracking tests: changes are pushed and rules checked often, and
/// a closed visitor leaves the live list quickly.
pub fn tracking_settings() -> ServerSettings {
    let mut settings = test_settings();
    settings.tracking.flush_interval = Duration::from_millis(50);
    settings.tracking.rules_interval = Duration::from_millis(100);
    settings.tracking.leave_grace = Duration::from_millis(300);
    // These tests log in for every console and profile they open.
    settings.limits.logins_per_minute = 1000;
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub async fn spawn_app_with(settings: ServerSettings) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("shopkeep.db"))
        .await
        .unwrap();
    let site = sites::create(
        &store,
        NewSite {
            slug: "shop".into(),
            name: "Test Shop".into(),
            origins: vec![SHOP_ORIGIN.into()],
            color: "#112233".into(),
        },
    )
    .await
    .unwrap();
    let password_hash = hash_blocking(OPERATOR_PASSWORD).unwrap();
    for (email, name) in [(OPERATOR_EMAIL, "Anna"), (SECOND_OPERATOR_EMAIL, "Boris")] {
        store
            .create_staff(NewStaff {
                email: email.into(),
                name: name.into(),
                role: Role::Operator,
                password_hash: password_hash.clone(),
                lang: "en".into(),
                max_chats: None,
            })
            .await
            .unwrap();
    }
    start(dir, site, settings, Arc::new(store)).await
}

async fn start(
    dir: TempDir,
    site: Site,
    settings: ServerSettings,
    store: Arc<SqliteStore>,
) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let store: Arc<dyn Store> = store;
    let server_settings = settings.clone();
    let server_store = store.clone();
    let server = tokio::spawn(async move {
        shopkeep_server::launch(server_settings, server_store, listener, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    TestApp {
        addr,
        site,
        dir,
        settings,
        store,
        stop: Some(stop),
        server: Some(server),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server gracefully (as on SIGTERM) and starts a new one on the same data.
    pub async fn restart(mut self) -> TestApp {
        self.shutdown().await;
        let store = SqliteStore::open(&self.dir.path().join("shopkeep.db"))
            .await
            .unwrap();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        start(
            dir,
            self.site.clone(),
            self.settings.clone(),
            Arc::new(store),
        )
        .await
    }

    pub async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
    }

    /// A visitor socket that has said hello; `token` resumes a known visitor.
    pub async fn visitor(&self, token: Option<&str>) -> (Ws, Value) {
        let mut ws = self
            .visitor_socket(SHOP_ORIGIN, &self.site.public_key)
            .await
            .unwrap();
        ws.send(json!({"type": "hello", "token": token, "lang": "en"}))
            .await;
        let welcome = ws.until("welcome").await;
        (ws, welcome)
    }

    pub async fn visitor_socket(
        &self,
        origin: &str,
        key: &str,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        self.visitor_socket_with(origin, key, &[]).await
    }

    /// A visitor socket whose upgrade request carries extra `headers`.
    pub async fn visitor_socket_with(
        &self,
        origin: &str,
        key: &str,
        headers: &[(&str, &str)],
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let url = format!("ws://{}/v1/visitor?site={}", self.addr, key);
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
        for (name, value) in headers {
            request.headers_mut().append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws { stream })
    }

    /// A visitor socket on this app's site that sent `hello` as given, after its
    /// `welcome`; `headers` go on the upgrade request.
    pub async fn visitor_with(&self, hello: Value, headers: &[(&str, &str)]) -> (Ws, Value) {
        let mut ws = self
            .visitor_socket_with(SHOP_ORIGIN, &self.site.public_key, headers)
            .await
            .unwrap();
        let mut hello = hello;
        hello["type"] = json!("hello");
        ws.send(hello).await;
        let welcome = ws.until("welcome").await;
        (ws, welcome)
    }

    /// Adds a member of staff with the operators' password.
    pub async fn add_staff(&self, email: &str, name: &str, role: Role) {
        self.store
            .create_staff(NewStaff {
                email: email.into(),
                name: name.into(),
                role,
                password_hash: hash_blocking(OPERATOR_PASSWORD).unwrap(),
                lang: "en".into(),
                max_chats: None,
            })
            .await
            .unwrap();
    }

    /// A staff REST call with the session cookie, and for anything but GET the
    /// CSRF token and our Origin.
    pub async fn call(
        &self,
        staff: &StaffLogin,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .request(method.clone(), self.url(path))
            .header("cookie", &staff.cookie);
        if method != reqwest::Method::GET {
            request = request
                .header("origin", self.origin())
                .header("x-csrf-token", &staff.csrf);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    /// `GET path` as staff; the status must be 200.
    pub async fn get_json(&self, staff: &StaffLogin, path: &str) -> Value {
        let response = self.call(staff, reqwest::Method::GET, path, None).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap()
    }

    /// Logs in as the operator: the session cookie (`name=value`) and CSRF token.
    pub async fn staff(&self) -> StaffLogin {
        self.staff_as(OPERATOR_EMAIL).await
    }

    pub async fn staff_as(&self, email: &str) -> StaffLogin {
        let response = self.login(email, OPERATOR_PASSWORD).await;
        assert_eq!(response.status(), 200);
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let body: Value = response.json().await.unwrap();
        StaffLogin {
            cookie,
            csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        reqwest::Client::new()
            .post(self.url("/api/v1/auth/login"))
            .header("origin", self.origin())
            .header("x-csrf-token", "login")
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// The operator's console socket, after its `welcome`.
    pub async fn agent(&self) -> (Ws, Value) {
        self.agent_as(OPERATOR_EMAIL).await
    }

    pub async fn agent_as(&self, email: &str) -> (Ws, Value) {
        let staff = self.staff_as(email).await;
        let mut ws = self
            .agent_socket(&self.origin(), Some(&staff.cookie))
            .await
            .unwrap();
        let welcome = ws.until("welcome").await;
        (ws, welcome)
    }

    pub async fn agent_socket(
        &self,
        origin: &str,
        cookie: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let mut request = format!("ws://{}/v1/agent", self.addr)
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).unwrap());
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", HeaderValue::from_str(cookie).unwrap());
        }
        let (stream, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Ws { stream })
    }
}

pub struct StaffLogin {
    pub cookie: String,
    pub csrf: String,
}

pub struct Ws {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send(&mut self, frame: Value) {
        self.stream
            .send(Message::text(frame.to_string()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.stream.send(message).await.unwrap();
    }

    /// The next text frame as JSON; fails the test after a few seconds.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("a frame within the wait")
                .expect("the socket is open")
                .expect("a readable frame");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Skips frames until one of type `kind`.
    pub async fn until(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Skips frames until one matches.
    pub async fn until_match(&mut self, matches: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = self.next().await;
            if matches(&frame) {
                return frame;
            }
        }
    }

    /// The next text frame within `within`, or `None`.
    pub async fn next_within(&mut self, within: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(within, self.stream.next())
                .await
                .ok()?;
            match message
                .expect("the socket is open")
                .expect("a readable frame")
            {
                Message::Text(text) => return Some(serde_json::from_str(&text).unwrap()),
                Message::Close(frame) => panic!("socket closed: {frame:?}"),
                _ => continue,
            }
        }
    }

    /// Fails the test if a frame that matches arrives within `within`; frames
    /// that do not match are skipped. Only for asserting absence.
    pub async fn none_within(&mut self, within: Duration, matches: impl Fn(&Value) -> bool) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let message = match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return,
                Ok(message) => message,
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).unwrap();
                    assert!(!matches(&frame), "unexpected frame: {frame}");
                }
                Some(Ok(Message::Close(frame))) => panic!("socket closed: {frame:?}"),
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("socket failed: {error}"),
                None => panic!("socket ended"),
            }
        }
    }

    /// Waits for the server to close the socket and returns the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("close within the wait")
            {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// Polls `check` until it returns `Some`, or fails the test after the wait.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
