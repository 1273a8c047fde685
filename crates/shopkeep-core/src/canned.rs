//! Canned answers: saved replies an operator inserts with a shortcut
//! (`/delivery`), personal or shared, with per-language variants and
//! placeholders filled from the chat.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::Millis;
use crate::ids::{CannedId, SiteId, StaffId};
use crate::text::MAX_MESSAGE_CHARS;

const MAX_SHORTCUT_CHARS: usize = 40;
const MAX_TITLE_CHARS: usize = 100;
/// Most canned answers one owner (a person, or the shared set of a site) may have.
pub const MAX_CANNED: usize = 500;
const LANGUAGES: [&str; 4] = ["en", "ru", "uk", "ja"];

/// A canned answer as it is created or edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CannedDraft {
    /// Typed after `/` in the composer: letters, digits, `-` and `_`.
    pub shortcut: String,
    pub title: String,
    /// The text, used when no variant matches the visitor's language.
    pub text: String,
    /// Texts by language (`en`, `ru`, `uk`, `ja`).
    pub variants: BTreeMap<String, String>,
    /// Shared with every operator of the site; otherwise only its owner sees it.
    pub shared: bool,
}

/// `POST /api/v1/canned`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewCanned {
    pub site_id: SiteId,
    #[serde(flatten)]
    pub draft: CannedDraft,
}

/// A stored canned answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Canned {
    pub id: CannedId,
    pub site_id: SiteId,
    /// Who made it; a shared answer keeps its author.
    pub owner: StaffId,
    #[serde(flatten)]
    pub draft: CannedDraft,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CannedError {
    #[error("a shortcut is 1 to {MAX_SHORTCUT_CHARS} letters, digits, - or _")]
    InvalidShortcut,
    #[error("a title is 1 to {MAX_TITLE_CHARS} characters")]
    InvalidTitle,
    #[error("the text must be 1 to {MAX_MESSAGE_CHARS} characters")]
    InvalidText,
    #[error("variants are keyed by en, ru, uk or ja")]
    InvalidLanguage,
}

impl CannedDraft {
    pub fn validated(mut self) -> Result<Self, CannedError> {
        self.shortcut = self.shortcut.trim().trim_start_matches('/').to_lowercase();
        let shortcut_chars = self.shortcut.chars().count();
        if shortcut_chars == 0
            || shortcut_chars > MAX_SHORTCUT_CHARS
            || !self
                .shortcut
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(CannedError::InvalidShortcut);
        }
        self.title = self.title.trim().to_owned();
        let title_chars = self.title.chars().count();
        if title_chars == 0
            || title_chars > MAX_TITLE_CHARS
            || self.title.chars().any(char::is_control)
        {
            return Err(CannedError::InvalidTitle);
        }
        let valid_text = |text: &str| {
            let chars = text.trim().chars().count();
            chars > 0 && chars <= MAX_MESSAGE_CHARS
        };
        if !valid_text(&self.text) {
            return Err(CannedError::InvalidText);
        }
        self.variants.retain(|_, text| !text.trim().is_empty());
        for (lang, text) in &self.variants {
            if !LANGUAGES.contains(&lang.as_str()) {
                return Err(CannedError::InvalidLanguage);
            }
            if !valid_text(text) {
                return Err(CannedError::InvalidText);
            }
        }
        Ok(self)
    }

    /// The text for a visitor speaking `lang` (`ru-RU` finds `ru`).
    pub fn text_for(&self, lang: Option<&str>) -> &str {
        lang.and_then(|lang| {
            let primary = lang.split(['-', '_']).next().unwrap_or(lang).to_lowercase();
            self.variants.get(&primary)
        })
        .map_or(self.text.as_str(), String::as_str)
    }
}

/// Values for the placeholders of a canned answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placeholders<'a> {
    pub visitor_name: Option<&'a str>,
    pub visitor_email: Option<&'a str>,
    pub operator_name: &'a str,
    pub site_name: &'a str,
}

/// Fills `{visitor.name}`, `{visitor.email}`, `{operator.name}` and `{site.name}`.
/// Values are inserted as they are, once: a value that itself contains a
/// placeholder is not expanded again. The result is plain text, never markup,
/// and is cut to a message's maximum length.
pub fn fill(template: &str, values: &Placeholders<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let value = match &after[1..end] {
            "visitor.name" => Some(values.visitor_name.unwrap_or("")),
            "visitor.email" => Some(values.visitor_email.unwrap_or("")),
            "operator.name" => Some(values.operator_name),
            "site.name" => Some(values.site_name),
            _ => None,
        };
        match value {
            Some(value) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out.chars().take(MAX_MESSAGE_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> CannedDraft {
        CannedDraft {
            shortcut: "/Delivery".into(),
            title: "Delivery times".into(),
            text: "Hello {visitor.name}, {operator.name} here.".into(),
            variants: BTreeMap::from([("ru".into(), "Здравствуйте, {visitor.name}!".into())]),
            shared: true,
        }
    }

    #[test]
    fn shortcuts_are_normalised_and_checked() {
        assert_eq!(draft().validated().unwrap().shortcut, "delivery");
        let mut bad = draft();
        bad.shortcut = "de livery".into();
        assert_eq!(bad.validated(), Err(CannedError::InvalidShortcut));
        let mut lang = draft();
        lang.variants.insert("xx".into(), "text".into());
        assert_eq!(lang.validated(), Err(CannedError::InvalidLanguage));
    }

    #[test]
    fn variants_follow_the_visitors_language() {
        let canned = draft().validated().unwrap();
        assert!(canned.text_for(Some("ru-RU")).starts_with("Здравствуйте"));
        assert!(canned.text_for(Some("ja")).starts_with("Hello"));
        assert!(canned.text_for(None).starts_with("Hello"));
    }

    #[test]
    fn placeholders_are_filled_once_and_literally() {
        let values = Placeholders {
            visitor_name: Some("<img src=x onerror=alert(1)> {operator.name}"),
            visitor_email: None,
            operator_name: "Boris",
            site_name: "Shop",
        };
        assert_eq!(
            fill(
                "Hi {visitor.name}! {operator.name} of {site.name}, {unknown} {",
                &values
            ),
            "Hi <img src=x onerror=alert(1)> {operator.name}! Boris of Shop, {unknown} {"
        );
        let nameless = Placeholders {
            operator_name: "Boris",
            ..Placeholders::default()
        };
        assert_eq!(fill("Hello {visitor.name}", &nameless), "Hello ");
    }
}
