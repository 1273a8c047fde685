//! Parsed user input. Every constructor checks size and content, so code that
//! holds one of these types never re-validates.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest message, in Unicode scalar values.
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest client message id, in bytes.
pub const MAX_CLIENT_MSG_ID_LEN: usize = 64;
/// Longest display name, in Unicode scalar values.
pub const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TextError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is longer than {max} characters")]
    TooLong { max: usize },
    #[error("the text contains control characters")]
    ControlCharacters,
    #[error("the id must be 1 to 64 characters of A-Z, a-z, 0-9, '-' or '_'")]
    InvalidId,
}

/// The body of a chat message: non-blank, at most [`MAX_MESSAGE_CHARS`],
/// line breaks normalised to `\n`, no control characters but newline and tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MessageText(String);

impl MessageText {
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let text = raw.replace("\r\n", "\n");
        if text.trim().is_empty() {
            return Err(TextError::Empty);
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            return Err(TextError::TooLong {
                max: MAX_MESSAGE_CHARS,
            });
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(TextError::ControlCharacters);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An idempotency key chosen by the client for one message; a resend with the
/// same key within a conversation is stored once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientMsgId(String);

impl ClientMsgId {
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let valid = !raw.is_empty()
            && raw.len() <= MAX_CLIENT_MSG_ID_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(TextError::InvalidId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientMsgId {
    type Error = TextError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ClientMsgId> for String {
    fn from(value: ClientMsgId) -> Self {
        value.0
    }
}

/// A person's display name: trimmed, non-empty, at most [`MAX_NAME_CHARS`], no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(TextError::Empty);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(TextError::TooLong {
                max: MAX_NAME_CHARS,
            });
        }
        if name.chars().any(char::is_control) {
            return Err(TextError::ControlCharacters);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_accepts_markup_literally() {
        let text = MessageText::parse("<img src=x onerror=alert(1)>").unwrap();
        assert_eq!(text.as_str(), "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn message_text_refuses_blank_and_oversized_and_control() {
        assert_eq!(MessageText::parse("  \n\t"), Err(TextError::Empty));
        let long = "я".repeat(MAX_MESSAGE_CHARS + 1);
        assert_eq!(
            MessageText::parse(&long),
            Err(TextError::TooLong {
                max: MAX_MESSAGE_CHARS
            })
        );
        assert!(MessageText::parse(&"я".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert_eq!(
            MessageText::parse("a\u{0}b"),
            Err(TextError::ControlCharacters)
        );
    }

    #[test]
    fn message_text_normalises_crlf() {
        assert_eq!(MessageText::parse("a\r\nb").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn client_msg_id_allows_only_safe_characters() {
        assert!(ClientMsgId::parse("0192-abc_DEF").is_ok());
        for bad in ["", "a b", "{\"$regex\":\".*\"}", &"x".repeat(65)] {
            assert_eq!(ClientMsgId::parse(bad), Err(TextError::InvalidId), "{bad}");
        }
    }

    #[test]
    fn display_name_is_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Anna ").unwrap().as_str(), "Anna");
        assert!(DisplayName::parse("a\nBcc: x").is_err());
        assert!(DisplayName::parse(&"n".repeat(101)).is_err());
    }
}
