//! Chat messages, the hot path: the writes of a visitor's or an operator's
//! message run as direct jobs on the writer thread (see `direct.rs`). They
//! share their SQL and row decoding with the async jobs of `conversations.rs`,
//! which the rarer state changes still use.

use rusqlite::params;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::event::{Author, Event, EventBody};
use shopkeep_core::ids::{ContactId, ConversationId, DepartmentId, MailId, SiteId, VisitorId};
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary};
use shopkeep_core::text::{ClientMsgId, MessageText};
use uuid::Uuid;

use crate::error::{Result, StoreError};
use crate::model::{NewMail, Posted};
use crate::sqlite::conversations::{
    self, ADVANCE_CONVERSATION, APPEND_EVENT, Appending, INSERT_CONVERSATION, LOAD_STATE, Loaded,
    OPEN_CONVERSATION_OF, STORED_EVENT, SUMMARY_BY_ID, VISITOR_RESEND,
};
use crate::sqlite::direct::Direct;
use crate::sqlite::{outbox, rows};

/// A visitor's message: to their open conversation (or their contact's), else
/// to a new one waiting in `department`; a resend answers the stored event.
pub(crate) fn post_visitor_message(
    db: &Direct,
    site: SiteId,
    visitor: VisitorId,
    contact: Option<ContactId>,
    client_msg_id: ClientMsgId,
    text: MessageText,
    department: Option<DepartmentId>,
) -> Result<Posted> {
    // A resend may arrive after its conversation was closed, or from another
    // device of the same contact: look in all of their conversations.
    if let Some(event) = db.row(
        &VISITOR_RESEND,
        params![
            visitor.as_uuid(),
            client_msg_id.as_str(),
            contact.map(|c| c.as_uuid())
        ],
        |row| rows::event(row, ""),
    )? {
        return duplicate(db, event);
    }
    let open: Option<Uuid> = db.value(
        OPEN_CONVERSATION_OF,
        params![visitor.as_uuid(), contact.map(|c| c.as_uuid())],
    )?;
    let (conversation, opened) = match open {
        Some(id) => (ConversationId::from_uuid(id), false),
        None => (
            open_conversation(db, site, visitor, contact, department)?,
            true,
        ),
    };
    if !opened && stored_event(db, conversation, &client_msg_id)?.is_some() {
        // Not the visitor's own (that was found above): an operator's id.
        return Err(conversations::client_msg_id_taken());
    }
    let body = EventBody::Message {
        text: text.into_string(),
    };
    let event = append(db, conversation, Author::Visitor, body, &client_msg_id)?;
    Ok(Posted {
        event,
        duplicate: false,
        conversation: summary(db, conversation)?,
        opened,
    })
}

/// An operator's message; with `mail`, the mail that carries it to a visitor
/// who wrote through the offline form, queued in the same transaction.
pub(crate) fn post_agent_message(
    db: &Direct,
    conversation: ConversationId,
    agent: AgentRef,
    client_msg_id: ClientMsgId,
    text: MessageText,
    mail: Option<NewMail>,
) -> Result<Posted> {
    if let Some(event) = stored_event(db, conversation, &client_msg_id)? {
        // Only the sender's own event makes it a resend.
        if !matches!(&event.author, Author::Agent { id, .. } if *id == agent.id) {
            return Err(conversations::client_msg_id_taken());
        }
        return duplicate(db, event);
    }
    load_state(db, conversation)?.state.post_as(agent.id)?;
    let body = EventBody::Message {
        text: text.into_string(),
    };
    let event = append(db, conversation, agent.into(), body, &client_msg_id)?;
    if let Some(mail) = &mail {
        enqueue(db, mail, event.at)?;
    }
    Ok(Posted {
        event,
        duplicate: false,
        conversation: summary(db, conversation)?,
        opened: false,
    })
}

/// An earlier post answered again, unchanged.
fn duplicate(db: &Direct, event: Event) -> Result<Posted> {
    Ok(Posted {
        conversation: summary(db, event.conversation_id)?,
        event,
        duplicate: true,
        opened: false,
    })
}

fn summary(db: &Direct, id: ConversationId) -> Result<ConversationSummary> {
    find_summary(db, id)?.ok_or(StoreError::NotFound)
}

pub(crate) fn find_summary(db: &Direct, id: ConversationId) -> Result<Option<ConversationSummary>> {
    db.row(&SUMMARY_BY_ID, params![id.as_uuid()], |row| {
        rows::summary(row)
    })
}

fn stored_event(
    db: &Direct,
    conversation: ConversationId,
    client_msg_id: &ClientMsgId,
) -> Result<Option<Event>> {
    db.row(
        &STORED_EVENT,
        params![conversation.as_uuid(), client_msg_id.as_str()],
        |row| rows::event(row, ""),
    )
}

fn load_state(db: &Direct, id: ConversationId) -> Result<Loaded> {
    db.row(LOAD_STATE, params![id.as_uuid()], |row| {
        conversations::loaded(row)
    })?
    .ok_or(StoreError::NotFound)
}

fn open_conversation(
    db: &Direct,
    site: SiteId,
    visitor: VisitorId,
    contact: Option<ContactId>,
    department: Option<DepartmentId>,
) -> Result<ConversationId> {
    let id = ConversationId::new();
    let assignee: Option<Uuid> = None;
    db.execute(
        INSERT_CONVERSATION,
        params![
            id.as_uuid(),
            site.as_uuid(),
            visitor.as_uuid(),
            contact.map(|c| c.as_uuid()),
            department.map(|d| d.as_uuid()),
            ConversationStatus::Waiting.as_str(),
            assignee,
            conversations::now(),
            false,
        ],
    )?;
    Ok(id)
}

fn append(
    db: &Direct,
    conversation: ConversationId,
    author: Author,
    body: EventBody,
    client_msg_id: &ClientMsgId,
) -> Result<Event> {
    let row = Appending::new(&author, &body)?;
    let (seq, visible_prev) = db
        .row(
            APPEND_EVENT,
            params![
                row.at,
                row.author_kind,
                row.author_id,
                row.author_name,
                row.kind,
                row.text,
                row.data,
                client_msg_id.as_str(),
                row.visible,
                conversation.as_uuid(),
            ],
            |inserted| {
                let seq: i64 = rows::get(inserted, "seq")?;
                let visible_prev: Option<i64> = rows::get(inserted, "visible_prev")?;
                Ok((seq, visible_prev))
            },
        )?
        .ok_or(StoreError::NotFound)?;
    db.execute(
        ADVANCE_CONVERSATION,
        params![
            row.at,
            row.is_message,
            row.visible,
            row.answers,
            conversation.as_uuid(),
            seq
        ],
    )?;
    let at = row.at;
    conversations::appended(
        conversation,
        author,
        body,
        Some(client_msg_id),
        at,
        seq,
        visible_prev,
    )
}

fn enqueue(db: &Direct, mail: &NewMail, now: shopkeep_core::Millis) -> Result<Option<MailId>> {
    let id = MailId::new();
    let inserted = db.execute(
        outbox::INSERT_MAIL,
        params![
            id.as_uuid(),
            mail.site_id.map(|site| site.as_uuid()),
            mail.kind.as_str(),
            mail.to.as_str(),
            mail.reply_to.as_ref().map(|address| address.as_str()),
            mail.subject.as_str(),
            &mail.text,
            &mail.html,
            &mail.dedupe_key,
            now,
            now,
        ],
    )?;
    Ok((inserted == 1).then_some(id))
}
