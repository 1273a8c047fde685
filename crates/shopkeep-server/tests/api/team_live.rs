//! Team work on the sockets: routing and the queue, whispers and notes,
//! supervision, transfers, access by department, the internal chat, read
//! receipts, sneak peek and who is viewing a conversation.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::staff::Role;
use shopkeep_server::ServerSettings;

use crate::helpers::{
    OPERATOR_EMAIL, SECOND_OPERATOR_EMAIL, StaffLogin, TestApp, Ws, spawn_app_with, test_settings,
};

const ADMIN_EMAIL: &str = "ada@shop.test";
const SUPERVISOR_EMAIL: &str = "sam@shop.test";
/// How long a test listens to be sure a frame does not come.
const QUIET: Duration = Duration::from_millis(600);

struct Team {
    app: TestApp,
    admin: StaffLogin,
}

async fn team_with(settings: ServerSettings) -> Team {
    let app = spawn_app_with(settings).await;
    app.add_staff(ADMIN_EMAIL, "Ada", Role::Admin).await;
    app.add_staff(SUPERVISOR_EMAIL, "Sam", Role::Supervisor)
        .await;
    let admin = app.staff_as(ADMIN_EMAIL).await;
    Team { app, admin }
}

async fn team() -> Team {
    team_with(test_settings()).await
}

impl Team {
    async fn id_of(&self, email: &str) -> String {
        let staff = self.app.store.staff_by_email(email).await.unwrap().unwrap();
        staff.id.to_string()
    }

    /// A console that set its status online.
    async fn online(&self, email: &str) -> Ws {
        let (mut ws, _) = self.app.agent_as(email).await;
        ws.send(json!({"type": "set_status", "status": "online"}))
            .await;
        ws.until("status").await;
        ws
    }

    async fn department(&self, name: &str, routing: &str, members: &[&str]) -> String {
        self.department_for(name, routing, members, &[], true).await
    }

    async fn department_for(
        &self,
        name: &str,
        routing: &str,
        members: &[&str],
        pages: &[&str],
        public: bool,
    ) -> String {
        let mut ids = Vec::new();
        for email in members {
            ids.push(self.id_of(email).await);
        }
        let body = json!({
            "site_id": self.app.site.id,
            "name": name,
            "routing": routing,
            "public": public,
            "pages": pages,
            "notify_address": null,
            "members": ids,
        });
        let response = self
            .app
            .call(&self.admin, Method::POST, "/api/v1/departments", Some(body))
            .await;
        assert_eq!(response.status(), 201, "create {name}");
        let department: Value = response.json().await.unwrap();
        department["id"].as_str().unwrap().to_owned()
    }

    async fn set_max_chats(&self, email: &str, max: u32) {
        let path = format!("/api/v1/staff/{}", self.id_of(email).await);
        let response = self
            .app
            .call(
                &self.admin,
                Method::PATCH,
                &path,
                Some(json!({"max_chats": max})),
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    async fn site_chat(&self, chat: Value) {
        let path = format!("/api/v1/sites/{}", self.app.site.id);
        let response = self
            .app
            .call(
                &self.admin,
                Method::PATCH,
                &path,
                Some(json!({"chat": chat})),
            )
            .await;
        assert_eq!(response.status(), 200);
    }

    /// A visitor who started a chat; answers the socket and the conversation id.
    async fn chat(&self, text: &str, department: Option<&str>) -> (Ws, String) {
        let (mut visitor, _) = self.app.visitor(None).await;
        let mut send = json!({"type": "send", "client_msg_id": "m1", "text": text});
        if let Some(department) = department {
            send["department_id"] = json!(department);
        }
        visitor.send(send).await;
        let ack = visitor.until("ack").await;
        let id = ack["conversation_id"].as_str().unwrap().to_owned();
        (visitor, id)
    }
}

fn is_event(frame: &Value, kind: &str) -> bool {
    frame["type"] == "event" && frame["event"]["body"]["kind"] == kind
}

/// Waits for the `joined` event on the visitor's socket; answers who joined.
async fn joined_by(visitor: &mut Ws) -> String {
    let joined = visitor.until_match(|f| is_event(f, "joined")).await;
    joined["event"]["author"]["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn queue_place(visitor: &mut Ws) -> Value {
    visitor.until("queue").await["place"].clone()
}

#[tokio::test]
async fn routing_gives_new_chats_to_the_least_busy_online_operator() {
    let team = team().await;
    let _anna = team.online(OPERATOR_EMAIL).await;
    let (mut first, _) = team.chat("Hello", None).await;
    assert_eq!(joined_by(&mut first).await, "Anna");
    let (mut second, _) = team.chat("Hi", None).await;
    assert_eq!(joined_by(&mut second).await, "Anna");

    let _boris = team.online(SECOND_OPERATOR_EMAIL).await;
    let (mut third, _) = team.chat("Hey", None).await;
    assert_eq!(joined_by(&mut third).await, "Boris");
    // Boris holds one, Anna two: Boris again.
    let (mut fourth, _) = team.chat("Hey", None).await;
    assert_eq!(joined_by(&mut fourth).await, "Boris");
}

#[tokio::test]
async fn round_robin_gives_the_next_chat_to_whoever_waited_longest() {
    let team = team().await;
    team.site_chat(
        json!({"choose_department": false, "sneak_peek": false, "routing": "round_robin"}),
    )
    .await;
    let _anna = team.online(OPERATOR_EMAIL).await;
    let (mut first, _) = team.chat("One", None).await;
    assert_eq!(joined_by(&mut first).await, "Anna");
    let (mut second, _) = team.chat("Two", None).await;
    assert_eq!(joined_by(&mut second).await, "Anna");
    let _boris = team.online(SECOND_OPERATOR_EMAIL).await;
    let (mut third, _) = team.chat("Three", None).await;
    assert_eq!(joined_by(&mut third).await, "Boris");
    // Least busy would pick Boris again (one chat against two); round robin turns to Anna.
    let (mut fourth, _) = team.chat("Four", None).await;
    assert_eq!(joined_by(&mut fourth).await, "Anna");
}

#[tokio::test]
async fn three_visitors_and_one_operator_of_max_one_queue_at_one_and_two_and_advance_on_close() {
    let team = team().await;
    team.set_max_chats(OPERATOR_EMAIL, 1).await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut first, first_id) = team.chat("First", None).await;
    assert_eq!(joined_by(&mut first).await, "Anna");
    let (mut second, second_id) = team.chat("Second", None).await;
    assert_eq!(queue_place(&mut second).await["position"], 1);
    let (mut third, third_id) = team.chat("Third", None).await;
    assert_eq!(queue_place(&mut third).await["position"], 2);
    second.none_within(QUIET, |f| is_event(f, "joined")).await;
    let waiting = team
        .app
        .store
        .conversation(second_id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(waiting.assignee.is_none(), "never above the maximum");

    anna.send(json!({"type": "close", "conversation_id": first_id}))
        .await;
    // The freed slot goes to the oldest waiting chat at once.
    assert_eq!(joined_by(&mut second).await, "Anna");
    // Places are repeated every pass: wait for the ones after the close.
    let place = second
        .until_match(|f| f["type"] == "queue" && f["place"].is_null())
        .await;
    assert_eq!(place["conversation_id"], second_id);
    let place = third
        .until_match(|f| f["type"] == "queue" && f["place"]["position"] == 1)
        .await;
    assert_eq!(place["conversation_id"], third_id);
}

#[tokio::test]
async fn manual_departments_leave_chats_in_the_queue_for_operators_to_take() {
    let team = team().await;
    let sales = team.department("Sales", "manual", &[OPERATOR_EMAIL]).await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Do you ship to Oslo?", Some(&sales)).await;
    assert_eq!(queue_place(&mut visitor).await["position"], 1);
    visitor.none_within(QUIET, |f| is_event(f, "joined")).await;
    anna.send(json!({"type": "take", "conversation_id": id}))
        .await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    visitor
        .until_match(|f| f["type"] == "queue" && f["place"].is_null())
        .await;
}

#[tokio::test]
async fn whispers_and_notes_reach_staff_but_never_the_visitor() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Where is my parcel?", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    let (mut sam, _) = team.app.agent_as(SUPERVISOR_EMAIL).await;

    sam.send(json!({"type": "whisper", "conversation_id": id, "client_msg_id": "w1", "text": "Offer a refund"}))
        .await;
    assert_eq!(sam.until("ack").await["client_msg_id"], "w1");
    let whisper = anna.until_match(|f| is_event(f, "whisper")).await;
    assert_eq!(whisper["event"]["body"]["text"], "Offer a refund");
    anna.send(json!({"type": "note", "conversation_id": id, "client_msg_id": "n1", "text": "Customer since 2019"}))
        .await;
    assert_eq!(anna.until("ack").await["client_msg_id"], "n1");
    sam.until_match(|f| is_event(f, "note")).await;

    visitor
        .none_within(QUIET, |f| {
            is_event(f, "whisper") || is_event(f, "note") || f.to_string().contains("refund")
        })
        .await;
    anna.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "a1", "text": "It ships today."}))
        .await;
    let reply = visitor.until_match(|f| is_event(f, "message")).await;
    assert_eq!(reply["event"]["body"]["text"], "It ships today.");

    visitor
        .send(json!({"type": "sync", "conversation_id": id, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["message", "joined", "message"]);
    assert_eq!(history["last_seq"], reply["event"]["seq"]);
    // The console's sync has them all.
    anna.send(json!({"type": "sync", "conversation_id": id, "after_seq": 0}))
        .await;
    let history = anna.until("history").await;
    assert_eq!(history["events"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn receipts_over_whispers_and_notes_tell_the_visitor_nothing() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Where is my parcel?", None).await;
    let joined = visitor.until_match(|f| is_event(f, "joined")).await;
    let visible = joined["event"]["seq"].as_u64().unwrap();
    anna.send(json!({"type": "read", "conversation_id": id, "seq": visible}))
        .await;
    let seen = visitor.until("receipts").await;
    assert_eq!(seen["receipts"]["agent_read"], visible);

    anna.send(json!({"type": "note", "conversation_id": id, "client_msg_id": "n1", "text": "Customer since 2019"}))
        .await;
    let note = anna.until("ack").await["seq"].as_u64().unwrap();
    assert!(note > visible);
    anna.send(json!({"type": "read", "conversation_id": id, "seq": note}))
        .await;
    // Staff see the mark move over the note…
    let staff = anna
        .until_match(|f| f["type"] == "receipts" && f["receipts"]["agent_read"] == note)
        .await;
    assert_eq!(staff["conversation_id"], id);
    // …the visitor hears nothing, and a new tab's view stops at what it can see.
    visitor
        .none_within(QUIET, |f| f["type"] == "receipts")
        .await;
    visitor
        .send(json!({"type": "sync", "conversation_id": id, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    assert_eq!(history["last_seq"], visible);
    let summary = team
        .app
        .store
        .conversation(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.receipts.agent_read, note as u32);
    let view = summary.receipts.seen_by_visitor(summary.visible_seq);
    assert_eq!(u64::from(view.agent_read), visible);
}

#[tokio::test]
async fn a_supervisor_joins_visibly_posts_and_takes_over() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("I want to complain", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    let (mut sam, _) = team.app.agent_as(SUPERVISOR_EMAIL).await;
    // An operator may not join.
    let (mut boris, _) = team.app.agent_as(SECOND_OPERATOR_EMAIL).await;
    boris
        .send(json!({"type": "join", "conversation_id": id}))
        .await;
    assert_eq!(boris.until("error").await["code"], "forbidden");

    sam.send(json!({"type": "join", "conversation_id": id}))
        .await;
    assert_eq!(joined_by(&mut visitor).await, "Sam");
    sam.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "s1", "text": "I am Anna's manager."}))
        .await;
    assert_eq!(sam.until("ack").await["duplicate"], false);
    let message = visitor.until_match(|f| is_event(f, "message")).await;
    assert_eq!(message["event"]["author"]["name"], "Sam");

    sam.send(json!({"type": "take_over", "conversation_id": id}))
        .await;
    let transferred = visitor.until_match(|f| is_event(f, "transferred")).await;
    assert_eq!(transferred["event"]["body"]["to"]["name"], "Sam");
    let summary = anna
        .until_match(|f| {
            f["type"] == "conversation" && f["conversation"]["assignee"]["name"] == "Sam"
        })
        .await;
    assert_eq!(summary["conversation"]["id"], id);
    anna.send(json!({"type": "close", "conversation_id": id}))
        .await;
    assert_eq!(anna.until("error").await["code"], "forbidden");
}

/// Anna holds a chat; Boris is online after it was routed.
async fn held_by_anna(team: &Team) -> (Ws, Ws, Ws, String) {
    let anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Can someone help?", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    let boris = team.online(SECOND_OPERATOR_EMAIL).await;
    (anna, boris, visitor, id)
}

#[tokio::test]
async fn an_accepted_transfer_hands_the_chat_over_with_its_note() {
    let team = team().await;
    let (mut anna, mut boris, mut visitor, id) = held_by_anna(&team).await;
    let boris_id = team.id_of(SECOND_OPERATOR_EMAIL).await;
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": boris_id}, "note": "Wants a bulk discount"}))
        .await;
    // The note is stored first, as a staff-only note.
    let note = boris.until_match(|f| is_event(f, "note")).await;
    assert_eq!(note["event"]["body"]["text"], "Wants a bulk discount");
    let offer = boris.until("transfer_offer").await;
    assert_eq!(offer["conversation_id"], id);
    assert_eq!(offer["from"]["name"], "Anna");
    assert_eq!(offer["note"], "Wants a bulk discount");
    assert!(offer["expires_at"].as_i64().unwrap() > 0);

    boris
        .send(json!({"type": "answer_transfer", "conversation_id": id, "accept": true}))
        .await;
    for console in [&mut anna, &mut boris] {
        let ended = console.until("transfer_ended").await;
        assert_eq!(ended["outcome"], "accepted");
        assert_eq!(ended["to"]["name"], "Boris");
    }
    let transferred = visitor.until_match(|f| is_event(f, "transferred")).await;
    assert_eq!(transferred["event"]["body"]["to"]["name"], "Boris");
    visitor
        .none_within(QUIET, |f| {
            is_event(f, "note") || f.to_string().contains("bulk")
        })
        .await;
    boris
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "b1", "text": "Hi, Boris here."}))
        .await;
    assert_eq!(boris.until("ack").await["duplicate"], false);
}

#[tokio::test]
async fn a_declined_or_unanswered_transfer_leaves_the_chat_with_its_holder() {
    let mut settings = test_settings();
    settings.transfer_timeout = Duration::from_millis(400);
    let team = team_with(settings).await;
    let (mut anna, mut boris, _visitor, id) = held_by_anna(&team).await;
    let boris_id = team.id_of(SECOND_OPERATOR_EMAIL).await;
    let transfer = json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": boris_id}});

    anna.send(transfer.clone()).await;
    boris.until("transfer_offer").await;
    boris
        .send(json!({"type": "answer_transfer", "conversation_id": id, "accept": false}))
        .await;
    assert_eq!(anna.until("transfer_ended").await["outcome"], "declined");
    assert_eq!(boris.until("transfer_ended").await["outcome"], "declined");

    anna.send(transfer).await;
    boris.until("transfer_offer").await;
    assert_eq!(anna.until("transfer_ended").await["outcome"], "timed_out");
    assert_eq!(boris.until("transfer_ended").await["outcome"], "timed_out");
    // Too late to accept now.
    boris
        .send(json!({"type": "answer_transfer", "conversation_id": id, "accept": true}))
        .await;
    assert_eq!(boris.until("error").await["code"], "not_found");
    let summary = team
        .app
        .store
        .conversation(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.assignee.unwrap().name, "Anna");
}

#[tokio::test]
async fn transfers_to_offline_or_unknown_staff_are_refused() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Hello?", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    let boris_id = team.id_of(SECOND_OPERATOR_EMAIL).await;
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": boris_id}}))
        .await;
    assert_eq!(anna.until("error").await["code"], "target_offline");
    let nobody = shopkeep_core::ids::StaffId::new().to_string();
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": nobody}}))
        .await;
    assert_eq!(anna.until("error").await["code"], "not_found");
    let nowhere = shopkeep_core::ids::DepartmentId::new().to_string();
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "department", "id": nowhere}}))
        .await;
    assert_eq!(anna.until("error").await["code"], "not_found");
    // A department whose members are all offline.
    let delivery = team
        .department("Delivery", "least_busy", &[SECOND_OPERATOR_EMAIL])
        .await;
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "department", "id": delivery}}))
        .await;
    assert_eq!(anna.until("error").await["code"], "target_offline");
}

#[tokio::test]
async fn a_transfer_to_a_department_requeues_the_chat_and_routes_it_to_a_member() {
    let team = team().await;
    let delivery = team
        .department("Delivery", "least_busy", &[SECOND_OPERATOR_EMAIL])
        .await;
    let (mut anna, _boris, mut visitor, id) = held_by_anna(&team).await;
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "department", "id": delivery}, "note": "Courier question"}))
        .await;
    let transferred = visitor.until_match(|f| is_event(f, "transferred")).await;
    assert_eq!(
        transferred["event"]["body"]["department"]["name"],
        "Delivery"
    );
    assert_eq!(joined_by(&mut visitor).await, "Boris");
    let summary = team
        .app
        .store
        .conversation(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(summary.department.unwrap().name, "Delivery");
    assert_eq!(summary.assignee.unwrap().name, "Boris");
}

#[tokio::test]
async fn an_operator_of_another_department_is_refused_everything_and_audited() {
    let team = team().await;
    team.department("Sales", "least_busy", &[OPERATOR_EMAIL])
        .await;
    let support = team
        .department("Support", "least_busy", &[SECOND_OPERATOR_EMAIL])
        .await;
    let mut boris = team.online(SECOND_OPERATOR_EMAIL).await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("My order is broken", Some(&support)).await;
    assert_eq!(joined_by(&mut visitor).await, "Boris");

    let sam_id = team.id_of(SUPERVISOR_EMAIL).await;
    let forged = [
        json!({"type": "read", "conversation_id": id, "seq": 1}),
        json!({"type": "sync", "conversation_id": id, "after_seq": 0}),
        json!({"type": "take", "conversation_id": id}),
        json!({"type": "send", "conversation_id": id, "client_msg_id": "x1", "text": "hi"}),
        json!({"type": "close", "conversation_id": id}),
        json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": sam_id}}),
        json!({"type": "whisper", "conversation_id": id, "client_msg_id": "x2", "text": "psst"}),
        json!({"type": "join", "conversation_id": id}),
    ];
    for frame in &forged {
        anna.send(frame.clone()).await;
        let error = anna.until("error").await;
        assert_eq!(error["code"], "not_found", "{frame}");
    }
    let audit = team.app.store.audit_log(50).await.unwrap();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|entry| entry.conversation.map(|c| c.to_string()) == Some(id.clone()))
        .map(|entry| entry.action.as_str())
        .collect();
    for action in [
        "read", "sync", "take", "send", "close", "transfer", "whisper", "join",
    ] {
        assert!(actions.contains(&action), "{action} audited: {actions:?}");
    }
    assert!(audit.iter().all(|entry| entry.staff_name == "Anna"));

    // Nothing of that chat reaches Anna's console, now or on reconnect.
    visitor
        .send(json!({"type": "send", "client_msg_id": "m2", "text": "Hello??"}))
        .await;
    visitor.until("ack").await;
    boris
        .until_match(|f| f["type"] == "event" && f["event"]["seq"] == 3)
        .await;
    anna.none_within(QUIET, |f| f.to_string().contains(&id))
        .await;
    let (_again, welcome) = team.app.agent_as(OPERATOR_EMAIL).await;
    assert!(!welcome.to_string().contains(&id));
}

#[tokio::test]
async fn the_internal_chat_reaches_the_team_and_direct_messages_only_the_two() {
    let team = team().await;
    let (mut anna, _) = team.app.agent_as(OPERATOR_EMAIL).await;
    let (mut boris, _) = team.app.agent_as(SECOND_OPERATOR_EMAIL).await;
    let (mut sam, _) = team.app.agent_as(SUPERVISOR_EMAIL).await;
    anna.send(json!({"type": "internal_send", "room": {"kind": "team"}, "client_msg_id": "t1", "text": "Lunch at one?"}))
        .await;
    for console in [&mut anna, &mut boris, &mut sam] {
        let message = console.until("internal").await;
        assert_eq!(message["message"]["room"]["kind"], "team");
        assert_eq!(message["message"]["text"], "Lunch at one?");
    }
    let anna_id = team.id_of(OPERATOR_EMAIL).await;
    let boris_id = team.id_of(SECOND_OPERATOR_EMAIL).await;
    anna.send(json!({"type": "internal_send", "room": {"kind": "direct", "with": boris_id}, "client_msg_id": "d1", "text": "Can you cover me?"}))
        .await;
    let echo = anna.until("internal").await;
    assert_eq!(echo["message"]["client_msg_id"], "d1");
    assert_eq!(echo["message"]["room"]["with"], boris_id);
    let received = boris.until("internal").await;
    assert_eq!(received["message"]["room"]["with"], anna_id);
    sam.none_within(QUIET, |f| f.to_string().contains("cover me"))
        .await;

    boris
        .send(json!({"type": "internal_sync", "room": {"kind": "direct", "with": anna_id}}))
        .await;
    let history = boris.until("internal_history").await;
    assert_eq!(history["messages"].as_array().unwrap().len(), 1);
    assert_eq!(history["more"], false);
    let nobody = shopkeep_core::ids::StaffId::new().to_string();
    anna.send(json!({"type": "internal_send", "room": {"kind": "direct", "with": nobody}, "client_msg_id": "d2", "text": "?"}))
        .await;
    assert_eq!(anna.until("error").await["code"], "not_found");
}

#[tokio::test]
async fn read_receipts_travel_both_ways() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Hi", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    visitor
        .send(json!({"type": "read", "conversation_id": id, "seq": 2}))
        .await;
    let receipts = anna
        .until_match(|f| f["type"] == "receipts" && f["receipts"]["visitor_read"] == 2)
        .await;
    assert_eq!(receipts["receipts"]["visitor_delivered"], 2);
    anna.send(json!({"type": "read", "conversation_id": id, "seq": 1}))
        .await;
    let receipts = visitor
        .until_match(|f| f["type"] == "receipts" && f["receipts"]["agent_read"] == 1)
        .await;
    assert_eq!(receipts["conversation_id"], id);
}

#[tokio::test]
async fn sneak_peek_drafts_reach_operators_only_when_the_site_enables_it() {
    let team = team().await;
    let mut anna = team.online(OPERATOR_EMAIL).await;
    let (mut visitor, id) = team.chat("Hi", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Anna");
    visitor
        .send(json!({"type": "typing", "active": true, "draft": "My order num"}))
        .await;
    let typing = anna.until("typing").await;
    assert_eq!(typing["side"], "visitor");
    anna.none_within(QUIET, |f| f["type"] == "draft").await;

    team.site_chat(
        json!({"choose_department": false, "sneak_peek": true, "routing": "least_busy"}),
    )
    .await;
    // The widget's socket re-reads the site's settings; keep typing until it has.
    let mut draft = None;
    for _ in 0..20 {
        visitor
            .send(json!({"type": "typing", "active": true, "draft": "My order number is 12"}))
            .await;
        while let Some(frame) = anna.next_within(Duration::from_millis(300)).await {
            if frame["type"] == "draft" {
                draft = Some(frame);
                break;
            }
        }
        if draft.is_some() {
            break;
        }
    }
    let draft = draft.expect("a draft once sneak peek is on");
    assert_eq!(draft["conversation_id"], id);
    assert_eq!(draft["text"], "My order number is 12");
}

#[tokio::test]
async fn consoles_see_who_else_is_viewing_a_conversation() {
    let team = team().await;
    let (_visitor, id) = team.chat("Anyone?", None).await;
    let (mut anna, _) = team.app.agent_as(OPERATOR_EMAIL).await;
    let (mut boris, _) = team.app.agent_as(SECOND_OPERATOR_EMAIL).await;
    anna.send(json!({"type": "viewing", "conversation_id": id}))
        .await;
    let viewers = boris.until("viewers").await;
    assert_eq!(viewers["conversation_id"], id);
    assert_eq!(viewers["staff"][0]["name"], "Anna");
    anna.send(json!({"type": "viewing", "conversation_id": null}))
        .await;
    let viewers = boris.until("viewers").await;
    assert_eq!(viewers["staff"], json!([]));
}

#[tokio::test]
async fn visitors_choose_a_public_department_or_are_routed_by_their_page() {
    let team = team().await;
    team.site_chat(
        json!({"choose_department": true, "sneak_peek": false, "routing": "least_busy"}),
    )
    .await;
    let sales = team
        .department_for("Sales", "manual", &[OPERATOR_EMAIL], &[], true)
        .await;
    let delivery = team
        .department_for(
            "Delivery",
            "manual",
            &[SECOND_OPERATOR_EMAIL],
            &["/delivery"],
            true,
        )
        .await;
    let private = team
        .department_for("Back office", "manual", &[OPERATOR_EMAIL], &[], false)
        .await;
    let _anna = team.online(OPERATOR_EMAIL).await;

    let (mut visitor, welcome) = team.app.visitor(None).await;
    let offered = &welcome["chat"]["departments"];
    assert_eq!(
        offered,
        &json!([
            {"id": sales, "name": "Sales", "online": true},
            {"id": delivery, "name": "Delivery", "online": false},
        ])
    );
    let _boris = team.online(SECOND_OPERATOR_EMAIL).await;
    let status = visitor.until("status").await;
    assert_eq!(status["departments"][1]["online"], true);

    for forged in [
        private.clone(),
        shopkeep_core::ids::DepartmentId::new().to_string(),
    ] {
        visitor
            .send(json!({"type": "send", "client_msg_id": "m1", "text": "Hi", "department_id": forged}))
            .await;
        let error = visitor.until("error").await;
        assert_eq!(error["code"], "invalid_input");
        assert_eq!(error["client_msg_id"], "m1");
    }
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Hi", "department_id": sales}))
        .await;
    let id = visitor.until("ack").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let chat = team
        .app
        .store
        .conversation(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat.department.unwrap().name, "Sales");

    // Without a choice, the page decides.
    let (mut other, _) = team.app.visitor(None).await;
    other
        .send(json!({"type": "page", "url": "https://shop.test/delivery/track?id=7", "title": "Track"}))
        .await;
    other
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "Where is it?"}))
        .await;
    let id = other.until("ack").await["conversation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let chat = team
        .app
        .store
        .conversation(id.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat.department.unwrap().name, "Delivery");
}

#[tokio::test]
async fn consoles_get_the_team_with_presence_load_and_departments() {
    let team = team().await;
    let sales = team
        .department("Sales", "least_busy", &[OPERATOR_EMAIL])
        .await;
    let (mut anna, welcome) = team.app.agent_as(OPERATOR_EMAIL).await;
    assert_eq!(welcome["me"]["departments"], json!([sales]));
    assert_eq!(welcome["me"]["max_chats"], 4);
    assert_eq!(welcome["departments"][0]["name"], "Sales");
    let members = welcome["team"].as_array().unwrap();
    let boris = members.iter().find(|m| m["name"] == "Boris").unwrap();
    assert_eq!(boris["status"], "offline");

    let _boris = team.online(SECOND_OPERATOR_EMAIL).await;
    let frame = anna
        .until_match(|f| {
            f["type"] == "team"
                && f["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["name"] == "Boris" && m["status"] == "online")
        })
        .await;
    assert!(frame["members"].as_array().unwrap().len() >= 4);
    let (mut visitor, _) = team.chat("Hi", None).await;
    assert_eq!(joined_by(&mut visitor).await, "Boris");
    anna.until_match(|f| {
        f["type"] == "team"
            && f["members"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == "Boris" && m["active_chats"] == 1)
    })
    .await;
}

#[tokio::test]
async fn an_offer_ends_as_cancelled_when_its_target_goes_offline() {
    let team = team().await;
    let (mut anna, mut boris, _visitor, id) = held_by_anna(&team).await;
    let boris_id = team.id_of(SECOND_OPERATOR_EMAIL).await;
    anna.send(json!({"type": "transfer", "conversation_id": id, "to": {"kind": "operator", "id": boris_id}}))
        .await;
    boris.until("transfer_offer").await;
    boris
        .send(json!({"type": "set_status", "status": "away"}))
        .await;
    assert_eq!(anna.until("transfer_ended").await["outcome"], "cancelled");
}

#[tokio::test]
async fn an_offline_message_for_a_department_goes_to_its_own_address() {
    let sink = crate::smtp::SmtpSink::start().await;
    let team = team_with(crate::offline::mail_to(sink.port)).await;
    crate::offline::set_site_mail(&team.app, crate::offline::notify_only()).await;
    let body = json!({
        "site_id": team.app.site.id,
        "name": "Delivery",
        "routing": "least_busy",
        "public": true,
        "pages": [],
        "notify_address": "delivery@shop.test",
        "members": [],
    });
    let response = team
        .app
        .call(&team.admin, Method::POST, "/api/v1/departments", Some(body))
        .await;
    assert_eq!(response.status(), 201);
    let delivery: Value = response.json().await.unwrap();

    let (mut visitor, _) = team.app.visitor(None).await;
    let mut form = crate::offline::form("o1");
    form["department_id"] = json!(shopkeep_core::ids::DepartmentId::new());
    visitor.send(form.clone()).await;
    assert_eq!(visitor.until("error").await["code"], "invalid_input");
    form["department_id"] = delivery["id"].clone();
    visitor.send(form).await;
    visitor.until("offline_ack").await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].rcpt_tos, vec!["delivery@shop.test".to_owned()]);
}
