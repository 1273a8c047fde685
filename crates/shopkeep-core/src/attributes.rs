//! Custom attributes a shop attaches to a visitor with `Shopkeep('set', {...})`:
//! cart total, customer tier, anything. Untrusted input, so every limit is checked
//! before anything is stored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;
use ts_rs::TS;

/// Most attributes one visitor may carry.
pub const MAX_ATTRIBUTES: usize = 50;
/// Longest attribute name, in bytes (names are ASCII).
pub const MAX_KEY_LEN: usize = 64;
/// Longest string value, in characters.
pub const MAX_STRING_CHARS: usize = 1000;
/// Deepest nesting of arrays and objects inside one value (`{"cart": [{"sku": 1}]}` is 2).
pub const MAX_DEPTH: usize = 3;
/// Largest serialised size of all attributes together.
pub const MAX_TOTAL_BYTES: usize = 8 * 1024;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AttributeError {
    #[error("attributes must be a JSON object")]
    NotAnObject,
    #[error("more than {MAX_ATTRIBUTES} attributes")]
    TooMany,
    #[error("attribute name {0:?} must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '-' or '.'")]
    InvalidKey(String),
    #[error("attribute {0:?} is nested deeper than {MAX_DEPTH} levels")]
    TooDeep(String),
    #[error("attribute {0:?} has a string longer than {MAX_STRING_CHARS} characters")]
    StringTooLong(String),
    #[error("attributes are larger than {MAX_TOTAL_BYTES} bytes")]
    TooLarge,
}

/// A visitor's custom attributes: a JSON object within the limits above.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "Record<string, unknown>")]
pub struct Attributes(Map<String, Value>);

impl Attributes {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Checks a stored value read back from the database (trusted, but checked anyway).
    pub fn from_stored(json: &str) -> Option<Self> {
        serde_json::from_str::<Value>(json)
            .ok()
            .and_then(|value| Self::default().merged(&value).ok())
    }

    /// The attributes after applying an update: keys with `null` are removed, the
    /// others set. The result must be within every limit, or nothing changes.
    pub fn merged(&self, update: &Value) -> Result<Self, AttributeError> {
        let Value::Object(update) = update else {
            return Err(AttributeError::NotAnObject);
        };
        if update.len() > MAX_ATTRIBUTES {
            return Err(AttributeError::TooMany);
        }
        let mut next = self.0.clone();
        for (key, value) in update {
            check_key(key)?;
            if value.is_null() {
                next.remove(key);
                continue;
            }
            check_value(key, value, 0)?;
            next.insert(key.clone(), value.clone());
        }
        if next.len() > MAX_ATTRIBUTES {
            return Err(AttributeError::TooMany);
        }
        let merged = Self(next);
        if merged.to_json().len() > MAX_TOTAL_BYTES {
            return Err(AttributeError::TooLarge);
        }
        Ok(merged)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".to_owned())
    }
}

fn check_key(key: &str) -> Result<(), AttributeError> {
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if valid {
        Ok(())
    } else {
        Err(AttributeError::InvalidKey(
            key.chars().take(MAX_KEY_LEN).collect(),
        ))
    }
}

fn check_value(key: &str, value: &Value, depth: usize) -> Result<(), AttributeError> {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        Value::String(text) if text.chars().count() > MAX_STRING_CHARS => {
            Err(AttributeError::StringTooLong(key.to_owned()))
        }
        Value::String(_) => Ok(()),
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => {
            Err(AttributeError::TooDeep(key.to_owned()))
        }
        Value::Array(items) => items
            .iter()
            .try_for_each(|item| check_value(key, item, depth + 1)),
        Value::Object(fields) => fields.iter().try_for_each(|(name, item)| {
            check_key(name)?;
            check_value(key, item, depth + 1)
        }),
    }
}
