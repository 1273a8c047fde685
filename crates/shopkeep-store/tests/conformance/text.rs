use shopkeep_core::text::MAX_MESSAGE_CHARS;
use shopkeep_store::Store;

use crate::helpers::{agent, all_events, message_text, msg_id, site, staff, text, visitor};

conformance! {
    store: [
        hostile_and_unusual_text_round_trips_byte_exact,
        longest_allowed_message_round_trips_byte_exact,
        longest_client_msg_id_round_trips,
    ],
}

const SAMPLES: &[&str] = &[
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE events; --",
    "\" OR 1=1 -- \\ %_ ?1 $1",
    "  leading and trailing spaces  ",
    "line one\nline two\n\ttabbed",
    "Grüße, Привет, こんにちは, مرحبا, שלום",
    "emoji 👩🏽‍💻 🇩🇪 flags and ZWJ",
    "combining e\u{301} vs é, zero\u{200B}width, bidi \u{202E}reversed\u{202C}",
    "astral 𝕳𝖊𝖑𝖑𝖔 and replacement \u{FFFD}",
];

async fn hostile_and_unusual_text_round_trips_byte_exact(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let anna = staff(store, "anna@shop.example").await;

    let first = store
        .post_visitor_message(
            shop.id,
            guest.id,
            None,
            msg_id("v0"),
            text(SAMPLES[0]),
            None,
        )
        .await
        .unwrap();
    let conversation = first.conversation.id;
    store
        .take_conversation(conversation, agent(&anna))
        .await
        .unwrap();
    for (n, sample) in SAMPLES.iter().enumerate().skip(1) {
        let posted = store
            .post_visitor_message(
                shop.id,
                guest.id,
                None,
                msg_id(&format!("v{n}")),
                text(sample),
                None,
            )
            .await
            .unwrap();
        assert_eq!(message_text(&posted.event).as_bytes(), sample.as_bytes());
        let reply = store
            .post_agent_message(
                conversation,
                agent(&anna),
                msg_id(&format!("a{n}")),
                text(sample),
                None,
            )
            .await
            .unwrap();
        assert_eq!(message_text(&reply.event).as_bytes(), sample.as_bytes());
        let preview = store
            .conversation(conversation)
            .await
            .unwrap()
            .unwrap()
            .last_message
            .unwrap();
        assert_eq!(message_text(&preview).as_bytes(), sample.as_bytes());
    }

    let texts: Vec<String> = all_events(store, conversation)
        .await
        .iter()
        .filter(|event| event.body.kind() == "message")
        .map(|event| message_text(event).to_owned())
        .collect();
    let mut expected = vec![SAMPLES[0].to_owned()];
    for sample in &SAMPLES[1..] {
        expected.push((*sample).to_owned());
        expected.push((*sample).to_owned());
    }
    assert_eq!(texts, expected);
}

async fn longest_allowed_message_round_trips_byte_exact(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    // Four-byte characters mixed with markup: 4000 characters, far more bytes.
    let long: String = "𝄞<b>é\"'&"
        .chars()
        .cycle()
        .take(MAX_MESSAGE_CHARS)
        .collect();
    assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS);

    let posted = store
        .post_visitor_message(shop.id, guest.id, None, msg_id("long"), text(&long), None)
        .await
        .unwrap();

    let stored = all_events(store, posted.conversation.id).await;
    assert_eq!(message_text(&stored[0]).as_bytes(), long.as_bytes());
    let preview = store
        .conversation(posted.conversation.id)
        .await
        .unwrap()
        .unwrap()
        .last_message
        .unwrap();
    assert_eq!(message_text(&preview).as_bytes(), long.as_bytes());
}

async fn longest_client_msg_id_round_trips(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let guest = visitor(store, &shop).await;
    let id = "A-z_09".repeat(11)[..64].to_owned();

    let posted = store
        .post_visitor_message(shop.id, guest.id, None, msg_id(&id), text("hi"), None)
        .await
        .unwrap();
    let resent = store
        .post_visitor_message(shop.id, guest.id, None, msg_id(&id), text("hi"), None)
        .await
        .unwrap();

    assert!(resent.duplicate);
    assert_eq!(
        all_events(store, posted.conversation.id).await[0]
            .client_msg_id
            .as_deref(),
        Some(id.as_str())
    );
}
