//! What the server needs to know from the configuration. The binary layers
//! defaults, the TOML file and the environment into this.

use std::time::Duration;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// How browsers reach this server, e.g. `https://chat.shop.example`. Used in
    /// the embed snippet and as the only origin the console may call from.
    /// Unset: `http://<listen address>`.
    pub public_url: Option<String>,
    /// How long an operator whose last console tab closed still counts as
    /// online, so a reload does not flash "offline" on every widget.
    #[serde(with = "millis")]
    pub presence_grace: Duration,
    /// A socket that sends nothing (not even `ping`) for this long is dropped.
    #[serde(with = "millis")]
    pub socket_idle_timeout: Duration,
    /// Staff session lifetime since the last request.
    #[serde(with = "millis")]
    pub session_idle: Duration,
    /// Staff session lifetime since login.
    #[serde(with = "millis")]
    pub session_absolute: Duration,
    pub limits: Limits,
    /// Visitor tracking.
    pub tracking: TrackingConfig,
    /// Outgoing mail.
    pub mail: MailConfig,
    /// A waiting chat nobody answered becomes missed (and is mailed to the
    /// shop) once its visitor has had no open socket for this long.
    #[serde(with = "millis")]
    pub missed_after: Duration,
    /// How often waiting chats are checked for missed ones.
    #[serde(with = "millis")]
    pub missed_interval: Duration,
    /// How long a member of staff has to answer a transfer offered to them
    /// before the chat stays where it is.
    #[serde(with = "millis")]
    pub transfer_timeout: Duration,
}

/// The SMTP relay and how the outbox is drained. With `host` set, the relay
/// comes from here and the console shows it read-only; without, the console's
/// settings are used.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    pub host: Option<String>,
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    pub tls: shopkeep_core::email::SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Every mail is from this address; visitors' addresses only go in Reply-To or To.
    pub from_address: Option<String>,
    pub from_name: Option<String>,
    /// How often the outbox is checked for due mail (new mail also wakes the sender).
    #[serde(with = "millis")]
    pub poll_interval: Duration,
    /// Wait before the first retry; doubles after every failed attempt…
    #[serde(with = "millis")]
    pub retry_first: Duration,
    /// …up to this.
    #[serde(with = "millis")]
    pub retry_max: Duration,
    /// Attempts before a mail is given up (it stays listed as failed).
    pub max_attempts: u32,
    /// Limit for connecting and for each SMTP command.
    #[serde(with = "millis")]
    pub timeout: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            tls: shopkeep_core::email::SmtpTls::Starttls,
            username: None,
            password: None,
            from_address: None,
            from_name: None,
            poll_interval: Duration::from_secs(5),
            retry_first: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
            max_attempts: 30,
            timeout: Duration::from_secs(30),
        }
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from_address", &self.from_address)
            .field("from_name", &self.from_name)
            .field("poll_interval", &self.poll_interval)
            .field("retry_first", &self.retry_first)
            .field("retry_max", &self.retry_max)
            .field("max_attempts", &self.max_attempts)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Where tracking data comes from and how it is batched.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackingConfig {
    /// A MaxMind-format country database (`.mmdb`); without one, countries are unknown.
    pub geoip_database: Option<std::path::PathBuf>,
    /// Proxies whose `X-Forwarded-For` is believed: addresses or CIDR ranges.
    pub trusted_proxies: Vec<crate::tracking::client_ip::TrustedProxy>,
    /// How often page views are written and live-list changes pushed.
    #[serde(with = "millis")]
    pub flush_interval: Duration,
    /// How long a visitor with no open tab stays in the live list (page to page
    /// navigation closes and reopens the socket).
    #[serde(with = "millis")]
    pub leave_grace: Duration,
    /// How often invitation rules are checked against live visitors.
    #[serde(with = "millis")]
    pub rules_interval: Duration,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            geoip_database: None,
            trusted_proxies: Vec::new(),
            flush_interval: Duration::from_millis(250),
            leave_grace: Duration::from_secs(15),
            rules_interval: Duration::from_secs(1),
        }
    }
}

/// Rates and sizes. Per-IP limits count the socket peer address.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Login attempts per IP per minute.
    pub logins_per_minute: u32,
    /// New visitors per IP per minute (a visitor is created at the first page view).
    pub new_visitors_per_minute: u32,
    /// Frames per second a socket may send, with a burst of twice as many.
    pub frames_per_second: u32,
    /// Messages per minute per visitor connection.
    pub visitor_messages_per_minute: u32,
    /// Open sockets per IP.
    pub sockets_per_ip: u32,
    /// Offline-form messages per visitor socket per minute.
    pub offline_messages_per_minute: u32,
    /// Offline-form messages per IP per minute, across its sockets.
    pub offline_messages_per_ip_per_minute: u32,
    /// Offline-form messages per site per hour, from all addresses together.
    pub offline_messages_per_site_per_hour: u32,
    /// Transcript mails a visitor socket may ask for per minute.
    pub transcripts_per_minute: u32,
    /// Transcript mails per IP per minute, across its sockets.
    pub transcripts_per_ip_per_minute: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            public_url: None,
            presence_grace: Duration::from_secs(5),
            socket_idle_timeout: Duration::from_secs(75),
            session_idle: Duration::from_secs(12 * 3600),
            session_absolute: Duration::from_secs(7 * 24 * 3600),
            limits: Limits::default(),
            tracking: TrackingConfig::default(),
            mail: MailConfig::default(),
            missed_after: Duration::from_secs(120),
            missed_interval: Duration::from_secs(15),
            transfer_timeout: Duration::from_secs(60),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            logins_per_minute: 10,
            new_visitors_per_minute: 60,
            frames_per_second: 20,
            visitor_messages_per_minute: 30,
            sockets_per_ip: 200,
            offline_messages_per_minute: 3,
            offline_messages_per_ip_per_minute: 5,
            offline_messages_per_site_per_hour: 300,
            transcripts_per_minute: 3,
            transcripts_per_ip_per_minute: 10,
        }
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}
