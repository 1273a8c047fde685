//! Browser, OS and device from a `User-Agent` header.
//!
//! Only names from the parser's own tables and digits of version numbers reach
//! the result, so nothing a visitor typed into the header is shown to operators.

use shopkeep_core::tracking::{Client, DeviceKind};
use woothee::parser::{Parser, WootheeResult};
use woothee::woothee::VALUE_UNKNOWN;

/// Longest prefix of the header that is parsed; real agents are far shorter.
pub const MAX_USER_AGENT_BYTES: usize = 512;

/// Never fails: an agent nobody recognises is `Client::default()`.
pub fn parse(user_agent: &str) -> Client {
    let agent = prefix(user_agent.trim(), MAX_USER_AGENT_BYTES);
    let Some(found) = Parser::new().parse(agent) else {
        return Client::default();
    };
    Client {
        browser: browser(&found),
        os: os(&found),
        device: device(&found, agent),
    }
}

/// The longest prefix of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn known(value: &str) -> Option<&str> {
    (!value.is_empty() && value != VALUE_UNKNOWN).then_some(value)
}

/// `120` from `120.0.6099.71`, if it is a number.
fn major(version: &str) -> Option<&str> {
    let major = version.split(['.', '_']).next()?;
    (!major.is_empty() && major.len() <= 5 && major.bytes().all(|b| b.is_ascii_digit()))
        .then_some(major)
}

fn with_major(name: &str, version: &str) -> String {
    match major(version) {
        Some(major) => format!("{name} {major}"),
        None => name.to_owned(),
    }
}

fn browser(found: &WootheeResult<'_>) -> Option<String> {
    if found.category == "crawler" {
        return known(found.name).map(str::to_owned);
    }
    let name = known(found.name)?;
    Some(with_major(name, found.version))
}

fn os(found: &WootheeResult<'_>) -> Option<String> {
    let name = known(found.os)?;
    let version = &found.os_version;
    Some(match name {
        "Mac OSX" => "macOS".to_owned(),
        "iPhone" | "iPod" => with_major("iOS", version),
        "iPad" => with_major("iPadOS", version),
        "Android" => with_major("Android", version),
        "ChromeOS" => "ChromeOS".to_owned(),
        "Windows UNKNOWN Ver" => "Windows".to_owned(),
        other => other.to_owned(),
    })
}

fn device(found: &WootheeResult<'_>, agent: &str) -> DeviceKind {
    match found.category {
        "pc" => DeviceKind::Desktop,
        // `misc` is HTTP libraries and feed readers: scripts, not people.
        "crawler" | "misc" => DeviceKind::Bot,
        "smartphone" if is_tablet(found, agent) => DeviceKind::Tablet,
        "smartphone" | "mobilephone" => DeviceKind::Mobile,
        _ => DeviceKind::Unknown,
    }
}

/// The parser files tablets under smartphones: iPads, Android devices whose
/// agent lacks `Mobile` (Chrome's convention), and agents that say `Tablet`.
fn is_tablet(found: &WootheeResult<'_>, agent: &str) -> bool {
    found.os == "iPad"
        || (found.os == "Android" && !agent.contains("Mobile"))
        || agent.contains("Tablet")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(browser: Option<&str>, os: Option<&str>, device: DeviceKind) -> Client {
        Client {
            browser: browser.map(str::to_owned),
            os: os.map(str::to_owned),
            device,
        }
    }

    #[test]
    fn desktop_browsers() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                client(Some("Chrome 120"), Some("Windows 10"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
                client(Some("Firefox 121"), Some("Windows 10"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
                client(Some("Safari 17"), Some("macOS"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
                client(Some("Firefox 121"), Some("Linux"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
                client(Some("Edge 120"), Some("Windows 10"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36",
                client(
                    Some("Yandex Browser 24"),
                    Some("Windows 10"),
                    DeviceKind::Desktop,
                ),
            ),
            (
                "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
                client(Some("Chrome 109"), Some("Windows 7"), DeviceKind::Desktop),
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                client(Some("Chrome 120"), Some("ChromeOS"), DeviceKind::Desktop),
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(parse(agent), expected, "{agent}");
        }
    }

    #[test]
    fn phones() {
        let cases = [
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
                client(Some("Safari 17"), Some("iOS 17"), DeviceKind::Mobile),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
                client(Some("Chrome 120"), Some("iOS 17"), DeviceKind::Mobile),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
                client(Some("Chrome 120"), Some("Android 14"), DeviceKind::Mobile),
            ),
            (
                "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
                client(Some("Firefox 121"), Some("Android 14"), DeviceKind::Mobile),
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(parse(agent), expected, "{agent}");
        }
    }

    #[test]
    fn tablets() {
        let cases = [
            (
                "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
                client(Some("Safari 17"), Some("iPadOS 17"), DeviceKind::Tablet),
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Safari/537.36",
                client(Some("Chrome 120"), Some("Android 13"), DeviceKind::Tablet),
            ),
            (
                "Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0",
                client(Some("Firefox 121"), Some("Android 14"), DeviceKind::Tablet),
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(parse(agent), expected, "{agent}");
        }
    }

    #[test]
    fn crawlers_and_scripts_are_bots() {
        assert_eq!(
            parse("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            client(Some("Googlebot"), None, DeviceKind::Bot)
        );
        assert_eq!(
            parse(
                "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.6099.129 Safari/537.36"
            )
            .device,
            DeviceKind::Bot
        );
        assert_eq!(
            parse("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)").device,
            DeviceKind::Bot
        );
        assert_eq!(parse("curl/8.5.0").device, DeviceKind::Bot);
    }

    #[test]
    fn empty_and_garbage_agents_are_unknown() {
        for agent in [
            "",
            "   ",
            "-",
            "python-requests/2.31.0",
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "{{constructor.constructor('alert(1)')()}}",
            "\u{0}\u{1}garbage\u{ffff}",
            "🙂🙂🙂",
        ] {
            assert_eq!(parse(agent), Client::default(), "{agent:?}");
        }
    }

    #[test]
    fn text_from_the_header_never_reaches_the_result() {
        for agent in [
            "Mozilla/5.0 (X11; CrOS <script>alert(1)</script>) Chrome/1.0",
            "Mozilla/5.0 (X11; FreeBSD <img src=x>; ) Firefox/1.0",
            "Mozilla/5.0 (Windows <b>; ) Firefox/1.0",
            "Mozilla/5.0 (Linux; Android <b>; ) Chrome/<i>.0 Mobile Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS <x>_1 like Mac OS X) Version/<y> Mobile Safari/604.1",
        ] {
            let client = parse(agent);
            for text in [&client.browser, &client.os].into_iter().flatten() {
                assert!(
                    text.chars().all(|c| c.is_ascii_alphanumeric() || c == ' '),
                    "{agent} gave {text:?}"
                );
            }
        }
        assert_eq!(
            parse("Mozilla/5.0 (Windows <b>; ) Firefox/1.0")
                .os
                .as_deref(),
            Some("Windows")
        );
    }

    #[test]
    fn a_huge_agent_is_cut_before_parsing() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 ";
        let huge = format!("{chrome}{}", "я".repeat(5_000));
        assert!(huge.len() > 10_000);
        assert_eq!(parse(&huge).browser.as_deref(), Some("Chrome 120"));
        // What lies beyond the first 512 bytes is never looked at.
        let late = format!("{} Googlebot/2.1", "x".repeat(10_000));
        assert_eq!(parse(&late), Client::default());
    }

    #[test]
    fn prefix_ends_on_a_character_boundary() {
        assert_eq!(prefix("абв", 3), "а");
        assert_eq!(prefix("абв", 4), "аб");
        assert_eq!(prefix("abc", 512), "abc");
        assert_eq!(prefix("😀", 3), "");
    }
}
