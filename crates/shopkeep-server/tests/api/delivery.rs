use serde_json::{Value, json};

use crate::helpers::spawn_app;

fn seqs(history: &Value) -> Vec<u64> {
    history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn visitor_resend_with_same_client_msg_id_is_stored_once() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "same", "text": "hello"}))
        .await;
    let first = visitor.until("ack").await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "same", "text": "hello"}))
        .await;
    let second = visitor.until("ack").await;
    assert_eq!(second["seq"], first["seq"]);
    assert_eq!(second["duplicate"], true);
    visitor
        .send(json!({"type": "sync", "conversation_id": first["conversation_id"], "after_seq": 0}))
        .await;
    assert_eq!(seqs(&visitor.until("history").await), vec![1]);
}

#[tokio::test]
async fn a_reconnecting_visitor_resumes_from_its_last_seq_and_gets_exactly_what_it_missed() {
    let app = spawn_app().await;
    let (mut agent, _) = app.agent().await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "hi"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();
    agent
        .send(json!({"type": "take", "conversation_id": conversation}))
        .await;
    visitor
        .until_match(|f| f["type"] == "event" && f["event"]["seq"] == 2)
        .await;
    visitor.close().await;

    // While the visitor is away the operator writes three messages.
    for n in 0..3 {
        let id = format!("away{n}");
        agent
            .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": id, "text": format!("msg {n}")}))
            .await;
        agent.until("ack").await;
    }

    let (mut visitor, welcome) = app.visitor(Some(&token)).await;
    assert_eq!(welcome["token"], token.as_str());
    assert_eq!(welcome["conversation"]["id"], conversation);
    assert_eq!(welcome["conversation"]["last_seq"], 5);
    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 2}))
        .await;
    let history = visitor.until("history").await;
    assert_eq!(seqs(&history), vec![3, 4, 5]);
    assert_eq!(history["last_seq"], 5);
    let texts: Vec<_> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["body"]["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("msg 0"), json!("msg 1"), json!("msg 2")]);
}

#[tokio::test]
async fn a_reconnecting_operator_resyncs_what_it_missed() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m1", "text": "first"}))
        .await;
    let conversation = visitor.until("ack").await["conversation_id"].clone();
    let (agent, _) = app.agent().await;
    agent.close().await;
    visitor
        .send(json!({"type": "send", "client_msg_id": "m2", "text": "second"}))
        .await;
    visitor.until("ack").await;

    let (mut agent, welcome) = app.agent().await;
    let listed = welcome["conversations"].as_array().unwrap();
    let summary = listed.iter().find(|c| c["id"] == conversation).unwrap();
    assert_eq!(summary["last_seq"], 2);
    assert_eq!(summary["last_message"]["body"]["text"], "second");
    agent
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 1}))
        .await;
    assert_eq!(seqs(&agent.until("history").await), vec![2]);
}

#[tokio::test]
async fn a_restart_on_the_same_data_keeps_conversations_and_visitors() {
    let app = spawn_app().await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let token = welcome["token"].as_str().unwrap().to_owned();
    for n in 0..5 {
        visitor.send(json!({"type": "send", "client_msg_id": format!("m{n}"), "text": format!("before restart {n}")})).await;
        visitor.until("ack").await;
    }
    let (app, reconnect) = tokio::join!(app.restart(), visitor.until("reconnect"));
    assert!(reconnect["after_ms"].as_u64().unwrap() >= 500);

    let (mut visitor, welcome) = app.visitor(Some(&token)).await;
    let conversation = welcome["conversation"]["id"].clone();
    assert_eq!(welcome["conversation"]["last_seq"], 5);
    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
        .await;
    let history = visitor.until("history").await;
    assert_eq!(seqs(&history), vec![1, 2, 3, 4, 5]);
    assert_eq!(history["events"][4]["body"]["text"], "before restart 4");
    // Resending a message acked before the restart is still recognised.
    visitor
        .send(json!({"type": "send", "client_msg_id": "m4", "text": "before restart 4"}))
        .await;
    let ack = visitor.until("ack").await;
    assert_eq!(
        (ack["seq"].clone(), ack["duplicate"].clone()),
        (json!(5), json!(true))
    );
}

#[tokio::test]
async fn history_is_paged_in_order() {
    let app = spawn_app().await;
    let (mut visitor, _) = app.visitor(None).await;
    let mut conversation = Value::Null;
    for n in 0..20 {
        visitor
            .send(json!({"type": "send", "client_msg_id": format!("m{n}"), "text": format!("{n}")}))
            .await;
        conversation = visitor.until("ack").await["conversation_id"].clone();
    }
    visitor
        .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 15}))
        .await;
    assert_eq!(
        seqs(&visitor.until("history").await),
        vec![16, 17, 18, 19, 20]
    );
}

#[tokio::test]
async fn a_console_connects_when_the_open_conversations_outgrow_a_client_frame() {
    use shopkeep_core::ids::VisitorId;
    use shopkeep_core::text::{ClientMsgId, MessageText};

    let app = spawn_app().await;
    // Each summary carries its last message: 80 long ones make a welcome of
    // about 400 KB, several times what a client may send in one frame.
    let long = "a".repeat(4_000);
    for i in 0..80 {
        let visitor = app
            .store
            .create_visitor(app.site.id, VisitorId::new().to_string().into_bytes())
            .await
            .unwrap();
        app.store
            .post_visitor_message(
                app.site.id,
                visitor.id,
                None,
                ClientMsgId::parse(&format!("m-{i}")).unwrap(),
                MessageText::parse(&long).unwrap(),
                None,
            )
            .await
            .unwrap();
    }
    let (mut agent, welcome) = app.agent().await;
    assert_eq!(welcome["conversations"].as_array().unwrap().len(), 80);
    agent.send(json!({"type": "ping"})).await;
    agent.until("pong").await;
}

#[tokio::test]
async fn an_operator_writing_into_several_chats_at_once_gets_replies_in_order_and_each_chat_keeps_its_order()
 {
    let app = spawn_app().await;
    let (mut agent, _) = app.agent().await;
    let mut conversations = Vec::new();
    for n in 0..3 {
        let (mut visitor, _) = app.visitor(None).await;
        visitor
            .send(json!({"type": "send", "client_msg_id": format!("v{n}"), "text": "hello"}))
            .await;
        let conversation = visitor.until("ack").await["conversation_id"].clone();
        agent
            .send(json!({"type": "take", "conversation_id": conversation}))
            .await;
        conversations.push(conversation);
    }

    // Frames go out without waiting for replies, the way a busy console sends
    // them; one send names a conversation that does not exist.
    let mut sent = Vec::new();
    for round in 0..8 {
        for (c, conversation) in conversations.iter().enumerate() {
            let id = format!("c{c}-{round}");
            agent
                .send(json!({"type": "send", "conversation_id": conversation, "client_msg_id": id, "text": format!("{round}")}))
                .await;
            sent.push(id);
        }
        if round == 4 {
            agent
                .send(json!({"type": "send", "conversation_id": "00000000-0000-0000-0000-000000000000", "client_msg_id": "nowhere", "text": "lost"}))
                .await;
            sent.push("nowhere".to_owned());
        }
    }
    agent.send(json!({"type": "ping"})).await;

    let mut replies = Vec::new();
    loop {
        let frame = agent.next().await;
        match frame["type"].as_str() {
            Some("ack") => replies.push(frame["client_msg_id"].as_str().unwrap().to_owned()),
            Some("error") if frame["client_msg_id"] == "nowhere" => {
                assert_eq!(frame["code"], "not_found");
                replies.push("nowhere".to_owned());
            }
            Some("pong") => break,
            _ => {}
        }
    }
    assert_eq!(replies, sent, "replies leave in the order the frames came");

    for conversation in &conversations {
        agent
            .send(json!({"type": "sync", "conversation_id": conversation, "after_seq": 0}))
            .await;
        let history = agent.until("history").await;
        let texts: Vec<String> = history["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["author"]["kind"] == "agent" && e["body"]["kind"] == "message")
            .map(|e| e["body"]["text"].as_str().unwrap().to_owned())
            .collect();
        let expected: Vec<String> = (0..8).map(|n| n.to_string()).collect();
        assert_eq!(texts, expected, "{history}");
    }
}
