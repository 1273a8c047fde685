//! What Shopkeep keeps about a visitor's browsing: URLs without private query
//! parameters, and IP addresses only as far as a country lookup needs them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Query parameters stripped from stored URLs unless the site configures its own list.
pub const DEFAULT_STRIPPED_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "auth",
    "key",
    "api_key",
    "password",
    "pass",
    "secret",
    "session",
    "sid",
    "email",
    "e",
    "code",
    "reset",
    "otp",
];

/// Longest URL, referrer or title kept, in characters; longer ones are cut.
pub const MAX_URL_CHARS: usize = 2000;
pub const MAX_TITLE_CHARS: usize = 300;

/// The URL with the named query parameters (case-insensitive) removed, its
/// user:password part dropped and the fragment kept. Not a URL? Returned cut to size.
pub fn strip_url(url: &str, stripped: &[String]) -> String {
    let (before_fragment, fragment) = match url.split_once('#') {
        Some((head, tail)) => (head, Some(tail)),
        None => (url, None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((head, tail)) => (head, Some(tail)),
        None => (before_fragment, None),
    };
    let mut out = drop_userinfo(base);
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                let name = percent_decode_lossy(name);
                !stripped.iter().any(|s| s.eq_ignore_ascii_case(&name))
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    cut(&out, MAX_URL_CHARS)
}

fn drop_userinfo(base: &str) -> String {
    let Some(scheme_end) = base.find("://") else {
        return base.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &base[authority_start..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &base[..authority_start], &rest[at + 1..]),
        None => base.to_owned(),
    }
}

fn percent_decode_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first `max` characters of `text`.
pub fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The address with its host part zeroed: /24 for IPv4, /48 for IPv6. Enough
/// for a country lookup, not enough to tell one household from its neighbours.
pub fn truncate_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, 0))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => truncate_ip(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0))
            }
        },
    }
}

/// The `utm_source` query parameter of a URL, if any.
pub fn utm_source(url: &str) -> Option<String> {
    let query = url.split('#').next()?.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "utm_source" && !value.is_empty()).then(|| cut(&percent_decode_lossy(value), 100))
    })
}
