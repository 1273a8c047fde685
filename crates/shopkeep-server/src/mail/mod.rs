//! Outgoing mail: templates render a mail, the outbox in the store keeps it,
//! the sender delivers it over SMTP with retries.
//!
//! # Layout
//! - [`templates`]: text and HTML parts of every mail, in every language.
//! - [`compose`]: the mails conversations cause (offline, answer, transcript,
//!   missed), rendered for the write job that queues them.
//! - [`sender`]: the task that drains the outbox, and the test email.

pub mod compose;
pub mod sender;
pub mod templates;

use shopkeep_core::email::{EmailAddress, HeaderText, is_forbidden};
use shopkeep_store::SmtpSettings;

pub use sender::{MailError, Mailer};

/// Longest SMTP user name or password accepted.
const MAX_CREDENTIAL_LEN: usize = 256;

/// Checks relay settings from the console or the settings file; trims the
/// host and the names. Nothing with a line break or control character gets
/// through: these values end up in SMTP commands and headers.
pub fn validate_relay(mut relay: SmtpSettings) -> Result<SmtpSettings, String> {
    let texts = [
        ("host", Some(&relay.host)),
        ("sender name", relay.from_name.as_ref()),
        ("user name", relay.username.as_ref()),
        ("password", relay.password.as_ref()),
    ];
    for (what, value) in texts {
        if value.is_some_and(|value| value.chars().any(is_forbidden)) {
            return Err(format!(
                "the {what} contains control characters or line breaks"
            ));
        }
    }
    relay.host = relay.host.trim().to_owned();
    let host_ok = !relay.host.is_empty()
        && relay.host.len() <= 253
        && relay
            .host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !host_ok {
        return Err("the host must be a host name or an IP address".into());
    }
    if relay.port == 0 {
        return Err("the port must be 1 to 65535".into());
    }
    relay.from_address = EmailAddress::parse(&relay.from_address)
        .map_err(|error| format!("sender address: {error}"))?
        .as_str()
        .to_owned();
    relay.from_name = match relay.from_name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(
            HeaderText::parse(name)
                .map_err(|error| format!("sender name: {error}"))?
                .as_str()
                .to_owned(),
        ),
    };
    relay.username = relay
        .username
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty());
    for (what, value) in [
        ("user name", &relay.username),
        ("password", &relay.password),
    ] {
        if let Some(value) = value {
            if value.len() > MAX_CREDENTIAL_LEN {
                return Err(format!(
                    "the {what} is longer than {MAX_CREDENTIAL_LEN} bytes"
                ));
            }
            if value.chars().any(is_forbidden) {
                return Err(format!(
                    "the {what} contains control characters or line breaks"
                ));
            }
        }
    }
    if relay.password.as_deref() == Some("") {
        relay.password = None;
    }
    Ok(relay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopkeep_core::email::SmtpTls;

    fn relay() -> SmtpSettings {
        SmtpSettings {
            host: " smtp.shop.example ".into(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: Some(" mailer ".into()),
            password: Some("p@ss word".into()),
            from_address: " chat@shop.example ".into(),
            from_name: Some("  ".into()),
        }
    }

    #[test]
    fn relay_settings_are_trimmed() {
        let valid = validate_relay(relay()).unwrap();
        assert_eq!(valid.host, "smtp.shop.example");
        assert_eq!(valid.username.as_deref(), Some("mailer"));
        assert_eq!(valid.password.as_deref(), Some("p@ss word"));
        assert_eq!(valid.from_address, "chat@shop.example");
        assert_eq!(valid.from_name, None);
        for host in ["127.0.0.1", "[::1]", "mail-1.example"] {
            let mut ok = relay();
            ok.host = host.into();
            assert!(validate_relay(ok).is_ok(), "{host}");
        }
    }

    #[test]
    fn relay_settings_refuse_line_breaks_everywhere() {
        let cases: [fn(&mut SmtpSettings); 7] = [
            |r| r.host = "smtp.shop.example\r\nRCPT TO:<x@evil.example>".into(),
            |r| r.host = "smtp shop".into(),
            |r| r.from_address = "chat@shop.example\r\nBcc: x@evil.example".into(),
            |r| r.from_name = Some("Shop\nBcc: x@evil.example".into()),
            |r| r.from_name = Some("Shop\u{2028}".into()),
            |r| r.username = Some("user\r\nAUTH".into()),
            |r| r.password = Some("pw\n".into()),
        ];
        for (index, case) in cases.iter().enumerate() {
            let mut bad = relay();
            case(&mut bad);
            assert!(validate_relay(bad).is_err(), "case {index}");
        }
        let mut no_port = relay();
        no_port.port = 0;
        assert!(validate_relay(no_port).is_err());
    }
}
