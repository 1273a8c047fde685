//! Languages Shopkeep speaks. The UI catalogs live in the front-end; the
//! server only needs to know which codes are valid.

pub const SUPPORTED: [&str; 4] = ["en", "ru", "uk", "ja"];

/// The supported language for a BCP 47 tag (`ru-RU` → `ru`), if any.
pub fn supported_lang(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    SUPPORTED.into_iter().find(|code| *code == primary)
}

/// The invitation text when the operator does not write their own, in the visitor's language.
pub fn default_invitation(lang: Option<&str>) -> &'static str {
    match lang.and_then(supported_lang) {
        Some("ru") => "Здравствуйте! Могу чем-нибудь помочь?",
        Some("uk") => "Вітаємо! Можу чимось допомогти?",
        Some("ja") => "こんにちは！何かお手伝いできることはありますか？",
        _ => "Hi! Can I help you with anything?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primary_subtag_decides() {
        assert_eq!(supported_lang("ru-RU"), Some("ru"));
        assert_eq!(supported_lang("JA"), Some("ja"));
        assert_eq!(supported_lang("de"), None);
        assert_eq!(supported_lang(""), None);
    }
}
