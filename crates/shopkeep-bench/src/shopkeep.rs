//! Speaking Shopkeep's protocol as the widget and the console do (see
//! docs/protocol.md): visitor sockets with `hello`, staff login over REST and
//! console sockets with the session cookie.

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::net::{self, STEP_TIMEOUT, Socket};

/// Origin of the pages the bench's visitors are on; the bench site allows it.
pub const SHOP_ORIGIN: &str = "http://shop.bench";

/// Where a Shopkeep server is and what it was set up with.
#[derive(Clone, Debug)]
pub struct Target {
    /// `http://127.0.0.1:PORT`: also the origin the console must send.
    pub base: String,
    /// The bench site's public key.
    pub site_key: String,
    /// Operators' logins: (email, password).
    pub operators: Vec<(String, String)>,
    /// The SQLite file, to count what was stored.
    pub database: std::path::PathBuf,
    /// The process tree to measure.
    pub pid: u32,
}

/// The parts of server frames the bench reads; the rest is skipped unparsed.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Frame {
    Welcome {
        /// Only on the console's welcome.
        #[serde(default)]
        me: Option<Me>,
    },
    Event {
        event: Event,
    },
    Ack {
        client_msg_id: String,
        conversation_id: String,
    },
    Pong,
    Status,
    Error {
        code: String,
    },
    VisitorsChanged {
        changed: Vec<Live>,
    },
    Visitors,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
pub struct Event {
    pub conversation_id: String,
    pub author: Author,
    pub body: Body,
}

#[derive(Deserialize)]
pub struct Author {
    pub kind: String,
    /// A member of staff's id.
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Deserialize)]
pub struct Me {
    pub id: String,
}

#[derive(Deserialize)]
pub struct Body {
    pub kind: String,
    #[serde(default)]
    pub text: String,
}

#[derive(Deserialize)]
pub struct Live {
    pub page: Option<Page>,
}

#[derive(Deserialize)]
pub struct Page {
    pub url: String,
}

/// Frames are only parsed when they can matter: a console hears every
/// conversation summary, and parsing those would load the generator's core.
pub fn parse(text: &str, wanted: &[&str]) -> Option<Frame> {
    let kind = text.strip_prefix("{\"type\":\"")?.split('"').next()?;
    if !wanted.contains(&kind) {
        return None;
    }
    serde_json::from_str(text).ok()
}

pub async fn send(socket: &mut Socket, frame: Value) -> anyhow::Result<()> {
    socket.send(Message::text(frame.to_string())).await?;
    Ok(())
}

/// Reads until a frame of `kind`, within the step timeout.
pub async fn until(socket: &mut Socket, kind: &str) -> anyhow::Result<Frame> {
    let found = tokio::time::timeout(STEP_TIMEOUT, async {
        while let Some(message) = socket.next().await {
            if let Message::Text(text) = message? {
                if let Some(Frame::Error { code }) = parse(&text, &["error"]) {
                    bail!("server error {code} while waiting for {kind}");
                }
                if let Some(frame) = parse(&text, &[kind]) {
                    return Ok(frame);
                }
            }
        }
        bail!("socket closed while waiting for {kind}")
    })
    .await;
    found.with_context(|| format!("no {kind} within {STEP_TIMEOUT:?}"))?
}

impl Target {
    /// Opens the `i`-th visitor socket and says hello; returns after `welcome`.
    pub async fn visitor(&self, i: usize) -> anyhow::Result<Socket> {
        let url = format!(
            "{}/v1/visitor?site={}",
            self.base.replacen("http", "ws", 1),
            self.site_key
        );
        let mut socket = net::connect(&url, net::source(i), &[("origin", SHOP_ORIGIN)]).await?;
        send(&mut socket, json!({"type": "hello", "lang": "en"})).await?;
        until(&mut socket, "welcome").await?;
        Ok(socket)
    }

    /// Logs operator `k` in and opens their console socket, set online.
    /// Returns the socket and the operator's staff id.
    pub async fn operator(&self, k: usize) -> anyhow::Result<(Socket, String)> {
        let (email, password) = &self.operators[k % self.operators.len()];
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", self.base))
            .header("origin", &self.base)
            .header("x-csrf-token", "login")
            .json(&json!({"email": email, "password": password}))
            .timeout(STEP_TIMEOUT)
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "login failed: {}",
            response.status()
        );
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .context("no session cookie")?
            .to_owned();
        let url = format!("{}/v1/agent", self.base.replacen("http", "ws", 1));
        let mut socket = net::connect(
            &url,
            net::source(k),
            &[("origin", &self.base), ("cookie", &cookie)],
        )
        .await?;
        let Frame::Welcome { me: Some(me) } = until(&mut socket, "welcome").await? else {
            bail!("the console's welcome names no member of staff");
        };
        send(
            &mut socket,
            json!({"type": "set_status", "status": "online"}),
        )
        .await?;
        until(&mut socket, "status").await?;
        Ok((socket, me.id))
    }

    /// Page views stored so far.
    pub async fn stored_page_views(&self) -> anyhow::Result<u64> {
        use sqlx::ConnectOptions;
        let mut db = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&self.database)
            .read_only(true)
            .connect()
            .await?;
        let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM page_views")
            .fetch_one(&mut db)
            .await?;
        Ok(count as u64)
    }
}

/// Text of a message carrying its intended send time.
pub fn stamp(at_us: u64) -> String {
    format!("t{at_us}")
}

/// The intended send time a message carries.
pub fn unstamp(text: &str) -> Option<u64> {
    text.strip_prefix('t')?.parse().ok()
}
