//! The peers' side: XMPP over WebSocket (RFC 7395) with SASL ANONYMOUS, a
//! stream restart and resource binding, then `<message type='chat'>` whose
//! body carries the intended send time. Stanzas are matched by substring: the
//! bench reads only its own bodies, ping results and the login steps.

use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::stream::{self, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::idle::{self, Heartbeat, Held, Idle};
use crate::net::{self, STEP_TIMEOUT, Schedule, Socket};
use crate::outcome::Outcome;
use crate::proc;

const OPEN: &str =
    "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='localhost' version='1.0'/>";

async fn send(socket: &mut Socket, stanza: String) -> anyhow::Result<()> {
    socket.send(Message::text(stanza)).await?;
    Ok(())
}

/// Reads until a frame containing `needle`; fails on a stream or SASL error.
async fn until(socket: &mut Socket, needle: &str) -> anyhow::Result<String> {
    tokio::time::timeout(STEP_TIMEOUT, async {
        while let Some(message) = socket.next().await {
            if let Message::Text(text) = message? {
                if std::env::var_os("BENCH_TRACE").is_some() {
                    eprintln!("<< {text}");
                }
                if text.contains(needle) {
                    return Ok(text.to_string());
                }
                if text.contains("<failure")
                    || text.contains("stream:error")
                    || text.contains("<close")
                {
                    bail!("the server refused the session: {text}");
                }
            }
        }
        bail!("socket closed while waiting for {needle}")
    })
    .await
    .with_context(|| format!("no {needle} within {STEP_TIMEOUT:?}"))?
}

/// Every frame is a document of its own (RFC 7395), so stanzas name their
/// namespace. An anonymous session: connected, authenticated, bound and present.
/// Returns the socket and the full JID the server assigned.
pub async fn session(url: &str, i: usize) -> anyhow::Result<(Socket, String)> {
    let mut socket =
        net::connect(url, net::source(i), &[("sec-websocket-protocol", "xmpp")]).await?;
    send(&mut socket, OPEN.into()).await?;
    until(&mut socket, "ANONYMOUS").await?;
    send(
        &mut socket,
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>".into(),
    )
    .await?;
    until(&mut socket, "<success").await?;
    send(&mut socket, OPEN.into()).await?;
    until(&mut socket, "urn:ietf:params:xml:ns:xmpp-bind").await?;
    send(
        &mut socket,
        "<iq xmlns='jabber:client' type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>".into(),
    )
    .await?;
    let bound = until(&mut socket, "<jid>").await?;
    let jid = bound
        .split("<jid>")
        .nth(1)
        .and_then(|rest| rest.split("</jid>").next())
        .context("bind result without jid")?
        .to_owned();
    send(&mut socket, "<presence xmlns='jabber:client'/>".into()).await?;
    Ok((socket, jid))
}

/// The intended send time in a message body.
fn body_stamp(text: &str) -> Option<u64> {
    let start = text.find("<body>")? + "<body>".len();
    let end = start + text[start..].find("</body>")?;
    text[start..end].strip_prefix('t')?.parse().ok()
}

const XMPP_CLIENT: Heartbeat = Heartbeat {
    ping: |_, n| {
        format!("<iq xmlns='jabber:client' type='get' id='p{n}'><ping xmlns='urn:xmpp:ping'/></iq>")
    },
    page: |_, n| format!("<presence xmlns='jabber:client'><status>page {n}</status></presence>"),
    is_pong: |text| text.starts_with("<iq") && text.contains("result"),
};

/// The idle scenario for a peer: `connections` anonymous sessions, each pinging
/// every 25 s and updating its presence every 30 s (the page view's analogue).
pub async fn idle(
    system: &str,
    url: &str,
    pid: u32,
    idle: Idle,
    concurrency: usize,
) -> anyhow::Result<Outcome> {
    let empty = proc::sample(pid);
    let opened: Vec<anyhow::Result<(Socket, String)>> = stream::iter(0..idle.connections)
        .map(|i| session(url, i))
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let sockets = opened
        .into_iter()
        .map(|r| r.map(|(s, _)| s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let loaded = proc::sample(pid);
    let start = Instant::now();
    let end = start + idle.hold;
    let tasks: Vec<_> = sockets
        .into_iter()
        .enumerate()
        .map(|(i, socket)| tokio::spawn(idle::hold(socket, i, idle, start, end, XMPP_CLIENT)))
        .collect();
    let mut held: Vec<Held> = Vec::new();
    for task in tasks {
        held.push(task.await?);
    }
    let after = proc::sample(pid);
    let mut outcome = Outcome::new(system, "idle");
    outcome.metric("connected", idle.connections as f64);
    idle::summarize(&mut outcome, idle, &held, empty, loaded, after);
    Ok(outcome)
}

/// The chat scenario for a peer: `pairs` pairs of sessions, each side sending
/// to the other's full JID at a fixed arrival rate (`rate` for all together).
pub async fn chat(
    system: &str,
    url: &str,
    pid: u32,
    pairs: usize,
    rate: f64,
    duration: Duration,
    drain: Duration,
) -> anyhow::Result<Outcome> {
    anyhow::ensure!(pairs > 0 && rate > 0.0);
    let opened: Vec<anyhow::Result<(Socket, String)>> = stream::iter(0..2 * pairs)
        .map(|i| session(url, i))
        .buffered(64)
        .collect()
        .await;
    let sessions = opened.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let jids: Vec<String> = sessions.iter().map(|(_, jid)| jid.clone()).collect();
    let per_stream = rate / (2 * pairs) as f64;
    let count = ((per_stream * duration.as_secs_f64()).floor() as u64).max(1);
    let interval = Duration::from_secs_f64(1.0 / per_stream);
    let start = Instant::now() + Duration::from_millis(500);
    let stop = start + duration + drain + Duration::from_secs(1);
    let before = proc::sample(pid);
    let mut tasks = Vec::new();
    for (i, (socket, _)) in sessions.into_iter().enumerate() {
        let partner = jids[i ^ 1].clone();
        let (sink, stream) = socket.split();
        let schedule = Schedule {
            start: start + interval.mul_f64(net::spread(i)),
            interval,
            count,
        };
        tasks.push((
            tokio::spawn(write(sink, partner, schedule)),
            tokio::spawn(read(stream, count, stop)),
        ));
    }
    let mut sent = 0;
    let mut delivered = 0;
    let mut latency = net::histogram();
    for (writer, reader) in tasks {
        sent += writer.await??;
        let (got, histogram) = reader.await??;
        delivered += got;
        latency.add(&histogram)?;
    }
    let after = proc::sample(pid);
    let cpu = after.cpu_seconds - before.cpu_seconds;
    let seconds = duration.as_secs_f64();
    let mut outcome = Outcome::new(system, "chat");
    outcome
        .param("pairs", pairs as f64)
        .param("rate", rate)
        .param("seconds", seconds)
        .metric("sent", sent as f64)
        .metric("delivered", delivered as f64)
        .metric("lost", sent.saturating_sub(delivered) as f64)
        .metric("delivered_per_s", delivered as f64 / seconds)
        .metric("server_cpu_s", cpu)
        .metric("server_cpu_pct", 100.0 * cpu / seconds)
        .metric("msgs_per_cpu_s", delivered as f64 / cpu.max(0.01))
        .latencies("latency", &latency);
    Ok(outcome)
}

async fn write(
    mut sink: SplitSink<Socket, Message>,
    to: String,
    schedule: Schedule,
) -> anyhow::Result<u64> {
    for n in 0..schedule.count {
        tokio::time::sleep_until(schedule.at(n)).await;
        let stanza = format!(
            "<message xmlns='jabber:client' to='{to}' type='chat' id='m{n}'><body>t{}</body></message>",
            schedule.at_us(n)
        );
        sink.send(Message::text(stanza)).await?;
    }
    Ok(schedule.count)
}

async fn read(
    mut stream: SplitStream<Socket>,
    expected: u64,
    stop: Instant,
) -> anyhow::Result<(u64, Histogram<u64>)> {
    let mut histogram = net::histogram();
    let mut delivered = 0;
    while delivered < expected {
        let Ok(Some(message)) = tokio::time::timeout_at(stop, stream.next()).await else {
            break;
        };
        if let Message::Text(text) = message?
            && text.starts_with("<message")
            && let Some(sent) = body_stamp(&text)
        {
            let _ = histogram.record(net::now_us().saturating_sub(sent).max(1));
            delivered += 1;
        }
    }
    Ok((delivered, histogram))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_yields_its_send_time() {
        let stanza = "<message from='a@localhost/x' type='chat'><body>t12345</body></message>";
        assert_eq!(body_stamp(stanza), Some(12345));
        assert_eq!(body_stamp("<message><body>hello</body></message>"), None);
    }
}
