//! Invitation rules: "on the checkout page for 30 s with a cart over 100 → invite".
//! Pure evaluation over the facts of one live visitor; the server decides when to
//! look and whether an operator is free.

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
    /// characters. A pattern starting with `/` is matched against the path and
    /// query only; otherwise against the whole URL. Case-insensitive.
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
    /// The department the accepted chat goes to; none for the site's default.
    pub department: Option<String>,
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
    /// The draft with its text trimmed, if every field is within limits.
    pub fn validated(mut self) -> Result<Self, RuleError> {
        self.name = self.name.trim().to_owned();
        self.text = self.text.trim().to_owned();
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
        if let Some(department) = &self.department
            && (department.chars().count() > 100 || has_control(department))
        {
            return Err(RuleError::InvalidCondition {
                index: 0,
                reason: "the department name is too long",
            });
        }
        Ok(self)
    }
}

fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

impl Condition {
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
            Condition::Country { country } if country.len() != 2 => {
                Err("the country must be a two-letter code")
            }
            Condition::Attribute { key, op, value } => {
                bounded(key)?;
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
                now.saturating_sub(facts.page_since) >= i64::from(*seconds) * 1000
            }
            Condition::PagesThisVisit { count } => facts.pages_this_visit >= *count,
            Condition::Returning { returning } => (facts.visit_number > 1) == *returning,
            Condition::ReferrerContains { text } => facts
                .referrer
                .is_some_and(|referrer| contains_ignoring_case(referrer, text)),
            Condition::Attribute { key, op, value } => {
                compare(facts.attributes.get(key), *op, value)
            }
            Condition::Language { lang } => facts.lang.is_some_and(|visitor| {
                let visitor = visitor.to_ascii_lowercase();
                let wanted = lang.to_ascii_lowercase();
                visitor == wanted || visitor.starts_with(&format!("{wanted}-"))
            }),
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

/// Glob match with `*` only; patterns starting with `/` see the path and query.
pub fn url_matches(pattern: &str, url: &str) -> bool {
    let subject = if pattern.starts_with('/') {
        path_and_query(url)
    } else {
        url
    };
    glob(&pattern.to_lowercase(), &subject.to_lowercase())
}

fn path_and_query(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |at| &url[at + 3..]);
    after_scheme.find('/').map_or("/", |at| &after_scheme[at..])
}

/// Iterative wildcard match, linear in practice, with no recursion to blow up.
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
            Value::String(text) => expected
                .as_str()
                .is_some_and(|needle| contains_ignoring_case(text, needle)),
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
