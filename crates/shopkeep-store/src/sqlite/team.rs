//! Conversation changes of team work: handing over, transfers to a
//! department's queue, supervisors joining and leaving, whispers and notes,
//! tags. Write functions run inside the writer's group transaction; the rules
//! are [`ConversationState`]'s.
//!
//! [`ConversationState`]: shopkeep_core::conversation::ConversationState

use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::DepartmentRef;
use shopkeep_core::event::EventBody;
use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary};
use shopkeep_core::text::{ClientMsgId, MessageText};
use sqlx::SqliteConnection;

use crate::error::{Result, StoreError};
use crate::model::{Posted, StaffOnly, Transitioned};
use crate::sqlite::conversations::{
    agent_resend, append, assign, existing_summary, load_state, transitioned, without,
};
use crate::sqlite::to_json;
use crate::sqlite::writer::{backend, found};

async fn set_participants(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    participants: &[AgentRef],
) -> Result<()> {
    sqlx::query("UPDATE conversations SET participants = ? WHERE id = ?")
        .bind(to_json(&participants)?)
        .bind(conversation.as_uuid())
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(())
}

pub(crate) async fn hand(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    by: AgentRef,
    to: AgentRef,
) -> Result<Transitioned> {
    let before = load_state(conn, conversation).await?;
    before.state.hand_to(to.id)?;
    let participants = without(&before.participants, to.id);
    assign(conn, conversation, to.id, &participants).await?;
    let body = EventBody::Transferred {
        to: Some(to),
        department: None,
    };
    transitioned(conn, conversation, by.into(), body).await
}

pub(crate) async fn to_department(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    by: AgentRef,
    department: DepartmentRef,
) -> Result<Transitioned> {
    let before = load_state(conn, conversation).await?;
    before.state.requeue()?;
    // Only a department of the conversation's own site.
    found(
        sqlx::query(
            "UPDATE conversations SET status = ?, assignee_id = NULL, assigned_at = NULL, \
             participants = '[]', department_id = ?2 \
             WHERE id = ?3 AND EXISTS (SELECT 1 FROM departments d WHERE d.id = ?2 AND d.site_id = ?4)",
        )
        .bind(ConversationStatus::Waiting.as_str())
        .bind(department.id.as_uuid())
        .bind(conversation.as_uuid())
        .bind(before.site.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?,
    )?;
    let body = EventBody::Transferred {
        to: None,
        department: Some(department),
    };
    transitioned(conn, conversation, by.into(), body).await
}

pub(crate) async fn join(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: AgentRef,
) -> Result<Transitioned> {
    let before = load_state(conn, conversation).await?;
    before.state.join(agent.id)?;
    let mut participants = before.participants;
    participants.push(agent.clone());
    set_participants(conn, conversation, &participants).await?;
    transitioned(conn, conversation, agent.into(), EventBody::Joined).await
}

pub(crate) async fn leave(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: AgentRef,
) -> Result<Transitioned> {
    let before = load_state(conn, conversation).await?;
    before.state.leave(agent.id)?;
    let participants = without(&before.participants, agent.id);
    set_participants(conn, conversation, &participants).await?;
    transitioned(conn, conversation, agent.into(), EventBody::Left).await
}

pub(crate) async fn post_staff_only(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    kind: StaffOnly,
    agent: AgentRef,
    client_msg_id: ClientMsgId,
    text: MessageText,
) -> Result<Posted> {
    if let Some(resend) = agent_resend(conn, conversation, agent.id, &client_msg_id).await? {
        return Ok(resend);
    }
    let before = load_state(conn, conversation).await?;
    let text = text.into_string();
    let body = match kind {
        // Coaching a chat that is over makes no sense; a note on it does.
        StaffOnly::Whisper => {
            before.state.post()?;
            EventBody::Whisper { text }
        }
        StaffOnly::Note => EventBody::Note { text },
    };
    let event = append(conn, conversation, agent.into(), body, Some(&client_msg_id)).await?;
    Ok(Posted {
        event,
        duplicate: false,
        conversation: existing_summary(conn, conversation).await?,
        opened: false,
    })
}

pub(crate) async fn set_tags(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    tags: Vec<String>,
) -> Result<ConversationSummary> {
    let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM conversations WHERE id = ?")
        .bind(conversation.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    if known.is_none() {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM conversation_tags WHERE conversation_id = ?")
        .bind(conversation.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    sqlx::query(
        "INSERT INTO conversation_tags (conversation_id, tag) \
         SELECT DISTINCT ?, value FROM json_each(?)",
    )
    .bind(conversation.as_uuid())
    .bind(to_json(&tags)?)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    existing_summary(conn, conversation).await
}
