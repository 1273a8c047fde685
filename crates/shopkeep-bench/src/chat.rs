//! The chat scenario against Shopkeep: `pairs` visitors each in a conversation
//! held by one of `operators` consoles; both sides send at a fixed arrival rate.
//! A visitor's message is delivered when the holding console gets its `event`,
//! an operator's when the visitor does. Every console sees the whole shared
//! inbox (no departments), as in a shop without departments.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::stream::{self, SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{self, Schedule, Socket};
use crate::outcome::Outcome;
use crate::proc;
use crate::shopkeep::{self, Frame, Target};

#[derive(Clone, Copy, Debug)]
pub struct Chat {
    pub pairs: usize,
    pub operators: usize,
    /// Messages per second, both directions together.
    pub rate: f64,
    pub duration: Duration,
    /// How long after the last send late deliveries are still awaited.
    pub drain: Duration,
}

/// Made once every conversation is open and taken.
struct Plan {
    /// Which console holds each conversation.
    holders: HashMap<String, usize>,
    /// Messages each console is to receive, and to have acked.
    expected: Vec<u64>,
    /// When readers stop waiting for late deliveries.
    stop: Instant,
}

/// What one reader saw.
struct Seen {
    latency: Histogram<u64>,
    delivered: u64,
    acked: u64,
    errors: u64,
}

/// What one writer offered. A socket the server closed (e.g. a console that
/// fell behind the staff feed) stops sending; what it would have sent counts as
/// offered and, never delivered, as lost.
struct Written {
    offered: u64,
    closed: bool,
}

impl Written {
    fn open(offered: u64) -> Self {
        Self {
            offered,
            closed: false,
        }
    }

    fn closed(offered: u64) -> Self {
        Self {
            offered,
            closed: true,
        }
    }
}

/// Concurrent connects while setting up.
const SETUP_CONCURRENCY: usize = 64;

pub async fn run(target: &Target, chat: Chat) -> anyhow::Result<Outcome> {
    anyhow::ensure!(chat.pairs > 0 && chat.operators > 0 && chat.rate > 0.0);
    let operators = chat.operators.min(chat.pairs);
    let mut consoles = Vec::new();
    let mut staff_ids = Vec::new();
    for k in 0..operators {
        let (console, id) = target.operator(k).await?;
        consoles.push(console);
        staff_ids.push(id);
    }
    // Consoles are read from the start: a console that stops reading is
    // dropped by the server once it lags the staff feed.
    let plan: Arc<OnceLock<Plan>> = Arc::new(OnceLock::new());
    let per_stream = chat.rate / (2 * chat.pairs) as f64;
    let count = ((per_stream * chat.duration.as_secs_f64()).floor() as u64).max(1);
    // Setup is bounded by its own step timeouts; this only ends a console
    // reader whose run failed before the plan was made.
    let setup_stop = Instant::now() + Duration::from_secs(600);
    let mut console_sinks = Vec::new();
    let mut console_readers = Vec::new();
    for (k, console) in consoles.into_iter().enumerate() {
        let (sink, stream) = console.split();
        console_sinks.push(sink);
        let plan = plan.clone();
        console_readers.push(tokio::spawn(read_console(stream, k, plan, setup_stop)));
    }

    // Each visitor opens its conversation with a first message.
    let opened: Vec<anyhow::Result<(Socket, String)>> = stream::iter(0..chat.pairs)
        .map(|i| async move {
            let mut socket = target.visitor(i).await?;
            shopkeep::send(
                &mut socket,
                json!({"type": "send", "client_msg_id": format!("open-{i}"), "text": "Hello"}),
            )
            .await?;
            match shopkeep::until(&mut socket, "ack").await? {
                Frame::Ack {
                    conversation_id, ..
                } => Ok((socket, conversation_id)),
                _ => unreachable!("until returns the asked kind"),
            }
        })
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let mut visitors = Vec::new();
    let mut conversations = Vec::new();
    for result in opened {
        let (socket, conversation) = result?;
        visitors.push(socket);
        conversations.push(conversation);
    }
    // Spread the conversations over the consoles. A site may also assign
    // chats itself (routing); then `take` is refused and the assignee holds it.
    for (i, conversation) in conversations.iter().enumerate() {
        let sink = &mut console_sinks[i % operators];
        sink.send(Message::text(
            json!({"type": "take", "conversation_id": conversation}).to_string(),
        ))
        .await?;
    }
    // Every visitor sees who joined: that console holds the conversation.
    let joined: Vec<anyhow::Result<(Socket, String)>> = stream::iter(visitors)
        .map(|mut socket| async move {
            let holder = tokio::time::timeout(net::STEP_TIMEOUT, async {
                while let Some(message) = socket.next().await {
                    if let Message::Text(text) = message?
                        && let Some(Frame::Event { event }) = shopkeep::parse(&text, &["event"])
                        && event.body.kind == "joined"
                        && let Some(id) = event.author.id
                    {
                        return Ok(id);
                    }
                }
                anyhow::bail!("visitor socket closed before an operator joined")
            })
            .await??;
            Ok((socket, holder))
        })
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let mut sockets = Vec::new();
    let mut holders = HashMap::new();
    let mut pairs_of = vec![Vec::new(); operators];
    for (i, result) in joined.into_iter().enumerate() {
        let (socket, holder) = result?;
        let k = staff_ids
            .iter()
            .position(|id| *id == holder)
            .ok_or_else(|| {
                anyhow::anyhow!("conversation {i} went to an operator the bench did not start")
            })?;
        holders.insert(conversations[i].clone(), k);
        pairs_of[k].push(i);
        sockets.push(socket);
    }

    let start = Instant::now() + Duration::from_millis(500);
    let stop = start + chat.duration + chat.drain + Duration::from_secs(1);
    let expected = pairs_of.iter().map(|p| p.len() as u64 * count).collect();
    let _ = plan.set(Plan {
        holders,
        expected,
        stop,
    });
    let before = proc::sample(target.pid);
    let interval = Duration::from_secs_f64(1.0 / per_stream);
    let mut visitor_tasks = Vec::new();
    for (i, socket) in sockets.into_iter().enumerate() {
        let (sink, stream) = socket.split();
        let schedule = Schedule {
            start: start + interval.mul_f64(net::spread(i)),
            interval,
            count,
        };
        let reader = tokio::spawn(read_visitor(stream, count, stop));
        let writer = tokio::spawn(write_visitor(sink, i, schedule));
        visitor_tasks.push((reader, writer));
    }
    let mut console_writers = Vec::new();
    for (k, sink) in console_sinks.into_iter().enumerate() {
        let mine: Vec<String> = pairs_of[k]
            .iter()
            .map(|&i| conversations[i].clone())
            .collect();
        if mine.is_empty() {
            continue;
        }
        let streams = mine.len() as f64;
        let schedule = Schedule {
            start: start + interval.mul_f64(net::spread(k + chat.pairs)),
            interval: interval.div_f64(streams),
            count: count * mine.len() as u64,
        };
        console_writers.push(tokio::spawn(write_console(sink, k, mine, schedule)));
    }

    let (mut sent, mut closed) = (0, 0);
    let mut visitor_seen = Vec::new();
    for (reader, writer) in visitor_tasks {
        let written = writer.await??;
        sent += written.offered;
        closed += u64::from(written.closed);
        visitor_seen.push(reader.await??);
    }
    let mut console_seen = Vec::new();
    for writer in console_writers {
        let written = writer.await??;
        sent += written.offered;
        closed += u64::from(written.closed);
    }
    for reader in console_readers {
        console_seen.push(reader.await??);
    }
    let after = proc::sample(target.pid);

    let mut latency = net::histogram();
    let mut visitor_latency = net::histogram();
    let mut operator_latency = net::histogram();
    let (mut delivered, mut acked, mut errors) = (0, 0, 0);
    for seen in &visitor_seen {
        operator_latency.add(&seen.latency)?;
    }
    for seen in &console_seen {
        visitor_latency.add(&seen.latency)?;
    }
    for seen in visitor_seen.iter().chain(&console_seen) {
        latency.add(&seen.latency)?;
        delivered += seen.delivered;
        acked += seen.acked;
        errors += seen.errors;
    }
    let cpu = after.cpu_seconds - before.cpu_seconds;
    let seconds = chat.duration.as_secs_f64();
    let mut outcome = Outcome::new("shopkeep", "chat");
    outcome
        .param("pairs", chat.pairs as f64)
        .param("operators", operators as f64)
        .param("rate", chat.rate)
        .param("seconds", seconds)
        .metric("sent", sent as f64)
        .metric("delivered", delivered as f64)
        .metric("acked", acked as f64)
        .metric("errors", errors as f64)
        .metric("sockets_closed_by_server", closed as f64)
        .metric("lost", sent.saturating_sub(delivered) as f64)
        .metric("delivered_per_s", delivered as f64 / seconds)
        .metric("server_cpu_s", cpu)
        .metric("server_cpu_pct", 100.0 * cpu / seconds)
        .metric("msgs_per_cpu_s", delivered as f64 / cpu.max(0.01))
        .latencies("latency", &latency)
        .latencies("to_operator", &visitor_latency)
        .latencies("to_visitor", &operator_latency);
    Ok(outcome)
}

async fn write_visitor(
    mut sink: SplitSink<Socket, Message>,
    i: usize,
    schedule: Schedule,
) -> anyhow::Result<Written> {
    for n in 0..schedule.count {
        tokio::time::sleep_until(schedule.at(n)).await;
        let frame = json!({"type": "send", "client_msg_id": format!("v{i}-{n}"), "text": shopkeep::stamp(schedule.at_us(n))});
        if sink.send(Message::text(frame.to_string())).await.is_err() {
            return Ok(Written::closed(schedule.count));
        }
    }
    Ok(Written::open(schedule.count))
}

async fn write_console(
    mut sink: SplitSink<Socket, Message>,
    k: usize,
    conversations: Vec<String>,
    schedule: Schedule,
) -> anyhow::Result<Written> {
    for n in 0..schedule.count {
        tokio::time::sleep_until(schedule.at(n)).await;
        let conversation = &conversations[n as usize % conversations.len()];
        let frame = json!({"type": "send", "conversation_id": conversation, "client_msg_id": format!("o{k}-{n}"), "text": shopkeep::stamp(schedule.at_us(n))});
        if sink.send(Message::text(frame.to_string())).await.is_err() {
            return Ok(Written::closed(schedule.count));
        }
    }
    Ok(Written::open(schedule.count))
}

/// Counts the operator's messages a visitor receives and the acks of its own.
async fn read_visitor(
    mut stream: SplitStream<Socket>,
    expected: u64,
    stop: Instant,
) -> anyhow::Result<Seen> {
    let mut seen = Seen::new();
    while seen.delivered < expected || seen.acked < expected {
        let Ok(Some(message)) = tokio::time::timeout_at(stop, stream.next()).await else {
            break;
        };
        // A socket the server closed or reset delivers nothing more.
        let Ok(Message::Text(text)) = message else {
            if message.is_err() {
                break;
            }
            continue;
        };
        match shopkeep::parse(&text, &["event", "ack", "error"]) {
            Some(Frame::Event { event })
                if event.author.kind == "agent" && event.body.kind == "message" =>
            {
                seen.record(&event.body.text);
            }
            Some(Frame::Ack { .. }) => seen.acked += 1,
            // A chat the site's routing already gave to another console refuses our `take`.
            Some(Frame::Error { code }) if code != "already_taken" => seen.error(&code),
            _ => {}
        }
    }
    Ok(seen)
}

/// Counts the visitors' messages in the conversations this console holds,
/// and the acks of its own.
async fn read_console(
    mut stream: SplitStream<Socket>,
    k: usize,
    plan: Arc<OnceLock<Plan>>,
    setup_stop: Instant,
) -> anyhow::Result<Seen> {
    let mut seen = Seen::new();
    let done = |seen: &Seen| {
        plan.get().is_some_and(|plan| {
            seen.delivered >= plan.expected[k] && seen.acked >= plan.expected[k]
        })
    };
    while !done(&seen) {
        let stop = plan.get().map_or(setup_stop, |plan| plan.stop);
        let Ok(Some(message)) = tokio::time::timeout_at(stop, stream.next()).await else {
            break;
        };
        // A socket the server closed or reset delivers nothing more.
        let Ok(Message::Text(text)) = message else {
            if message.is_err() {
                break;
            }
            continue;
        };
        let Some(Plan { holders, .. }) = plan.get() else {
            continue;
        };
        match shopkeep::parse(&text, &["event", "ack", "error"]) {
            Some(Frame::Event { event })
                if event.author.kind == "visitor"
                    && event.body.kind == "message"
                    && holders.get(&event.conversation_id) == Some(&k) =>
            {
                // Only stamped texts count: the opening "Hello" is not measured.
                seen.record(&event.body.text);
            }
            Some(Frame::Ack { client_msg_id, .. }) if client_msg_id.starts_with('o') => {
                seen.acked += 1
            }
            // A chat the site's routing already gave to another console refuses our `take`.
            Some(Frame::Error { code }) if code != "already_taken" => seen.error(&code),
            _ => {}
        }
    }
    Ok(seen)
}

impl Seen {
    fn new() -> Self {
        Self {
            latency: net::histogram(),
            delivered: 0,
            acked: 0,
            errors: 0,
        }
    }

    /// Counts a refusal; the first of each reader is shown, since any means
    /// the run is not measuring what it should.
    fn error(&mut self, code: &str) {
        if self.errors == 0 {
            eprintln!("server error during the chat run: {code}");
        }
        self.errors += 1;
    }

    fn record(&mut self, text: &str) {
        if let Some(sent) = shopkeep::unstamp(text) {
            let _ = self
                .latency
                .record(net::now_us().saturating_sub(sent).max(1));
            self.delivered += 1;
        }
    }
}
