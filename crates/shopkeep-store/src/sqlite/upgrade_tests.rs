//! A database written before team work, opened by this version.

use std::borrow::Cow;

use shopkeep_core::ids::{ConversationId, RuleId};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use uuid::Uuid;

use super::SqliteStore;
use crate::Store;

/// Applies the migrations before `0005_team` and writes a conversation and a
/// rule as that version did.
async fn old_database(path: &std::path::Path) -> (Uuid, Uuid) {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    let mut migrator = sqlx::migrate!("./migrations/sqlite");
    let before_team: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|migration| migration.version < 5)
        .cloned()
        .collect();
    migrator.migrations = Cow::Owned(before_team);
    migrator.run(&pool).await.unwrap();

    let (site, visitor, staff, conversation, rule) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let statements = [
        "INSERT INTO sites (id, slug, name, public_key, allowed_origins, hmac_secret, color, created_at) \
         VALUES (?1, 'shop', 'Shop', 'pk', '[]', 'secret', '#000000', 0)",
        "INSERT INTO visitors (id, site_id, token_hash, created_at, last_seen_at) VALUES (?2, ?1, x'01', 0, 0)",
        "INSERT INTO staff (id, email, name, role, password_hash, created_at) \
         VALUES (?3, 'anna@shop.example', 'Anna', 'operator', 'hash', 0)",
        "INSERT INTO conversations (id, site_id, visitor_id, status, assignee_id, last_seq, created_at, updated_at, last_message_seq) \
         VALUES (?4, ?1, ?2, 'active', ?3, 3, 0, 0, 3)",
        "INSERT INTO events (conversation_id, seq, at, author_kind, kind, text, client_msg_id) \
         VALUES (?4, 1, 1000, 'visitor', 'message', 'hi', 'v1')",
        "INSERT INTO events (conversation_id, seq, at, author_kind, author_id, author_name, kind) \
         VALUES (?4, 2, 2000, 'agent', ?3, 'Anna', 'joined')",
        "INSERT INTO events (conversation_id, seq, at, author_kind, kind, text, client_msg_id) \
         VALUES (?4, 3, 3000, 'visitor', 'message', 'hello?', 'v2')",
        "INSERT INTO rules (id, site_id, body, created_at, updated_at) VALUES (?5, ?1, \
         '{\"name\":\"Cart\",\"enabled\":true,\"conditions\":[],\"text\":\"Need help?\",\"department\":\"Sales\"}', 0, 0)",
    ];
    for statement in statements {
        sqlx::query(statement)
            .bind(site)
            .bind(visitor)
            .bind(staff)
            .bind(conversation)
            .bind(rule)
            .execute(&pool)
            .await
            .unwrap();
    }
    pool.close().await;
    (conversation, rule)
}

#[tokio::test]
async fn a_database_from_before_team_work_opens_with_its_history_visible() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let (conversation, rule) = old_database(&path).await;

    let store = SqliteStore::open(&path).await.unwrap();

    let summary = store
        .conversation(ConversationId::from_uuid(conversation))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.last_seq, summary.visible_seq), (3, 3));
    assert_eq!(summary.assigned_at, Some(2000));
    assert_eq!(summary.unanswered_since, Some(1000));
    assert!(summary.participants.is_empty() && summary.tags.is_empty());
    let visible = store.visitor_events_after(summary.id, 0, 10).await.unwrap();
    assert_eq!(visible.len(), 3);
    assert!(visible.iter().all(|event| event.visible_prev.is_none()));
    let rule = store.rule(RuleId::from_uuid(rule)).await.unwrap().unwrap();
    assert_eq!(rule.draft.department, None);
    assert_eq!(rule.draft.name, "Cart");
    let staff = store.list_staff().await.unwrap();
    assert_eq!(staff[0].max_chats, shopkeep_core::staff::DEFAULT_MAX_CHATS);
    store.close().await;
}
