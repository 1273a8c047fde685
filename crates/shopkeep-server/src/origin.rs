//! Where the server is reached from, and Origin checks against it.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// The public origin (`scheme://host[:port]`) if configured.
#[derive(Clone, Debug)]
pub struct PublicOrigin {
    configured: Option<String>,
    /// Whether browsers reach us over HTTPS (secure cookies).
    pub https: bool,
}

impl PublicOrigin {
    pub fn new(public_url: Option<&str>) -> Result<Self, String> {
        let Some(raw) = public_url else {
            return Ok(Self {
                configured: None,
                https: false,
            });
        };
        let url = url::Url::parse(raw).map_err(|error| format!("public_url {raw:?}: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(format!("public_url {raw:?} must be an http(s) URL"));
        }
        Ok(Self {
            configured: Some(url.origin().ascii_serialization()),
            https: url.scheme() == "https",
        })
    }

    /// True when the request's `Origin` is this server. Without a configured
    /// public URL the origin must name the same host and port as `Host`.
    pub fn matches_request(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        match &self.configured {
            Some(expected) => origin == expected,
            None => {
                let Some(host) = headers.get(HOST).and_then(|v| v.to_str().ok()) else {
                    return false;
                };
                origin == format!("http://{host}") || origin == format!("https://{host}")
            }
        }
    }
}

/// The request's `Origin`, normalised for comparison with a site's allow-list.
pub fn request_origin(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(ORIGIN)?.to_str().ok()?;
    let url = url::Url::parse(raw).ok()?;
    Some(url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: &str, host: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_str(origin).unwrap());
        headers.insert(HOST, HeaderValue::from_str(host).unwrap());
        headers
    }

    #[test]
    fn without_public_url_origin_must_match_host() {
        let public = PublicOrigin::new(None).unwrap();
        assert!(public.matches_request(&headers("http://127.0.0.1:8080", "127.0.0.1:8080")));
        assert!(!public.matches_request(&headers("https://evil.example", "127.0.0.1:8080")));
        assert!(!public.matches_request(&headers(
            "http://127.0.0.1:8080.evil.example",
            "127.0.0.1:8080"
        )));
        assert!(!public.matches_request(&HeaderMap::new()));
    }

    #[test]
    fn with_public_url_origin_must_match_it() {
        let public = PublicOrigin::new(Some("https://chat.shop.example/")).unwrap();
        assert!(public.https);
        assert!(public.matches_request(&headers("https://chat.shop.example", "anything")));
        assert!(!public.matches_request(&headers("http://chat.shop.example", "chat.shop.example")));
    }
}
