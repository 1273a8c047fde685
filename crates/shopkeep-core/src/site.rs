//! A site's settings as the console shows and edits them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::ids::SiteId;

/// Longest greeting, in characters.
pub const MAX_GREETING_CHARS: usize = 300;
/// Most query parameters a site may strip.
pub const MAX_STRIPPED_PARAMS: usize = 50;

/// What a site records about its visitors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct TrackingSettings {
    /// Record visits and pages and show visitors in the live list. Off: visitors
    /// can still chat, but nothing about their browsing is kept or shown.
    pub enabled: bool,
    /// Treat visitors whose browser sends Do-Not-Track or Global Privacy Control
    /// as if tracking were off.
    pub honor_dnt: bool,
    /// Query parameters removed from every stored URL and referrer.
    pub stripped_params: Vec<String>,
}

impl Default for TrackingSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            honor_dnt: false,
            stripped_params: crate::privacy::DEFAULT_STRIPPED_PARAMS
                .iter()
                .map(|p| (*p).to_owned())
                .collect(),
        }
    }
}

/// Greeting for verified returning customers, per language (`en`, `ru`, `uk`,
/// `ja`). `{name}` is replaced with the customer's name. A missing language
/// falls back to the built-in text.
pub type Greetings = BTreeMap<String, String>;

/// A site as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SiteView {
    pub id: SiteId,
    pub slug: String,
    pub name: String,
    pub public_key: String,
    pub allowed_origins: Vec<String>,
    pub color: String,
    pub lang: Option<String>,
    pub tracking: TrackingSettings,
    pub greetings: Greetings,
}

/// A change to a site's settings; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SitePatch {
    #[ts(optional)]
    #[serde(default)]
    pub tracking: Option<TrackingSettings>,
    #[ts(optional)]
    #[serde(default)]
    pub greetings: Option<Greetings>,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SiteSettingsError {
    #[error("at most {MAX_STRIPPED_PARAMS} query parameters of 1 to 100 characters")]
    StrippedParams,
    #[error("greetings are keyed by en, ru, uk or ja and at most {MAX_GREETING_CHARS} characters")]
    Greeting,
}

impl SitePatch {
    pub fn validated(mut self) -> Result<Self, SiteSettingsError> {
        if let Some(tracking) = &mut self.tracking {
            tracking.stripped_params = tracking
                .stripped_params
                .iter()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .collect();
            let bad = tracking.stripped_params.len() > MAX_STRIPPED_PARAMS
                || tracking
                    .stripped_params
                    .iter()
                    .any(|p| p.chars().count() > 100 || p.chars().any(char::is_control));
            if bad {
                return Err(SiteSettingsError::StrippedParams);
            }
        }
        if let Some(greetings) = &mut self.greetings {
            greetings.retain(|_, text| !text.trim().is_empty());
            let bad = greetings.iter().any(|(lang, text)| {
                !matches!(lang.as_str(), "en" | "ru" | "uk" | "ja")
                    || text.chars().count() > MAX_GREETING_CHARS
                    || text.chars().any(|c| c.is_control() && c != '\n')
            });
            if bad {
                return Err(SiteSettingsError::Greeting);
            }
        }
        Ok(self)
    }
}

/// The built-in greeting for a returning customer.
pub fn default_greeting(lang: &str) -> &'static str {
    match lang {
        "ru" => "Здравствуйте, {name}! Рады снова вас видеть.",
        "uk" => "Вітаємо, {name}! Раді знову вас бачити.",
        "ja" => "{name}様、こんにちは！またお会いできて嬉しいです。",
        _ => "Hello, {name}! Glad to see you again.",
    }
}

/// The greeting for `name` in `lang`, from the site's texts or the built-in one.
pub fn greeting(greetings: &Greetings, lang: &str, name: &str) -> String {
    let primary = lang.split('-').next().unwrap_or("en").to_ascii_lowercase();
    let template = greetings
        .get(&primary)
        .map(String::as_str)
        .unwrap_or_else(|| default_greeting(&primary));
    template.replace("{name}", name)
}
