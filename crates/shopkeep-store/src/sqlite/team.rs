//! Conversation changes of team work: handing over, transfers to a
//! department's queue, supervisors joining and leaving, whispers and notes,
//! tags. Write functions run inside the writer's group transaction; the rules
//! are [`ConversationState`]'s.
//!
//! [`ConversationState`]: shopkeep_core::conversation::ConversationState

use std::collections::BTreeSet;

use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::DepartmentRef;
use shopkeep_core::event::{Author, EventBody};
use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary};
use shopkeep_core::text::{ClientMsgId, MessageText};
use sqlx::SqliteConnection;

use crate::error::Result;
use crate::model::{Posted, StaffOnly, Transitioned};
use crate::sqlite::conversations::{
    append, assign, client_msg_id_taken, existing_summary, state, stored_event, without,
};
use crate::sqlite::to_json;
use crate::sqlite::writer::{backend, found};

fn author(agent: AgentRef) -> Author {
    Author::Agent {
        id: agent.id,
        name: agent.name,
    }
}

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

async fn transitioned(
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

pub(crate) async fn hand(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    by: AgentRef,
    to: AgentRef,
) -> Result<Transitioned> {
    let before = existing_summary(conn, conversation).await?;
    state(&before).hand_to(to.id)?;
    let participants = without(&before.participants, to.id);
    assign(conn, conversation, to.id, &participants).await?;
    let body = EventBody::Transferred {
        to: Some(to),
        department: None,
    };
    transitioned(conn, conversation, author(by), body).await
}

pub(crate) async fn to_department(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    by: AgentRef,
    department: DepartmentRef,
) -> Result<Transitioned> {
    let before = existing_summary(conn, conversation).await?;
    state(&before).requeue()?;
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
        .bind(before.site_id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?,
    )?;
    let body = EventBody::Transferred {
        to: None,
        department: Some(department),
    };
    transitioned(conn, conversation, author(by), body).await
}

pub(crate) async fn join(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: AgentRef,
) -> Result<Transitioned> {
    let before = existing_summary(conn, conversation).await?;
    state(&before).join(agent.id)?;
    let mut participants = before.participants;
    participants.push(agent.clone());
    set_participants(conn, conversation, &participants).await?;
    transitioned(conn, conversation, author(agent), EventBody::Joined).await
}

pub(crate) async fn leave(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    agent: AgentRef,
) -> Result<Transitioned> {
    let before = existing_summary(conn, conversation).await?;
    state(&before).leave(agent.id)?;
    let participants = without(&before.participants, agent.id);
    set_participants(conn, conversation, &participants).await?;
    transitioned(conn, conversation, author(agent), EventBody::Left).await
}

pub(crate) async fn post_staff_only(
    conn: &mut SqliteConnection,
    conversation: ConversationId,
    kind: StaffOnly,
    agent: AgentRef,
    client_msg_id: ClientMsgId,
    text: MessageText,
) -> Result<Posted> {
    if let Some(event) = stored_event(conn, conversation, &client_msg_id).await? {
        if !matches!(&event.author, Author::Agent { id, .. } if *id == agent.id) {
            return Err(client_msg_id_taken());
        }
        return Ok(Posted {
            event,
            duplicate: true,
            conversation: existing_summary(conn, conversation).await?,
            opened: false,
        });
    }
    let before = existing_summary(conn, conversation).await?;
    let text = text.into_string();
    let body = match kind {
        // Coaching a chat that is over makes no sense; a note on it does.
        StaffOnly::Whisper => {
            state(&before).post()?;
            EventBody::Whisper { text }
        }
        StaffOnly::Note => EventBody::Note { text },
    };
    let event = append(
        conn,
        conversation,
        author(agent),
        body,
        Some(&client_msg_id),
    )
    .await?;
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
    existing_summary(conn, conversation).await?;
    sqlx::query("DELETE FROM conversation_tags WHERE conversation_id = ?")
        .bind(conversation.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    for tag in tags.into_iter().collect::<BTreeSet<_>>() {
        sqlx::query("INSERT INTO conversation_tags (conversation_id, tag) VALUES (?, ?)")
            .bind(conversation.as_uuid())
            .bind(tag)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    existing_summary(conn, conversation).await
}
