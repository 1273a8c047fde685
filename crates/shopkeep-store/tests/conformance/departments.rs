use shopkeep_core::department::{MAX_DEPARTMENTS, RoutingStrategy};
use shopkeep_core::ids::{DepartmentId, SiteId, StaffId};
use shopkeep_core::rules::RuleDraft;
use shopkeep_store::{OfflineMessage, Store, StoreError};

use crate::helpers::{agent, department, department_draft, msg_id, site, staff, text, visitor};

conformance! {
    store: [
        departments_are_created_in_order_with_their_members,
        list_departments_without_a_site_lists_every_site,
        update_replaces_fields_and_members,
        duplicate_name_in_a_site_is_a_conflict_in_any_case,
        unknown_member_or_site_is_not_found,
        unknown_or_repeated_member_in_an_update_changes_nothing,
        a_site_has_at_most_max_departments,
        deleting_a_department_sends_its_chats_and_rules_to_the_site_queue,
        conversations_remember_the_department_they_started_in,
        unknown_department_is_not_found,
    ],
}

async fn departments_are_created_in_order_with_their_members(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let mut draft = department_draft("Sales");
    draft.routing = RoutingStrategy::RoundRobin;
    draft.public = false;
    draft.pages = vec!["/cart".into(), "/checkout".into()];
    draft.notify_address = Some("sales@shop.example".into());
    draft.members = vec![boris.id, anna.id];

    let sales = store
        .create_department(shop.id, draft.clone())
        .await
        .unwrap();
    let support = department(store, shop.id, "Support").await;

    assert_eq!(sales.site_id, shop.id);
    assert_eq!(sales.draft, draft);
    assert!(support.position > sales.position);
    assert_eq!(
        store.department(sales.id).await.unwrap(),
        Some(sales.clone())
    );
    assert_eq!(
        store.list_departments(Some(shop.id)).await.unwrap(),
        [sales, support]
    );
}

async fn list_departments_without_a_site_lists_every_site(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other = site(store, "other").await;
    let sales = department(store, shop.id, "Sales").await;
    let support = department(store, shop.id, "Support").await;
    let elsewhere = department(store, other.id, "Sales").await;

    let all = store.list_departments(None).await.unwrap();

    assert_eq!(all.len(), 3);
    let of = |site| -> Vec<DepartmentId> {
        all.iter()
            .filter(|d| d.site_id == site)
            .map(|d| d.id)
            .collect()
    };
    assert_eq!(of(shop.id), [sales.id, support.id]);
    assert_eq!(of(other.id), [elsewhere.id]);
    assert_eq!(
        store.list_departments(Some(other.id)).await.unwrap(),
        [elsewhere]
    );
}

async fn update_replaces_fields_and_members(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    let mut draft = department_draft("Sales");
    draft.members = vec![anna.id];
    let sales = store.create_department(shop.id, draft).await.unwrap();

    let mut changed = department_draft("Sales & returns");
    changed.routing = RoutingStrategy::Manual;
    changed.pages = vec!["/returns".into()];
    changed.members = vec![boris.id];
    let updated = store
        .update_department(sales.id, changed.clone())
        .await
        .unwrap();

    assert_eq!(updated.draft, changed);
    assert_eq!(updated.position, sales.position);
    assert!(updated.has_member(boris.id));
    assert!(!updated.has_member(anna.id));
    assert_eq!(store.department(sales.id).await.unwrap(), Some(updated));
    let missing = store
        .update_department(DepartmentId::new(), department_draft("X"))
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound)),
        "got {missing:?}"
    );
}

async fn duplicate_name_in_a_site_is_a_conflict_in_any_case(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other = site(store, "other").await;
    department(store, shop.id, "Sales").await;
    let support = department(store, shop.id, "Support").await;

    let created = store
        .create_department(shop.id, department_draft("SALES"))
        .await;
    assert!(
        matches!(created, Err(StoreError::Conflict(_))),
        "got {created:?}"
    );
    let renamed = store
        .update_department(support.id, department_draft("sales"))
        .await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict(_))),
        "got {renamed:?}"
    );
    department(store, other.id, "Sales").await;
    assert_eq!(
        store.list_departments(Some(shop.id)).await.unwrap().len(),
        2
    );
}

async fn unknown_member_or_site_is_not_found(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let mut draft = department_draft("Sales");
    draft.members = vec![StaffId::new()];

    let unknown_member = store.create_department(shop.id, draft).await;
    let unknown_site = store
        .create_department(SiteId::new(), department_draft("Sales"))
        .await;

    assert!(
        matches!(unknown_member, Err(StoreError::NotFound)),
        "got {unknown_member:?}"
    );
    assert!(
        matches!(unknown_site, Err(StoreError::NotFound)),
        "got {unknown_site:?}"
    );
    assert!(store.list_departments(None).await.unwrap().is_empty());
}

async fn unknown_or_repeated_member_in_an_update_changes_nothing(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let anna = staff(store, "anna@shop.example").await;
    let sales = department(store, shop.id, "Sales").await;
    let mut unknown = sales.draft.clone();
    unknown.name = "Renamed".into();
    unknown.members = vec![anna.id, StaffId::new()];
    let mut twice = sales.draft.clone();
    twice.members = vec![anna.id, anna.id];

    let unknown = store.update_department(sales.id, unknown).await;
    let twice = store.update_department(sales.id, twice).await;

    assert!(
        matches!(unknown, Err(StoreError::NotFound)),
        "got {unknown:?}"
    );
    assert!(
        matches!(twice, Err(StoreError::Conflict(_))),
        "got {twice:?}"
    );
    assert_eq!(store.department(sales.id).await.unwrap(), Some(sales));
}

async fn a_site_has_at_most_max_departments(store: &dyn Store) {
    let shop = site(store, "shop").await;
    for n in 0..MAX_DEPARTMENTS {
        department(store, shop.id, &format!("Team {n}")).await;
    }

    let result = store
        .create_department(shop.id, department_draft("One more"))
        .await;

    assert!(
        matches!(result, Err(StoreError::Limit(_))),
        "got {result:?}"
    );
    let other = site(store, "other").await;
    department(store, other.id, "One more").await;
}

async fn deleting_a_department_sends_its_chats_and_rules_to_the_site_queue(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let sales = department(store, shop.id, "Sales").await;
    let support = department(store, shop.id, "Support").await;
    let guest = visitor(store, &shop).await;
    let posted = store
        .post_visitor_message(
            shop.id,
            guest.id,
            None,
            msg_id("v1"),
            text("hi"),
            Some(sales.id),
        )
        .await
        .unwrap();
    assert_eq!(posted.conversation.department, Some(sales.as_ref()));
    let rule = |department| RuleDraft {
        name: "Checkout".into(),
        enabled: true,
        conditions: vec![],
        text: "Need a hand?".into(),
        department,
    };
    let sales_rule = store
        .create_rule(shop.id, rule(Some(sales.id)))
        .await
        .unwrap();
    let support_rule = store
        .create_rule(shop.id, rule(Some(support.id)))
        .await
        .unwrap();

    store.delete_department(sales.id).await.unwrap();

    assert_eq!(store.department(sales.id).await.unwrap(), None);
    let conversation = store
        .conversation(posted.conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conversation.department, None);
    let reread = store.rule(sales_rule.id).await.unwrap().unwrap();
    assert_eq!(reread.draft.department, None);
    let untouched = store.rule(support_rule.id).await.unwrap().unwrap();
    assert_eq!(untouched.draft.department, Some(support.id));
    let again = store.delete_department(sales.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "got {again:?}");
}

async fn conversations_remember_the_department_they_started_in(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let sales = department(store, shop.id, "Sales").await;
    let support = department(store, shop.id, "Support").await;
    let anna = staff(store, "anna@shop.example").await;

    let invited = store
        .open_invited_conversation(
            shop.id,
            visitor(store, &shop).await.id,
            None,
            agent(&anna),
            text("Can I help?"),
            Some(support.id),
        )
        .await
        .unwrap();
    assert_eq!(invited.conversation.department, Some(support.as_ref()));
    assert!(invited.conversation.assigned_at.is_some());

    let offline = store
        .post_offline_message(OfflineMessage {
            site: shop.id,
            visitor: visitor(store, &shop).await.id,
            contact: None,
            department: Some(sales.id),
            client_msg_id: msg_id("o1"),
            text: text("Call me"),
            claims: Default::default(),
            mail: None,
        })
        .await
        .unwrap();
    assert_eq!(offline.conversation.department, Some(sales.as_ref()));
    assert!(offline.conversation.offline);

    // A message to an open conversation leaves its department as it is.
    let guest = visitor(store, &shop).await;
    let first = store
        .post_visitor_message(shop.id, guest.id, None, msg_id("v1"), text("hi"), None)
        .await
        .unwrap();
    let second = store
        .post_visitor_message(
            shop.id,
            guest.id,
            None,
            msg_id("v2"),
            text("hello?"),
            Some(sales.id),
        )
        .await
        .unwrap();
    assert_eq!(second.conversation.id, first.conversation.id);
    assert_eq!(second.conversation.department, None);
}

async fn unknown_department_is_not_found(store: &dyn Store) {
    assert_eq!(store.department(DepartmentId::new()).await.unwrap(), None);
    let result = store.delete_department(DepartmentId::new()).await;
    assert!(
        matches!(result, Err(StoreError::NotFound)),
        "got {result:?}"
    );
}
