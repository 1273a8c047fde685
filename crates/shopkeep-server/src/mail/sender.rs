//! The sender: one task that takes due mails from the outbox, one at a time,
//! hands each to the SMTP relay and records the outcome.
//!
//! A claimed mail is leased (see [`Store::claim_due_mail`]): if this process
//! stops before it records the outcome, the mail is due again when the lease
//! runs out. It is marked sent as soon as the relay accepts it.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use shopkeep_core::Millis;
use shopkeep_core::email::{EmailAddress, HeaderText, SmtpTls};
use shopkeep_core::ids::MailId;
use shopkeep_store::sqlite::now;
use shopkeep_store::{Mail, SmtpSettings, Store, StoreError};
use thiserror::Error;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::mail::templates::{self, Lang};
use crate::mail::validate_relay;
use crate::settings::MailConfig;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

#[derive(Debug, Error)]
pub enum MailError {
    #[error("mail is not set up: enter the SMTP settings first")]
    NotConfigured,
    #[error("{0}")]
    Invalid(String),
    /// What the relay or the network said, in words an admin can act on.
    #[error("{0}")]
    Delivery(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sends mail; shared by the sender task and the admin routes.
pub struct Mailer {
    store: Arc<dyn Store>,
    config: MailConfig,
    /// The relay from the settings file, checked at start; it wins over the console's.
    configured: Option<SmtpSettings>,
    /// Wakes the sender when a mail is enqueued, instead of waiting for the next poll.
    wake: Notify,
}

/// Whether the sender goes on with the next due mail in this round.
enum Next {
    Continue,
    /// The relay itself failed (down, refusing, timing out): every other mail
    /// would fail the same way, so they wait for the next round.
    Stop,
}

impl Mailer {
    /// Checks the relay in `config`, if one is set.
    pub fn new(store: Arc<dyn Store>, config: MailConfig) -> Result<Arc<Self>, String> {
        let configured = file_relay(&config)?;
        Ok(Arc::new(Self {
            store,
            config,
            configured,
            wake: Notify::new(),
        }))
    }

    /// Whether the relay comes from the settings file.
    pub fn configured_in_file(&self) -> bool {
        self.configured.is_some()
    }

    /// The relay in use: the settings file's, else the console's, else none.
    pub async fn relay(&self) -> Result<Option<SmtpSettings>, StoreError> {
        match &self.configured {
            Some(relay) => Ok(Some(relay.clone())),
            None => self.store.smtp_settings().await,
        }
    }

    /// Tells the sender a mail was enqueued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends the test email now, not through the outbox: the admin wants to
    /// know at once whether the relay works, and a test is not worth retrying.
    pub async fn send_test(&self, to: &EmailAddress, lang: Lang) -> Result<(), MailError> {
        let relay = self.relay().await?.ok_or(MailError::NotConfigured)?;
        let rendered = templates::test_email(lang, &relay.host);
        let message = message(
            &relay,
            MailId::new(),
            to.as_str(),
            None,
            rendered.subject.as_str(),
            rendered.text,
            rendered.html,
        )
        .map_err(MailError::Invalid)?;
        let transport = transport(&relay, self.config.timeout).map_err(MailError::Invalid)?;
        self.send(&transport, message)
            .await
            .map_err(|error| MailError::Delivery(describe(&error, &relay)))
    }

    /// Starts the sender; it stops between two mails once `stop` turns true.
    pub fn spawn(self: &Arc<Self>, stop: watch::Receiver<bool>) -> JoinHandle<()> {
        let mailer = self.clone();
        tokio::spawn(async move { mailer.run(stop).await })
    }

    async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            self.drain(&stop).await;
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.config.poll_interval) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// How long a claimed mail is left alone: longer than any send can take.
    fn lease(&self) -> Millis {
        let lease = (self.config.timeout * 10).max(Duration::from_secs(60));
        Millis::try_from(lease.as_millis()).unwrap_or(Millis::MAX)
    }

    /// Sends due mails until none is due, the relay fails, or `stop`.
    async fn drain(&self, stop: &watch::Receiver<bool>) {
        let relay = match self.relay().await {
            Ok(Some(relay)) => relay,
            // Not set up: mail waits in the outbox, and no attempt is counted.
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "could not read the SMTP settings");
                return;
            }
        };
        let transport = match transport(&relay, self.config.timeout) {
            Ok(transport) => transport,
            Err(why) => {
                tracing::warn!(%why, "the SMTP settings cannot be used");
                return;
            }
        };
        while !*stop.borrow() {
            let claimed = match self.store.claim_due_mail(now(), 1, self.lease()).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "could not claim mail from the outbox");
                    return;
                }
            };
            let Some(mail) = claimed.into_iter().next() else {
                return;
            };
            if let Next::Stop = self.deliver(&transport, &relay, mail).await {
                return;
            }
        }
    }

    async fn deliver(&self, transport: &Transport, relay: &SmtpSettings, mail: Mail) -> Next {
        let built = message(
            relay,
            mail.id,
            &mail.to,
            mail.reply_to.as_deref(),
            &mail.subject,
            mail.text.clone(),
            mail.html.clone(),
        );
        let message = match built {
            Ok(message) => message,
            Err(why) => {
                // A row no relay could take: retrying cannot help.
                tracing::warn!(id = %mail.id, %why, "mail cannot be built; giving up");
                self.record_failure(&mail, why, None).await;
                return Next::Continue;
            }
        };
        match self.send(transport, message).await {
            Ok(()) => {
                // Recorded the moment the relay accepted it. SMTP offers no way
                // to ask a relay whether it already has a message, so if this
                // write is lost (the process dies between the relay's answer
                // and the commit) the lease runs out and the mail goes again:
                // at-least-once only in that window. The Message-ID is the
                // outbox id, so a receiver can tell the copy.
                if let Err(error) = self.store.mark_mail_sent(mail.id, now()).await {
                    tracing::error!(id = %mail.id, %error, "mail was sent but could not be marked sent");
                }
                tracing::debug!(id = %mail.id, kind = mail.kind.as_str(), "mail sent");
                Next::Continue
            }
            Err(error) => {
                let why = describe(&error, relay);
                let for_this_mail = refused_for_this_mail(&error);
                let retry_at = if for_this_mail || mail.attempts >= self.config.max_attempts {
                    None
                } else {
                    Some(now().saturating_add(self.backoff(mail.attempts)))
                };
                tracing::warn!(
                    id = %mail.id,
                    attempts = mail.attempts,
                    retry_at,
                    error = %why,
                    "mail delivery failed"
                );
                self.record_failure(&mail, why, retry_at).await;
                if for_this_mail {
                    Next::Continue
                } else {
                    Next::Stop
                }
            }
        }
    }

    async fn record_failure(&self, mail: &Mail, why: String, retry_at: Option<Millis>) {
        if let Err(error) = self
            .store
            .mark_mail_failed(mail.id, why, now(), retry_at)
            .await
        {
            tracing::error!(id = %mail.id, %error, "could not record a failed delivery");
        }
    }

    fn backoff(&self, attempts: u32) -> Millis {
        backoff(&self.config, attempts)
    }

    async fn send(&self, transport: &Transport, message: Message) -> Result<(), SendError> {
        // lettre's timeout bounds each step; this bounds the whole conversation.
        match tokio::time::timeout(self.config.timeout * 4, transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(error)) => Err(SendError::Smtp(error)),
            Err(_) => Err(SendError::TimedOut),
        }
    }
}

/// The relay from `[server.mail]`, checked; `None` when no host is set there.
fn file_relay(config: &MailConfig) -> Result<Option<SmtpSettings>, String> {
    let Some(host) = &config.host else {
        return Ok(None);
    };
    let from_address = config
        .from_address
        .clone()
        .ok_or("[server.mail] sets a host but no from_address: mail needs a sender address")?;
    validate_relay(SmtpSettings {
        host: host.clone(),
        port: config.port,
        tls: config.tls,
        username: config.username.clone(),
        password: config.password.clone(),
        from_address,
        from_name: config.from_name.clone(),
    })
    .map(Some)
    .map_err(|why| format!("[server.mail]: {why}"))
}

/// The wait after `attempts` failed attempts: doubling from `retry_first`, at most `retry_max`.
fn backoff(config: &MailConfig, attempts: u32) -> Millis {
    let first = Millis::try_from(config.retry_first.as_millis()).unwrap_or(Millis::MAX);
    let max = Millis::try_from(config.retry_max.as_millis()).unwrap_or(Millis::MAX);
    let doublings = attempts.saturating_sub(1).min(40);
    first.saturating_mul(1 << doublings).min(max).max(0)
}

enum SendError {
    Smtp(lettre::transport::smtp::Error),
    TimedOut,
}

/// The relay refused this mail itself (e.g. `550` no such user), as opposed
/// to failing for every mail (down, `421`, bad credentials): retrying it is
/// pointless.
fn refused_for_this_mail(error: &SendError) -> bool {
    let SendError::Smtp(error) = error else {
        return false;
    };
    error.is_permanent()
        && error.status().is_some_and(|code| {
            matches!(
                code.to_string().as_str(),
                "501" | "550" | "551" | "552" | "553" | "554"
            )
        })
}

fn describe(error: &SendError, relay: &SmtpSettings) -> String {
    let at = format!("{}:{}", relay.host, relay.port);
    match error {
        SendError::TimedOut => format!("the mail server at {at} did not answer in time"),
        SendError::Smtp(error) if error.is_timeout() => {
            format!("the mail server at {at} did not answer in time")
        }
        SendError::Smtp(error) if error.is_tls() => {
            format!("TLS with the mail server at {at} failed: {error}")
        }
        SendError::Smtp(error) if error.status().is_some() => {
            format!("the mail server at {at} refused the mail: {error}")
        }
        SendError::Smtp(error) => format!("could not talk to the mail server at {at}: {error}"),
    }
}

fn transport(relay: &SmtpSettings, timeout: Duration) -> Result<Transport, String> {
    let builder = match relay.tls {
        SmtpTls::None => Transport::builder_dangerous(relay.host.as_str()),
        SmtpTls::Starttls => Transport::starttls_relay(&relay.host)
            .map_err(|error| format!("cannot use TLS with {}: {error}", relay.host))?,
        SmtpTls::Tls => Transport::relay(&relay.host)
            .map_err(|error| format!("cannot use TLS with {}: {error}", relay.host))?,
    };
    let mut builder = builder.port(relay.port).timeout(Some(timeout));
    if let Some(username) = &relay.username {
        builder = builder.credentials(Credentials::new(
            username.clone(),
            relay.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// The message for one mail. Every header value is parsed again here, so a
/// row that somehow holds a line break still cannot add a header.
fn message(
    relay: &SmtpSettings,
    id: MailId,
    to: &str,
    reply_to: Option<&str>,
    subject: &str,
    text: String,
    html: String,
) -> Result<Message, String> {
    let address = |raw: &str| -> Result<Address, String> {
        let parsed = EmailAddress::parse(raw).map_err(|error| format!("{raw:?}: {error}"))?;
        parsed
            .as_str()
            .parse::<Address>()
            .map_err(|error| format!("{raw:?}: {error}"))
    };
    let from_name = relay
        .from_name
        .as_deref()
        .map(HeaderText::parse)
        .transpose()
        .map_err(|error| format!("sender name: {error}"))?;
    let from = address(&relay.from_address)?;
    let subject = HeaderText::parse(subject).map_err(|error| format!("subject: {error}"))?;
    let mut builder = Message::builder()
        .message_id(Some(format!(
            "<{}@{}>",
            id.as_uuid().simple(),
            from.domain()
        )))
        .from(Mailbox::new(
            from_name.map(|name| name.as_str().to_owned()),
            from,
        ))
        .to(Mailbox::new(None, address(to)?))
        .subject(subject.as_str());
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(Mailbox::new(None, address(reply_to)?));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|error| format!("cannot build the message: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay() -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from_address: "chat@shop.example".into(),
            from_name: Some("Shop — chat".into()),
        }
    }

    fn formatted(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn the_message_has_the_configured_sender_and_both_parts() {
        let id = MailId::new();
        let message = message(
            &relay(),
            id,
            "anna@example.net",
            Some("visitor@example.org"),
            "Hello — привет",
            "plain".into(),
            "<p>html</p>".into(),
        )
        .unwrap();
        let raw = formatted(&message);
        assert!(raw.contains("<chat@shop.example>"), "{raw}");
        assert!(raw.contains("To: anna@example.net"), "{raw}");
        assert!(raw.contains("Reply-To: visitor@example.org"), "{raw}");
        assert!(raw.contains(&format!(
            "Message-ID: <{}@shop.example>",
            id.as_uuid().simple()
        )));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain"));
        assert!(raw.contains("text/html"));
    }

    #[test]
    fn a_row_with_a_line_break_in_a_header_cannot_be_sent() {
        let build = |to: &str, reply_to: Option<&str>, subject: &str| {
            message(
                &relay(),
                MailId::new(),
                to,
                reply_to,
                subject,
                String::new(),
                String::new(),
            )
        };
        assert!(build("a@example.net\r\nBcc: x@evil.example", None, "Hi").is_err());
        assert!(
            build(
                "a@example.net",
                Some("v@example.org\nBcc: x@evil.example"),
                "Hi"
            )
            .is_err()
        );
        assert!(build("a@example.net", None, "Hi\r\nBcc: x@evil.example").is_err());
        assert!(build("a@example.net", None, "Hi\u{2028}there").is_err());
        let mut bad_from = relay();
        bad_from.from_name = Some("Shop\r\nBcc: x@evil.example".into());
        assert!(
            message(
                &bad_from,
                MailId::new(),
                "a@example.net",
                None,
                "Hi",
                String::new(),
                String::new()
            )
            .is_err()
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = MailConfig {
            retry_first: Duration::from_secs(30),
            retry_max: Duration::from_secs(600),
            ..MailConfig::default()
        };
        assert_eq!(backoff(&config, 1), 30_000);
        assert_eq!(backoff(&config, 2), 60_000);
        assert_eq!(backoff(&config, 3), 120_000);
        assert_eq!(backoff(&config, 5), 480_000);
        assert_eq!(backoff(&config, 6), 600_000);
        assert_eq!(backoff(&config, 1000), 600_000);
    }

    #[test]
    fn a_file_relay_needs_a_sender_address_and_a_clean_host() {
        assert_eq!(file_relay(&MailConfig::default()), Ok(None));
        let config = MailConfig {
            host: Some("smtp.shop.example".into()),
            ..MailConfig::default()
        };
        let error = file_relay(&config).unwrap_err();
        assert!(error.contains("from_address"), "{error}");
        let config = MailConfig {
            host: Some("smtp.shop.example\r\n".into()),
            from_address: Some("chat@shop.example".into()),
            ..MailConfig::default()
        };
        assert!(file_relay(&config).is_err());
        let config = MailConfig {
            host: Some("smtp.shop.example".into()),
            from_address: Some("chat@shop.example".into()),
            ..MailConfig::default()
        };
        assert_eq!(file_relay(&config).unwrap().unwrap().port, 587);
    }
}
