//! Creating sites and the embed snippet that shops paste into their pages.

use shopkeep_core::ids::SiteId;
use shopkeep_store::{Site, Store, StoreError};

use crate::tokens;

/// The site slug `shopkeep serve --demo` creates and `/demo` embeds.
pub const DEMO_SLUG: &str = "demo";

#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("the site name must be 1 to 40 characters of a-z, 0-9 and '-'")]
    InvalidSlug,
    #[error("{0:?} is not an origin like https://shop.example")]
    InvalidOrigin(String),
    #[error("the colour must look like #1a73e8")]
    InvalidColor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct NewSite {
    pub slug: String,
    pub name: String,
    pub origins: Vec<String>,
    pub color: String,
}

/// `https://shop.example:8443/path` → `https://shop.example:8443`; only http(s) with a host.
pub fn parse_origin(raw: &str) -> Result<String, SiteError> {
    let invalid = || SiteError::InvalidOrigin(raw.to_owned());
    let url = url::Url::parse(raw.trim()).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

pub async fn create(store: &dyn Store, new: NewSite) -> Result<Site, SiteError> {
    let slug_ok = !new.slug.is_empty()
        && new.slug.len() <= 40
        && new
            .slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !slug_ok {
        return Err(SiteError::InvalidSlug);
    }
    let color_ok = new.color.len() == 7
        && new.color.starts_with('#')
        && new.color[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if !color_ok {
        return Err(SiteError::InvalidColor);
    }
    let origins = new
        .origins
        .iter()
        .map(|o| parse_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let site = Site {
        id: SiteId::new(),
        slug: new.slug,
        name: new.name,
        public_key: format!("pk_{}", tokens::alphanumeric(24)),
        allowed_origins: origins,
        hmac_secret: tokens::new_token(),
        color: new.color,
        lang: None,
        tracking: Default::default(),
        greetings: Default::default(),
        hours: None,
        mail: Default::default(),
        chat: Default::default(),
        created_at: shopkeep_store::sqlite::now(),
    };
    Ok(store.create_site(site).await?)
}

/// The one line a shop pastes before `</body>`. `base` is how browsers reach
/// Shopkeep, e.g. `https://chat.shop.example`.
pub fn snippet(site: &Site, base: &str) -> String {
    let base = base.trim_end_matches('/');
    format!(
        "<script>(function(w,d,s){{w.Shopkeep=w.Shopkeep||function(){{(w.Shopkeep.q=w.Shopkeep.q||[]).push(arguments)}};\
s=d.createElement('script');s.async=1;s.src='{base}/widget/loader.js';s.dataset.site='{key}';d.head.appendChild(s)}})(window,document)</script>",
        key = site.public_key,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_checked() {
        assert_eq!(
            parse_origin("https://Shop.Example:443/cart").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            parse_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(parse_origin("javascript:alert(1)").is_err());
        assert!(parse_origin("shop.example").is_err());
    }
}
