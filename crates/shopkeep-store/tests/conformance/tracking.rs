//! Contacts and identity, visits and pages, attributes, invitation rules,
//! invited conversations, staff photos and site settings.

use std::collections::BTreeMap;

use serde_json::json;
use shopkeep_core::attributes::Attributes;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::event::EventBody;
use shopkeep_core::ids::{RuleId, SiteId, VisitId};
use shopkeep_core::privacy::DEFAULT_STRIPPED_PARAMS;
use shopkeep_core::rules::{Condition, MAX_RULES, RuleDraft};
use shopkeep_core::site::TrackingSettings;
use shopkeep_core::tracking::{Client, DeviceKind, PageView};
use shopkeep_store::{
    Claims, NewVisit, SiteSettings, StaffPhoto, Store, StoreError, TrackingBatch, Visitor,
};

use crate::helpers::{
    T0, agent, agent_author, all_events, contact_says, message_text, msg_id, site, site_record,
    staff, text, visitor, visitor_says,
};

conformance! {
    store: [
        identify_without_a_verified_id_keeps_the_claims_on_the_visitor_only,
        unverified_claims_keep_an_earlier_contact_link,
        verified_id_creates_a_contact_and_links_the_visitor_and_its_conversations,
        a_second_visitor_with_the_same_verified_id_joins_the_contact_as_returning,
        the_same_external_id_on_another_site_is_another_contact,
        contact_claims_update_only_what_is_given,
        start_visit_numbers_each_visitors_visits_from_one,
        recorded_pages_come_back_newest_visit_first_pages_oldest_first,
        pages_read_back_are_capped_at_the_newest_hundred,
        seen_activity_moves_last_seen_forward_only,
        visits_of_several_visitors_are_merged_and_limited,
        attributes_round_trip,
        attributes_of_an_unknown_visitor_are_not_found,
        rules_are_created_listed_updated_and_deleted,
        a_site_has_at_most_a_hundred_rules,
        unknown_rules_are_not_found,
        invited_conversation_is_active_assigned_and_opens_with_joined_then_the_text,
        invited_conversation_is_refused_while_the_visitor_has_an_open_one,
        invited_conversation_is_refused_while_the_contact_chats_on_another_device,
        conversations_of_a_contacts_visitors_come_newest_first,
        a_linked_visitor_writes_into_the_contacts_open_conversation_from_another_device,
        staff_photo_is_set_replaced_and_removed,
        site_settings_round_trip,
        site_settings_of_an_unknown_site_are_not_found,
        a_new_site_tracks_with_the_default_stripped_parameters,
    ],
}

fn claims(name: Option<&str>, email: Option<&str>, phone: Option<&str>) -> Claims {
    Claims {
        name: name.map(str::to_owned),
        email: email.map(str::to_owned),
        phone: phone.map(str::to_owned),
    }
}

fn new_visit(guest: &Visitor, started_at: i64) -> NewVisit {
    NewVisit {
        id: VisitId::new(),
        visitor_id: guest.id,
        site_id: guest.site_id,
        started_at,
        referrer: Some("https://news.example/story".to_owned()),
        utm_source: Some("newsletter".to_owned()),
        country: Some("GB".to_owned()),
        client: Client {
            browser: Some("Firefox 128".to_owned()),
            os: Some("Linux".to_owned()),
            device: DeviceKind::Desktop,
        },
        lang: Some("en-GB".to_owned()),
    }
}

fn page(path: &str, at: i64) -> PageView {
    PageView {
        url: format!("https://shop.example{path}"),
        title: format!("Title of {path}"),
        at,
    }
}

fn urls(pages: &[PageView]) -> Vec<&str> {
    pages.iter().map(|p| p.url.as_str()).collect()
}

fn rule_draft(name: &str) -> RuleDraft {
    RuleDraft {
        name: name.to_owned(),
        enabled: true,
        conditions: vec![
            Condition::UrlMatches {
                pattern: "/cart*".to_owned(),
            },
            Condition::TimeOnPage { seconds: 30 },
        ],
        text: "Need a hand with your order?".to_owned(),
        department: None,
    }
}

async fn identify_without_a_verified_id_keeps_the_claims_on_the_visitor_only(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;

    let identified = store
        .identify_visitor(
            guest.id,
            claims(
                Some("Anna"),
                Some("anna@example.com"),
                Some("+44 20 7946 0018"),
            ),
            None,
        )
        .await
        .unwrap();

    assert!(identified.contact.is_none());
    assert!(!identified.returning);
    let stored = store.visitor(guest.id).await.unwrap().unwrap();
    assert_eq!(stored, identified.visitor);
    assert_eq!(stored.name.as_deref(), Some("Anna"));
    assert_eq!(stored.email.as_deref(), Some("anna@example.com"));
    assert_eq!(stored.phone.as_deref(), Some("+44 20 7946 0018"));
    assert_eq!(stored.contact_id, None);
}

async fn unverified_claims_keep_an_earlier_contact_link(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let verified = store
        .identify_visitor(
            guest.id,
            claims(Some("Anna"), None, None),
            Some("cust-1".into()),
        )
        .await
        .unwrap();
    let contact = verified.contact.unwrap();

    let later = store
        .identify_visitor(guest.id, claims(Some("Mallory"), None, None), None)
        .await
        .unwrap();

    assert!(later.contact.is_none());
    assert_eq!(later.visitor.contact_id, Some(contact.id));
    assert_eq!(later.visitor.name.as_deref(), Some("Mallory"));
    // The claim did not reach the contact the shop vouched for.
    let stored = store.contact(contact.id).await.unwrap().unwrap();
    assert_eq!(stored.name.as_deref(), Some("Anna"));
}

async fn verified_id_creates_a_contact_and_links_the_visitor_and_its_conversations(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let before = visitor_says(store, &guest, "m1").await;
    assert_eq!(before.conversation.contact_id, None);

    let identified = store
        .identify_visitor(
            guest.id,
            claims(Some("Anna"), Some("anna@example.com"), None),
            Some("cust-1001".into()),
        )
        .await
        .unwrap();

    let contact = identified.contact.expect("a contact");
    assert!(!identified.returning, "a first visitor is not returning");
    assert_eq!(contact.site_id, shop.id);
    assert_eq!(contact.external_id, "cust-1001");
    assert_eq!(contact.name.as_deref(), Some("Anna"));
    assert_eq!(contact.email.as_deref(), Some("anna@example.com"));
    assert_eq!(identified.visitor.contact_id, Some(contact.id));
    assert_eq!(
        store.contact(contact.id).await.unwrap(),
        Some(contact.clone())
    );
    assert_eq!(
        store.contact_visitors(contact.id).await.unwrap(),
        vec![guest.id]
    );
    let linked = store
        .conversation(before.conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(linked.contact_id, Some(contact.id));
    // Conversations opened by a connection that proved the contact carry it.
    store
        .close_conversation(linked.id, shopkeep_core::event::Author::Visitor)
        .await
        .unwrap();
    let after = contact_says(store, &guest, contact.id, "m2").await;
    assert!(after.opened);
    assert_eq!(after.conversation.contact_id, Some(contact.id));
    // The stored link alone (a later, unverified connection) does not.
    store
        .close_conversation(after.conversation.id, shopkeep_core::event::Author::Visitor)
        .await
        .unwrap();
    let unproven = visitor_says(store, &guest, "m3").await;
    assert!(unproven.opened);
    assert_eq!(unproven.conversation.contact_id, None);
}

async fn a_second_visitor_with_the_same_verified_id_joins_the_contact_as_returning(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    let first = store
        .identify_visitor(
            laptop.id,
            claims(Some("Anna"), None, None),
            Some("cust-7".into()),
        )
        .await
        .unwrap();
    // Identifying again from the same device is not a return.
    let again = store
        .identify_visitor(laptop.id, Claims::default(), Some("cust-7".into()))
        .await
        .unwrap();
    assert!(!again.returning);

    let second = store
        .identify_visitor(phone.id, Claims::default(), Some("cust-7".into()))
        .await
        .unwrap();

    let contact = first.contact.unwrap();
    assert_eq!(second.contact.as_ref().map(|c| c.id), Some(contact.id));
    assert!(second.returning);
    assert_eq!(second.visitor.contact_id, Some(contact.id));
    let mut visitors = store.contact_visitors(contact.id).await.unwrap();
    visitors.sort();
    let mut expected = vec![laptop.id, phone.id];
    expected.sort();
    assert_eq!(visitors, expected);
}

async fn the_same_external_id_on_another_site_is_another_contact(store: &dyn Store) {
    let shop_a = site(store, "shop-a").await;
    let shop_b = site(store, "shop-b").await;
    let on_a = visitor(store, &shop_a).await;
    let on_b = visitor(store, &shop_b).await;

    let a = store
        .identify_visitor(on_a.id, Claims::default(), Some("cust-1".into()))
        .await
        .unwrap();
    let b = store
        .identify_visitor(on_b.id, Claims::default(), Some("cust-1".into()))
        .await
        .unwrap();

    let (a, b) = (a.contact.unwrap(), b.contact.unwrap());
    assert_ne!(a.id, b.id);
    assert_eq!(b.site_id, shop_b.id);
}

async fn contact_claims_update_only_what_is_given(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    store
        .identify_visitor(
            laptop.id,
            claims(Some("Anna"), Some("anna@old.example"), Some("+1 555 0100")),
            Some("cust-2".into()),
        )
        .await
        .unwrap();

    let updated = store
        .identify_visitor(
            phone.id,
            claims(None, Some("anna@new.example"), None),
            Some("cust-2".into()),
        )
        .await
        .unwrap();

    let contact = updated.contact.unwrap();
    assert_eq!(contact.name.as_deref(), Some("Anna"));
    assert_eq!(contact.email.as_deref(), Some("anna@new.example"));
    assert_eq!(contact.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(store.contact(contact.id).await.unwrap(), Some(contact));
    // The visitor keeps only what it was told itself.
    assert_eq!(updated.visitor.name, None);
    assert_eq!(updated.visitor.email.as_deref(), Some("anna@new.example"));
}

async fn start_visit_numbers_each_visitors_visits_from_one(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let other = visitor(store, &shop).await;

    let mut numbers = Vec::new();
    for n in 0..3 {
        numbers.push(
            store
                .start_visit(new_visit(&guest, T0 + n * 3_600_000))
                .await
                .unwrap(),
        );
    }

    assert_eq!(numbers, vec![1, 2, 3]);
    assert_eq!(store.start_visit(new_visit(&other, T0)).await.unwrap(), 1);
    let stored = store.visitor(guest.id).await.unwrap().unwrap();
    assert_eq!(stored.visits, 3);
    let latest = store.latest_visit(guest.id).await.unwrap().unwrap();
    assert_eq!(latest.number, 3);
    assert_eq!(latest.started_at, T0 + 2 * 3_600_000);
    assert_eq!(
        latest.referrer.as_deref(),
        Some("https://news.example/story")
    );
    assert_eq!(latest.utm_source.as_deref(), Some("newsletter"));
    assert_eq!(latest.country.as_deref(), Some("GB"));
    assert_eq!(latest.client.browser.as_deref(), Some("Firefox 128"));
    assert_eq!(latest.client.os.as_deref(), Some("Linux"));
    assert_eq!(latest.client.device, DeviceKind::Desktop);
    assert_eq!(latest.lang.as_deref(), Some("en-GB"));
    let unknown = visitor(store, &shop).await;
    assert_eq!(store.latest_visit(unknown.id).await.unwrap(), None);
}

async fn recorded_pages_come_back_newest_visit_first_pages_oldest_first(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let first = new_visit(&guest, T0);
    let second = new_visit(&guest, T0 + 86_400_000);
    store.start_visit(first.clone()).await.unwrap();
    store.start_visit(second.clone()).await.unwrap();

    // Two flushes, the second interleaving both visits.
    store
        .record_tracking(TrackingBatch {
            pages: vec![
                (first.id, page("/", T0 + 1_000)),
                (first.id, page("/jackets", T0 + 2_000)),
            ],
            seen: vec![(first.id, guest.id, T0 + 2_000)],
        })
        .await
        .unwrap();
    store
        .record_tracking(TrackingBatch {
            pages: vec![
                (second.id, page("/cart", second.started_at + 1_000)),
                (first.id, page("/jackets/blue", T0 + 3_000)),
                (second.id, page("/checkout", second.started_at + 5_000)),
            ],
            seen: vec![],
        })
        .await
        .unwrap();
    store
        .record_tracking(TrackingBatch::default())
        .await
        .unwrap();

    let visits = store.visits(&[guest.id], 10).await.unwrap();
    assert_eq!(
        visits.iter().map(|v| v.number).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(
        urls(&visits[0].pages),
        vec!["https://shop.example/cart", "https://shop.example/checkout"]
    );
    assert_eq!(
        urls(&visits[1].pages),
        vec![
            "https://shop.example/",
            "https://shop.example/jackets",
            "https://shop.example/jackets/blue",
        ]
    );
    assert_eq!(visits[1].pages[1], page("/jackets", T0 + 2_000));
    assert_eq!(visits[1].last_seen_at, T0 + 2_000);
    assert_eq!(store.visits(&[guest.id], 1).await.unwrap().len(), 1);
    assert_eq!(store.visits(&[], 10).await.unwrap(), vec![]);
}

async fn pages_read_back_are_capped_at_the_newest_hundred(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let visit = new_visit(&guest, T0);
    store.start_visit(visit.clone()).await.unwrap();
    let pages: Vec<_> = (0..130)
        .map(|n| (visit.id, page(&format!("/p{n}"), T0 + n)))
        .collect();

    store
        .record_tracking(TrackingBatch {
            pages,
            seen: vec![],
        })
        .await
        .unwrap();

    let visits = store.visits(&[guest.id], 5).await.unwrap();
    let read = &visits[0].pages;
    assert_eq!(read.len(), 100);
    assert_eq!(read[0].url, "https://shop.example/p30");
    assert_eq!(read[99].url, "https://shop.example/p129");
    assert!(read.windows(2).all(|w| w[0].at < w[1].at));
}

async fn seen_activity_moves_last_seen_forward_only(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let visit = new_visit(&guest, T0);
    store.start_visit(visit.clone()).await.unwrap();

    store
        .record_tracking(TrackingBatch {
            pages: vec![],
            seen: vec![
                (visit.id, guest.id, T0 + 60_000),
                (visit.id, guest.id, T0 + 30_000),
            ],
        })
        .await
        .unwrap();

    let read = store.latest_visit(guest.id).await.unwrap().unwrap();
    assert_eq!(read.last_seen_at, T0 + 60_000);
    assert!(read.pages.is_empty());
    let stored = store.visitor(guest.id).await.unwrap().unwrap();
    assert!(stored.last_seen_at >= T0 + 60_000);
}

async fn visits_of_several_visitors_are_merged_and_limited(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    let stranger = visitor(store, &shop).await;
    store.start_visit(new_visit(&laptop, T0)).await.unwrap();
    store
        .start_visit(new_visit(&phone, T0 + 1_000))
        .await
        .unwrap();
    store
        .start_visit(new_visit(&laptop, T0 + 2_000))
        .await
        .unwrap();
    store
        .start_visit(new_visit(&stranger, T0 + 3_000))
        .await
        .unwrap();

    let visits = store.visits(&[laptop.id, phone.id], 10).await.unwrap();
    assert_eq!(
        visits.iter().map(|v| v.started_at).collect::<Vec<_>>(),
        vec![T0 + 2_000, T0 + 1_000, T0]
    );
    let limited = store.visits(&[laptop.id, phone.id], 2).await.unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].started_at, T0 + 2_000);
}

async fn attributes_round_trip(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    assert!(guest.attributes.is_empty());
    let attributes = Attributes::default()
        .merged(&json!({
            "plan": "gold",
            "cart_total": 129.5,
            "vip": true,
            "tags": ["a", "b"],
            "address": {"city": "<b>Leeds</b>"},
        }))
        .unwrap();

    store
        .set_visitor_attributes(guest.id, attributes.clone())
        .await
        .unwrap();

    let stored = store.visitor(guest.id).await.unwrap().unwrap();
    assert_eq!(stored.attributes, attributes);
    assert_eq!(
        stored.attributes.get("address"),
        Some(&json!({"city": "<b>Leeds</b>"}))
    );
    let fewer = attributes.merged(&json!({"tags": null})).unwrap();
    store
        .set_visitor_attributes(guest.id, fewer.clone())
        .await
        .unwrap();
    let stored = store.visitor(guest.id).await.unwrap().unwrap();
    assert_eq!(stored.attributes, fewer);
    assert_eq!(stored.attributes.get("tags"), None);
}

async fn attributes_of_an_unknown_visitor_are_not_found(store: &dyn Store) {
    let result = store
        .set_visitor_attributes(shopkeep_core::ids::VisitorId::new(), Attributes::default())
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

async fn rules_are_created_listed_updated_and_deleted(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other_shop = site(store, "other").await;
    let first = store
        .create_rule(shop.id, rule_draft("Cart"))
        .await
        .unwrap();
    let second = store
        .create_rule(shop.id, rule_draft("Checkout"))
        .await
        .unwrap();
    store
        .create_rule(other_shop.id, rule_draft("Elsewhere"))
        .await
        .unwrap();

    assert_eq!(first.site_id, shop.id);
    assert_eq!(first.draft, rule_draft("Cart"));
    assert_eq!(
        store.list_rules(shop.id).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(store.rule(first.id).await.unwrap(), Some(first.clone()));

    let mut changed = rule_draft("Cart, later");
    changed.enabled = false;
    changed.conditions = vec![Condition::PagesThisVisit { count: 3 }];
    let updated = store.update_rule(first.id, changed.clone()).await.unwrap();
    assert_eq!(updated.id, first.id);
    assert_eq!(updated.draft, changed);
    assert_eq!(updated.created_at, first.created_at);
    assert!(updated.updated_at >= first.updated_at);
    assert_eq!(store.rule(first.id).await.unwrap(), Some(updated.clone()));

    store.delete_rule(second.id).await.unwrap();
    assert_eq!(store.list_rules(shop.id).await.unwrap(), vec![updated]);
    assert_eq!(store.rule(second.id).await.unwrap(), None);
    assert_eq!(store.list_rules(other_shop.id).await.unwrap().len(), 1);
}

async fn a_site_has_at_most_a_hundred_rules(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other_shop = site(store, "other").await;
    for n in 0..MAX_RULES {
        store
            .create_rule(shop.id, rule_draft(&format!("Rule {n}")))
            .await
            .unwrap();
    }

    let over = store.create_rule(shop.id, rule_draft("One too many")).await;

    assert!(matches!(over, Err(StoreError::Limit(_))), "{over:?}");
    assert_eq!(store.list_rules(shop.id).await.unwrap().len(), MAX_RULES);
    // The limit is per site; and deleting one makes room again.
    store
        .create_rule(other_shop.id, rule_draft("Other"))
        .await
        .unwrap();
    let first = store.list_rules(shop.id).await.unwrap()[0].id;
    store.delete_rule(first).await.unwrap();
    store
        .create_rule(shop.id, rule_draft("Room again"))
        .await
        .unwrap();
}

async fn unknown_rules_are_not_found(store: &dyn Store) {
    let shop = site(store, "shop").await;
    store
        .create_rule(shop.id, rule_draft("Cart"))
        .await
        .unwrap();
    let unknown = RuleId::new();

    assert_eq!(store.rule(unknown).await.unwrap(), None);
    let updated = store.update_rule(unknown, rule_draft("x")).await;
    assert!(matches!(updated, Err(StoreError::NotFound)), "{updated:?}");
    let deleted = store.delete_rule(unknown).await;
    assert!(matches!(deleted, Err(StoreError::NotFound)), "{deleted:?}");
    assert_eq!(store.list_rules(SiteId::new()).await.unwrap(), vec![]);
    assert_eq!(store.list_rules(shop.id).await.unwrap().len(), 1);
}

async fn invited_conversation_is_active_assigned_and_opens_with_joined_then_the_text(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;

    let opened = store
        .open_invited_conversation(
            shop.id,
            guest.id,
            None,
            agent(&anna),
            text("Can I help?"),
            None,
        )
        .await
        .unwrap();

    let summary = &opened.conversation;
    assert_eq!(summary.status, ConversationStatus::Active);
    assert_eq!(summary.assignee, Some(agent(&anna)));
    assert_eq!(summary.visitor_id, guest.id);
    assert_eq!(summary.site_id, shop.id);
    assert_eq!(summary.last_seq, 2);
    let events = all_events(store, summary.id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].body, EventBody::Joined);
    assert_eq!(events[0].author, agent_author(&anna));
    assert_eq!(events[0].seq, 1);
    assert_eq!(message_text(&events[1]), "Can I help?");
    assert_eq!(events[1].author, agent_author(&anna));
    assert_eq!(opened.event.as_ref(), Some(&events[1]));
    assert_eq!(
        store.latest_conversation(guest.id).await.unwrap().as_ref(),
        Some(summary)
    );
    // The visitor's reply goes into it.
    let reply = visitor_says(store, &guest, "yes").await;
    assert_eq!(reply.conversation.id, summary.id);
    assert_eq!(reply.event.seq, 3);
    // The operator it is assigned to may write without taking it.
    store
        .post_agent_message(summary.id, agent(&anna), msg_id("a1"), text("Sure"), None)
        .await
        .unwrap();
}

async fn invited_conversation_is_refused_while_the_visitor_has_an_open_one(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    let waiting = visitor_says(store, &guest, "m1").await;

    let refused = store
        .open_invited_conversation(shop.id, guest.id, None, agent(&anna), text("Hi"), None)
        .await;

    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        store
            .latest_conversation(guest.id)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(waiting.conversation.id)
    );
    assert_eq!(all_events(store, waiting.conversation.id).await.len(), 1);
    // Once that one is closed, an invitation opens a new conversation.
    store
        .close_conversation(
            waiting.conversation.id,
            shopkeep_core::event::Author::Visitor,
        )
        .await
        .unwrap();
    let opened = store
        .open_invited_conversation(shop.id, guest.id, None, agent(&anna), text("Hi"), None)
        .await
        .unwrap();
    assert_ne!(opened.conversation.id, waiting.conversation.id);
    let again = store
        .open_invited_conversation(
            shop.id,
            guest.id,
            None,
            agent(&anna),
            text("Hi again"),
            None,
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
}

async fn invited_conversation_is_refused_while_the_contact_chats_on_another_device(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;
    for guest in [&laptop, &phone] {
        store
            .identify_visitor(guest.id, Claims::default(), Some("cust-5".into()))
            .await
            .unwrap();
    }
    let contact = store
        .visitor(laptop.id)
        .await
        .unwrap()
        .unwrap()
        .contact_id
        .unwrap();
    let chatting = contact_says(store, &laptop, contact, "from-laptop").await;

    let refused = store
        .open_invited_conversation(
            shop.id,
            phone.id,
            Some(contact),
            agent(&anna),
            text("Hi"),
            None,
        )
        .await;

    // One customer, one open conversation: the phone's messages go to it anyway.
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let from_phone = contact_says(store, &phone, contact, "from-phone").await;
    assert_eq!(from_phone.conversation.id, chatting.conversation.id);
    assert_eq!(store.latest_conversation(phone.id).await.unwrap(), None);
}

async fn conversations_of_a_contacts_visitors_come_newest_first(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    let stranger = visitor(store, &shop).await;
    let first = visitor_says(store, &laptop, "l1").await.conversation;
    store
        .close_conversation(first.id, shopkeep_core::event::Author::Visitor)
        .await
        .unwrap();
    visitor_says(store, &stranger, "s1").await;
    let contact = store
        .identify_visitor(laptop.id, Claims::default(), Some("cust-3".into()))
        .await
        .unwrap()
        .contact
        .unwrap();
    assert_eq!(
        store
            .latest_contact_conversation(contact.id)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(first.id)
    );
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let second = visitor_says(store, &phone, "p1").await.conversation;
    assert_eq!(second.contact_id, None, "the phone is not linked yet");
    store
        .identify_visitor(phone.id, Claims::default(), Some("cust-3".into()))
        .await
        .unwrap();

    let listed = store
        .conversations_of(&[laptop.id, phone.id], 10)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![second.id, first.id]
    );
    assert!(listed.iter().all(|c| c.contact_id == Some(contact.id)));
    assert_eq!(
        store
            .latest_contact_conversation(contact.id)
            .await
            .unwrap()
            .map(|c| c.id),
        Some(second.id)
    );
    assert_eq!(
        store
            .conversations_of(&[laptop.id, phone.id], 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.conversations_of(&[], 10).await.unwrap(), vec![]);
    let unknown = shopkeep_core::ids::ContactId::new();
    assert_eq!(
        store.latest_contact_conversation(unknown).await.unwrap(),
        None
    );
}

async fn a_linked_visitor_writes_into_the_contacts_open_conversation_from_another_device(
    store: &dyn Store,
) {
    let shop = site(store, "shop").await;
    let laptop = visitor(store, &shop).await;
    let phone = visitor(store, &shop).await;
    for guest in [&laptop, &phone] {
        store
            .identify_visitor(guest.id, Claims::default(), Some("cust-4".into()))
            .await
            .unwrap();
    }
    let contact = store
        .visitor(laptop.id)
        .await
        .unwrap()
        .unwrap()
        .contact_id
        .unwrap();
    let started = contact_says(store, &laptop, contact, "from-laptop").await;

    let continued = contact_says(store, &phone, contact, "from-phone").await;

    assert!(!continued.opened);
    assert_eq!(continued.conversation.id, started.conversation.id);
    assert_eq!(continued.event.seq, 2);
    let texts: Vec<_> = all_events(store, started.conversation.id)
        .await
        .iter()
        .map(|e| message_text(e).to_owned())
        .collect();
    assert_eq!(texts, vec!["from-laptop", "from-phone"]);
    // Without proving the contact on its connection, the same browser writes
    // only into its own conversation.
    let unproven = visitor_says(store, &phone, "from-someone-else").await;
    assert!(unproven.opened);
    assert_ne!(unproven.conversation.id, started.conversation.id);
    // A resend from the other device is still recognised as a duplicate.
    let resent = visitor_says(store, &phone, "from-phone").await;
    assert!(resent.duplicate);
    assert_eq!(resent.event.seq, 2);
}

async fn staff_photo_is_set_replaced_and_removed(store: &dyn Store) {
    let anna = staff(store, "anna@shop.example").await;
    let boris = staff(store, "boris@shop.example").await;
    assert_eq!(anna.photo_at, None);
    assert_eq!(store.staff_photo(anna.id).await.unwrap(), None);
    let png = StaffPhoto {
        content_type: "image/png".to_owned(),
        data: b"\x89PNG\r\n\x1a\nfirst".to_vec(),
    };

    let with_photo = store
        .set_staff_photo(anna.id, Some(png.clone()))
        .await
        .unwrap();

    let first_at = with_photo.photo_at.expect("photo_at is set");
    assert_eq!(store.staff_photo(anna.id).await.unwrap(), Some(png));
    assert_eq!(
        store.staff(anna.id).await.unwrap().unwrap().photo_at,
        Some(first_at)
    );
    assert_eq!(store.staff_photo(boris.id).await.unwrap(), None);

    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let jpeg = StaffPhoto {
        content_type: "image/jpeg".to_owned(),
        data: vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3],
    };
    let replaced = store
        .set_staff_photo(anna.id, Some(jpeg.clone()))
        .await
        .unwrap();
    assert!(
        replaced.photo_at.unwrap() > first_at,
        "a new photo gets a new version"
    );
    assert_eq!(store.staff_photo(anna.id).await.unwrap(), Some(jpeg));

    let removed = store.set_staff_photo(anna.id, None).await.unwrap();
    assert_eq!(removed.photo_at, None);
    assert_eq!(store.staff_photo(anna.id).await.unwrap(), None);
    assert_eq!(store.staff(anna.id).await.unwrap().unwrap().photo_at, None);
    let unknown = store
        .set_staff_photo(shopkeep_core::ids::StaffId::new(), None)
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}

async fn site_settings_round_trip(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other = site(store, "other").await;
    let tracking = TrackingSettings {
        enabled: false,
        honor_dnt: true,
        stripped_params: vec!["coupon".to_owned()],
    };
    let greetings: BTreeMap<String, String> = [
        ("en".to_owned(), "Welcome back, {name}!".to_owned()),
        ("ru".to_owned(), "С возвращением, {name}!".to_owned()),
    ]
    .into();

    let updated = store
        .update_site_settings(
            shop.id,
            SiteSettings {
                tracking: tracking.clone(),
                greetings: greetings.clone(),
                ..shop.settings()
            },
        )
        .await
        .unwrap();

    assert_eq!(updated.tracking, tracking);
    assert_eq!(updated.greetings, greetings);
    assert_eq!(updated.public_key, shop.public_key);
    assert_eq!(updated.hmac_secret, shop.hmac_secret);
    assert_eq!(store.site(shop.id).await.unwrap(), Some(updated.clone()));
    assert_eq!(
        store.site_by_public_key(&shop.public_key).await.unwrap(),
        Some(updated)
    );
    assert_eq!(store.site(other.id).await.unwrap(), Some(other));
}

async fn site_settings_of_an_unknown_site_are_not_found(store: &dyn Store) {
    let result = store
        .update_site_settings(SiteId::new(), site_record("gone").settings())
        .await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
}

async fn a_new_site_tracks_with_the_default_stripped_parameters(store: &dyn Store) {
    let shop = site(store, "shop").await;

    let stored = store.site(shop.id).await.unwrap().unwrap();

    assert!(stored.tracking.enabled);
    assert!(!stored.tracking.honor_dnt);
    assert_eq!(
        stored.tracking.stripped_params,
        DEFAULT_STRIPPED_PARAMS
            .iter()
            .map(|p| (*p).to_owned())
            .collect::<Vec<_>>()
    );
    assert!(stored.greetings.is_empty());
}
