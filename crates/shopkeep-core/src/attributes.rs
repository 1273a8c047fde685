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

/// True for a name of 1 to [`MAX_KEY_LEN`] characters of A-Z, a-z, 0-9, `_`, `-` or `.`.
pub fn is_valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check_key(key: &str) -> Result<(), AttributeError> {
    if is_valid_key(key) {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn set(update: Value) -> Result<Attributes, AttributeError> {
        Attributes::default().merged(&update)
    }

    fn many(count: usize) -> Value {
        Value::Object((0..count).map(|i| (format!("k{i}"), json!(i))).collect())
    }

    #[test]
    fn sets_values_of_every_kind() {
        let attributes = set(json!({
            "cart_total": 120.5,
            "tier": "gold",
            "vip": true,
            "tags": ["a", 1, null],
            "cart": [{"sku": "X-1", "qty": 2}],
        }))
        .unwrap();
        assert_eq!(attributes.get("cart_total"), Some(&json!(120.5)));
        assert_eq!(
            attributes.get("cart"),
            Some(&json!([{"sku": "X-1", "qty": 2}]))
        );
        assert_eq!(attributes.as_map().len(), 5);
        assert!(!attributes.is_empty());
    }

    #[test]
    fn refuses_anything_but_an_object() {
        for value in [json!([]), json!("x"), json!(1), Value::Null, json!(true)] {
            assert_eq!(set(value), Err(AttributeError::NotAnObject));
        }
        assert_eq!(set(json!({})), Ok(Attributes::default()));
    }

    #[test]
    fn refuses_more_than_the_maximum_of_keys() {
        assert_eq!(set(many(MAX_ATTRIBUTES)).unwrap().as_map().len(), 50);
        assert_eq!(set(many(MAX_ATTRIBUTES + 1)), Err(AttributeError::TooMany));
        // Counted after merging with what the visitor already has.
        let full = set(many(MAX_ATTRIBUTES)).unwrap();
        assert_eq!(
            full.merged(&json!({"one_more": 1})),
            Err(AttributeError::TooMany)
        );
        assert!(full.merged(&json!({"k0": 2})).is_ok());
        assert_eq!(
            full.merged(&json!({"k0": null, "one_more": 1}))
                .unwrap()
                .as_map()
                .len(),
            50
        );
    }

    #[test]
    fn refuses_bad_key_names() {
        let long = "k".repeat(MAX_KEY_LEN + 1);
        for key in [
            "",
            " ",
            "a b",
            "<script>",
            "\"><img src=x onerror=alert(1)>",
            "{{constructor}}",
            "$where",
            "a/b",
            "ключ",
            "ｋｅｙ",
            "é",
            "a\u{0}",
            long.as_str(),
        ] {
            assert!(
                matches!(set(json!({ key: 1 })), Err(AttributeError::InvalidKey(_))),
                "{key:?}"
            );
        }
        assert!(set(json!({ "k".repeat(MAX_KEY_LEN): 1 })).is_ok());
        assert!(set(json!({"Cart.total_2-x": 1})).is_ok());
        // Names inside nested objects follow the same rule.
        assert!(matches!(
            set(json!({"cart": {"<b>": 1}})),
            Err(AttributeError::InvalidKey(_))
        ));
        // The echoed name is cut to size.
        let Err(AttributeError::InvalidKey(echo)) = set(json!({ "я".repeat(500): 1 })) else {
            panic!("an over-long name is refused");
        };
        assert_eq!(echo.chars().count(), MAX_KEY_LEN);
    }

    #[test]
    fn nesting_is_limited_to_three_levels() {
        assert!(set(json!({"a": [[[1]]]})).is_ok());
        assert!(set(json!({"a": {"b": {"c": {}}}})).is_ok());
        assert!(set(json!({"cart": [{"sku": [1]}]})).is_ok());
        assert_eq!(
            set(json!({"a": [[[[1]]]]})),
            Err(AttributeError::TooDeep("a".into()))
        );
        assert_eq!(
            set(json!({"a": {"b": {"c": {"d": {}}}}})),
            Err(AttributeError::TooDeep("a".into()))
        );
        assert_eq!(
            set(json!({"a": [1, [2, [3, []]]]})),
            Err(AttributeError::TooDeep("a".into()))
        );
    }

    #[test]
    fn strings_are_limited_in_characters() {
        assert!(set(json!({"s": "я".repeat(MAX_STRING_CHARS)})).is_ok());
        assert_eq!(
            set(json!({"s": "a".repeat(MAX_STRING_CHARS + 1)})),
            Err(AttributeError::StringTooLong("s".into()))
        );
        assert_eq!(
            set(json!({"s": [{"t": "a".repeat(MAX_STRING_CHARS + 1)}]})),
            Err(AttributeError::StringTooLong("s".into()))
        );
    }

    #[test]
    fn total_size_is_limited() {
        let chunk = "x".repeat(950);
        let nine: Value = Value::Object((0..9).map(|i| (format!("k{i}"), json!(chunk))).collect());
        assert_eq!(set(nine.clone()), Err(AttributeError::TooLarge));
        let eight: Value = Value::Object((0..8).map(|i| (format!("k{i}"), json!(chunk))).collect());
        let near_full = set(eight).unwrap();
        assert!(near_full.to_json().len() <= MAX_TOTAL_BYTES);
        assert_eq!(
            near_full.merged(&json!({"more": chunk})),
            Err(AttributeError::TooLarge)
        );
        // Multibyte text counts in bytes here, characters in the string limit.
        let wide: Value = Value::Object(
            (0..5)
                .map(|i| (format!("k{i}"), json!("я".repeat(900))))
                .collect(),
        );
        assert_eq!(set(wide), Err(AttributeError::TooLarge));
    }

    #[test]
    fn null_removes_a_key_and_merging_keeps_the_others() {
        let first = set(json!({"tier": "gold", "cart_total": 10})).unwrap();
        let second = first
            .merged(&json!({"cart_total": 25, "coupon": "SPRING"}))
            .unwrap();
        assert_eq!(second.get("tier"), Some(&json!("gold")));
        assert_eq!(second.get("cart_total"), Some(&json!(25)));
        assert_eq!(second.get("coupon"), Some(&json!("SPRING")));
        let third = second
            .merged(&json!({"coupon": null, "absent": null}))
            .unwrap();
        assert_eq!(third.get("coupon"), None);
        assert_eq!(third.get("absent"), None);
        assert_eq!(third.as_map().len(), 2);
    }

    #[test]
    fn a_refused_update_changes_nothing() {
        let before = set(json!({"tier": "gold", "cart_total": 10})).unwrap();
        let snapshot = before.clone();
        for update in [
            json!({"tier": null, "cart_total": 20, "bad key": 1}),
            json!({"cart_total": 20, "deep": [[[[1]]]]}),
            json!({"tier": "x".repeat(MAX_STRING_CHARS + 1)}),
            json!(["tier"]),
        ] {
            assert!(before.merged(&update).is_err());
            assert_eq!(before, snapshot);
        }
    }

    #[test]
    fn stored_json_round_trips() {
        let attributes =
            set(json!({"tier": "gold", "cart": [{"sku": "X", "qty": 2}], "n": 1.5})).unwrap();
        assert_eq!(
            Attributes::from_stored(&attributes.to_json()),
            Some(attributes)
        );
        assert_eq!(Attributes::from_stored("{}"), Some(Attributes::default()));
        assert_eq!(Attributes::from_stored("not json"), None);
        assert_eq!(Attributes::from_stored("[1]"), None);
        assert_eq!(Attributes::from_stored(r#"{"bad key": 1}"#), None);
    }

    #[test]
    fn serialises_as_a_plain_object() {
        let attributes = set(json!({"a": 1})).unwrap();
        assert_eq!(serde_json::to_value(&attributes).unwrap(), json!({"a": 1}));
        let back: Attributes = serde_json::from_value(json!({"a": 1})).unwrap();
        assert_eq!(back, attributes);
    }
}
