use shopkeep_core::ids::StaffId;
use shopkeep_core::staff::{AgentStatus, DEFAULT_MAX_CHATS, Role};
use shopkeep_store::{NewStaff, Session, Store, StoreError};

use crate::helpers::{T0, new_staff, staff, token_hash};

conformance! {
    store: [
        created_staff_is_found_by_id_with_defaults,
        created_staff_keeps_the_given_max_chats,
        staff_lookup_by_email_ignores_case,
        duplicate_email_is_a_conflict_in_any_case,
        set_password_replaces_the_hash_and_ends_only_that_members_sessions,
        set_password_of_unknown_staff_is_not_found,
        profile_update_changes_only_the_given_fields,
        profile_update_of_unknown_staff_is_not_found,
        status_change_is_stored,
        list_and_count_staff_include_every_member,
        team_update_changes_role_and_max_chats,
    ],
}

async fn created_staff_is_found_by_id_with_defaults(store: &dyn Store) {
    let new = NewStaff {
        role: Role::Admin,
        lang: "fr".to_owned(),
        max_chats: None,
        ..new_staff("anna@shop.example")
    };

    let created = store.create_staff(new).await.unwrap();
    let found = store.staff(created.id).await.unwrap().expect("staff by id");

    for member in [&created, &found] {
        assert_eq!(member.id, created.id);
        assert_eq!(member.email, "anna@shop.example");
        assert_eq!(member.name, "Staff anna@shop.example");
        assert_eq!(member.role, Role::Admin);
        assert_eq!(member.password_hash, "$argon2id$v=19$original");
        assert_eq!(member.lang, "fr");
        assert_eq!(member.status, AgentStatus::Offline);
        assert_eq!(member.max_chats, DEFAULT_MAX_CHATS);
    }
    assert_eq!(found.created_at, created.created_at);
    assert!(store.staff(StaffId::new()).await.unwrap().is_none());
}

async fn created_staff_keeps_the_given_max_chats(store: &dyn Store) {
    let new = NewStaff {
        max_chats: Some(2),
        ..new_staff("olga@shop.example")
    };

    let created = store.create_staff(new).await.unwrap();
    let found = store.staff(created.id).await.unwrap().expect("staff by id");

    assert_eq!(created.max_chats, 2);
    assert_eq!(found.max_chats, 2);
}

async fn staff_lookup_by_email_ignores_case(store: &dyn Store) {
    let created = staff(store, "Anna.Berg@Shop.Example").await;

    for spelling in [
        "Anna.Berg@Shop.Example",
        "anna.berg@shop.example",
        "ANNA.BERG@SHOP.EXAMPLE",
    ] {
        let found = store.staff_by_email(spelling).await.unwrap();
        assert_eq!(
            found.map(|member| member.id),
            Some(created.id),
            "{spelling}"
        );
    }
    assert!(
        store
            .staff_by_email("anna@shop.example")
            .await
            .unwrap()
            .is_none()
    );
}

async fn duplicate_email_is_a_conflict_in_any_case(store: &dyn Store) {
    let first = staff(store, "anna@shop.example").await;

    for spelling in ["anna@shop.example", "ANNA@shop.example"] {
        let again = store.create_staff(new_staff(spelling)).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{spelling}: got {again:?}"
        );
    }
    assert_eq!(store.count_staff().await.unwrap(), 1);
    let found = store.staff_by_email("anna@shop.example").await.unwrap();
    assert_eq!(found.map(|member| member.id), Some(first.id));
}

fn session_of(staff: StaffId) -> Session {
    Session {
        token_hash: token_hash(),
        staff_id: staff,
        csrf_token: "csrf".to_owned(),
        created_at: T0,
        last_seen_at: T0,
        expires_at: T0 + 3_600_000,
    }
}

async fn set_password_replaces_the_hash_and_ends_only_that_members_sessions(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let anna_laptop = session_of(anna.id);
    let anna_phone = session_of(anna.id);
    let boris_laptop = session_of(boris.id);
    for session in [&anna_laptop, &anna_phone, &boris_laptop] {
        store.create_session(session.clone()).await.unwrap();
    }

    store
        .set_password(anna.id, "$argon2id$v=19$changed".to_owned())
        .await
        .unwrap();

    let anna = store.staff(anna.id).await.unwrap().unwrap();
    assert_eq!(anna.password_hash, "$argon2id$v=19$changed");
    assert!(
        store
            .session(&anna_laptop.token_hash, T0)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .session(&anna_phone.token_hash, T0)
            .await
            .unwrap()
            .is_none()
    );
    let (kept, owner) = store
        .session(&boris_laptop.token_hash, T0)
        .await
        .unwrap()
        .expect("other staff's session stays");
    assert_eq!(kept.staff_id, boris.id);
    assert_eq!(owner.password_hash, "$argon2id$v=19$original");
}

async fn set_password_of_unknown_staff_is_not_found(store: &dyn Store) {
    let result = store.set_password(StaffId::new(), "hash".to_owned()).await;

    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "got {result:?}"
    );
}

async fn profile_update_changes_only_the_given_fields(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;

    let renamed = store
        .update_staff_profile(anna.id, Some("Anna B.".to_owned()), None)
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.lang.as_str()),
        ("Anna B.", "en")
    );

    let relanguaged = store
        .update_staff_profile(anna.id, None, Some("de".to_owned()))
        .await
        .unwrap();
    assert_eq!(
        (relanguaged.name.as_str(), relanguaged.lang.as_str()),
        ("Anna B.", "de")
    );

    let unchanged = store
        .update_staff_profile(anna.id, None, None)
        .await
        .unwrap();
    assert_eq!(
        (unchanged.name.as_str(), unchanged.lang.as_str()),
        ("Anna B.", "de")
    );

    let stored = store.staff(anna.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.lang.as_str()),
        ("Anna B.", "de")
    );
    assert_eq!(stored.email, "anna@shop.example");
    assert_eq!(stored.password_hash, anna.password_hash);
}

async fn profile_update_of_unknown_staff_is_not_found(store: &dyn Store) {
    let result = store
        .update_staff_profile(StaffId::new(), Some("Nobody".to_owned()), None)
        .await;

    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "got {result:?}"
    );
}

async fn status_change_is_stored(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;

    store
        .set_staff_status(anna.id, AgentStatus::Online)
        .await
        .unwrap();
    assert_eq!(
        store.staff(anna.id).await.unwrap().unwrap().status,
        AgentStatus::Online
    );
    store
        .set_staff_status(anna.id, AgentStatus::Away)
        .await
        .unwrap();

    assert_eq!(
        store.staff(anna.id).await.unwrap().unwrap().status,
        AgentStatus::Away
    );
    assert_eq!(
        store.staff(boris.id).await.unwrap().unwrap().status,
        AgentStatus::Offline
    );
}

async fn list_and_count_staff_include_every_member(store: &dyn Store) {
    assert_eq!(store.count_staff().await.unwrap(), 0);
    assert!(store.list_staff().await.unwrap().is_empty());
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;

    let mut listed: Vec<StaffId> = store
        .list_staff()
        .await
        .unwrap()
        .iter()
        .map(|member| member.id)
        .collect();
    listed.sort();
    let mut expected = vec![anna.id, boris.id];
    expected.sort();

    assert_eq!(listed, expected);
    assert_eq!(store.count_staff().await.unwrap(), 2);
}

async fn team_update_changes_role_and_max_chats(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;

    let promoted = store
        .update_staff_team(anna.id, Some(Role::Supervisor), None)
        .await
        .unwrap();
    assert_eq!(promoted.role, Role::Supervisor);
    assert_eq!(promoted.max_chats, DEFAULT_MAX_CHATS);
    let busier = store
        .update_staff_team(anna.id, None, Some(9))
        .await
        .unwrap();
    assert_eq!((busier.role, busier.max_chats), (Role::Supervisor, 9));
    let reread = store.staff(anna.id).await.unwrap().unwrap();
    assert_eq!((reread.role, reread.max_chats), (Role::Supervisor, 9));
    assert_eq!(reread.name, anna.name);

    let unknown = store
        .update_staff_team(StaffId::new(), Some(Role::Admin), None)
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound)),
        "got {unknown:?}"
    );
}
