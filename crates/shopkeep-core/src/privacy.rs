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

/// The URL with the named query parameters (case-insensitive, percent-decoded)
/// removed, its user:password part dropped and the fragment kept. Parameters in
/// a fragment (`#access_token=…` from OAuth, `#/reset?token=…` from hash routers)
/// are stripped the same way. Not a URL? Returned cut to size.
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
    if let Some(kept) = query.and_then(|query| kept_params(query, stripped)) {
        out.push('?');
        out.push_str(&kept);
    }
    if let Some(fragment) = fragment {
        let fragment = match fragment.split_once('?') {
            Some((route, query)) => match kept_params(query, stripped) {
                Some(kept) => format!("{route}?{kept}"),
                None => route.to_owned(),
            },
            None if fragment.contains('=') => kept_params(fragment, stripped).unwrap_or_default(),
            None => fragment.to_owned(),
        };
        if !fragment.is_empty() {
            out.push('#');
            out.push_str(&fragment);
        }
    }
    cut(&out, MAX_URL_CHARS)
}

/// The `&`-separated pairs whose names are not in `stripped`; none if nothing is left.
fn kept_params(query: &str, stripped: &[String]) -> Option<String> {
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let name = percent_decode_lossy(name);
            !stripped.iter().any(|s| s.eq_ignore_ascii_case(&name))
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("&"))
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

/// The `utm_source` query parameter of a URL, decoded, without control
/// characters and cut to 100 characters; none if absent or blank.
pub fn utm_source(url: &str) -> Option<String> {
    let query = url.split('#').next()?.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        if !percent_decode_lossy(name).eq_ignore_ascii_case("utm_source") {
            return None;
        }
        let value: String = percent_decode_lossy(value)
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let value = value.trim();
        (!value.is_empty()).then(|| cut(value, 100))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn defaults() -> Vec<String> {
        DEFAULT_STRIPPED_PARAMS
            .iter()
            .map(|p| (*p).to_owned())
            .collect()
    }

    fn strip(url: &str) -> String {
        strip_url(url, &defaults())
    }

    #[test]
    fn strips_the_default_parameters_and_keeps_the_rest() {
        assert_eq!(
            strip("https://shop.example/reset?token=abc&email=a%40b.example&lang=de"),
            "https://shop.example/reset?lang=de"
        );
        assert_eq!(
            strip("https://shop.example/p?id=7&sid=s&code=1&otp=2&e=x&api_key=k&page=2"),
            "https://shop.example/p?id=7&page=2"
        );
        assert_eq!(
            strip("https://shop.example/login?password=hunter2"),
            "https://shop.example/login"
        );
        assert_eq!(
            strip("https://shop.example/a?b=1"),
            "https://shop.example/a?b=1"
        );
        assert_eq!(strip("https://shop.example/"), "https://shop.example/");
    }

    #[test]
    fn names_match_ignoring_case_and_percent_encoding() {
        assert_eq!(
            strip("https://s.example/?EMAIL=a&Token=b&x=1"),
            "https://s.example/?x=1"
        );
        assert_eq!(
            strip("https://s.example/?%65mail=a&x=1"),
            "https://s.example/?x=1"
        );
        assert_eq!(
            strip("https://s.example/?%54OKEN=a&x=1"),
            "https://s.example/?x=1"
        );
        assert_eq!(
            strip("https://s.example/?api%5Fkey=a"),
            "https://s.example/"
        );
        // Only names are compared, never values.
        assert_eq!(
            strip("https://s.example/?q=token"),
            "https://s.example/?q=token"
        );
        assert_eq!(
            strip("https://s.example/?emails=1"),
            "https://s.example/?emails=1"
        );
    }

    #[test]
    fn repeated_and_empty_parameters() {
        assert_eq!(
            strip("https://s.example/?email=a&x=1&email=b&email"),
            "https://s.example/?x=1"
        );
        assert_eq!(
            strip("https://s.example/?token=&x="),
            "https://s.example/?x="
        );
        assert_eq!(
            strip("https://s.example/?&&x=1&&"),
            "https://s.example/?x=1"
        );
        assert_eq!(strip("https://s.example/?"), "https://s.example/");
    }

    #[test]
    fn the_site_list_replaces_the_default_one() {
        let own = vec!["order".to_owned()];
        assert_eq!(
            strip_url("https://s.example/?order=9&token=t", &own),
            "https://s.example/?token=t"
        );
        assert_eq!(
            strip_url("https://s.example/?token=t", &[]),
            "https://s.example/?token=t"
        );
    }

    #[test]
    fn fragments_are_kept_without_their_private_parameters() {
        assert_eq!(
            strip("https://s.example/p?token=x&a=1#reviews"),
            "https://s.example/p?a=1#reviews"
        );
        assert_eq!(strip("https://s.example/p#token=x"), "https://s.example/p");
        assert_eq!(
            strip("https://s.example/cb#access_token=x&state=y"),
            "https://s.example/cb#state=y"
        );
        assert_eq!(
            strip("https://s.example/#/reset?token=x&step=2"),
            "https://s.example/#/reset?step=2"
        );
        assert_eq!(
            strip("https://s.example/#/reset?token=x"),
            "https://s.example/#/reset"
        );
        assert_eq!(
            strip("https://s.example/#/cart"),
            "https://s.example/#/cart"
        );
        assert_eq!(strip("https://s.example/p#"), "https://s.example/p");
    }

    #[test]
    fn user_and_password_are_dropped() {
        assert_eq!(
            strip("https://user:pw@shop.example/a?b=1"),
            "https://shop.example/a?b=1"
        );
        assert_eq!(strip("https://a@b@shop.example"), "https://shop.example");
        assert_eq!(
            strip("http://user@shop.example:8080/"),
            "http://shop.example:8080/"
        );
        // An `@` in the path is not user information.
        assert_eq!(
            strip("https://shop.example/@brand/x"),
            "https://shop.example/@brand/x"
        );
    }

    #[test]
    fn text_that_is_not_a_url_is_kept_cut() {
        assert_eq!(strip(""), "");
        assert_eq!(strip("not a url"), "not a url");
        assert_eq!(
            strip("<script>alert(1)</script>"),
            "<script>alert(1)</script>"
        );
        assert_eq!(strip("/relative?token=x&y=1"), "/relative?y=1");
        assert_eq!(strip(&"a".repeat(5000)).len(), MAX_URL_CHARS);
    }

    #[test]
    fn long_urls_are_cut_at_character_boundaries() {
        let url = format!("https://shop.example/{}", "я€😀".repeat(1000));
        let stripped = strip(&url);
        assert_eq!(stripped.chars().count(), MAX_URL_CHARS);
        assert!(url.starts_with(&stripped));
        assert_eq!(cut("añb", 2), "añ");
        assert_eq!(cut("😀😀", 5), "😀😀");
        assert_eq!(cut("", 5), "");
    }

    #[test]
    fn percent_decoding_is_lossy_but_total() {
        assert_eq!(percent_decode_lossy("%65mail"), "email");
        assert_eq!(percent_decode_lossy("a+b"), "a b");
        assert_eq!(percent_decode_lossy("%"), "%");
        assert_eq!(percent_decode_lossy("%6"), "%6");
        assert_eq!(percent_decode_lossy("%zz"), "%zz");
        assert_eq!(percent_decode_lossy("%D0%AF"), "Я");
        assert_eq!(percent_decode_lossy("%FF"), "\u{FFFD}");
        assert_eq!(percent_decode_lossy("%é"), "%é");
    }

    #[test]
    fn ipv4_keeps_its_first_24_bits() {
        let ip: IpAddr = "203.0.113.77".parse().unwrap();
        assert_eq!(truncate_ip(ip), "203.0.113.0".parse::<IpAddr>().unwrap());
        let ip: IpAddr = "255.255.255.255".parse().unwrap();
        assert_eq!(truncate_ip(ip), "255.255.255.0".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv6_keeps_its_first_48_bits() {
        let ip: IpAddr = "2001:db8:abcd:12:34:56:78:9a".parse().unwrap();
        assert_eq!(
            truncate_ip(ip),
            "2001:db8:abcd::".parse::<IpAddr>().unwrap()
        );
        let ip: IpAddr = "::1".parse().unwrap();
        assert_eq!(truncate_ip(ip), "::".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv4_mapped_ipv6_is_truncated_as_ipv4() {
        let ip: IpAddr = "::ffff:203.0.113.77".parse().unwrap();
        assert_eq!(truncate_ip(ip), "203.0.113.0".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn utm_source_is_read_decoded_and_bounded() {
        assert_eq!(
            utm_source("https://s.example/?utm_source=newsletter&utm_medium=email"),
            Some("newsletter".into())
        );
        assert_eq!(
            utm_source("https://s.example/?a=1&utm_source=spring+sale%21"),
            Some("spring sale!".into())
        );
        assert_eq!(
            utm_source("https://s.example/?UTM_SOURCE=x"),
            Some("x".into())
        );
        assert_eq!(
            utm_source("https://s.example/?utm_source=a%0Ab"),
            Some("ab".into())
        );
        assert_eq!(utm_source("https://s.example/?utm_source="), None);
        assert_eq!(utm_source("https://s.example/?utm_source=+"), None);
        assert_eq!(utm_source("https://s.example/?utm_source"), None);
        assert_eq!(utm_source("https://s.example/#?utm_source=x"), None);
        assert_eq!(utm_source("https://s.example/"), None);
        assert_eq!(utm_source("utm_source=x"), None);
        let long = format!("https://s.example/?utm_source={}", "ж".repeat(300));
        assert_eq!(utm_source(&long).unwrap().chars().count(), 100);
    }

    proptest! {
        #[test]
        fn strip_url_is_total_and_bounded(url in ".{0,300}") {
            let stripped = strip(&url);
            prop_assert!(stripped.chars().count() <= MAX_URL_CHARS);
        }

        #[test]
        fn stripped_urls_carry_no_default_parameter(
            names in prop::collection::vec(prop::sample::select(DEFAULT_STRIPPED_PARAMS), 1..4),
            value in "[a-z0-9]{1,8}",
        ) {
            let query: Vec<String> = names.iter().map(|n| format!("{}={value}", n.to_uppercase())).collect();
            let url = format!("https://s.example/p?{}&keep=1#x?{}", query.join("&"), query.join("&"));
            prop_assert_eq!(strip(&url), "https://s.example/p?keep=1#x");
        }

        #[test]
        fn utm_source_is_total(url in ".{0,300}") {
            let _ = utm_source(&url);
        }
    }
}
