//! Typed settings, layered: defaults, then `shopkeep.toml` (or `--config`),
//! then `SHOPKEEP__SECTION__KEY` environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use shopkeep_server::ServerSettings;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the database lives.
    pub data_dir: PathBuf,
    pub log: LogSettings,
    pub server: ServerSettings,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// `tracing` filter, e.g. `info` or `shopkeep_server=debug,info`.
    pub level: String,
    /// `text` or `json`.
    pub format: LogFormat,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            log: LogSettings::default(),
            server: ServerSettings::default(),
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

impl Settings {
    /// Loads the layers. An explicit `--config` file must exist; the default
    /// `shopkeep.toml` is read only if present.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Self> {
        let file = match explicit {
            Some(path) => config::File::from(path).required(true),
            None => config::File::with_name("shopkeep.toml").required(false),
        };
        let layered = config::Config::builder()
            .add_source(file)
            .add_source(
                config::Environment::with_prefix("SHOPKEEP")
                    .prefix_separator("__")
                    .separator("__")
                    .try_parsing(true)
                    // Lists come comma-separated: SHOPKEEP__SERVER__TRACKING__TRUSTED_PROXIES=10.0.0.1,10.0.0.2
                    .list_separator(",")
                    .with_list_parse_key("server.tracking.trusted_proxies"),
            )
            .build()?;
        Ok(layered.try_deserialize()?)
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("shopkeep.db")
    }

    /// How browsers reach this server.
    pub fn public_base(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.server.public_url {
            return url.trim_end_matches('/').to_owned();
        }
        let host = if bound.ip().is_unspecified() {
            "127.0.0.1".to_owned()
        } else {
            bound.ip().to_string()
        };
        match bound {
            SocketAddr::V6(_) if !bound.ip().is_unspecified() => {
                format!("http://[{host}]:{}", bound.port())
            }
            _ => format!("http://{host}:{}", bound.port()),
        }
    }
}

/// `shopkeep config example`: every setting with its default and what it does.
pub const EXAMPLE: &str = r#"# shopkeep.toml — every key is optional; shown with its default.
# Any key can also be set in the environment: SHOPKEEP__SECTION__KEY,
# e.g. SHOPKEEP__LISTEN=0.0.0.0:8080 or SHOPKEEP__SERVER__PUBLIC_URL=https://chat.shop.example

# Address to listen on.
listen = "127.0.0.1:8080"
# Where the SQLite database (shopkeep.db) lives.
data_dir = "data"

[log]
# tracing filter: error, warn, info, debug, or per module ("shopkeep_server=debug,info").
level = "info"
# "text" for people, "json" for log collectors.
format = "text"

[server]
# How browsers reach Shopkeep (behind a proxy or TLS terminator). Used in the
# embed snippet and as the only origin the console accepts. Default: http://<listen>.
# public_url = "https://chat.shop.example"
# An operator whose last console tab closed counts as online this long (ms).
presence_grace = 5000
# A socket silent this long (ms) is dropped; clients ping every 25 s.
socket_idle_timeout = 75000
# Staff sessions end after this idle time (ms) or this age (ms).
session_idle = 43200000
session_absolute = 604800000
# A waiting chat nobody answered is marked missed, and mailed to the site's
# notify address, once its visitor has had no open tab this long (ms).
missed_after = 120000
# How often waiting chats are checked for missed ones (ms).
missed_interval = 15000
# How long an operator has to accept a chat transferred to them (ms); after
# that it stays with whoever offered it.
transfer_timeout = 60000

[server.limits]
logins_per_minute = 10           # per IP
new_visitors_per_minute = 60     # per IP
frames_per_second = 20           # per socket, burst of twice as many
visitor_messages_per_minute = 30 # per visitor socket
sockets_per_ip = 200
offline_messages_per_minute = 3         # offline-form messages per visitor socket
offline_messages_per_ip_per_minute = 5  # offline-form messages per IP
offline_messages_per_site_per_hour = 300  # offline-form messages per site, all addresses
transcripts_per_minute = 3              # transcript mails per visitor socket
transcripts_per_ip_per_minute = 10      # transcript mails per IP

[server.tracking]
# A MaxMind-format country database (.mmdb), e.g. GeoLite2-Country or the
# ip-location-db country file; without one, visitors' countries are unknown.
# IP addresses are truncated (/24, /48) before the lookup and never stored.
# geoip_database = "/var/lib/shopkeep/country.mmdb"
# Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges).
trusted_proxies = []
# How often page views are written and live visitor list changes pushed (ms).
flush_interval = 250
# A visitor with no open tab stays in the live list this long (ms).
leave_grace = 15000
# How often invitation rules are checked against visitors on the site (ms).
rules_interval = 1000

[server.mail]
# The SMTP relay. With host set, mail goes through these settings and the
# console shows them read-only; without, admins enter them in the console.
# host = "smtp.shop.example"
port = 587
# "starttls" (usually port 587), "tls" (usually 465), or "none" (a relay on
# this machine or network only).
tls = "starttls"
# username = "chat@shop.example"
# password = "…"   # better: SHOPKEEP__SERVER__MAIL__PASSWORD
# Every mail is sent from this address; visitors' addresses only ever go in
# Reply-To (mail to the shop) or To (mail to them).
# from_address = "chat@shop.example"
# from_name = "Shop chat"
# How often the outbox is checked for mail that is due (ms); new mail is
# sent at once.
poll_interval = 5000
# A failed delivery is retried after retry_first (ms), doubling each time up
# to retry_max (ms); after max_attempts it is given up and listed as failed.
retry_first = 30000
retry_max = 3600000
max_attempts = 30
# Limit for connecting to the relay and for each SMTP command (ms).
timeout = 30000
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_to_the_defaults() {
        let parsed: Settings = config::Config::builder()
            .add_source(config::File::from_str(EXAMPLE, config::FileFormat::Toml))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        let defaults = Settings::default();
        assert_eq!(parsed.listen, defaults.listen);
        assert_eq!(parsed.data_dir, defaults.data_dir);
        assert_eq!(parsed.server.presence_grace, defaults.server.presence_grace);
        assert_eq!(
            parsed.server.limits.sockets_per_ip,
            defaults.server.limits.sockets_per_ip
        );
        let (limits, default_limits) = (&parsed.server.limits, &defaults.server.limits);
        assert_eq!(
            limits.offline_messages_per_minute,
            default_limits.offline_messages_per_minute
        );
        assert_eq!(
            limits.offline_messages_per_ip_per_minute,
            default_limits.offline_messages_per_ip_per_minute
        );
        assert_eq!(
            limits.transcripts_per_minute,
            default_limits.transcripts_per_minute
        );
        assert_eq!(
            limits.transcripts_per_ip_per_minute,
            default_limits.transcripts_per_ip_per_minute
        );
        assert_eq!(parsed.server.missed_after, defaults.server.missed_after);
        assert_eq!(
            parsed.server.missed_interval,
            defaults.server.missed_interval
        );
        assert_eq!(
            parsed.server.transfer_timeout,
            defaults.server.transfer_timeout
        );
        let (mail, default_mail) = (&parsed.server.mail, &defaults.server.mail);
        assert_eq!(mail.host, None);
        assert_eq!(mail.port, default_mail.port);
        assert_eq!(mail.tls, default_mail.tls);
        assert_eq!(mail.poll_interval, default_mail.poll_interval);
        assert_eq!(mail.retry_first, default_mail.retry_first);
        assert_eq!(mail.retry_max, default_mail.retry_max);
        assert_eq!(mail.max_attempts, default_mail.max_attempts);
        assert_eq!(mail.timeout, default_mail.timeout);
    }
}
