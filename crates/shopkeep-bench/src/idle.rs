//! The idle scenario against Shopkeep: `connections` visitors on the shop's
//! pages, each pinging every 25 s and reporting a page every 30 s, as the
//! widget does. Measures the server's memory per connection and its CPU while
//! they are held.

use std::time::Duration;

use futures_util::SinkExt;
use futures_util::stream::{self, StreamExt};
use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{self, Socket};
use crate::outcome::Outcome;
use crate::proc;
use crate::shopkeep::{self, Frame, Target};

#[derive(Clone, Copy, Debug)]
pub struct Idle {
    pub connections: usize,
    /// How long the connections are held and the server's CPU measured.
    pub hold: Duration,
    /// Between pings (the widget: 25 s) and page views (30 s).
    pub ping_every: Duration,
    pub page_every: Duration,
}

impl Idle {
    pub fn new(connections: usize, hold: Duration) -> Self {
        Self {
            connections,
            hold,
            ping_every: Duration::from_secs(25),
            page_every: Duration::from_secs(30),
        }
    }
}

/// Time for the server to settle after the last connect before memory is read.
const SETTLE: Duration = Duration::from_secs(2);

/// What a held connection did.
#[derive(Default)]
pub struct Held {
    pub pings: u64,
    pub pongs: u64,
    pub pages: u64,
    /// Still open at the end.
    pub open: bool,
}

pub async fn run(target: &Target, idle: Idle, concurrency: usize) -> anyhow::Result<Outcome> {
    let empty = proc::sample(target.pid);
    let opened: Vec<anyhow::Result<Socket>> = stream::iter(0..idle.connections)
        .map(|i| async move {
            let mut socket = target.visitor(i).await?;
            shopkeep::send(&mut socket, page(i, 0)).await?;
            Ok(socket)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let sockets = opened.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    tokio::time::sleep(SETTLE).await;
    let loaded = proc::sample(target.pid);
    let start = Instant::now();
    let end = start + idle.hold;
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| tokio::spawn(hold(socket, i, idle, start, end, SHOPKEEP_WIDGET)))
        .collect();
    let mut held = Vec::new();
    for task in tasks {
        held.push(task.await?);
    }
    let after = proc::sample(target.pid);
    let mut outcome = Outcome::new("shopkeep", "idle");
    outcome.metric("connected", idle.connections as f64);
    summarize(&mut outcome, idle, &held, empty, loaded, after);
    Ok(outcome)
}

fn page(i: usize, n: u64) -> serde_json::Value {
    json!({"type": "page", "url": format!("{}/products/{i}/{n}", shopkeep::SHOP_ORIGIN), "title": "Product"})
}

/// The frames an idle client sends, and how it knows its ping was answered.
#[derive(Clone, Copy)]
pub struct Heartbeat {
    pub ping: fn(usize, u64) -> String,
    pub page: fn(usize, u64) -> String,
    pub is_pong: fn(&str) -> bool,
}

const SHOPKEEP_WIDGET: Heartbeat = Heartbeat {
    ping: |_, _| json!({"type": "ping"}).to_string(),
    page: |i, n| page(i, n).to_string(),
    is_pong: |text| matches!(shopkeep::parse(text, &["pong"]), Some(Frame::Pong)),
};

/// Holds one Shopkeep visitor socket until `end`: pings and page views on
/// their timers (phases spread over the interval), reading whatever comes.
pub async fn hold(
    mut socket: Socket,
    i: usize,
    idle: Idle,
    start: Instant,
    end: Instant,
    heartbeat: Heartbeat,
) -> Held {
    let mut held = Held {
        open: true,
        ..Held::default()
    };
    let mut next_ping = start + idle.ping_every.mul_f64(net::spread(i));
    let mut next_page = start + idle.page_every.mul_f64(net::spread(i + 1));
    while Instant::now() < end {
        tokio::select! {
            _ = tokio::time::sleep_until(next_ping.min(end)), if next_ping < end => {
                next_ping += idle.ping_every;
                held.pings += 1;
                if socket.send(Message::text((heartbeat.ping)(i, held.pings))).await.is_err() {
                    held.open = false;
                    break;
                }
            }
            _ = tokio::time::sleep_until(next_page), if next_page < end => {
                next_page += idle.page_every;
                held.pages += 1;
                if socket.send(Message::text((heartbeat.page)(i, held.pages))).await.is_err() {
                    held.open = false;
                    break;
                }
            }
            message = tokio::time::timeout_at(end, socket.next()) => match message {
                Err(_) => break,
                Ok(Some(Ok(Message::Text(text)))) => {
                    if (heartbeat.is_pong)(&text) {
                        held.pongs += 1;
                    }
                }
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => {
                    held.open = false;
                    break;
                }
                Ok(Some(Ok(_))) => {}
            },
        }
    }
    let _ = socket.close(None).await;
    held
}

/// Memory per connection, CPU while held, and whether every connection lasted.
pub fn summarize(
    outcome: &mut Outcome,
    idle: Idle,
    held: &[Held],
    empty: proc::Sample,
    loaded: proc::Sample,
    after: proc::Sample,
) {
    let n = idle.connections.max(1) as f64;
    let seconds = idle.hold.as_secs_f64();
    let cpu = after.cpu_seconds - loaded.cpu_seconds;
    outcome
        .param("connections", idle.connections as f64)
        .param("seconds", seconds)
        .metric("open_at_end", held.iter().filter(|h| h.open).count() as f64)
        .metric("pings", held.iter().map(|h| h.pings).sum::<u64>() as f64)
        .metric("pongs", held.iter().map(|h| h.pongs).sum::<u64>() as f64)
        .metric("pages", held.iter().map(|h| h.pages).sum::<u64>() as f64)
        .metric("server_rss_empty_bytes", empty.rss_bytes as f64)
        .metric("server_rss_bytes", loaded.rss_bytes as f64)
        .metric("server_pss_bytes", loaded.pss_bytes as f64)
        .metric(
            "rss_per_conn_bytes",
            (loaded.rss_bytes as f64 - empty.rss_bytes as f64) / n,
        )
        .metric(
            "pss_per_conn_bytes",
            (loaded.pss_bytes as f64 - empty.pss_bytes as f64) / n,
        )
        .metric("server_cpu_s", cpu)
        .metric("server_cpu_pct", 100.0 * cpu / seconds);
}
