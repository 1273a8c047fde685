//! Tags and the history search.

use std::collections::HashMap;
use std::sync::Arc;

use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::ids::ConversationId;
use shopkeep_store::{HistoryQuery, Store};
use tokio::task::JoinSet;

use crate::helpers::{agent, agent_author, department, site, staff, visitor, visitor_says};

conformance! {
    store: [
        set_tags_replaces_them_and_summaries_list_them_sorted,
        every_search_field_narrows,
        search_pages_newest_updated_first,
        search_limit_is_capped,
    ],
    shared: [search_pages_through_conversations_updated_at_the_same_time],
}

fn ids(found: &[shopkeep_core::protocol::shared::ConversationSummary]) -> Vec<ConversationId> {
    found.iter().map(|summary| summary.id).collect()
}

async fn search(store: &dyn Store, query: HistoryQuery) -> Vec<ConversationId> {
    ids(&store.search_conversations(query).await.unwrap())
}

async fn set_tags_replaces_them_and_summaries_list_them_sorted(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let conversation = visitor_says(store, &guest, "v1").await.conversation.id;

    let tagged = store
        .set_tags(
            conversation,
            vec!["refund".into(), "delivery".into(), "refund".into()],
        )
        .await
        .unwrap();
    assert_eq!(tagged.tags, ["delivery", "refund"]);
    let retagged = store
        .set_tags(conversation, vec!["vip".into(), "b2b".into()])
        .await
        .unwrap();
    assert_eq!(retagged.tags, ["b2b", "vip"]);
    assert_eq!(
        store.conversation(conversation).await.unwrap(),
        Some(retagged)
    );
    let listed = store.conversations_of(&[guest.id], 10).await.unwrap();
    assert_eq!(listed[0].tags, ["b2b", "vip"]);

    let cleared = store.set_tags(conversation, vec![]).await.unwrap();
    assert!(cleared.tags.is_empty());
}

async fn every_search_field_narrows(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let other_shop = site(store, "other").await;
    let anna = staff(store, "anna@shop.example").await;
    let sales = department(store, shop.id, "Sales").await;

    // Three conversations of `shop`: tagged and held by anna, in Sales and
    // closed, plain; and one of another site.
    let tagged = visitor_says(store, &visitor(store, &shop).await, "a")
        .await
        .conversation;
    store
        .set_tags(tagged.id, vec!["refund".into()])
        .await
        .unwrap();
    store
        .take_conversation(tagged.id, agent(&anna))
        .await
        .unwrap();
    let in_sales = visitor_says(store, &visitor(store, &shop).await, "b")
        .await
        .conversation;
    store
        .take_conversation(in_sales.id, agent(&anna))
        .await
        .unwrap();
    store
        .transfer_to_department(in_sales.id, agent(&anna), sales.as_ref())
        .await
        .unwrap();
    store
        .close_conversation(in_sales.id, agent_author(&anna))
        .await
        .unwrap();
    let plain = visitor_says(store, &visitor(store, &shop).await, "c")
        .await
        .conversation;
    let foreign = visitor_says(store, &visitor(store, &other_shop).await, "d")
        .await
        .conversation;

    let all = search(store, HistoryQuery::default()).await;
    assert_eq!(all.len(), 4);
    let of_shop = search(
        store,
        HistoryQuery {
            site: Some(shop.id),
            ..Default::default()
        },
    )
    .await;
    assert!(!of_shop.contains(&foreign.id));
    assert_eq!(of_shop.len(), 3);
    let by_tag = search(
        store,
        HistoryQuery {
            tag: Some("refund".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_tag, [tagged.id]);
    // The holder who sent it to a queue still finds it.
    let mut by_anna = search(
        store,
        HistoryQuery {
            assignee: Some(anna.id),
            ..Default::default()
        },
    )
    .await;
    by_anna.sort();
    let mut expected = vec![tagged.id, in_sales.id];
    expected.sort();
    assert_eq!(by_anna, expected);
    let by_department = search(
        store,
        HistoryQuery {
            department: Some(sales.id),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_department, [in_sales.id]);
    let closed = search(
        store,
        HistoryQuery {
            status: Some(ConversationStatus::Closed),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(closed, [in_sales.id]);
    let combined = search(
        store,
        HistoryQuery {
            site: Some(shop.id),
            assignee: Some(anna.id),
            status: Some(ConversationStatus::Active),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(combined, [tagged.id]);
    let from_plain = search(
        store,
        HistoryQuery {
            site: Some(shop.id),
            from: Some(plain.created_at),
            to: Some(plain.created_at + 1),
            ..Default::default()
        },
    )
    .await;
    assert!(from_plain.contains(&plain.id));
    assert!(from_plain.iter().all(|id| *id != foreign.id));
    let before_everything = search(
        store,
        HistoryQuery {
            to: Some(tagged.created_at),
            ..Default::default()
        },
    )
    .await;
    assert!(before_everything.is_empty());
}

async fn search_pages_newest_updated_first(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let mut created = Vec::new();
    for n in 0..5 {
        let guest = visitor(store, &shop).await;
        created.push(
            visitor_says(store, &guest, &format!("m{n}"))
                .await
                .conversation,
        );
    }

    let first = store
        .search_conversations(HistoryQuery {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    let second = store
        .search_conversations(HistoryQuery {
            limit: 2,
            before: Some(first.last().unwrap().updated_at),
            before_id: Some(first.last().unwrap().id),
            ..Default::default()
        })
        .await
        .unwrap();
    let third = store
        .search_conversations(HistoryQuery {
            limit: 2,
            before: Some(second.last().unwrap().updated_at),
            before_id: Some(second.last().unwrap().id),
            ..Default::default()
        })
        .await
        .unwrap();

    let paged: Vec<_> = [first, second, third]
        .iter()
        .flat_map(|page| ids(page))
        .collect();
    let newest_first: Vec<_> = created.iter().rev().map(|summary| summary.id).collect();
    assert_eq!(paged, newest_first);
}

async fn search_limit_is_capped(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    visitor_says(store, &guest, "m1").await;

    let found = store
        .search_conversations(HistoryQuery {
            limit: u32::MAX,
            ..Default::default()
        })
        .await
        .unwrap();

    assert_eq!(found.len(), 1);
}

/// Messages posted together are written in one group, often two or more
/// within one millisecond, so their conversations share an `updated_at`.
/// Paging by `(updated_at, id)` must still return each of them exactly once.
async fn search_pages_through_conversations_updated_at_the_same_time(store: Arc<dyn Store>) {
    let shop = site(&*store, "shop").await;
    let mut all = Vec::new();
    let mut most_tied = 0;
    for round in 0..10 {
        let mut guests = Vec::new();
        for _ in 0..16 {
            guests.push(visitor(&*store, &shop).await);
        }
        let mut posts = JoinSet::new();
        for (n, guest) in guests.into_iter().enumerate() {
            let store = Arc::clone(&store);
            posts.spawn(async move {
                visitor_says(&*store, &guest, &format!("r{round}m{n}")).await;
            });
        }
        posts.join_all().await;
        all = store
            .search_conversations(HistoryQuery {
                limit: HistoryQuery::MAX_LIMIT,
                ..Default::default()
            })
            .await
            .unwrap();
        let mut by_time: HashMap<i64, usize> = HashMap::new();
        for summary in &all {
            *by_time.entry(summary.updated_at).or_default() += 1;
        }
        most_tied = by_time.values().copied().max().unwrap_or(0);
        if most_tied >= 2 {
            break;
        }
    }
    assert!(most_tied >= 2, "no two conversations share an updated_at");
    assert!(
        all.windows(2)
            .all(|pair| (pair[0].updated_at, pair[0].id) > (pair[1].updated_at, pair[1].id)),
        "newest updated first, ties by id"
    );

    // One row a page, so every tie is split across two pages.
    let mut paged = Vec::new();
    let mut last: Option<(i64, ConversationId)> = None;
    loop {
        let page = store
            .search_conversations(HistoryQuery {
                limit: 1,
                before: last.map(|(at, _)| at),
                before_id: last.map(|(_, id)| id),
                ..Default::default()
            })
            .await
            .unwrap();
        let Some(end) = page.last() else { break };
        last = Some((end.updated_at, end.id));
        paged.extend(ids(&page));
    }
    assert_eq!(paged, ids(&all));

    // `before` alone still means strictly earlier: every row of that time is left out.
    let tied_at = all
        .windows(2)
        .find(|pair| pair[0].updated_at == pair[1].updated_at)
        .map(|pair| pair[0].updated_at)
        .unwrap();
    let earlier = store
        .search_conversations(HistoryQuery {
            before: Some(tied_at),
            limit: HistoryQuery::MAX_LIMIT,
            ..Default::default()
        })
        .await
        .unwrap();
    let expected: Vec<_> = all
        .iter()
        .filter(|summary| summary.updated_at < tied_at)
        .map(|summary| summary.id)
        .collect();
    assert_eq!(ids(&earlier), expected);
}
