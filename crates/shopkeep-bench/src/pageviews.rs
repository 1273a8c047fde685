//! The page-view scenario against Shopkeep: `connections` widgets report pages
//! at a fixed arrival rate; ingested means written to the store (counted in
//! the database after the tracker's last flush). A socket may report at most
//! 10 pages a second (a fixed server limit), so the rate per socket stays below.

use std::time::Duration;

use futures_util::SinkExt;
use futures_util::stream::{self, StreamExt};
use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{self, Schedule, Socket};
use crate::outcome::Outcome;
use crate::proc;
use crate::shopkeep::{self, Frame, Target};

#[derive(Clone, Copy, Debug)]
pub struct PageViews {
    pub connections: usize,
    /// Page views per second, all sockets together.
    pub rate: f64,
    pub duration: Duration,
}

/// The most a socket sends per second: under the server's 10 a second.
pub const MAX_PER_SOCKET: f64 = 9.0;

/// Longer than the tracker's flush interval, so the first pages are written.
const FLUSH_WAIT: Duration = Duration::from_secs(2);
/// Longest wait for the last batch to be stored.
const STORE_WAIT: Duration = Duration::from_secs(15);

pub async fn run(target: &Target, views: PageViews, concurrency: usize) -> anyhow::Result<Outcome> {
    let connections = views
        .connections
        .max((views.rate / MAX_PER_SOCKET).ceil() as usize);
    let opened: Vec<anyhow::Result<Socket>> = stream::iter(0..connections)
        .map(|i| async move { target.visitor(i).await })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let sockets = opened.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    // The first page of each socket opens its visit; let those settle first.
    tokio::time::sleep(FLUSH_WAIT).await;
    let stored_before = target.stored_page_views().await?;
    let before = proc::sample(target.pid);
    let per_socket = views.rate / connections as f64;
    let interval = Duration::from_secs_f64(1.0 / per_socket);
    let count = (per_socket * views.duration.as_secs_f64()).floor() as u64;
    let start = Instant::now() + Duration::from_millis(200);
    let end = start + views.duration + Duration::from_secs(1);
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let schedule = Schedule {
                start: start + interval.mul_f64(net::spread(i)),
                interval,
                count,
            };
            tokio::spawn(report_pages(socket, i, schedule, end))
        })
        .collect();
    let (mut sent, mut refused) = (0, 0);
    for task in tasks {
        let (s, r) = task.await??;
        sent += s;
        refused += r;
    }
    let after = proc::sample(target.pid);
    // The tracker writes in batches: wait for the last one, within a bound.
    let deadline = Instant::now() + STORE_WAIT;
    let mut stored = 0;
    while Instant::now() < deadline {
        stored = target.stored_page_views().await? - stored_before;
        if stored >= sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = views.duration.as_secs_f64();
    let cpu = after.cpu_seconds - before.cpu_seconds;
    let mut outcome = Outcome::new("shopkeep", "pageviews");
    outcome
        .param("connections", connections as f64)
        .param("rate", views.rate)
        .param("seconds", seconds)
        .metric("sent", sent as f64)
        .metric("refused", refused as f64)
        .metric("stored", stored as f64)
        .metric("lost", sent.saturating_sub(stored) as f64)
        .metric("stored_per_s", stored as f64 / seconds)
        .metric("server_cpu_s", cpu)
        .metric("server_cpu_pct", 100.0 * cpu / seconds)
        .metric("views_per_cpu_s", stored as f64 / cpu.max(0.01));
    Ok(outcome)
}

/// Sends the pages on schedule; counts those the server refused.
async fn report_pages(
    socket: Socket,
    i: usize,
    schedule: Schedule,
    end: Instant,
) -> anyhow::Result<(u64, u64)> {
    let (mut sink, mut stream) = socket.split();
    let reader = tokio::spawn(async move {
        let mut refused = 0;
        while let Ok(Some(Ok(message))) = tokio::time::timeout_at(end, stream.next()).await {
            if let Message::Text(text) = message
                && let Some(Frame::Error { .. }) = shopkeep::parse(&text, &["error"])
            {
                refused += 1;
            }
        }
        refused
    });
    for n in 0..schedule.count {
        tokio::time::sleep_until(schedule.at(n)).await;
        let url = format!("{}/catalog/{i}/{n}", shopkeep::SHOP_ORIGIN);
        let frame = json!({"type": "page", "url": url, "title": "Catalog"});
        sink.send(Message::text(frame.to_string())).await?;
    }
    let refused = reader.await?;
    let _ = sink.close().await;
    Ok((schedule.count, refused))
}
