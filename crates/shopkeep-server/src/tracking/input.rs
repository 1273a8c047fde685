//! Checking what the widget reports about the visitor: pages, identity claims,
//! language. Each function either returns clean values or says what is wrong.

use shopkeep_core::identity::MAX_EXTERNAL_ID_LEN;
use shopkeep_core::privacy::{self, MAX_TITLE_CHARS, MAX_URL_CHARS};
use shopkeep_core::text::MAX_NAME_CHARS;
use shopkeep_store::Claims;

use crate::tracking::live::PageReport;

const MAX_EMAIL_CHARS: usize = 254;
const MAX_PHONE_CHARS: usize = 32;
const MAX_LANG_CHARS: usize = 35;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InputError {
    #[error("the page URL must be an http or https URL")]
    Url,
    #[error("the name must be at most 100 characters without control characters")]
    Name,
    #[error("the email address is not valid")]
    Email,
    #[error("the phone number must be at most 32 digits, spaces and + - ( ) .")]
    Phone,
    #[error("the id must be 1 to 200 characters without control characters")]
    Id,
    #[error("the language must be a language tag such as en or pt-BR")]
    Lang,
}

/// A page report with private query parameters removed and every field cut to size.
pub fn page(
    url: &str,
    title: &str,
    referrer: Option<&str>,
    stripped: &[String],
) -> Result<PageReport, InputError> {
    if !is_web_url(url) {
        return Err(InputError::Url);
    }
    let referrer = referrer
        .filter(|r| is_web_url(r))
        .map(|r| privacy::strip_url(&clean(r), stripped));
    Ok(PageReport {
        url: privacy::strip_url(&clean(url), stripped),
        title: privacy::cut(clean(title).trim(), MAX_TITLE_CHARS),
        referrer,
    })
}

fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Control characters become spaces: shown literally, they would only confuse.
fn clean(text: &str) -> String {
    let text = privacy::cut(text, MAX_URL_CHARS * 2);
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn optional(
    value: Option<&str>,
    max: usize,
    error: InputError,
    valid: impl Fn(&str) -> bool,
) -> Result<Option<String>, InputError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max || value.chars().any(char::is_control) || !valid(value) {
        return Err(error);
    }
    Ok(Some(value.to_owned()))
}

/// Name, email and phone as given to `identify`.
pub fn claims(
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Claims, InputError> {
    Ok(Claims {
        name: optional(name, MAX_NAME_CHARS, InputError::Name, |_| true)?,
        email: optional(email, MAX_EMAIL_CHARS, InputError::Email, |e| {
            let Some((local, domain)) = e.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !e.chars().any(char::is_whitespace)
        })?,
        phone: optional(phone, MAX_PHONE_CHARS, InputError::Phone, |p| {
            p.chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
        })?,
    })
}

/// The shop's customer id for verification.
pub fn external_id(id: &str) -> Result<String, InputError> {
    if id.is_empty() || id.len() > MAX_EXTERNAL_ID_LEN || id.chars().any(char::is_control) {
        return Err(InputError::Id);
    }
    Ok(id.to_owned())
}

/// A BCP 47-looking tag: letters, digits and hyphens.
pub fn lang(tag: &str) -> Result<String, InputError> {
    let valid = !tag.is_empty()
        && tag.len() <= MAX_LANG_CHARS
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(tag.replace('_', "-"))
    } else {
        Err(InputError::Lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_must_be_web_urls_and_lose_private_parameters() {
        let stripped = vec!["token".to_owned()];
        assert_eq!(
            page("javascript:alert(1)", "x", None, &stripped),
            Err(InputError::Url)
        );
        let report = page(
            "https://shop.test/a?token=s3cret&q=1",
            "<b>Jackets</b>\u{0}",
            Some("https://news.test/?token=x"),
            &stripped,
        )
        .unwrap();
        assert_eq!(report.url, "https://shop.test/a?q=1");
        assert_eq!(report.title, "<b>Jackets</b>");
        assert_eq!(report.referrer.as_deref(), Some("https://news.test/"));
        let not_a_referrer = page("https://shop.test/", "", Some("data:text/html,x"), &[]).unwrap();
        assert_eq!(not_a_referrer.referrer, None);
    }

    #[test]
    fn claims_are_checked() {
        let ok = claims(
            Some(" Anna "),
            Some("anna@shop.test"),
            Some("+44 (20) 7946-0018"),
        )
        .unwrap();
        assert_eq!(ok.name.as_deref(), Some("Anna"));
        assert_eq!(
            claims(None, Some("not-an-email"), None),
            Err(InputError::Email)
        );
        assert_eq!(
            claims(None, Some("a@b.c\r\nBcc: x@evil.test"), None),
            Err(InputError::Email)
        );
        assert_eq!(claims(None, None, Some("call me")), Err(InputError::Phone));
        assert_eq!(
            claims(Some(&"x".repeat(101)), None, None),
            Err(InputError::Name)
        );
        assert_eq!(claims(Some("  "), None, None).unwrap().name, None);
    }

    #[test]
    fn languages_and_ids() {
        assert_eq!(lang("pt_BR").unwrap(), "pt-BR");
        assert_eq!(lang("<script>"), Err(InputError::Lang));
        assert_eq!(external_id(""), Err(InputError::Id));
        assert_eq!(external_id(&"1".repeat(201)), Err(InputError::Id));
        assert_eq!(external_id("cust-1001").unwrap(), "cust-1001");
    }
}
