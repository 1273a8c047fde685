//! Offline messages, answers by email and missed chats: each writes its event
//! or mark and the mail it causes in one transaction.

use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::email::{EmailAddress, HeaderText, MailKind};
use shopkeep_core::event::EventBody;
use shopkeep_store::{Claims, Mail, NewMail, OfflineMessage, Site, StaffOnly, Store, Visitor};

use crate::helpers::{agent, msg_id, site, staff, text, visitor, visitor_says};

conformance! {
    store: [
        an_offline_message_stores_conversation_claims_and_mail_together,
        an_offline_resend_is_stored_once_and_mailed_once,
        an_offline_message_without_a_notify_address_queues_nothing,
        an_offline_message_starts_its_own_conversation_beside_an_open_one,
        an_agent_answer_queues_its_mail_once,
        unanswered_conversations_leave_out_offline_taken_and_answered_ones,
        a_conversation_is_marked_missed_and_mailed_once,
        a_taken_or_closed_conversation_is_never_marked_missed,
        a_staff_note_is_no_answer_and_the_chat_is_still_marked_missed,
    ],
}

const LEASE: i64 = 60_000;

fn mail(kind: MailKind, to: &str, key: &str) -> NewMail {
    NewMail {
        site_id: None,
        kind,
        to: EmailAddress::parse(to).unwrap(),
        reply_to: None,
        subject: HeaderText::parse("Subject").unwrap(),
        text: "text".to_owned(),
        html: "<p>html</p>".to_owned(),
        dedupe_key: Some(key.to_owned()),
    }
}

fn offline(visitor: &Visitor, id: &str, with_mail: bool) -> OfflineMessage {
    OfflineMessage {
        site: visitor.site_id,
        visitor: visitor.id,
        contact: None,
        department: None,
        client_msg_id: msg_id(id),
        text: text("Do you ship to Norway?"),
        claims: Claims {
            name: Some("Eve".to_owned()),
            email: Some("eve@example.net".to_owned()),
            phone: Some("+47 123".to_owned()),
        },
        mail: with_mail.then(|| mail(MailKind::Offline, "owner@shop.example", id)),
    }
}

/// Everything due in the outbox now (claimed, so call it once per check).
async fn queued(store: &dyn Store) -> Vec<Mail> {
    store
        .claim_due_mail(i64::MAX / 2, 100, LEASE)
        .await
        .unwrap()
}

async fn fixture(store: &dyn Store) -> (Site, Visitor) {
    let site = site(store, "offline").await;
    let visitor = visitor(store, &site).await;
    (site, visitor)
}

async fn an_offline_message_stores_conversation_claims_and_mail_together(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;

    let posted = store
        .post_offline_message(offline(&visitor, "o1", true))
        .await
        .unwrap();

    assert!(!posted.duplicate);
    assert!(posted.opened);
    let summary = &posted.conversation;
    assert!(summary.offline);
    assert!(!summary.missed);
    assert_eq!(summary.status, ConversationStatus::Waiting);
    assert_eq!(summary.visitor_label, "Eve");
    assert_eq!(posted.event.seq, 1);
    assert_eq!(
        posted.event.body,
        EventBody::Message {
            text: "Do you ship to Norway?".to_owned()
        }
    );
    let stored = store.visitor(visitor.id).await.unwrap().unwrap();
    assert_eq!(stored.email.as_deref(), Some("eve@example.net"));
    assert_eq!(stored.phone.as_deref(), Some("+47 123"));
    assert_eq!(stored.contact_id, None);
    let mails = queued(store).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind, MailKind::Offline);
    assert_eq!(mails[0].to, "owner@shop.example");
    let read = store.conversation(summary.id).await.unwrap().unwrap();
    assert!(read.offline);
}

async fn an_offline_resend_is_stored_once_and_mailed_once(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;
    let first = store
        .post_offline_message(offline(&visitor, "o1", true))
        .await
        .unwrap();

    let again = store
        .post_offline_message(offline(&visitor, "o1", true))
        .await
        .unwrap();

    assert!(again.duplicate);
    assert_eq!(again.conversation.id, first.conversation.id);
    assert_eq!(again.event.seq, first.event.seq);
    assert_eq!(queued(store).await.len(), 1);
    let all = store.conversations_of(&[visitor.id], 10).await.unwrap();
    assert_eq!(all.len(), 1);
}

async fn an_offline_message_without_a_notify_address_queues_nothing(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;

    let posted = store
        .post_offline_message(offline(&visitor, "o1", false))
        .await
        .unwrap();

    assert!(posted.conversation.offline);
    assert!(queued(store).await.is_empty());
}

async fn an_offline_message_starts_its_own_conversation_beside_an_open_one(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;
    let chat = visitor_says(store, &visitor, "m1").await;

    let posted = store
        .post_offline_message(offline(&visitor, "o1", false))
        .await
        .unwrap();

    assert_ne!(posted.conversation.id, chat.conversation.id);
    let open = store
        .conversation(chat.conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!open.offline);
}

async fn an_agent_answer_queues_its_mail_once(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;
    let anna = staff(store, "anna@shop.example").await;
    let posted = store
        .post_offline_message(offline(&visitor, "o1", false))
        .await
        .unwrap();
    let conversation = posted.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    let reply = || Some(mail(MailKind::Reply, "eve@example.net", "reply-a1"));

    let first = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Yes!"),
            reply(),
        )
        .await
        .unwrap();
    let again = store
        .post_agent_message(
            conversation,
            agent(&anna),
            msg_id("a1"),
            text("Yes!"),
            reply(),
        )
        .await
        .unwrap();

    assert!(!first.duplicate);
    assert!(again.duplicate);
    let mails = queued(store).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].kind, MailKind::Reply);
    assert_eq!(mails[0].to, "eve@example.net");
}

async fn unanswered_conversations_leave_out_offline_taken_and_answered_ones(store: &dyn Store) {
    let site = site(store, "unanswered").await;
    let anna = staff(store, "anna@shop.example").await;
    let waiting = visitor(store, &site).await;
    let waiting = visitor_says(store, &waiting, "w1").await.conversation.id;
    let taken = visitor(store, &site).await;
    let taken = visitor_says(store, &taken, "t1").await.conversation.id;
    store.take_conversation(taken, agent(&anna)).await.unwrap();
    let left_offline = visitor(store, &site).await;
    store
        .post_offline_message(offline(&left_offline, "o1", false))
        .await
        .unwrap();

    let found = store.unanswered_conversations().await.unwrap();

    let ids: Vec<_> = found.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![waiting]);
}

async fn a_conversation_is_marked_missed_and_mailed_once(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;
    let conversation = visitor_says(store, &visitor, "m1").await.conversation.id;
    let missed = || Some(mail(MailKind::Missed, "owner@shop.example", "missed-1"));

    let marked = store.mark_missed(conversation, missed()).await.unwrap();
    let again = store.mark_missed(conversation, missed()).await.unwrap();

    let marked = marked.expect("marked the first time");
    assert!(marked.missed);
    assert_eq!(marked.status, ConversationStatus::Waiting);
    assert!(again.is_none());
    assert_eq!(queued(store).await.len(), 1);
    assert!(store.unanswered_conversations().await.unwrap().is_empty());
}

async fn a_taken_or_closed_conversation_is_never_marked_missed(store: &dyn Store) {
    let (site, first) = fixture(store).await;
    let anna = staff(store, "anna@shop.example").await;
    let taken = visitor_says(store, &first, "m1").await.conversation.id;
    store.take_conversation(taken, agent(&anna)).await.unwrap();
    let second = visitor(store, &site).await;
    let closed = visitor_says(store, &second, "m2").await.conversation.id;
    store
        .close_conversation(closed, shopkeep_core::event::Author::Visitor)
        .await
        .unwrap();

    for id in [taken, closed] {
        let marked = store
            .mark_missed(id, Some(mail(MailKind::Missed, "owner@shop.example", "k")))
            .await
            .unwrap();
        assert!(marked.is_none());
    }
    assert!(queued(store).await.is_empty());
}

async fn a_staff_note_is_no_answer_and_the_chat_is_still_marked_missed(store: &dyn Store) {
    let (_, visitor) = fixture(store).await;
    let anna = staff(store, "anna@shop.example").await;
    let conversation = visitor_says(store, &visitor, "m1").await.conversation.id;
    store
        .post_staff_only(
            conversation,
            StaffOnly::Note,
            agent(&anna),
            msg_id("note-1"),
            text("asked about a refund before"),
        )
        .await
        .unwrap();

    let unanswered: Vec<_> = store
        .unanswered_conversations()
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(unanswered, vec![conversation]);
    let marked = store
        .mark_missed(
            conversation,
            Some(mail(MailKind::Missed, "owner@shop.example", "missed-note")),
        )
        .await
        .unwrap()
        .expect("a note does not answer the visitor");
    assert!(marked.missed);
    assert_eq!(queued(store).await.len(), 1);
}
