//! The presence scenario against Shopkeep: `consoles` operators watch the live
//! visitor list while `visitors` move from page to page. Each page carries its
//! send time in its path; a console has an update when a `visitors_changed`
//! row shows that page. Changes are batched by the tracker (every
//! `flush_interval`), so a visitor's pages inside one batch arrive as the last.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::SinkExt;
use futures_util::stream::{self, StreamExt};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{self, Schedule, Socket};
use crate::outcome::Outcome;
use crate::proc;
use crate::shopkeep::{self, Frame, Target};

#[derive(Clone, Copy, Debug)]
pub struct Presence {
    pub consoles: usize,
    pub visitors: usize,
    /// Pages per second per visitor.
    pub pages_per_visitor: f64,
    pub duration: Duration,
}

/// What one console saw: the latest page number per visitor, and latencies.
struct Watched {
    latest: HashMap<usize, u64>,
    latency: Histogram<u64>,
    rows: u64,
}

pub async fn run(
    target: &Target,
    presence: Presence,
    concurrency: usize,
) -> anyhow::Result<Outcome> {
    let count =
        ((presence.pages_per_visitor * presence.duration.as_secs_f64()).floor() as u64).max(1);
    // Consoles are read from the start: each arriving visitor is a change on
    // the list, and a console that stops reading is dropped by the server.
    let (stop_at, stop) = watch::channel(None);
    let mut readers = Vec::new();
    for k in 0..presence.consoles {
        let (mut console, _) = target.operator(k).await?;
        shopkeep::send(
            &mut console,
            json!({"type": "watch_visitors", "watch": true}),
        )
        .await?;
        shopkeep::until(&mut console, "visitors").await?;
        readers.push(tokio::spawn(watch(
            console,
            presence.visitors,
            count,
            stop.clone(),
        )));
    }
    let opened: Vec<anyhow::Result<Socket>> = stream::iter(0..presence.visitors)
        .map(|i| async move { target.visitor(i).await })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let visitors = match opened.into_iter().collect::<anyhow::Result<Vec<_>>>() {
        Ok(visitors) => visitors,
        Err(error) => {
            // Ends the readers, which otherwise wait for a stop that never comes.
            let _ = stop_at.send(Some(Instant::now()));
            return Err(error);
        }
    };
    let interval = Duration::from_secs_f64(1.0 / presence.pages_per_visitor);
    let start = Instant::now() + Duration::from_millis(200);
    // Readers end as soon as every last page is seen; this bounds a failed run.
    let stop = start + presence.duration + Duration::from_secs(10);
    let _ = stop_at.send(Some(stop));
    let before = proc::sample(target.pid);
    let writers: Vec<_> = visitors
        .into_iter()
        .enumerate()
        .map(|(i, socket)| {
            let schedule = Schedule {
                start: start + interval.mul_f64(net::spread(i)),
                interval,
                count,
            };
            tokio::spawn(browse(socket, i, schedule, stop))
        })
        .collect();
    for writer in writers {
        writer.await??;
    }
    let mut latency = net::histogram();
    let (mut rows, mut complete) = (0, 0);
    for reader in readers {
        let watched = reader.await??;
        latency.add(&watched.latency)?;
        rows += watched.rows;
        complete += watched.latest.values().filter(|&&n| n + 1 == count).count();
    }
    let after = proc::sample(target.pid);
    let seconds = presence.duration.as_secs_f64();
    let cpu = after.cpu_seconds - before.cpu_seconds;
    let pages = presence.visitors as u64 * count;
    let mut outcome = Outcome::new("shopkeep", "presence");
    outcome
        .param("consoles", presence.consoles as f64)
        .param("visitors", presence.visitors as f64)
        .param("pages_per_visitor_s", presence.pages_per_visitor)
        .param("seconds", seconds)
        .metric("pages", pages as f64)
        .metric("rows_delivered", rows as f64)
        .metric("rows_per_s", rows as f64 / seconds)
        .metric(
            "last_page_seen",
            complete as f64 / (presence.consoles * presence.visitors).max(1) as f64,
        )
        .metric("server_cpu_s", cpu)
        .metric("server_cpu_pct", 100.0 * cpu / seconds)
        .latencies("update", &latency);
    Ok(outcome)
}

async fn browse(socket: Socket, i: usize, schedule: Schedule, stop: Instant) -> anyhow::Result<()> {
    let (mut sink, mut stream) = socket.split();
    // Keep reading so the server never finds this socket's queue full.
    let reader = tokio::spawn(async move {
        while let Ok(Some(Ok(_))) = tokio::time::timeout_at(stop, stream.next()).await {}
    });
    for n in 0..schedule.count {
        tokio::time::sleep_until(schedule.at(n)).await;
        let url = format!("{}/v/{i}/{n}/{}", shopkeep::SHOP_ORIGIN, schedule.at_us(n));
        let frame = json!({"type": "page", "url": url, "title": "Shop"});
        sink.send(Message::text(frame.to_string())).await?;
    }
    reader.await?;
    let _ = sink.close().await;
    Ok(())
}

/// Reads `visitors_changed` until every visitor's last page was seen or `stop`.
/// `stop` is unknown (`None`) while the visitors connect; frames read then
/// are changes from arriving visitors, not pages of the run.
async fn watch(
    mut console: Socket,
    visitors: usize,
    count: u64,
    mut stop: watch::Receiver<Option<Instant>>,
) -> anyhow::Result<Watched> {
    let mut watched = Watched {
        latest: HashMap::new(),
        latency: net::histogram(),
        rows: 0,
    };
    let finished =
        |w: &Watched| w.latest.len() == visitors && w.latest.values().all(|&n| n + 1 == count);
    while !finished(&watched) {
        let deadline = *stop.borrow_and_update();
        let message = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, console.next()).await {
                Ok(Some(message)) => message,
                _ => break,
            },
            None => tokio::select! {
                message = console.next() => match message {
                    Some(message) => message,
                    None => break,
                },
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    continue;
                }
            },
        };
        let Message::Text(text) = message? else {
            continue;
        };
        let Some(Frame::VisitorsChanged { changed }) =
            shopkeep::parse(&text, &["visitors_changed"])
        else {
            continue;
        };
        let now = net::now_us();
        for row in changed {
            let Some((i, n, sent)) = row.page.as_ref().and_then(|p| parse_path(&p.url)) else {
                continue;
            };
            watched.rows += 1;
            let latest = watched.latest.entry(i).or_insert(n);
            *latest = (*latest).max(n);
            let _ = watched.latency.record(now.saturating_sub(sent).max(1));
        }
    }
    let _ = console.close(None).await;
    Ok(watched)
}

/// `…/v/{visitor}/{page}/{sent µs}`.
fn parse_path(url: &str) -> Option<(usize, u64, u64)> {
    let mut parts = url.rsplit('/');
    let sent = parts.next()?.parse().ok()?;
    let n = parts.next()?.parse().ok()?;
    let i = parts.next()?.parse().ok()?;
    (parts.next()? == "v").then_some((i, n, sent))
}
