//! A site's settings as the console shows and edits them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::hours::BusinessHours;
use crate::ids::SiteId;

/// Longest greeting, in characters.
pub const MAX_GREETING_CHARS: usize = 300;
/// Longest consent text under the offline form, in characters.
pub const MAX_CONSENT_CHARS: usize = 1000;
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

/// Where a site's mail goes and what its offline form says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SiteMail {
    /// The shop's mailbox for offline messages and missed chats; none = no such mail.
    pub notify_address: Option<String>,
    /// Consent text shown under the offline form (plain text); none = no checkbox.
    pub consent_text: Option<String>,
    /// Email the transcript to the visitor when a chat closes and their email is known.
    pub auto_transcript: bool,
}

/// How visitors start chats on a site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SiteChat {
    /// The widget asks the visitor to pick one of the public departments.
    pub choose_department: bool,
    /// Operators see what the visitor types before it is sent.
    pub sneak_peek: bool,
    /// How chats without a department are handed out.
    #[serde(default)]
    pub routing: crate::department::RoutingStrategy,
}

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
    /// Opening hours; none = always open (online operators decide alone).
    pub hours: Option<BusinessHours>,
    pub mail: SiteMail,
    pub chat: SiteChat,
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
    /// Opening hours; `null` removes them (always open).
    #[ts(optional = nullable, as = "Option<BusinessHours>")]
    #[serde(default, with = "double_option")]
    pub hours: Option<Option<BusinessHours>>,
    #[ts(optional)]
    #[serde(default)]
    pub mail: Option<SiteMail>,
    #[ts(optional)]
    #[serde(default)]
    pub chat: Option<SiteChat>,
}

/// `absent` → no change, `null` → clear, value → set.
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SiteSettingsError {
    #[error("at most {MAX_STRIPPED_PARAMS} query parameters of 1 to 100 characters")]
    StrippedParams,
    #[error("greetings are keyed by en, ru, uk or ja and at most {MAX_GREETING_CHARS} characters")]
    Greeting,
    #[error("opening hours: {0}")]
    Hours(String),
    #[error("notify address: {0}")]
    NotifyAddress(String),
    #[error("the consent text is at most {MAX_CONSENT_CHARS} characters")]
    Consent,
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
            for text in greetings.values_mut() {
                *text = text.trim().to_owned();
            }
            greetings.retain(|_, text| !text.is_empty());
            let bad = greetings.iter().any(|(lang, text)| {
                !matches!(lang.as_str(), "en" | "ru" | "uk" | "ja")
                    || text.chars().count() > MAX_GREETING_CHARS
                    || text.chars().any(|c| c.is_control() && c != '\n')
            });
            if bad {
                return Err(SiteSettingsError::Greeting);
            }
        }
        if let Some(Some(hours)) = &self.hours {
            crate::hours::Schedule::parse(hours)
                .map_err(|error| SiteSettingsError::Hours(error.to_string()))?;
        }
        if let Some(mail) = &mut self.mail {
            mail.notify_address = match mail.notify_address.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(address) => Some(
                    crate::email::EmailAddress::parse(address)
                        .map_err(|error| SiteSettingsError::NotifyAddress(error.to_string()))?
                        .as_str()
                        .to_owned(),
                ),
            };
            mail.consent_text = mail
                .consent_text
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned);
            if let Some(text) = &mail.consent_text
                && (text.chars().count() > MAX_CONSENT_CHARS
                    || text.chars().any(|c| c.is_control() && c != '\n'))
            {
                return Err(SiteSettingsError::Consent);
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

/// The greeting for `name` in `lang` (`ru`, `ru-RU`, `ru_RU`), from the site's
/// texts or the built-in one; English for a language without either.
pub fn greeting(greetings: &Greetings, lang: &str, name: &str) -> String {
    let primary = lang
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let template = greetings
        .get(&primary)
        .map(String::as_str)
        .unwrap_or_else(|| default_greeting(&primary));
    template.replace("{name}", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracking(params: &[&str]) -> SitePatch {
        SitePatch {
            tracking: Some(TrackingSettings {
                enabled: true,
                honor_dnt: true,
                stripped_params: params.iter().map(|p| (*p).to_owned()).collect(),
            }),
            ..SitePatch::default()
        }
    }

    fn greetings(pairs: &[(&str, &str)]) -> Greetings {
        pairs
            .iter()
            .map(|(lang, text)| ((*lang).to_owned(), (*text).to_owned()))
            .collect()
    }

    fn with_greetings(pairs: &[(&str, &str)]) -> SitePatch {
        SitePatch {
            greetings: Some(greetings(pairs)),
            ..SitePatch::default()
        }
    }

    #[test]
    fn default_tracking_strips_the_default_parameters() {
        let settings = TrackingSettings::default();
        assert!(settings.enabled);
        assert!(!settings.honor_dnt);
        assert_eq!(
            settings.stripped_params.len(),
            crate::privacy::DEFAULT_STRIPPED_PARAMS.len()
        );
    }

    #[test]
    fn an_empty_patch_is_valid() {
        assert_eq!(SitePatch::default().validated(), Ok(SitePatch::default()));
    }

    #[test]
    fn stripped_params_are_trimmed_and_blank_ones_dropped() {
        let valid = tracking(&[" order ", "", "  ", "coupon"])
            .validated()
            .unwrap();
        assert_eq!(
            valid.tracking.unwrap().stripped_params,
            vec!["order".to_owned(), "coupon".to_owned()]
        );
        // An empty list is allowed: the site strips nothing.
        assert!(tracking(&[]).validated().is_ok());
    }

    #[test]
    fn stripped_params_are_bounded() {
        let many: Vec<String> = (0..=MAX_STRIPPED_PARAMS).map(|i| format!("p{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            tracking(&many).validated(),
            Err(SiteSettingsError::StrippedParams)
        );
        assert!(tracking(&many[..MAX_STRIPPED_PARAMS]).validated().is_ok());
        let long = "p".repeat(101);
        assert_eq!(
            tracking(&[&long]).validated(),
            Err(SiteSettingsError::StrippedParams)
        );
        assert!(tracking(&[&"я".repeat(100)]).validated().is_ok());
        assert_eq!(
            tracking(&["a\u{0}b"]).validated(),
            Err(SiteSettingsError::StrippedParams)
        );
    }

    #[test]
    fn greetings_are_trimmed_and_blank_ones_dropped() {
        let valid = with_greetings(&[("en", "  Hi {name}!  "), ("ru", " \n ")])
            .validated()
            .unwrap();
        assert_eq!(valid.greetings.unwrap(), greetings(&[("en", "Hi {name}!")]));
    }

    #[test]
    fn greetings_are_bounded_and_keyed_by_known_languages() {
        for lang in ["de", "EN", "ru-RU", "", "<b>"] {
            assert_eq!(
                with_greetings(&[(lang, "Hi")]).validated(),
                Err(SiteSettingsError::Greeting),
                "{lang:?}"
            );
        }
        for lang in ["en", "ru", "uk", "ja"] {
            assert!(with_greetings(&[(lang, "Hi")]).validated().is_ok());
        }
        let longest = "ё".repeat(MAX_GREETING_CHARS);
        assert!(with_greetings(&[("ru", &longest)]).validated().is_ok());
        let too_long = "ё".repeat(MAX_GREETING_CHARS + 1);
        assert_eq!(
            with_greetings(&[("ru", &too_long)]).validated(),
            Err(SiteSettingsError::Greeting)
        );
        assert!(with_greetings(&[("en", "Hi\nthere")]).validated().is_ok());
        assert_eq!(
            with_greetings(&[("en", "Hi\u{7}")]).validated(),
            Err(SiteSettingsError::Greeting)
        );
    }

    #[test]
    fn patches_deserialise_strictly() {
        let patch: SitePatch = serde_json::from_str(r#"{"greetings": {"en": "Hi"}}"#).unwrap();
        assert_eq!(patch.tracking, None);
        assert!(serde_json::from_str::<SitePatch>(r#"{"colour": "red"}"#).is_err());
        assert!(
            serde_json::from_str::<SitePatch>(
                r#"{"tracking": {"enabled": true, "honor_dnt": false}}"#
            )
            .is_err()
        );
    }

    #[test]
    fn greeting_uses_the_site_text_with_the_name() {
        let site = greetings(&[("ru", "С возвращением, {name}! {name}, скидка ждёт.")]);
        assert_eq!(
            greeting(&site, "ru", "Анна"),
            "С возвращением, Анна! Анна, скидка ждёт."
        );
        assert_eq!(
            greeting(&site, "ru-RU", "Анна"),
            "С возвращением, Анна! Анна, скидка ждёт."
        );
        assert_eq!(
            greeting(&site, "RU_ua", "Анна"),
            "С возвращением, Анна! Анна, скидка ждёт."
        );
    }

    #[test]
    fn greeting_falls_back_to_the_built_in_text_per_language() {
        let site = greetings(&[("ru", "Привет, {name}")]);
        assert_eq!(
            greeting(&site, "en-GB", "Ann"),
            "Hello, Ann! Glad to see you again."
        );
        assert_eq!(
            greeting(&site, "uk", "Олена"),
            "Вітаємо, Олена! Раді знову вас бачити."
        );
        assert_eq!(
            greeting(&Greetings::new(), "ja-JP", "田中"),
            "田中様、こんにちは！またお会いできて嬉しいです。"
        );
        assert_eq!(
            greeting(&Greetings::new(), "ru-RU", "Анна"),
            "Здравствуйте, Анна! Рады снова вас видеть."
        );
    }

    #[test]
    fn an_unknown_language_gets_english() {
        for lang in ["de", "", "zh-Hant-TW", "x", "-ru", "🙂"] {
            assert_eq!(
                greeting(&Greetings::new(), lang, "Ann"),
                "Hello, Ann! Glad to see you again.",
                "{lang:?}"
            );
        }
    }

    #[test]
    fn the_name_is_inserted_literally() {
        assert_eq!(
            greeting(&Greetings::new(), "en", "{name} <b>"),
            "Hello, {name} <b>! Glad to see you again."
        );
    }

    #[test]
    fn hours_and_mail_are_checked() {
        let bad_zone: SitePatch = serde_json::from_value(serde_json::json!({
            "hours": {"time_zone": "Mars/Olympus", "weekly": {}}
        }))
        .unwrap();
        assert!(matches!(
            bad_zone.validated(),
            Err(SiteSettingsError::Hours(_))
        ));
        let cleared: SitePatch =
            serde_json::from_value(serde_json::json!({"hours": null})).unwrap();
        assert_eq!(cleared.hours, Some(None), "null clears the hours");
        let absent: SitePatch = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(absent.hours, None, "absent leaves them");
        let injected: SitePatch = serde_json::from_value(serde_json::json!({
            "mail": {"notify_address": "shop@example.com\r\nBcc: x@evil.example", "consent_text": null, "auto_transcript": false}
        }))
        .unwrap();
        assert!(matches!(
            injected.validated(),
            Err(SiteSettingsError::NotifyAddress(_))
        ));
        let blank: SitePatch = serde_json::from_value(serde_json::json!({
            "mail": {"notify_address": " ", "consent_text": "  ", "auto_transcript": true}
        }))
        .unwrap();
        let mail = blank.validated().unwrap().mail.unwrap();
        assert_eq!((mail.notify_address, mail.consent_text), (None, None));
    }
}
