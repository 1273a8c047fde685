//! Invitation rules: "on the checkout page for 30 s with a cart over 100 → invite".
//! Pure evaluation over the facts of one live visitor; the server decides when to
//! look and whether an operator is free.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use ts_rs::TS;

use crate::Millis;
use crate::attributes::Attributes;
use crate::ids::{RuleId, SiteId};

/// Most conditions in one rule.
pub const MAX_CONDITIONS: usize = 20;
/// Most rules per site.
pub const MAX_RULES: usize = 100;
/// Longest invitation text, in characters.
pub const MAX_INVITATION_CHARS: usize = 500;
/// Longest pattern or text inside a condition, in characters.
pub const MAX_CONDITION_CHARS: usize = 500;

/// How an attribute is compared with the rule's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Comparison {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    /// String contains (case-insensitive) or array contains the value.
    Contains,
    /// The attribute is set, whatever its value.
    Exists,
}

/// One condition; a rule matches when all of its conditions do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export)]
pub enum Condition {
    /// The current page's URL matches a pattern where `*` stands for any run of
    /// characters. A pattern starting with `/` is matched against what follows the
    /// host (path, query and fragment, so hash routes like `/#/cart` work);
    /// otherwise against the whole URL. Case-insensitive.
    UrlMatches { pattern: String },
    /// On the current page for at least this long.
    TimeOnPage { seconds: u32 },
    /// At least this many pages seen in this visit, the current one included.
    PagesThisVisit { count: u32 },
    /// A returning visitor (`true`) or a first-time one (`false`).
    Returning { returning: bool },
    /// The visit's referrer contains this text (case-insensitive).
    ReferrerContains { text: String },
    /// A custom attribute compared with a value; numbers compare as numbers.
    Attribute {
        key: String,
        op: Comparison,
        #[ts(type = "unknown")]
        #[serde(default)]
        value: Value,
    },
    /// The visitor's language, e.g. `ru` (a primary tag matches its regions).
    Language { lang: String },
    /// The visitor's country, ISO 3166 alpha-2 (`DE`).
    Country { country: String },
}

/// A rule as the console edits it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct RuleDraft {
    pub name: String,
    pub enabled: bool,
    pub conditions: Vec<Condition>,
    /// What the invitation says.
    pub text: String,
    /// The department the accepted chat goes to; none for the site's own queue.
    /// It must be a department of the rule's site (checked where rules are saved).
    pub department: Option<crate::ids::DepartmentId>,
}

/// A stored rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rule {
    pub id: RuleId,
    pub site_id: SiteId,
    #[serde(flatten)]
    pub draft: RuleDraft,
    #[ts(type = "number")]
    pub created_at: Millis,
    #[ts(type = "number")]
    pub updated_at: Millis,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RuleError {
    #[error("the rule needs a name of 1 to 100 characters")]
    InvalidName,
    #[error("the invitation text must be 1 to {MAX_INVITATION_CHARS} characters")]
    InvalidText,
    #[error("a rule has at most {MAX_CONDITIONS} conditions")]
    TooManyConditions,
    #[error("condition {index}: {reason}")]
    InvalidCondition { index: usize, reason: &'static str },
}

/// What is known about a live visitor when rules are evaluated.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub url: Option<&'a str>,
    /// When the visitor arrived on the current page.
    pub page_since: Millis,
    pub pages_this_visit: u32,
    pub visit_number: u32,
    pub referrer: Option<&'a str>,
    pub attributes: &'a Attributes,
    pub lang: Option<&'a str>,
    pub country: Option<&'a str>,
}

impl RuleDraft {
    /// The draft with its texts trimmed and country codes upper-cased, if every
    /// field is within limits.
    pub fn validated(mut self) -> Result<Self, RuleError> {
        self.name = self.name.trim().to_owned();
        self.text = self.text.trim().to_owned();
        for condition in &mut self.conditions {
            condition.normalise();
        }
        if self.name.is_empty() || self.name.chars().count() > 100 || has_control(&self.name) {
            return Err(RuleError::InvalidName);
        }
        let text_chars = self.text.chars().count();
        if text_chars == 0 || text_chars > MAX_INVITATION_CHARS {
            return Err(RuleError::InvalidText);
        }
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(RuleError::TooManyConditions);
        }
        for (index, condition) in self.conditions.iter().enumerate() {
            condition
                .check()
                .map_err(|reason| RuleError::InvalidCondition { index, reason })?;
        }
        Ok(self)
    }
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

impl Condition {
    fn normalise(&mut self) {
        match self {
            Condition::UrlMatches { pattern: text }
            | Condition::ReferrerContains { text }
            | Condition::Language { lang: text }
            | Condition::Attribute { key: text, .. } => *text = text.trim().to_owned(),
            Condition::Country { country } => *country = country.trim().to_ascii_uppercase(),
            Condition::TimeOnPage { .. }
            | Condition::PagesThisVisit { .. }
            | Condition::Returning { .. } => {}
        }
    }

    fn check(&self) -> Result<(), &'static str> {
        let bounded = |text: &str| {
            if text.is_empty() || text.chars().count() > MAX_CONDITION_CHARS || has_control(text) {
                Err("the text must be 1 to 500 characters")
            } else {
                Ok(())
            }
        };
        match self {
            Condition::UrlMatches { pattern } => bounded(pattern),
            Condition::ReferrerContains { text } => bounded(text),
            Condition::Language { lang } => bounded(lang),
            Condition::Country { country }
                if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_alphabetic()) =>
            {
                Err("the country must be a two-letter code")
            }
            Condition::Attribute { key, op, value } => {
                if !crate::attributes::is_valid_key(key) {
                    return Err(
                        "the attribute name must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '-' or '.'",
                    );
                }
                match (op, value) {
                    (Comparison::Exists, _) => Ok(()),
                    (_, Value::Array(_) | Value::Object(_)) => {
                        Err("compare with a string, number, boolean or null")
                    }
                    (Comparison::Gt | Comparison::Gte | Comparison::Lt | Comparison::Lte, v)
                        if !v.is_number() =>
                    {
                        Err("ordering compares with a number")
                    }
                    _ => Ok(()),
                }
            }
            Condition::Country { .. }
            | Condition::TimeOnPage { .. }
            | Condition::PagesThisVisit { .. }
            | Condition::Returning { .. } => Ok(()),
        }
    }

    pub fn matches(&self, facts: &Facts<'_>, now: Millis) -> bool {
        match self {
            Condition::UrlMatches { pattern } => {
                facts.url.is_some_and(|url| url_matches(pattern, url))
            }
            Condition::TimeOnPage { seconds } => {
                // A page start in the future (clocks of two nodes) counts as just arrived.
                now.saturating_sub(facts.page_since).max(0) >= i64::from(*seconds) * 1000
            }
            Condition::PagesThisVisit { count } => facts.pages_this_visit >= *count,
            Condition::Returning { returning } => (facts.visit_number > 1) == *returning,
            Condition::ReferrerContains { text } => facts
                .referrer
                .is_some_and(|referrer| contains_ignoring_case(referrer, text)),
            Condition::Attribute { key, op, value } => {
                compare(facts.attributes.get(key), *op, value)
            }
            Condition::Language { lang } => facts
                .lang
                .is_some_and(|visitor| language_matches(lang, visitor)),
            Condition::Country { country } => facts
                .country
                .is_some_and(|visitor| visitor.eq_ignore_ascii_case(country)),
        }
    }
}

impl Rule {
    pub fn matches(&self, facts: &Facts<'_>, now: Millis) -> bool {
        self.draft.enabled
            && self
                .draft
                .conditions
                .iter()
                .all(|condition| condition.matches(facts, now))
    }
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// `ru` matches `ru`, `ru-RU` and `ru_RU`; `ru-RU` matches only itself.
fn language_matches(wanted: &str, visitor: &str) -> bool {
    let wanted = wanted.trim();
    let visitor = visitor.trim();
    match visitor.get(..wanted.len()) {
        Some(head) if head.eq_ignore_ascii_case(wanted) => {
            let rest = &visitor[wanted.len()..];
            rest.is_empty() || rest.starts_with(['-', '_'])
        }
        _ => false,
    }
}

/// Glob match with `*` only; patterns starting with `/` see what follows the host.
pub fn url_matches(pattern: &str, url: &str) -> bool {
    let subject = if pattern.starts_with('/') {
        after_authority(url)
    } else {
        Cow::Borrowed(url)
    };
    glob(&pattern.to_lowercase(), &subject.to_lowercase())
}

/// `https://shop.example/a?b#c` → `/a?b#c`; `https://shop.example?b` → `/?b`.
/// Text without a scheme (`/a?b`) is taken as already relative.
fn after_authority(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://").filter(|&at| is_scheme(&url[..at])) else {
        return Cow::Borrowed(url);
    };
    let rest = &url[scheme_end + 3..];
    match rest.find(['/', '?', '#']) {
        Some(at) if rest[at..].starts_with('/') => Cow::Borrowed(&rest[at..]),
        Some(at) => Cow::Owned(format!("/{}", &rest[at..])),
        None => Cow::Borrowed("/"),
    }
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// Iterative wildcard match with one backtracking point: O(pattern × text) at
/// worst, no recursion to blow up.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

fn compare(actual: Option<&Value>, op: Comparison, expected: &Value) -> bool {
    let Some(actual) = actual else {
        return op == Comparison::Ne;
    };
    match op {
        Comparison::Exists => true,
        Comparison::Eq => loosely_equal(actual, expected),
        Comparison::Ne => !loosely_equal(actual, expected),
        Comparison::Gt | Comparison::Gte | Comparison::Lt | Comparison::Lte => {
            let (Some(a), Some(b)) = (as_number(actual), as_number(expected)) else {
                return false;
            };
            match op {
                Comparison::Gt => a > b,
                Comparison::Gte => a >= b,
                Comparison::Lt => a < b,
                _ => a <= b,
            }
        }
        Comparison::Contains => match actual {
            Value::String(text) => match expected {
                Value::String(needle) => contains_ignoring_case(text, needle),
                Value::Number(needle) => text.contains(&needle.to_string()),
                _ => false,
            },
            Value::Array(items) => items.iter().any(|item| loosely_equal(item, expected)),
            _ => false,
        },
    }
}

/// Numbers compare by value, so a shop sending `"120.50"` still matches `>= 100`.
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) if a.is_number() || b.is_number() => x == y,
        _ => match (a, b) {
            (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
            _ => a == b,
        },
    }
}

/// What has happened with invitations in a visitor's current visit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VisitInvitations {
    /// Rules that already fired in this visit.
    pub fired: Vec<RuleId>,
    /// The visitor dismissed an invitation in this visit.
    pub dismissed: bool,
    /// An invitation is on screen now.
    pub pending: bool,
}

/// The first rule that should invite this visitor now, if any. Never while an
/// invitation is showing or a chat is open, never after a dismissal in the same
/// visit, each rule at most once per visit, and only when an operator can answer.
pub fn rule_to_fire<'r>(
    rules: &'r [Rule],
    facts: &Facts<'_>,
    history: &VisitInvitations,
    chatting: bool,
    operator_available: bool,
    now: Millis,
) -> Option<&'r Rule> {
    if !operator_available || chatting || history.pending || history.dismissed {
        return None;
    }
    rules
        .iter()
        .filter(|rule| !history.fired.contains(&rule.id))
        .find(|rule| rule.matches(facts, now))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    const NOW: Millis = 1_700_000_000_000;

    /// Owns what [`Facts`] borrows.
    struct Visitor {
        url: Option<String>,
        page_since: Millis,
        pages_this_visit: u32,
        visit_number: u32,
        referrer: Option<String>,
        attributes: Attributes,
        lang: Option<String>,
        country: Option<String>,
    }

    impl Default for Visitor {
        fn default() -> Self {
            Self {
                url: Some("https://shop.example/checkout?step=2".into()),
                page_since: NOW,
                pages_this_visit: 1,
                visit_number: 1,
                referrer: None,
                attributes: Attributes::default(),
                lang: Some("en-US".into()),
                country: Some("DE".into()),
            }
        }
    }

    impl Visitor {
        fn with_attributes(attributes: Value) -> Self {
            Self {
                attributes: Attributes::default().merged(&attributes).unwrap(),
                ..Self::default()
            }
        }

        fn facts(&self) -> Facts<'_> {
            Facts {
                url: self.url.as_deref(),
                page_since: self.page_since,
                pages_this_visit: self.pages_this_visit,
                visit_number: self.visit_number,
                referrer: self.referrer.as_deref(),
                attributes: &self.attributes,
                lang: self.lang.as_deref(),
                country: self.country.as_deref(),
            }
        }

        fn meets(&self, condition: Condition) -> bool {
            condition.matches(&self.facts(), NOW)
        }
    }

    fn url(pattern: &str) -> Condition {
        Condition::UrlMatches {
            pattern: pattern.into(),
        }
    }

    fn attribute(key: &str, op: Comparison, value: Value) -> Condition {
        Condition::Attribute {
            key: key.into(),
            op,
            value,
        }
    }

    fn draft(conditions: Vec<Condition>) -> RuleDraft {
        RuleDraft {
            name: "Checkout help".into(),
            enabled: true,
            conditions,
            text: "Need a hand with your order?".into(),
            department: None,
        }
    }

    fn rule(conditions: Vec<Condition>) -> Rule {
        Rule {
            id: RuleId::new(),
            site_id: SiteId::new(),
            draft: draft(conditions),
            created_at: NOW,
            updated_at: NOW,
        }
    }

    #[test]
    fn url_pattern_star_stands_for_any_run() {
        assert!(url_matches(
            "https://shop.example/*",
            "https://shop.example/a/b"
        ));
        assert!(url_matches(
            "https://shop.example/*",
            "https://shop.example/"
        ));
        assert!(url_matches(
            "*checkout*",
            "https://shop.example/checkout?step=2"
        ));
        assert!(url_matches(
            "https://*.example/cart",
            "https://eu.shop.example/cart"
        ));
        assert!(url_matches(
            "*/product/*/reviews",
            "https://s.example/product/42/reviews"
        ));
        assert!(!url_matches(
            "*/product/*/reviews",
            "https://s.example/product/42"
        ));
        assert!(!url_matches(
            "https://shop.example/",
            "https://shop.example/cart"
        ));
        assert!(url_matches("**", ""));
        assert!(!url_matches("a", ""));
    }

    #[test]
    fn url_pattern_with_leading_slash_sees_only_what_follows_the_host() {
        assert!(url_matches(
            "/checkout*",
            "https://shop.example/checkout?step=2"
        ));
        assert!(url_matches("/checkout", "https://shop.example/checkout"));
        assert!(!url_matches(
            "/checkout",
            "https://shop.example/checkout?step=2"
        ));
        assert!(!url_matches("/checkout", "https://checkout.example/"));
        assert!(url_matches("/", "https://shop.example"));
        assert!(url_matches("/", "https://shop.example/"));
        assert!(url_matches("/?ref=*", "https://shop.example?ref=mail"));
        assert!(url_matches("/#/cart", "https://shop.example/#/cart"));
        assert!(url_matches("/a", "http://user:pw@shop.example:8080/a"));
        // A URL inside the query is not mistaken for the page's own.
        assert!(!url_matches(
            "/checkout",
            "https://shop.example/go?next=https://evil.example/checkout"
        ));
        // Already relative text is matched as it is.
        assert!(url_matches("/cart", "/cart"));
        assert!(!url_matches("/cart", "shop.example/x?u=http://a/cart"));
    }

    #[test]
    fn url_pattern_ignores_case_and_matches_query_strings() {
        assert!(url_matches("/CHECKOUT*", "https://Shop.Example/Checkout"));
        assert!(url_matches("*/КОРЗИНА", "https://shop.example/корзина"));
        assert!(url_matches(
            "/search?q=*",
            "https://shop.example/search?q=Shoes"
        ));
        assert!(url_matches(
            "*utm_source=news*",
            "https://s.example/?a=1&utm_source=news&b=2"
        ));
        assert!(!url_matches("/search?q=*", "https://shop.example/search"));
        // `?` is an ordinary character, not a wildcard.
        assert!(!url_matches("/a?c", "https://shop.example/abc"));
    }

    #[test]
    fn url_condition_needs_a_page() {
        let visitor = Visitor {
            url: None,
            ..Visitor::default()
        };
        assert!(!visitor.meets(url("*")));
        assert!(Visitor::default().meets(url("/checkout*")));
    }

    #[test]
    fn time_on_page_counts_from_arrival_inclusive() {
        let at = |ago: Millis| Visitor {
            page_since: NOW - ago,
            ..Visitor::default()
        };
        let thirty = Condition::TimeOnPage { seconds: 30 };
        assert!(!at(29_999).meets(thirty.clone()));
        assert!(at(30_000).meets(thirty.clone()));
        assert!(at(90_000).meets(thirty.clone()));
        assert!(at(0).meets(Condition::TimeOnPage { seconds: 0 }));
        // A page start stamped in the future counts as just arrived.
        assert!(at(-5_000).meets(Condition::TimeOnPage { seconds: 0 }));
        assert!(!at(-5_000).meets(thirty));
        let forever = Condition::TimeOnPage { seconds: u32::MAX };
        assert!(!at(0).meets(forever.clone()));
        assert!(
            Visitor {
                page_since: Millis::MIN,
                ..Visitor::default()
            }
            .meets(forever)
        );
    }

    #[test]
    fn pages_this_visit_is_at_least() {
        let pages = |n| Visitor {
            pages_this_visit: n,
            ..Visitor::default()
        };
        let three = Condition::PagesThisVisit { count: 3 };
        assert!(!pages(2).meets(three.clone()));
        assert!(pages(3).meets(three.clone()));
        assert!(pages(4).meets(three));
        assert!(pages(0).meets(Condition::PagesThisVisit { count: 0 }));
    }

    #[test]
    fn returning_means_a_later_visit() {
        let visit = |n| Visitor {
            visit_number: n,
            ..Visitor::default()
        };
        let returning = Condition::Returning { returning: true };
        let first = Condition::Returning { returning: false };
        assert!(visit(1).meets(first.clone()));
        assert!(!visit(1).meets(returning.clone()));
        assert!(visit(2).meets(returning.clone()));
        assert!(!visit(2).meets(first.clone()));
        assert!(visit(0).meets(first));
        assert!(!visit(0).meets(returning));
    }

    #[test]
    fn referrer_contains_ignores_case_and_needs_a_referrer() {
        let from = |referrer: Option<&str>| Visitor {
            referrer: referrer.map(str::to_owned),
            ..Visitor::default()
        };
        let google = || Condition::ReferrerContains {
            text: "google.".into(),
        };
        assert!(from(Some("https://www.Google.com/search?q=x")).meets(google()));
        assert!(!from(Some("https://duckduckgo.com/")).meets(google()));
        assert!(!from(None).meets(google()));
    }

    #[test]
    fn attribute_comparisons() {
        use Comparison::*;
        let visitor = Visitor::with_attributes(json!({
            "cart_total": 120.5,
            "cart_text": " 120.50 ",
            "items": 3,
            "tier": "Gold",
            "vip": true,
            "tags": ["sale", "Shoes", 7],
            "nested": {"a": 1},
        }));
        let cases: &[(&str, Comparison, Value, bool)] = &[
            ("cart_total", Gt, json!(100), true),
            ("cart_total", Gt, json!(120.5), false),
            ("cart_total", Gte, json!(120.5), true),
            ("cart_total", Lt, json!(121), true),
            ("cart_total", Lte, json!(120.5), true),
            ("cart_total", Lte, json!(120), false),
            ("cart_total", Eq, json!(120.5), true),
            ("cart_total", Eq, json!("120.5"), true),
            ("cart_total", Ne, json!(120.5), false),
            // Numbers sent as strings compare as numbers.
            ("cart_text", Gte, json!(100), true),
            ("cart_text", Lt, json!(100), false),
            ("cart_text", Eq, json!(120.5), true),
            ("items", Eq, json!(3), true),
            ("items", Eq, json!(3.0), true),
            ("items", Eq, json!("3"), true),
            ("items", Ne, json!(4), true),
            // Strings equal ignoring ASCII case; ordering a word is never true.
            ("tier", Eq, json!("gold"), true),
            ("tier", Ne, json!("GOLD"), false),
            ("tier", Ne, json!("silver"), true),
            ("tier", Gt, json!(1), false),
            ("tier", Lt, json!(1), false),
            ("tier", Contains, json!("OL"), true),
            ("tier", Contains, json!("x"), false),
            ("tier", Contains, json!(true), false),
            ("vip", Eq, json!(true), true),
            ("vip", Eq, json!(false), false),
            ("vip", Ne, json!(false), true),
            ("vip", Eq, json!("true"), false),
            ("vip", Gt, json!(0), false),
            ("tags", Contains, json!("shoes"), true),
            ("tags", Contains, json!("sho"), false),
            ("tags", Contains, json!(7), true),
            ("tags", Contains, json!("7"), true),
            ("tags", Eq, json!("sale"), false),
            ("nested", Exists, Value::Null, true),
            ("nested", Contains, json!("a"), false),
            ("cart_text", Contains, json!(120), true),
            ("cart_total", Contains, json!(120), false),
            // Missing attributes: only `ne` holds.
            ("missing", Exists, Value::Null, false),
            ("missing", Eq, Value::Null, false),
            ("missing", Eq, json!(0), false),
            ("missing", Ne, json!(0), true),
            ("missing", Gt, json!(-1), false),
            ("missing", Lte, json!(1e300), false),
            ("missing", Contains, json!(""), false),
        ];
        for (key, op, value, expected) in cases {
            assert_eq!(
                visitor.meets(attribute(key, *op, value.clone())),
                *expected,
                "{key} {op:?} {value}"
            );
        }
    }

    #[test]
    fn language_primary_tag_matches_its_regions() {
        let speaks = |lang: Option<&str>| Visitor {
            lang: lang.map(str::to_owned),
            ..Visitor::default()
        };
        let lang = |lang: &str| Condition::Language { lang: lang.into() };
        assert!(speaks(Some("ru")).meets(lang("ru")));
        assert!(speaks(Some("ru-RU")).meets(lang("ru")));
        assert!(speaks(Some("RU_ua")).meets(lang("ru")));
        assert!(speaks(Some("ru-RU")).meets(lang("RU-ru")));
        assert!(!speaks(Some("ru")).meets(lang("ru-RU")));
        assert!(!speaks(Some("ru-UA")).meets(lang("ru-RU")));
        assert!(!speaks(Some("rue")).meets(lang("ru")));
        assert!(!speaks(Some("en")).meets(lang("ru")));
        assert!(!speaks(Some("я")).meets(lang("ru")));
        assert!(!speaks(None).meets(lang("ru")));
    }

    #[test]
    fn country_ignores_case_and_needs_a_country() {
        let from = |country: Option<&str>| Visitor {
            country: country.map(str::to_owned),
            ..Visitor::default()
        };
        let de = || Condition::Country {
            country: "de".into(),
        };
        assert!(from(Some("DE")).meets(de()));
        assert!(!from(Some("AT")).meets(de()));
        assert!(!from(None).meets(de()));
    }

    #[test]
    fn rule_matches_when_all_conditions_do() {
        let visitor = Visitor {
            pages_this_visit: 3,
            ..Visitor::default()
        };
        let facts = visitor.facts();
        assert!(rule(vec![]).matches(&facts, NOW));
        assert!(
            rule(vec![
                url("/checkout*"),
                Condition::PagesThisVisit { count: 3 }
            ])
            .matches(&facts, NOW)
        );
        assert!(
            !rule(vec![
                url("/checkout*"),
                Condition::PagesThisVisit { count: 4 }
            ])
            .matches(&facts, NOW)
        );
    }

    #[test]
    fn disabled_rules_never_match() {
        let visitor = Visitor::default();
        let mut disabled = rule(vec![]);
        disabled.draft.enabled = false;
        assert!(!disabled.matches(&visitor.facts(), NOW));
        let history = VisitInvitations::default();
        assert_eq!(
            rule_to_fire(&[disabled], &visitor.facts(), &history, false, true, NOW),
            None
        );
    }

    #[test]
    fn rule_to_fire_waits_for_a_free_quiet_moment() {
        let visitor = Visitor::default();
        let facts = visitor.facts();
        let rules = [rule(vec![])];
        let fresh = VisitInvitations::default();
        let fire = |history: &VisitInvitations, chatting, operator| {
            rule_to_fire(&rules, &facts, history, chatting, operator, NOW).map(|r| r.id)
        };
        assert_eq!(fire(&fresh, false, true), Some(rules[0].id));
        assert_eq!(fire(&fresh, false, false), None, "no operator");
        assert_eq!(fire(&fresh, true, true), None, "already chatting");
        let pending = VisitInvitations {
            pending: true,
            ..VisitInvitations::default()
        };
        assert_eq!(fire(&pending, false, true), None, "invitation on screen");
        let dismissed = VisitInvitations {
            dismissed: true,
            ..VisitInvitations::default()
        };
        assert_eq!(fire(&dismissed, false, true), None, "dismissed");
        let fired = VisitInvitations {
            fired: vec![rules[0].id],
            ..VisitInvitations::default()
        };
        assert_eq!(fire(&fired, false, true), None, "fired once already");
    }

    #[test]
    fn rule_to_fire_takes_the_first_matching_unfired_rule() {
        let visitor = Visitor::default();
        let facts = visitor.facts();
        let rules = [
            rule(vec![url("/cart*")]),
            rule(vec![url("/checkout*")]),
            rule(vec![]),
        ];
        let fire = |history: &VisitInvitations| {
            rule_to_fire(&rules, &facts, history, false, true, NOW).map(|r| r.id)
        };
        let mut history = VisitInvitations::default();
        assert_eq!(fire(&history), Some(rules[1].id));
        history.fired.push(rules[1].id);
        assert_eq!(fire(&history), Some(rules[2].id));
        history.fired.push(rules[2].id);
        assert_eq!(fire(&history), None);
    }

    #[test]
    fn validated_trims_and_normalises() {
        let mut input = draft(vec![
            url("  /checkout*  "),
            Condition::Country {
                country: " de ".into(),
            },
            attribute(" cart_total ", Comparison::Gte, json!(100)),
        ]);
        input.name = "  Checkout help \n".into();
        input.text = "\tNeed a hand?  ".into();
        let valid = input.validated().unwrap();
        assert_eq!(valid.name, "Checkout help");
        assert_eq!(valid.text, "Need a hand?");
        assert_eq!(valid.conditions[0], url("/checkout*"));
        assert_eq!(
            valid.conditions[1],
            Condition::Country {
                country: "DE".into()
            }
        );
        assert_eq!(
            valid.conditions[2],
            attribute("cart_total", Comparison::Gte, json!(100))
        );
    }

    #[test]
    fn validated_enforces_limits() {
        let with = |edit: &dyn Fn(&mut RuleDraft)| {
            let mut draft = draft(vec![]);
            edit(&mut draft);
            draft.validated()
        };
        assert!(with(&|_| ()).is_ok());
        assert_eq!(with(&|d| d.name = " ".into()), Err(RuleError::InvalidName));
        assert_eq!(
            with(&|d| d.name = "я".repeat(101)),
            Err(RuleError::InvalidName)
        );
        assert!(with(&|d| d.name = "я".repeat(100)).is_ok());
        assert_eq!(
            with(&|d| d.name = "a\u{7}b".into()),
            Err(RuleError::InvalidName)
        );
        assert_eq!(with(&|d| d.text = "\n".into()), Err(RuleError::InvalidText));
        assert_eq!(
            with(&|d| d.text = "ü".repeat(MAX_INVITATION_CHARS + 1)),
            Err(RuleError::InvalidText)
        );
        assert!(with(&|d| d.text = "ü".repeat(MAX_INVITATION_CHARS)).is_ok());
        assert_eq!(
            with(&|d| d.conditions =
                vec![Condition::Returning { returning: true }; MAX_CONDITIONS + 1]),
            Err(RuleError::TooManyConditions)
        );
        assert!(
            with(&|d| d.conditions = vec![Condition::Returning { returning: true }; MAX_CONDITIONS])
                .is_ok()
        );
    }

    #[test]
    fn validated_refuses_bad_conditions_with_their_index() {
        let refused = |condition: Condition| match draft(vec![
            Condition::Returning { returning: true },
            condition,
        ])
        .validated()
        {
            Err(RuleError::InvalidCondition { index, .. }) => index == 1,
            _ => false,
        };
        let accepted = |condition: Condition| draft(vec![condition]).validated().is_ok();
        assert!(refused(url("")));
        assert!(refused(url("   ")));
        assert!(refused(url(&"a".repeat(MAX_CONDITION_CHARS + 1))));
        assert!(accepted(url(&"a".repeat(MAX_CONDITION_CHARS))));
        assert!(refused(url("/a\nb")));
        assert!(refused(Condition::ReferrerContains { text: "".into() }));
        assert!(refused(Condition::Language { lang: "".into() }));
        for country in ["D", "DEU", "é", "12", "D-"] {
            assert!(
                refused(Condition::Country {
                    country: country.into()
                }),
                "{country}"
            );
        }
        assert!(accepted(Condition::Country {
            country: "jp".into()
        }));
        assert!(refused(attribute("", Comparison::Exists, Value::Null)));
        assert!(refused(attribute("a b", Comparison::Exists, Value::Null)));
        assert!(refused(attribute("<script>", Comparison::Eq, json!(1))));
        assert!(refused(attribute(
            &"k".repeat(65),
            Comparison::Eq,
            json!(1)
        )));
        assert!(refused(attribute("tags", Comparison::Eq, json!([1]))));
        assert!(refused(attribute(
            "tags",
            Comparison::Contains,
            json!({"a": 1})
        )));
        assert!(refused(attribute("total", Comparison::Gt, json!("100"))));
        assert!(refused(attribute("total", Comparison::Lte, Value::Null)));
        assert!(accepted(attribute("total", Comparison::Gt, json!(100))));
        assert!(accepted(attribute("tier", Comparison::Eq, json!("gold"))));
        assert!(accepted(attribute("vip", Comparison::Ne, json!(true))));
        assert!(accepted(attribute("x", Comparison::Exists, json!([1, 2]))));
        assert!(accepted(Condition::TimeOnPage { seconds: u32::MAX }));
    }

    #[test]
    fn conditions_deserialise_from_the_console_shape() {
        let parsed: Vec<Condition> = serde_json::from_value(json!([
            {"kind": "url_matches", "pattern": "/checkout*"},
            {"kind": "attribute", "key": "vip", "op": "exists"},
            {"kind": "time_on_page", "seconds": 30},
        ]))
        .unwrap();
        assert_eq!(parsed[1], attribute("vip", Comparison::Exists, Value::Null));
        assert!(
            serde_json::from_value::<Condition>(
                json!({"kind": "time_on_page", "seconds": 30, "extra": 1})
            )
            .is_err()
        );
        assert!(
            serde_json::from_value::<Condition>(json!({"kind": "time_on_page", "seconds": -1}))
                .is_err()
        );
    }

    #[test]
    fn glob_on_adversarial_input_finishes() {
        let pattern = format!("{}c", "a*".repeat(250));
        let text = format!("{}b", "a".repeat(499));
        assert!(!glob(&pattern, &text));
        assert!(!url_matches(
            &format!("/{pattern}c"),
            &format!("https://s.example/{text}")
        ));
        let stars = format!("{}b", "*".repeat(499));
        assert!(glob(&stars, &text));
    }

    /// The obvious recursive definition; exponential, so only for short strings.
    fn reference_glob(pattern: &[char], text: &[char]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some(('*', rest)) => {
                reference_glob(rest, text)
                    || (!text.is_empty() && reference_glob(pattern, &text[1..]))
            }
            Some((c, rest)) => text.first() == Some(c) && reference_glob(rest, &text[1..]),
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,20}".prop_map(Value::String),
            "-?[0-9]{1,5}(\\.[0-9]{1,3})?".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn comparison() -> impl Strategy<Value = Comparison> {
        prop_oneof![
            Just(Comparison::Eq),
            Just(Comparison::Ne),
            Just(Comparison::Gt),
            Just(Comparison::Gte),
            Just(Comparison::Lt),
            Just(Comparison::Lte),
            Just(Comparison::Contains),
            Just(Comparison::Exists),
        ]
    }

    fn condition() -> impl Strategy<Value = Condition> {
        prop_oneof![
            ".*".prop_map(|pattern| Condition::UrlMatches { pattern }),
            "/.*".prop_map(|pattern| Condition::UrlMatches { pattern }),
            any::<u32>().prop_map(|seconds| Condition::TimeOnPage { seconds }),
            any::<u32>().prop_map(|count| Condition::PagesThisVisit { count }),
            any::<bool>().prop_map(|returning| Condition::Returning { returning }),
            ".*".prop_map(|text| Condition::ReferrerContains { text }),
            ("[a-z]{1,3}|.*", comparison(), json_value())
                .prop_map(|(key, op, value)| Condition::Attribute { key, op, value }),
            ".*".prop_map(|lang| Condition::Language { lang }),
            ".*".prop_map(|country| Condition::Country { country }),
        ]
    }

    proptest! {
        #[test]
        fn glob_agrees_with_the_reference(pattern in "[ab*]{0,8}", text in "[ab]{0,10}") {
            let p: Vec<char> = pattern.chars().collect();
            let t: Vec<char> = text.chars().collect();
            prop_assert_eq!(glob(&pattern, &text), reference_glob(&p, &t));
        }

        #[test]
        fn a_lone_star_matches_everything(url in ".*") {
            prop_assert!(url_matches("*", &url));
        }

        #[test]
        fn a_pattern_without_stars_matches_itself(url in "[^*]*") {
            prop_assert!(url_matches(&url, &url));
            prop_assert!(url_matches(&url.to_ascii_uppercase(), &url));
        }

        #[test]
        fn a_path_pattern_matches_the_path_of_any_host(
            host in "[a-z0-9.-]{1,20}",
            path in "/[^*]{0,30}",
        ) {
            let url = format!("https://{host}{path}");
            prop_assert!(url_matches(&path, &url));
        }

        #[test]
        fn evaluation_never_panics(
            conditions in prop::collection::vec(condition(), 0..6),
            url in proptest::option::of(".*"),
            referrer in proptest::option::of(".*"),
            lang in proptest::option::of(".*"),
            country in proptest::option::of(".{0,3}"),
            attributes in prop::collection::btree_map("[a-z]{1,3}", json_value(), 0..6),
            page_since in any::<i64>(),
            now in any::<i64>(),
            pages in any::<u32>(),
            visit in any::<u32>(),
        ) {
            let attributes = Attributes::default()
                .merged(&Value::Object(attributes.into_iter().collect()))
                .unwrap_or_default();
            let facts = Facts {
                url: url.as_deref(),
                page_since,
                pages_this_visit: pages,
                visit_number: visit,
                referrer: referrer.as_deref(),
                attributes: &attributes,
                lang: lang.as_deref(),
                country: country.as_deref(),
            };
            let rules = [rule(conditions.clone())];
            let _ = rule_to_fire(&rules, &facts, &VisitInvitations::default(), false, true, now);
            let _ = draft(conditions).validated();
        }
    }
}
