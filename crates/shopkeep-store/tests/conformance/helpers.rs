//! Fixtures and shorthands shared by the conformance tests.

use std::future::Future;
use std::task::Poll;

use shopkeep_core::Millis;
use shopkeep_core::department::{Department, DepartmentDraft, RoutingStrategy};
use shopkeep_core::event::{Author, Event, EventBody};
use shopkeep_core::ids::{ConversationId, SiteId};
use shopkeep_core::protocol::shared::AgentRef;
use shopkeep_core::staff::Role;
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_store::{NewStaff, Posted, Site, Staff, Store, Visitor};
use uuid::Uuid;

/// A fixed clock value for records whose timestamps the caller supplies.
pub const T0: Millis = 1_700_000_000_000;

pub fn site_record(slug: &str) -> Site {
    Site {
        id: SiteId::new(),
        slug: slug.to_owned(),
        name: format!("Shop {slug}"),
        public_key: format!("pk_{}", Uuid::new_v4().simple()),
        allowed_origins: vec![
            format!("https://{slug}.example"),
            "http://localhost:3000".to_owned(),
        ],
        hmac_secret: format!("secret-{}", Uuid::new_v4().simple()),
        color: "#0a7d5a".to_owned(),
        lang: Some("de".to_owned()),
        tracking: Default::default(),
        greetings: Default::default(),
        hours: None,
        mail: Default::default(),
        chat: Default::default(),
        created_at: T0,
    }
}

pub async fn site(store: &dyn Store, slug: &str) -> Site {
    store
        .create_site(site_record(slug))
        .await
        .expect("create site")
}

pub fn new_staff(email: &str) -> NewStaff {
    NewStaff {
        email: email.to_owned(),
        name: format!("Staff {email}"),
        role: Role::Operator,
        password_hash: "$argon2id$v=19$original".to_owned(),
        lang: "en".to_owned(),
        max_chats: None,
    }
}

pub async fn staff(store: &dyn Store, email: &str) -> Staff {
    store
        .create_staff(new_staff(email))
        .await
        .expect("create staff")
}

pub fn agent(staff: &Staff) -> AgentRef {
    AgentRef {
        id: staff.id,
        name: staff.name.clone(),
    }
}

pub fn agent_author(staff: &Staff) -> Author {
    Author::Agent {
        id: staff.id,
        name: staff.name.clone(),
    }
}

/// A random token hash, as the server would store for a fresh token.
pub fn token_hash() -> Vec<u8> {
    Uuid::new_v4().as_bytes().to_vec()
}

pub async fn visitor(store: &dyn Store, site: &Site) -> Visitor {
    store
        .create_visitor(site.id, token_hash())
        .await
        .expect("create visitor")
}

pub fn text(raw: &str) -> MessageText {
    MessageText::parse(raw).expect("valid message text")
}

pub fn msg_id(raw: &str) -> ClientMsgId {
    ClientMsgId::parse(raw).expect("valid client message id")
}

/// Posts a visitor message whose client id and text are both `id`.
pub async fn visitor_says(store: &dyn Store, visitor: &Visitor, id: &str) -> Posted {
    store
        .post_visitor_message(
            visitor.site_id,
            visitor.id,
            None,
            msg_id(id),
            text(id),
            None,
        )
        .await
        .expect("post visitor message")
}

/// A message from a visitor who proved, on this connection, to be `contact`.
pub async fn contact_says(
    store: &dyn Store,
    visitor: &Visitor,
    contact: shopkeep_core::ids::ContactId,
    id: &str,
) -> Posted {
    store
        .post_visitor_message(
            visitor.site_id,
            visitor.id,
            Some(contact),
            msg_id(id),
            text(id),
            None,
        )
        .await
        .expect("post visitor message")
}

/// Every event of a conversation, read in one page.
pub async fn all_events(store: &dyn Store, conversation: ConversationId) -> Vec<Event> {
    store
        .events_after(conversation, 0, 10_000)
        .await
        .expect("read events")
}

pub fn message_text(event: &Event) -> &str {
    match &event.body {
        EventBody::Message { text } => text,
        other => panic!("expected a message, got {other:?}"),
    }
}

/// Runs `futures` concurrently on the current task, polling each once, in
/// order, before anything else gets a turn: under `tokio::join!(biased; ...)`
/// every one of them has started before the next branch is first polled.
pub async fn start_in_order<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|output| output.expect("polled to completion"))
        .collect()
}

pub fn department_draft(name: &str) -> DepartmentDraft {
    DepartmentDraft {
        name: name.to_owned(),
        routing: RoutingStrategy::LeastBusy,
        public: true,
        pages: vec![],
        notify_address: None,
        members: vec![],
    }
}

pub async fn department(store: &dyn Store, site: SiteId, name: &str) -> Department {
    store
        .create_department(site, department_draft(name))
        .await
        .expect("create department")
}
