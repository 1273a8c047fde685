//! A set workload against a server that is SIGKILLed mid-stream: the visitor
//! pipelines messages, the server dies with messages in flight, the visitor
//! reconnects and resends what was not acked. Afterwards the conversation must
//! hold every message exactly once, in order, with no gaps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use crate::support::{DataDir, Ws};

/// Messages the visitor sends in all.
const MESSAGES: usize = 600;
/// Sent but not yet acked, at most.
const IN_FLIGHT: usize = 20;
/// The server is killed once this many messages are acked (in total).
const KILL_AFTER_ACKS: [usize; 2] = [150, 400];

fn client_msg_id(index: usize) -> String {
    format!("set-{index:04}")
}

fn text(index: usize) -> String {
    format!("message {index} of the set")
}

fn index_of(client_msg_id: &str) -> usize {
    client_msg_id
        .strip_prefix("set-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not one of our ids: {client_msg_id}"))
}

struct Acked {
    seq: u64,
    conversation: String,
    duplicate: bool,
}

/// The client's view: what it has sent, what is acked, what is still in flight.
#[derive(Default)]
struct Workload {
    next: usize,
    in_flight: BTreeSet<usize>,
    acked: BTreeMap<usize, Acked>,
}

impl Workload {
    async fn send(ws: &mut Ws, index: usize) {
        ws.send(json!({
            "type": "send",
            "client_msg_id": client_msg_id(index),
            "text": text(index),
        }))
        .await;
    }

    /// Keeps [`IN_FLIGHT`] messages outstanding until `target` are acked.
    async fn run_until(&mut self, ws: &mut Ws, target: usize) {
        while self.acked.len() < target {
            while self.in_flight.len() < IN_FLIGHT && self.next < MESSAGES {
                Self::send(ws, self.next).await;
                self.in_flight.insert(self.next);
                self.next += 1;
            }
            let frame = ws.next().await;
            match frame["type"].as_str() {
                Some("ack") => self.record(&frame),
                // Our own messages fanned back out, presence, receipts and the queue: not part of the check.
                Some("event" | "status" | "receipts" | "typing" | "pong" | "queue") => {}
                _ => panic!("unexpected frame while sending: {frame}"),
            }
        }
    }

    fn record(&mut self, ack: &Value) {
        let index = index_of(ack["client_msg_id"].as_str().expect("client_msg_id"));
        assert!(
            self.in_flight.remove(&index),
            "an ack for a message not in flight: {ack}"
        );
        let acked = Acked {
            seq: ack["seq"].as_u64().expect("seq"),
            conversation: ack["conversation_id"]
                .as_str()
                .expect("conversation_id")
                .to_owned(),
            duplicate: ack["duplicate"].as_bool().expect("duplicate"),
        };
        assert!(
            self.acked.insert(index, acked).is_none(),
            "acked twice: {ack}"
        );
    }

    /// Resends everything not acked, with the same ids, as a client does after a reconnect.
    async fn resend_unacked(&self, ws: &mut Ws) {
        for &index in &self.in_flight {
            Self::send(ws, index).await;
        }
    }
}

#[tokio::test]
async fn acked_messages_survive_sigkill_exactly_once_when_the_visitor_resends_the_rest() {
    let mut dir = DataDir::new()
        // Rate limits are tested elsewhere; here the client sends as fast as acks allow.
        .with_env("SHOPKEEP__SERVER__LIMITS__FRAMES_PER_SECOND", "1000000")
        .with_env(
            "SHOPKEEP__SERVER__LIMITS__VISITOR_MESSAGES_PER_MINUTE",
            "1000000",
        );
    let key = dir.add_shop_site().await;
    let mut server = dir.serve(&["serve"]).await;
    let (mut ws, welcome) = server.visitor(&key, None).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    assert!(
        welcome["conversation"].is_null(),
        "a new visitor: {welcome}"
    );
    let token = welcome["token"]
        .as_str()
        .expect("a visitor token")
        .to_owned();

    let mut workload = Workload::default();
    let mut in_flight_at_kills = BTreeSet::new();
    for kill_after in KILL_AFTER_ACKS {
        workload.run_until(&mut ws, kill_after).await;
        // Frames the dead server had already sent are lost with the socket, like a real crash.
        drop(ws);
        server.kill();
        in_flight_at_kills.extend(workload.in_flight.iter().copied());

        server = dir.serve(&["serve"]).await;
        let welcome;
        (ws, welcome) = server.visitor(&key, Some(&token)).await;
        assert_eq!(
            welcome["type"], "welcome",
            "the token still works after the crash: {welcome}"
        );
        assert_eq!(welcome["token"], token.as_str());
        let conversation = &welcome["conversation"];
        let first = &workload.acked[&0];
        assert_eq!(conversation["id"], first.conversation.as_str());
        let highest_acked = workload.acked.values().map(|a| a.seq).max().unwrap_or(0);
        assert!(
            conversation["last_seq"].as_u64().expect("last_seq") >= highest_acked,
            "an acked message was lost: last_seq {} < acked {highest_acked}",
            conversation["last_seq"]
        );
        workload.resend_unacked(&mut ws).await;
    }
    workload.run_until(&mut ws, MESSAGES).await;
    assert!(workload.in_flight.is_empty());

    let conversation = workload.acked[&0].conversation.clone();
    for (index, acked) in &workload.acked {
        assert_eq!(
            acked.conversation, conversation,
            "message {index} went to another conversation"
        );
        assert!(
            !acked.duplicate || in_flight_at_kills.contains(index),
            "message {index} was a duplicate without ever being resent"
        );
    }

    let (events, last_seq) = ws.sync_all(&conversation, 0).await;
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = (1..=MESSAGES as u64).collect();
    assert_eq!(
        seqs, expected,
        "seqs are 1..=N in order, no gaps, no repeats"
    );
    assert_eq!(last_seq, MESSAGES as u64);

    let mut seen: HashMap<usize, u64> = HashMap::new();
    for event in &events {
        assert_eq!(event["conversation_id"], conversation.as_str());
        assert_eq!(event["author"]["kind"], "visitor", "{event}");
        assert_eq!(event["body"]["kind"], "message", "{event}");
        let id = event["client_msg_id"].as_str().expect("client_msg_id");
        let index = index_of(id);
        let seq = event["seq"].as_u64().unwrap();
        assert!(
            seen.insert(index, seq).is_none(),
            "{id} is stored twice (second at seq {seq})"
        );
        assert_eq!(event["body"]["text"], text(index), "{event}");
        assert_eq!(
            workload.acked[&index].seq, seq,
            "the ack for {id} named another seq than the stored one"
        );
    }
    assert_eq!(seen.len(), MESSAGES, "every message is stored");

    let duplicates = workload.acked.values().filter(|a| a.duplicate).count();
    eprintln!(
        "{MESSAGES} messages, {} killed in flight and resent, {duplicates} of them had been stored before the kill",
        in_flight_at_kills.len()
    );
}
