//! Email addresses and header text, parsed so that nothing a visitor typed can
//! add a header line: CR, LF and every other control or line-separator
//! character are refused, never stripped or decoded. Also the mail kinds and
//! the SMTP settings staff see and edit.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::Millis;
use crate::ids::{MailId, SiteId};

/// Longest address (RFC 5321 path limit less the angle brackets).
pub const MAX_ADDRESS_LEN: usize = 254;
/// Longest local part, in bytes (RFC 5321).
pub const MAX_LOCAL_LEN: usize = 64;
/// Longest header text (a name or a subject), in characters.
pub const MAX_HEADER_CHARS: usize = 200;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EmailError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the text contains control characters or line breaks")]
    ControlCharacters,
    #[error("not an email address such as name@shop.example")]
    InvalidAddress,
}

/// Characters that could end or fold a header line, or reorder what a reader
/// sees: C0/C1 controls (CR, LF, NUL, NEL…), DEL, the Unicode line and
/// paragraph separators, and bidirectional overrides.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// A single mailbox address, `local@domain`, safe to put in a header.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Trims surrounding spaces; refuses anything but one plain address.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let address = raw.trim_matches(|c: char| c == ' ' || c == '\t');
        if address.is_empty() {
            return Err(EmailError::Empty);
        }
        if address.chars().any(is_forbidden) {
            return Err(EmailError::ControlCharacters);
        }
        if address.len() > MAX_ADDRESS_LEN {
            return Err(EmailError::TooLong {
                max: MAX_ADDRESS_LEN,
            });
        }
        let (local, domain) = address.split_once('@').ok_or(EmailError::InvalidAddress)?;
        let local_ok = !local.is_empty()
            && local.len() <= MAX_LOCAL_LEN
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                !c.is_whitespace()
                    && !matches!(
                        c,
                        '@' | '<' | '>' | '(' | ')' | '[' | ']' | ',' | ';' | ':' | '\\' | '"'
                    )
            });
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(address.to_owned()))
        } else {
            Err(EmailError::InvalidAddress)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// One line of text for a header: a display name or a subject. Trimmed,
/// non-empty, at most [`MAX_HEADER_CHARS`], no control or separator characters.
/// Percent signs and braces are kept as they are; nothing is decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct HeaderText(String);

impl HeaderText {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        if raw.chars().any(is_forbidden) {
            return Err(EmailError::ControlCharacters);
        }
        let text = raw.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.chars().count() > MAX_HEADER_CHARS {
            return Err(EmailError::TooLong {
                max: MAX_HEADER_CHARS,
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// Like [`HeaderText::parse`], but cuts text that is too long at
    /// [`MAX_HEADER_CHARS`] (with an ellipsis) instead of refusing it: for
    /// subjects built from a site's name and a visitor's words.
    pub fn truncating(raw: &str) -> Result<Self, EmailError> {
        if raw.chars().any(is_forbidden) {
            return Err(EmailError::ControlCharacters);
        }
        let text = raw.trim();
        if text.chars().count() <= MAX_HEADER_CHARS {
            return Self::parse(text);
        }
        let cut: String = text.chars().take(MAX_HEADER_CHARS - 1).collect();
        Self::parse(&format!("{}…", cut.trim_end()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for HeaderText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HeaderText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Why a mail is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MailKind {
    /// A visitor's offline message, to the shop.
    Offline,
    /// An operator's answer to an offline message, to the visitor.
    Reply,
    /// A conversation's transcript, to the visitor or staff.
    Transcript,
    /// A chat nobody answered, to the shop.
    Missed,
    /// The admin's "send a test email".
    Test,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::Reply => "reply",
            Self::Transcript => "transcript",
            Self::Missed => "missed",
            Self::Test => "test",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "offline" => Self::Offline,
            "reply" => Self::Reply,
            "transcript" => Self::Transcript,
            "missed" => Self::Missed,
            "test" => Self::Test,
            _ => return None,
        })
    }
}

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or network.
    None,
    /// Plain connection upgraded with STARTTLS (usually port 587); refused if
    /// the server does not offer it.
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl SmtpTls {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "none" => Self::None,
            "starttls" => Self::Starttls,
            "tls" => Self::Tls,
            _ => return None,
        })
    }
}

/// The SMTP settings as the console shows them; the password is never sent back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailSettingsView {
    /// Where the settings come from: `config` (the settings file, read-only
    /// here), `console` (stored), or `none` (mail is off).
    pub source: MailSettingsSource,
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    /// Whether a password is stored.
    pub password_set: bool,
    pub from_address: String,
    pub from_name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum MailSettingsSource {
    None,
    Config,
    Console,
}

/// New SMTP settings from the console. `password` absent keeps the stored
/// one, `""` removes it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MailSettingsUpdate {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    #[ts(optional)]
    #[serde(default)]
    pub username: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub password: Option<String>,
    pub from_address: String,
    #[ts(optional)]
    #[serde(default)]
    pub from_name: Option<String>,
}

/// A mail that could not be delivered (yet), for the console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MailFailure {
    pub id: MailId,
    pub site_id: Option<SiteId>,
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub attempts: u32,
    pub last_error: String,
    #[ts(type = "number")]
    pub last_attempt_at: Millis,
    /// When it is tried again; `None` once it was given up.
    #[ts(type = "number | null")]
    pub next_attempt_at: Option<Millis>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_parse_and_are_trimmed() {
        for ok in [
            "anna@shop.example",
            "a.b+tag@mail.shop.example",
            "o'brien@shop.example",
            "Anna@Shop.Example",
            "root@localhost",
            "ящик@почта.рф",
            "a%0ab@shop.example",
        ] {
            assert_eq!(EmailAddress::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(
            EmailAddress::parse("  anna@shop.example\t")
                .unwrap()
                .as_str(),
            "anna@shop.example"
        );
    }

    #[test]
    fn header_injection_in_addresses_is_refused() {
        for bad in [
            "anna@shop.example\r\nBcc: x@evil.example",
            "anna@shop.example\nBcc: x@evil.example",
            "anna@shop.example\r",
            "anna\u{2028}@shop.example",
            "anna@shop.example\u{2029}",
            "anna@shop.example\u{0}",
            "anna@shop.example\u{85}Bcc: x@evil.example",
            "anna@shop\u{202E}elpmaxe.example",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::ControlCharacters),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "anna",
            "anna@",
            "@shop.example",
            "anna@@shop.example",
            "a@b@shop.example",
            "anna smith@shop.example",
            "Anna <anna@shop.example>",
            "anna@shop.example, x@evil.example",
            "anna@shop.example;x@evil.example",
            "x%0aBcc:@evil.example",
            "\"anna\"@shop.example",
            "anna@[127.0.0.1]",
            "anna@shop..example",
            "anna@.shop.example",
            "anna@shop.example.",
            "anna@-shop.example",
            ".anna@shop.example",
            "an..na@shop.example",
            "anna@shop_example.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::InvalidAddress),
                "{bad:?}"
            );
        }
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        let local = "a".repeat(MAX_LOCAL_LEN + 1);
        assert_eq!(
            EmailAddress::parse(&format!("{local}@shop.example")),
            Err(EmailError::InvalidAddress)
        );
        let long = format!("a@{}.example", "b".repeat(60).repeat(5));
        assert!(matches!(
            EmailAddress::parse(&long),
            Err(EmailError::TooLong { .. })
        ));
    }

    #[test]
    fn header_text_refuses_every_line_break() {
        for bad in [
            "Hello\r\nBcc: x@evil.example",
            "Hello\nBcc: x@evil.example",
            "Hello\rBcc: x@evil.example",
            "Hello\u{2028}Bcc: x@evil.example",
            "Hello\u{2029}",
            "Hello\u{85}",
            "Hello\u{0}",
            "Hello\u{7f}",
            "Hello\tthere",
            "Hello\u{202E}",
            "\r\n",
        ] {
            assert_eq!(
                HeaderText::parse(bad),
                Err(EmailError::ControlCharacters),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn header_text_keeps_encoded_looking_text_literal() {
        for literal in [
            "Hello%0aBcc: x@evil.example",
            "Hello%0d%0a",
            "=?utf-8?q?Bcc=3A?=",
            "{{constructor.constructor('alert(1)')()}}",
            "${7*7}",
            "<script>alert(1)</script>",
            "Анна — 田中",
        ] {
            assert_eq!(HeaderText::parse(literal).unwrap().as_str(), literal);
        }
        assert_eq!(HeaderText::parse("  Anna  ").unwrap().as_str(), "Anna");
        assert_eq!(HeaderText::parse(" "), Err(EmailError::Empty));
    }

    #[test]
    fn header_text_length() {
        let longest = "я".repeat(MAX_HEADER_CHARS);
        assert!(HeaderText::parse(&longest).is_ok());
        assert_eq!(
            HeaderText::parse(&format!("{longest}я")),
            Err(EmailError::TooLong {
                max: MAX_HEADER_CHARS
            })
        );
        let cut = HeaderText::truncating(&"я".repeat(500)).unwrap();
        assert_eq!(cut.as_str().chars().count(), MAX_HEADER_CHARS);
        assert!(cut.as_str().ends_with('…'));
        assert_eq!(
            HeaderText::truncating(&format!("{}\n", "я".repeat(500))),
            Err(EmailError::ControlCharacters)
        );
    }

    #[test]
    fn deserialising_parses() {
        assert!(serde_json::from_str::<EmailAddress>(r#""a@shop.example""#).is_ok());
        assert!(
            serde_json::from_str::<EmailAddress>(r#""a@shop.example\r\nBcc: b@x.example""#)
                .is_err()
        );
        assert!(serde_json::from_str::<HeaderText>(r#""Hi\u2028there""#).is_err());
    }

    #[test]
    fn kinds_and_tls_modes_round_trip() {
        for kind in [
            MailKind::Offline,
            MailKind::Reply,
            MailKind::Transcript,
            MailKind::Missed,
            MailKind::Test,
        ] {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
        }
        for tls in [SmtpTls::None, SmtpTls::Starttls, SmtpTls::Tls] {
            assert_eq!(SmtpTls::parse(tls.as_str()), Some(tls));
            assert_eq!(
                serde_json::to_string(&tls).unwrap(),
                format!("\"{}\"", tls.as_str())
            );
        }
        assert_eq!(MailKind::parse("Test"), None);
    }
}
