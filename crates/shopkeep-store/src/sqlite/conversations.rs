//! Conversation writes. Each function runs inside the writer's group
//! transaction, so the seq it assigns is committed before anyone sees it.

use shopkeep_core::Millis;
use shopkeep_core::conversation::{ConversationState, ConversationStatus, TakeOutcome};
use shopkeep_core::event::{Author, Event, EventBody};
use shopkeep_core::ids::{
    ContactId, ConversationId, DepartmentId, Seq, SiteId, StaffId, VisitorId,
};
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary, ReceiptMark, Receipts, Side};
use shopkeep_core::text::{ClientMsgId, MessageText};
use sqlx::{AssertSqlSafe, SqliteConnection};
use uuid::Uuid;

use std::sync::LazyLock;

use crate::error::{Result, StoreError};
use crate::model::{NewMail, OfflineMessage, Posted, Transitioned};
use crate::sqlite::writer::backend;
use crate::sqlite::{outbox, rows, to_json, tracking};

/// Appends an event with the conversation's next seq.
pub(crate) const APPEND_EVENT: &str = "INSERT INTO events (conversation_id, seq, at, author_kind, author_id, author_name, kind, text, data, client_msg_id, visible_prev) \
    SELECT id, last_seq + 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, \
    CASE WHEN ?9 AND visible_seq != last_seq THEN visible_seq END \
    FROM conversations WHERE id = ?10 RETURNING seq, visible_prev";

/// Moves the conversation past the event just appended.
pub(crate) const ADVANCE_CONVERSATION: &str = "UPDATE conversations SET last_seq = ?6, updated_at = ?1, \
    last_message_seq = CASE WHEN ?2 THEN ?6 ELSE last_message_seq END, \
    visible_seq = CASE WHEN ?3 THEN ?6 ELSE visible_seq END, \
    unanswered_since = CASE ?4 WHEN 0 THEN COALESCE(unanswered_since, ?1) \
    WHEN 1 THEN NULL ELSE unanswered_since END \
    WHERE id = ?5";

/// The open conversation of a visitor or their contact.
pub(crate) const OPEN_CONVERSATION_OF: &str = "SELECT id FROM conversations WHERE (visitor_id = ?1 OR contact_id = ?2) \
    AND status != 'closed' ORDER BY created_at DESC LIMIT 1";

/// A new conversation.
pub(crate) const INSERT_CONVERSATION: &str = "INSERT INTO conversations (id, site_id, visitor_id, contact_id, department_id, status, \
    assignee_id, last_assignee_id, assigned_at, offline, created_at, updated_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, CASE WHEN ?7 IS NULL THEN NULL ELSE ?8 END, ?9, ?8, ?8)";

/// What the rules of a state change read.
pub(crate) const LOAD_STATE: &str =
    "SELECT status, assignee_id, participants, site_id FROM conversations WHERE id = ?";

/// One conversation's summary.
pub(crate) static SUMMARY_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("{} WHERE c.id = ?", rows::SUMMARY_SELECT));

/// A conversation's event stored under a `client_msg_id`.
pub(crate) static STORED_EVENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {} FROM events WHERE conversation_id = ? AND client_msg_id = ?",
        rows::EVENT_COLUMNS
    )
});

/// A visitor's message under a `client_msg_id`, in any conversation of theirs
/// or of their contact.
pub(crate) static VISITOR_RESEND: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {} FROM events e JOIN conversations c ON c.id = e.conversation_id \
         WHERE (c.visitor_id = ?1 OR c.contact_id = ?3 \
                OR c.contact_id = (SELECT contact_id FROM visitors WHERE id = ?1)) \
         AND e.client_msg_id = ?2 AND e.author_kind = 'visitor'",
        rows::event_columns("e")
    )
});

pub fn now() -> Millis {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Millis::try_from(since_epoch.as_millis()).unwrap_or(Millis::MAX)
}

pub(crate) async fn summary(
    conn: &mut SqliteConnection,
    id: ConversationId,
) -> Result<Option<ConversationSummary>> {
    let row = sqlx::query(AssertSqlSafe(SUMMARY_BY_ID.as_str()))
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(rows::summary).transpose()
}

pub(crate) async fn existing_summary(
    conn: &mut SqliteConnection,
    id: ConversationId,
) -> Result<ConversationSummary> {
    summary(conn, id).await?.ok_or(StoreError::NotFound)
}

/// What the rules of a state change read: less than a summary.
pub(crate) struct Loaded {
    pub state: ConversationState,
    pub site: SiteId,
    /// The participants with their names, as stored.
    pub participants: Vec<AgentRef>,
}

/// The conversation's status, holder, participants and site; `NotFound` when
/// there is no such conversation.
pub(crate) async fn load_state(conn: &mut SqliteConnection, id: ConversationId) -> Result<Loaded> {
    let row = sqlx::query(LOAD_STATE)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
    loaded(&row)
}

pub(crate) fn loaded(row: &impl rows::Columns) -> Result<Loaded> {
    let status: String = rows::get(row, "status")?;
    let participants: Vec<AgentRef> = rows::json(row, "participants")?;
    Ok(Loaded {
        state: ConversationState {
            status: ConversationStatus::parse(&status)
                .ok_or_else(|| rows::corrupt("status", &status))?,
            assignee: rows::get::<Option<Uuid>>(row, "assignee_id")?.map(StaffId::from_uuid),
            participants: participants.iter().map(|agent| agent.id).collect(),
        },
        site: SiteId::from_uuid(rows::get(row, "site_id")?),
        participants,
    })
}

/// Appends `body` and answers it with the conversation after the change.
pub(crate) async fn transitioned(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    author: Author,
    body: EventBody,
) -> Result<Transitioned> {
    let event = append(conn, conversation, author, body, None).await?;
    Ok(Transitioned {
        event: Some(event),
        conversation: existing_summary(conn, conversation).await?,
    })
}

/// Assigns the next seq and appends the event. An event the visitor can see
/// also moves `visible_seq`, and records where the visitor's previous one was
/// when staff-only events lie between.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    author: Author,
    body: EventBody,
    client_msg_id: Option<&ClientMsgId>,
) -> Result<Event> {
    let row = Appending::new(&author, &body)?;
    // The event takes the next seq, and reads where the visitor's previous
    // visible event was before the update below moves `visible_seq`.
    let (seq, visible_prev): (i64, Option<i64>) = sqlx::query_as(APPEND_EVENT)
        .bind(row.at)
        .bind(row.author_kind)
        .bind(row.author_id)
        .bind(row.author_name)
        .bind(row.kind)
        .bind(row.text)
        .bind(&row.data)
        .bind(client_msg_id.map(ClientMsgId::as_str))
        .bind(row.visible)
        .bind(conversation.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound)?;
    sqlx::query(ADVANCE_CONVERSATION)
        .bind(row.at)
        .bind(row.is_message)
        .bind(row.visible)
        .bind(row.answers)
        .bind(conversation.as_uuid())
        .bind(seq)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    let at = row.at;
    appended(
        conversation,
        author,
        body,
        client_msg_id,
        at,
        seq,
        visible_prev,
    )
}

/// What appending an event writes, worked out once for either driver.
pub(crate) struct Appending<'a> {
    pub at: Millis,
    pub is_message: bool,
    pub visible: bool,
    /// A visitor's message starts the wait for an answer (`false`); an operator's ends it (`true`).
    pub answers: Option<bool>,
    pub author_kind: &'static str,
    pub author_id: Option<Uuid>,
    pub author_name: Option<&'a str>,
    pub kind: &'static str,
    pub text: Option<&'a str>,
    pub data: Option<String>,
}

impl<'a> Appending<'a> {
    pub(crate) fn new(author: &'a Author, body: &'a EventBody) -> Result<Self> {
        let answers = match (body, author) {
            (EventBody::Message { .. }, Author::Visitor) => Some(false),
            (EventBody::Message { .. }, Author::Agent { .. }) => Some(true),
            _ => None,
        };
        let (author_kind, author_id, author_name) = match author {
            Author::Visitor => ("visitor", None, None),
            Author::System => ("system", None, None),
            Author::Agent { id, name } => ("agent", Some(id.as_uuid()), Some(name.as_str())),
        };
        let (text, data) = match body {
            EventBody::Message { text }
            | EventBody::Whisper { text }
            | EventBody::Note { text } => (Some(text.as_str()), None),
            EventBody::Transferred { .. } => (None, Some(to_json(body)?)),
            EventBody::Joined | EventBody::Left | EventBody::Closed => (None, None),
        };
        Ok(Self {
            at: now(),
            is_message: matches!(body, EventBody::Message { .. }),
            visible: body.visible_to_visitor(),
            answers,
            author_kind,
            author_id,
            author_name,
            kind: body.kind(),
            text,
            data,
        })
    }
}

/// The event just appended, from what the insert returned.
pub(crate) fn appended(
    conversation: ConversationId,
    author: Author,
    body: EventBody,
    client_msg_id: Option<&ClientMsgId>,
    at: Millis,
    seq: i64,
    visible_prev: Option<i64>,
) -> Result<Event> {
    Ok(Event {
        conversation_id: conversation,
        seq: rows::seq(seq)?,
        at,
        author,
        body,
        client_msg_id: client_msg_id.map(|id| id.as_str().to_owned()),
        visible_prev: visible_prev.map(rows::seq).transpose()?,
    })
}

/// The event a client already stored under `client_msg_id`, for idempotent resends.
pub(crate) async fn stored_event(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    client_msg_id: &ClientMsgId,
) -> Result<Option<Event>> {
    let row = sqlx::query(AssertSqlSafe(STORED_EVENT.as_str()))
        .bind(conversation.as_uuid())
        .bind(client_msg_id.as_str())
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    row.as_ref().map(|row| rows::event(row, "")).transpose()
}

/// A `client_msg_id` is unique within a conversation, across both sides.
pub(crate) fn client_msg_id_taken() -> StoreError {
    StoreError::Conflict("that client_msg_id is already used in this conversation".to_owned())
}

/// A member of staff's earlier post with this `client_msg_id`, as a duplicate
/// [`Posted`]. Only the sender's own event makes it a resend; answering with
/// someone else's would acknowledge a post that was never stored.
pub(crate) async fn agent_resend(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: StaffId,
    client_msg_id: &ClientMsgId,
) -> Result<Option<Posted>> {
    let Some(event) = stored_event(conn, conversation, client_msg_id).await? else {
        return Ok(None);
    };
    if !matches!(&event.author, Author::Agent { id, .. } if *id == agent) {
        return Err(client_msg_id_taken());
    }
    Ok(Some(Posted {
        event,
        duplicate: true,
        conversation: existing_summary(conn, conversation).await?,
        opened: false,
    }))
}

/// The open conversation a message of this visitor goes to: their own, or, when
/// they proved to be `contact`, that customer's from another device.
async fn open_conversation_of(
    conn: &mut SqliteConnection,
    visitor: VisitorId,
    contact: Option<ContactId>,
) -> Result<Option<ConversationId>> {
    let open: Option<Uuid> = sqlx::query_scalar(OPEN_CONVERSATION_OF)
        .bind(visitor.as_uuid())
        .bind(contact.map(|c| c.as_uuid()))
        .fetch_optional(conn)
        .await
        .map_err(backend)?;
    Ok(open.map(ConversationId::from_uuid))
}

/// A conversation about to be created.
struct Opening {
    site: SiteId,
    visitor: VisitorId,
    contact: Option<ContactId>,
    department: Option<DepartmentId>,
    /// Active from the start, held by this operator (an accepted invitation).
    assignee: Option<StaffId>,
    offline: bool,
}

async fn open_conversation(
    conn: &mut SqliteConnection,
    opening: Opening,
) -> Result<ConversationId> {
    let id = ConversationId::new();
    let at = now();
    let status = match opening.assignee {
        Some(_) => ConversationStatus::Active,
        None => ConversationStatus::Waiting,
    };
    let assignee = opening.assignee.map(|agent| agent.as_uuid());
    sqlx::query(INSERT_CONVERSATION)
        .bind(id.as_uuid())
        .bind(opening.site.as_uuid())
        .bind(opening.visitor.as_uuid())
        .bind(opening.contact.map(|c| c.as_uuid()))
        .bind(opening.department.map(|d| d.as_uuid()))
        .bind(status.as_str())
        .bind(assignee)
        .bind(at)
        .bind(opening.offline)
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(id)
}

/// A conversation the visitor accepted an invitation into: assigned from the
/// start, opened by the agent joining and saying the invitation's text.
pub(crate) async fn open_invited(
    conn: &mut SqliteConnection,
    site: SiteId,
    visitor: VisitorId,
    contact: Option<ContactId>,
    agent: AgentRef,
    text: MessageText,
    department: Option<DepartmentId>,
) -> Result<Transitioned> {
    // The same open conversation a message of this visitor would go to: their
    // own, or their contact's from another device.
    if open_conversation_of(conn, visitor, contact)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(
            "the visitor already has an open conversation".to_owned(),
        ));
    }
    let conversation = open_conversation(
        conn,
        Opening {
            site,
            visitor,
            contact,
            department,
            assignee: Some(agent.id),
            offline: false,
        },
    )
    .await?;
    let author = Author::from(agent);
    append(conn, conversation, author.clone(), EventBody::Joined, None).await?;
    let body = EventBody::Message {
        text: text.into_string(),
    };
    transitioned(conn, conversation, author, body).await
}

/// The visitor's earlier message with this `client_msg_id`, from any of their
/// conversations or their contact's, as a duplicate [`Posted`].
async fn visitor_resend(
    conn: &mut SqliteConnection,
    visitor: VisitorId,
    contact: Option<ContactId>,
    client_msg_id: &ClientMsgId,
) -> Result<Option<Posted>> {
    let previous = sqlx::query(AssertSqlSafe(VISITOR_RESEND.as_str()))
        .bind(visitor.as_uuid())
        .bind(client_msg_id.as_str())
        .bind(contact.map(|c| c.as_uuid()))
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    let Some(event) = previous
        .as_ref()
        .map(|row| rows::event(row, ""))
        .transpose()?
    else {
        return Ok(None);
    };
    let summary = existing_summary(conn, event.conversation_id).await?;
    Ok(Some(Posted {
        event,
        duplicate: true,
        conversation: summary,
        opened: false,
    }))
}

pub(crate) async fn post_offline_message(
    conn: &mut SqliteConnection,
    offline: OfflineMessage,
) -> Result<Posted> {
    if let Some(resend) = visitor_resend(
        conn,
        offline.visitor,
        offline.contact,
        &offline.client_msg_id,
    )
    .await?
    {
        return Ok(resend);
    }
    let conversation = open_conversation(
        conn,
        Opening {
            site: offline.site,
            visitor: offline.visitor,
            contact: offline.contact,
            department: offline.department,
            assignee: None,
            offline: true,
        },
    )
    .await?;
    tracking::save_claims(conn, offline.visitor, &offline.claims).await?;
    let body = EventBody::Message {
        text: offline.text.into_string(),
    };
    let event = append(
        conn,
        conversation,
        Author::Visitor,
        body,
        Some(&offline.client_msg_id),
    )
    .await?;
    if let Some(mail) = &offline.mail {
        outbox::enqueue(conn, mail, event.at).await?;
    }
    let summary = existing_summary(conn, conversation).await?;
    Ok(Posted {
        event,
        duplicate: false,
        conversation: summary,
        opened: true,
    })
}

/// Waiting, not held, no operator message (a note, whisper, join or transfer
/// is no answer), not offline, not missed.
const UNANSWERED: &str = "c.status = 'waiting' AND c.assignee_id IS NULL AND c.offline = 0 \
     AND c.missed = 0 AND NOT EXISTS (SELECT 1 FROM events a \
     WHERE a.conversation_id = c.id AND a.author_kind = 'agent' AND a.kind = 'message')";

pub(crate) async fn unanswered(conn: &mut SqliteConnection) -> Result<Vec<ConversationSummary>> {
    let sql = format!(
        "{} WHERE {UNANSWERED} ORDER BY c.created_at",
        rows::SUMMARY_SELECT
    );
    let found = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(conn)
        .await
        .map_err(backend)?;
    found.iter().map(rows::summary).collect()
}

pub(crate) async fn mark_missed(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    mail: Option<NewMail>,
) -> Result<Option<ConversationSummary>> {
    let sql = format!(
        "UPDATE conversations SET missed = 1, updated_at = ?1 WHERE id = ?2 AND id IN \
         (SELECT c.id FROM conversations c WHERE c.id = ?2 AND {UNANSWERED})"
    );
    let at = now();
    let marked = sqlx::query(AssertSqlSafe(sql))
        .bind(at)
        .bind(conversation.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    if marked.rows_affected() == 0 {
        return Ok(None);
    }
    if let Some(mail) = &mail {
        outbox::enqueue(conn, mail, at).await?;
    }
    summary(conn, conversation).await
}

pub(crate) async fn take(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: AgentRef,
) -> Result<Transitioned> {
    let before = load_state(conn, conversation).await?;
    let event = match before.state.take(agent.id)? {
        TakeOutcome::AlreadyHeld => None,
        TakeOutcome::Join => {
            let participants = without(&before.participants, agent.id);
            assign(conn, conversation, agent.id, &participants).await?;
            Some(append(conn, conversation, agent.into(), EventBody::Joined, None).await?)
        }
    };
    let summary = existing_summary(conn, conversation).await?;
    Ok(Transitioned {
        event,
        conversation: summary,
    })
}

pub(crate) async fn close(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    by: Author,
) -> Result<Transitioned> {
    load_state(conn, conversation).await?.state.close()?;
    sqlx::query("UPDATE conversations SET status = ?, closed_at = ? WHERE id = ?")
        .bind(ConversationStatus::Closed.as_str())
        .bind(now())
        .bind(conversation.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    transitioned(conn, conversation, by, EventBody::Closed).await
}

/// Makes `agent` the holder: active, assigned now, and out of the participants.
pub(crate) async fn assign(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: StaffId,
    participants: &[AgentRef],
) -> Result<()> {
    sqlx::query(
        "UPDATE conversations SET status = ?1, assignee_id = ?2, last_assignee_id = ?2, \
         assigned_at = ?3, participants = ?4 WHERE id = ?5",
    )
    .bind(ConversationStatus::Active.as_str())
    .bind(agent.as_uuid())
    .bind(now())
    .bind(to_json(&participants)?)
    .bind(conversation.as_uuid())
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The participants without `agent`.
pub(crate) fn without(participants: &[AgentRef], agent: StaffId) -> Vec<AgentRef> {
    participants
        .iter()
        .filter(|p| p.id != agent)
        .cloned()
        .collect()
}

pub(crate) async fn mark_receipt(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    side: Side,
    mark: ReceiptMark,
    seq: Seq,
) -> Result<Receipts> {
    // Each side is capped at what it can see: staff everything, the visitor
    // what `visible_seq` counts. Read implies delivered.
    let sql = match (side, mark) {
        (Side::Agent, ReceiptMark::Delivered) => {
            "agent_delivered = MAX(agent_delivered, MIN(?1, last_seq))"
        }
        (Side::Agent, ReceiptMark::Read) => {
            "agent_delivered = MAX(agent_delivered, MIN(?1, last_seq)), \
             agent_read = MAX(agent_read, MIN(?1, last_seq))"
        }
        (Side::Visitor, ReceiptMark::Delivered) => {
            "visitor_delivered = MAX(visitor_delivered, MIN(?1, visible_seq))"
        }
        (Side::Visitor, ReceiptMark::Read) => {
            "visitor_delivered = MAX(visitor_delivered, MIN(?1, visible_seq)), \
             visitor_read = MAX(visitor_read, MIN(?1, visible_seq))"
        }
    };
    let sql = format!(
        "UPDATE conversations SET {sql} WHERE id = ?2 \
         RETURNING agent_delivered, visitor_delivered, agent_read, visitor_read"
    );
    let (agent_delivered, visitor_delivered, agent_read, visitor_read): (i64, i64, i64, i64) =
        sqlx::query_as(AssertSqlSafe(sql))
            .bind(i64::from(seq))
            .bind(conversation.as_uuid())
            .fetch_optional(conn)
            .await
            .map_err(backend)?
            .ok_or(StoreError::NotFound)?;
    Ok(Receipts {
        agent_delivered: rows::seq(agent_delivered)?,
        visitor_delivered: rows::seq(visitor_delivered)?,
        agent_read: rows::seq(agent_read)?,
        visitor_read: rows::seq(visitor_read)?,
    })
}
