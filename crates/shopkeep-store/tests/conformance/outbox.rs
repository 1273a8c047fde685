use shopkeep_core::email::{EmailAddress, HeaderText, MailKind, SmtpTls};
use shopkeep_core::ids::MailId;
use shopkeep_store::{NewMail, SmtpSettings, Store, StoreError};

use crate::backends::Backend;
use crate::helpers::{T0, site};

conformance! {
    store: [
        enqueued_mail_is_claimed_once_until_its_lease_ends,
        sent_mail_is_never_due_again,
        failed_mail_is_due_again_at_its_retry_time,
        given_up_mail_stays_listed_as_failed,
        a_second_mail_with_the_same_dedupe_key_is_not_stored,
        mails_without_a_key_are_all_stored,
        claims_take_the_oldest_first_up_to_the_limit,
        marking_an_unknown_mail_is_not_found,
        a_sent_mail_stays_sent_when_a_late_failure_arrives,
        smtp_settings_are_replaced_and_removed,
    ],
    backend: [
        queued_and_sent_mail_survive_reopen,
        a_claim_cut_short_by_a_restart_is_retried_after_its_lease,
        smtp_settings_survive_reopen,
    ],
}

const LEASE: i64 = 60_000;

fn new_mail(to: &str, key: Option<&str>) -> NewMail {
    NewMail {
        site_id: None,
        kind: MailKind::Test,
        to: EmailAddress::parse(to).unwrap(),
        reply_to: Some(EmailAddress::parse("visitor@example.net").unwrap()),
        subject: HeaderText::parse("Hello <b>&</b>").unwrap(),
        text: "Text body\nline two".to_owned(),
        html: "<p>HTML body</p>".to_owned(),
        dedupe_key: key.map(str::to_owned),
    }
}

async fn enqueue(store: &dyn Store, to: &str, at: i64) -> MailId {
    store
        .enqueue_mail(new_mail(to, None), at)
        .await
        .unwrap()
        .expect("a new mail")
}

async fn claimed_ids(store: &dyn Store, now: i64) -> Vec<MailId> {
    store
        .claim_due_mail(now, 10, LEASE)
        .await
        .unwrap()
        .into_iter()
        .map(|mail| mail.id)
        .collect()
}

async fn enqueued_mail_is_claimed_once_until_its_lease_ends(store: &dyn Store) {
    let shop = site(store, "shop").await;
    let mut mail = new_mail("shop@shop.example", Some("k1"));
    mail.site_id = Some(shop.id);
    mail.kind = MailKind::Offline;
    let id = store.enqueue_mail(mail, T0).await.unwrap().unwrap();

    // Not due before it was enqueued.
    assert!(claimed_ids(store, T0 - 1).await.is_empty());
    let claimed = store.claim_due_mail(T0, 10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let mail = &claimed[0];
    assert_eq!(mail.id, id);
    assert_eq!(mail.site_id, Some(shop.id));
    assert_eq!(mail.kind, MailKind::Offline);
    assert_eq!(mail.to, "shop@shop.example");
    assert_eq!(mail.reply_to.as_deref(), Some("visitor@example.net"));
    assert_eq!(mail.subject, "Hello <b>&</b>");
    assert_eq!(mail.text, "Text body\nline two");
    assert_eq!(mail.html, "<p>HTML body</p>");
    assert_eq!(mail.dedupe_key.as_deref(), Some("k1"));
    assert_eq!(mail.created_at, T0);
    assert_eq!(mail.attempts, 1);
    assert_eq!(mail.last_attempt_at, Some(T0));
    assert_eq!(mail.next_attempt_at, Some(T0 + LEASE));
    assert_eq!(mail.sent_at, None);

    // Claimed: nobody else gets it while the lease runs.
    assert!(claimed_ids(store, T0 + LEASE - 1).await.is_empty());
    // A sender that never reported back: due again after the lease.
    let again = store.claim_due_mail(T0 + LEASE, 10, LEASE).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
}

async fn sent_mail_is_never_due_again(store: &dyn Store) {
    let id = enqueue(store, "a@shop.example", T0).await;
    assert_eq!(claimed_ids(store, T0).await, vec![id]);

    store.mark_mail_sent(id, T0 + 5).await.unwrap();

    let mail = store.mail(id).await.unwrap().unwrap();
    assert_eq!(mail.sent_at, Some(T0 + 5));
    assert_eq!(mail.next_attempt_at, None);
    assert!(claimed_ids(store, T0 + 365 * 86_400_000).await.is_empty());
    assert!(store.mail_failures(10).await.unwrap().is_empty());
    // Marking twice is harmless.
    store.mark_mail_sent(id, T0 + 9).await.unwrap();
    assert_eq!(store.mail(id).await.unwrap().unwrap().sent_at, Some(T0 + 5));
}

async fn failed_mail_is_due_again_at_its_retry_time(store: &dyn Store) {
    let id = enqueue(store, "a@shop.example", T0).await;
    claimed_ids(store, T0).await;

    store
        .mark_mail_failed(id, "connection refused".into(), T0 + 1, Some(T0 + 30_000))
        .await
        .unwrap();

    let failures = store.mail_failures(10).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].id, id);
    assert_eq!(failures[0].last_error, "connection refused");
    assert_eq!(failures[0].attempts, 1);
    assert_eq!(failures[0].last_attempt_at, T0 + 1);
    assert_eq!(failures[0].next_attempt_at, Some(T0 + 30_000));
    assert_eq!(failures[0].to, "a@shop.example");
    assert_eq!(failures[0].kind, MailKind::Test);

    // The retry time replaces the lease.
    assert!(claimed_ids(store, T0 + 29_999).await.is_empty());
    let retried = store.claim_due_mail(T0 + 30_000, 10, LEASE).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].attempts, 2);
    assert_eq!(retried[0].last_error.as_deref(), Some("connection refused"));

    store.mark_mail_sent(id, T0 + 30_001).await.unwrap();
    assert!(store.mail_failures(10).await.unwrap().is_empty());
    assert_eq!(store.mail(id).await.unwrap().unwrap().last_error, None);
}

async fn given_up_mail_stays_listed_as_failed(store: &dyn Store) {
    let id = enqueue(store, "a@shop.example", T0).await;
    claimed_ids(store, T0).await;
    let long_error = "e".repeat(5000);

    store
        .mark_mail_failed(id, long_error, T0 + 1, None)
        .await
        .unwrap();

    assert!(claimed_ids(store, T0 + 365 * 86_400_000).await.is_empty());
    let failures = store.mail_failures(10).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].next_attempt_at, None);
    assert_eq!(failures[0].last_error.chars().count(), 1000);
}

async fn a_second_mail_with_the_same_dedupe_key_is_not_stored(store: &dyn Store) {
    let first = store
        .enqueue_mail(new_mail("a@shop.example", Some("offline:42")), T0)
        .await
        .unwrap();
    assert!(first.is_some());

    let second = store
        .enqueue_mail(new_mail("b@shop.example", Some("offline:42")), T0 + 1)
        .await
        .unwrap();

    assert_eq!(second, None);
    let claimed = store.claim_due_mail(T0 + 1, 10, LEASE).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].to, "a@shop.example");
    // Still a no-op once the first was sent.
    store.mark_mail_sent(first.unwrap(), T0 + 2).await.unwrap();
    assert_eq!(
        store
            .enqueue_mail(new_mail("c@shop.example", Some("offline:42")), T0 + 3)
            .await
            .unwrap(),
        None
    );
    assert!(claimed_ids(store, T0 + LEASE * 10).await.is_empty());
}

async fn mails_without_a_key_are_all_stored(store: &dyn Store) {
    let a = enqueue(store, "a@shop.example", T0).await;
    let b = enqueue(store, "a@shop.example", T0).await;
    assert_ne!(a, b);
    assert_eq!(claimed_ids(store, T0).await.len(), 2);
}

async fn claims_take_the_oldest_first_up_to_the_limit(store: &dyn Store) {
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(enqueue(store, &format!("m{n}@shop.example"), T0 + n).await);
    }

    let first = store.claim_due_mail(T0 + 10, 2, LEASE).await.unwrap();
    let second = store.claim_due_mail(T0 + 10, 2, LEASE).await.unwrap();
    let third = store.claim_due_mail(T0 + 10, 2, LEASE).await.unwrap();

    let order: Vec<MailId> = first
        .iter()
        .chain(&second)
        .chain(&third)
        .map(|mail| mail.id)
        .collect();
    assert_eq!(order, ids);
    assert_eq!(third.len(), 1);
}

async fn marking_an_unknown_mail_is_not_found(store: &dyn Store) {
    let unknown = MailId::new();
    assert!(matches!(
        store.mark_mail_sent(unknown, T0).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .mark_mail_failed(unknown, "x".into(), T0, Some(T0))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.mail(unknown).await.unwrap(), None);
}

async fn a_sent_mail_stays_sent_when_a_late_failure_arrives(store: &dyn Store) {
    let id = enqueue(store, "a@shop.example", T0).await;
    claimed_ids(store, T0).await;
    store.mark_mail_sent(id, T0 + 1).await.unwrap();

    store
        .mark_mail_failed(id, "timeout".into(), T0 + 2, Some(T0 + 3))
        .await
        .unwrap();

    let mail = store.mail(id).await.unwrap().unwrap();
    assert_eq!(mail.sent_at, Some(T0 + 1));
    assert_eq!(mail.last_error, None);
    assert!(claimed_ids(store, T0 + LEASE * 10).await.is_empty());
}

fn smtp(host: &str, password: Option<&str>) -> SmtpSettings {
    SmtpSettings {
        host: host.to_owned(),
        port: 587,
        tls: SmtpTls::Starttls,
        username: Some("mailer".to_owned()),
        password: password.map(str::to_owned),
        from_address: "chat@shop.example".to_owned(),
        from_name: Some("Shop chat".to_owned()),
    }
}

async fn smtp_settings_are_replaced_and_removed(store: &dyn Store) {
    assert_eq!(store.smtp_settings().await.unwrap(), None);

    store
        .set_smtp_settings(Some(smtp("smtp.shop.example", Some("s3cret"))))
        .await
        .unwrap();
    assert_eq!(
        store.smtp_settings().await.unwrap(),
        Some(smtp("smtp.shop.example", Some("s3cret")))
    );

    let mut plain = smtp("localhost", None);
    plain.tls = SmtpTls::None;
    plain.port = 25;
    plain.username = None;
    plain.from_name = None;
    store.set_smtp_settings(Some(plain.clone())).await.unwrap();
    assert_eq!(store.smtp_settings().await.unwrap(), Some(plain));

    store.set_smtp_settings(None).await.unwrap();
    assert_eq!(store.smtp_settings().await.unwrap(), None);
    // The password never shows in logs.
    let shown = format!("{:?}", smtp("h", Some("s3cret")));
    assert!(!shown.contains("s3cret"), "{shown}");
}

async fn queued_and_sent_mail_survive_reopen(backend: &mut dyn Backend) {
    let store = backend.store();
    let queued = enqueue(&*store, "queued@shop.example", T0).await;
    let sent = enqueue(&*store, "sent@shop.example", T0).await;
    let failed = enqueue(&*store, "failed@shop.example", T0).await;
    claimed_ids(&*store, T0).await;
    store.mark_mail_sent(sent, T0 + 1).await.unwrap();
    store
        .mark_mail_failed(
            failed,
            "550 no such user".into(),
            T0 + 1,
            Some(T0 + LEASE * 5),
        )
        .await
        .unwrap();
    store
        .mark_mail_failed(queued, "timeout".into(), T0 + 1, Some(T0 + 2))
        .await
        .unwrap();
    drop(store);

    backend.reopen().await;
    let store = backend.store();

    assert_eq!(claimed_ids(&*store, T0 + 2).await, vec![queued]);
    assert_eq!(
        store.mail(sent).await.unwrap().unwrap().sent_at,
        Some(T0 + 1)
    );
    let failures = store.mail_failures(10).await.unwrap();
    assert!(failures.iter().any(|f| f.id == failed));
    // A key enqueued before the restart still dedupes after it.
    store
        .enqueue_mail(new_mail("k@shop.example", Some("key")), T0)
        .await
        .unwrap()
        .unwrap();
    drop(store);
    backend.reopen().await;
    assert_eq!(
        backend
            .store()
            .enqueue_mail(new_mail("k@shop.example", Some("key")), T0)
            .await
            .unwrap(),
        None
    );
}

async fn a_claim_cut_short_by_a_restart_is_retried_after_its_lease(backend: &mut dyn Backend) {
    let store = backend.store();
    let id = enqueue(&*store, "a@shop.example", T0).await;
    assert_eq!(claimed_ids(&*store, T0).await, vec![id]);
    drop(store);

    backend.reopen().await;
    let store = backend.store();

    assert!(claimed_ids(&*store, T0 + LEASE - 1).await.is_empty());
    let retried = store.claim_due_mail(T0 + LEASE, 10, LEASE).await.unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!(retried[0].id, id);
    assert_eq!(retried[0].attempts, 2);
}

async fn smtp_settings_survive_reopen(backend: &mut dyn Backend) {
    backend
        .store()
        .set_smtp_settings(Some(smtp("smtp.shop.example", Some("pw"))))
        .await
        .unwrap();

    backend.reopen().await;

    assert_eq!(
        backend.store().smtp_settings().await.unwrap(),
        Some(smtp("smtp.shop.example", Some("pw")))
    );
}
