//! The visitor's address: the socket peer, or `X-Forwarded-For` when the peer
//! is a proxy the operator trusts.
//!
//! Each proxy appends the address it received the request from, so the list is
//! read from the right: the first address that is not a trusted proxy is the
//! client. Anything to its left was written by the client and is ignored.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A proxy whose `X-Forwarded-For` is believed: one address (`127.0.0.1`,
/// `::1`) or a network (`10.0.0.0/8`, `fd00::/8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// True when `ip` is this address or inside this network. An IPv4 address
    /// seen through a dual-stack socket (`::ffff:10.0.0.1`) counts as IPv4.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                mask(u128::from(u32::from(ip)), self.prefix, 32) == u128::from(u32::from(network))
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                mask(u128::from(ip), self.prefix, 128) == u128::from(network)
            }
            _ => false,
        }
    }
}

/// `value` with all but its first `prefix` of `bits` bits cleared.
fn mask(value: u128, prefix: u8, bits: u8) -> u128 {
    let host_bits = u32::from(bits - prefix);
    value
        .checked_shr(host_bits)
        .unwrap_or(0)
        .checked_shl(host_bits)
        .unwrap_or(0)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TrustedProxyError {
    #[error("{0:?} is not an IP address or network such as 10.0.0.0/8")]
    Invalid(String),
    #[error("{0:?}: the prefix length must be at most {1}")]
    Prefix(String, u8),
    #[error("{0:?} has bits set after the prefix; the network is {1}")]
    HostBits(String, TrustedProxy),
}

impl FromStr for TrustedProxy {
    type Err = TrustedProxyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let invalid = || TrustedProxyError::Invalid(text.to_owned());
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address.parse().map_err(|_| invalid())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                let prefix: u8 = digits
                    .parse()
                    .map_err(|_| TrustedProxyError::Prefix(text.to_owned(), bits))?;
                if prefix > bits {
                    return Err(TrustedProxyError::Prefix(text.to_owned(), bits));
                }
                prefix
            }
            Some(_) => return Err(invalid()),
        };
        let exact = TrustedProxy { network, prefix };
        let masked = TrustedProxy {
            network: match network {
                IpAddr::V4(v4) => IpAddr::V4(
                    u32::try_from(mask(u128::from(u32::from(v4)), prefix, 32))
                        .unwrap_or_default()
                        .into(),
                ),
                IpAddr::V6(v6) => IpAddr::V6(mask(u128::from(v6), prefix, 128).into()),
            },
            prefix,
        };
        if masked == exact {
            Ok(exact)
        } else {
            Err(TrustedProxyError::HostBits(text.to_owned(), masked))
        }
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == bits {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl<'de> Deserialize<'de> for TrustedProxy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for TrustedProxy {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The client's address. The peer itself unless it is a trusted proxy; then
/// `X-Forwarded-For` (all such headers, in order) is walked from the right,
/// past trusted proxies, to the first address that is not one. An entry that
/// is not an address stops the walk at the last good address. IPv4 addresses
/// seen through a dual-stack socket come back as IPv4.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|proxy| proxy.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let entries: Vec<Option<&str>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(Some).collect::<Vec<_>>(),
            Err(_) => vec![None],
        })
        .collect();
    for entry in entries.into_iter().rev() {
        let Some(hop) = entry.and_then(parse_entry) else {
            break;
        };
        client = hop;
        if !is_trusted(hop) {
            break;
        }
    }
    client
}

/// `203.0.113.7`, `2001:db8::7`, or with a port as some proxies write it:
/// `203.0.113.7:51234`, `[2001:db8::7]:51234`, `[2001:db8::7]`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            entry
                .strip_prefix('[')?
                .strip_suffix(']')?
                .parse::<std::net::Ipv6Addr>()
                .ok()
                .map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|p| p.parse().unwrap()).collect()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    /// The usual setup: a load balancer on loopback and a private network.
    fn trusted() -> Vec<TrustedProxy> {
        proxies(&["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"])
    }

    #[test]
    fn trusted_proxies_parse_addresses_and_networks() {
        for (text, shown) in [
            ("127.0.0.1", "127.0.0.1"),
            ("::1", "::1"),
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("fd00::/8", "fd00::/8"),
            (" 192.168.0.0/16 ", "192.168.0.0/16"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("::/0", "::/0"),
            ("10.1.2.3/32", "10.1.2.3"),
        ] {
            let proxy: TrustedProxy = text.parse().unwrap();
            assert_eq!(proxy.to_string(), shown);
        }
    }

    #[test]
    fn trusted_proxies_refuse_what_is_not_a_network() {
        for text in [
            "",
            "localhost",
            "10.0.0",
            "10.0.0.0/",
            "10.0.0.0/x",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "[::1]",
            "::1/",
        ] {
            assert_eq!(
                text.parse::<TrustedProxy>(),
                Err(TrustedProxyError::Invalid(text.trim().to_owned())),
                "{text:?}"
            );
        }
        assert!(matches!(
            "10.0.0.0/33".parse::<TrustedProxy>(),
            Err(TrustedProxyError::Prefix(_, 32))
        ));
        assert!(matches!(
            "fd00::/129".parse::<TrustedProxy>(),
            Err(TrustedProxyError::Prefix(_, 128))
        ));
        assert!(matches!(
            "10.0.0.0/999".parse::<TrustedProxy>(),
            Err(TrustedProxyError::Prefix(_, 32))
        ));
        let err = "10.1.2.3/8".parse::<TrustedProxy>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"10.1.2.3/8\" has bits set after the prefix; the network is 10.0.0.0/8"
        );
        assert!("fd00::1/8".parse::<TrustedProxy>().is_err());
    }

    #[test]
    fn trusted_proxies_deserialise_from_settings() {
        let parsed: Vec<TrustedProxy> =
            serde_json::from_str(r#"["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"]"#).unwrap();
        assert_eq!(parsed, trusted());
        let err = serde_json::from_str::<Vec<TrustedProxy>>(r#"["10.0.0.0/40"]"#).unwrap_err();
        assert!(err.to_string().contains("prefix length"), "{err}");
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            r#"["127.0.0.1","::1","10.0.0.0/8","fd00::/8"]"#
        );
    }

    #[test]
    fn networks_contain_their_addresses() {
        let [loopback, v6_loopback, private, ula] = trusted()[..] else {
            unreachable!()
        };
        assert!(loopback.contains(ip("127.0.0.1")));
        assert!(!loopback.contains(ip("127.0.0.2")));
        assert!(loopback.contains(ip("::ffff:127.0.0.1")));
        assert!(v6_loopback.contains(ip("::1")));
        assert!(!v6_loopback.contains(ip("127.0.0.1")));
        assert!(private.contains(ip("10.255.255.255")));
        assert!(!private.contains(ip("11.0.0.0")));
        assert!(!private.contains(ip("9.255.255.255")));
        assert!(ula.contains(ip("fd12:3456::1")));
        assert!(!ula.contains(ip("fc00::1")));
        assert!(!ula.contains(ip("10.0.0.1")));
        let everything: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.1")));
        assert!(!everything.contains(ip("2001:db8::1")));
        let all_v6: TrustedProxy = "::/0".parse().unwrap();
        assert!(all_v6.contains(ip("2001:db8::1")));
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let spoofed = forwarded(&["127.0.0.1, 10.0.0.1, 198.51.100.1"]);
        assert_eq!(
            client_ip(ip("203.0.113.9"), &spoofed, &trusted()),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("203.0.113.9"), &HeaderMap::new(), &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            client_ip(ip("127.0.0.1"), &forwarded(&["198.51.100.1"]), &[]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn a_trusted_peer_passes_on_the_address_it_saw() {
        assert_eq!(
            client_ip(ip("127.0.0.1"), &forwarded(&["203.0.113.9"]), &trusted()),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("::1"), &forwarded(&["2001:db8::9"]), &trusted()),
            ip("2001:db8::9")
        );
        // With no header the proxy itself is all we know.
        assert_eq!(
            client_ip(ip("127.0.0.1"), &HeaderMap::new(), &trusted()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_walk_skips_trusted_hops_from_the_right() {
        // client → CDN edge (10.1.1.1) → balancer (10.2.2.2) → us, from loopback.
        let headers = forwarded(&["203.0.113.9, 10.1.1.1, 10.2.2.2"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn addresses_the_client_wrote_to_the_left_are_ignored() {
        // The client sent `X-Forwarded-For: 198.51.100.66, 10.9.9.9` itself; the
        // proxy appended the address it really saw.
        let headers = forwarded(&["198.51.100.66, 10.9.9.9, 203.0.113.9"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("203.0.113.9")
        );
        // A trusted address forged to the left of the real one changes nothing.
        let headers = forwarded(&["127.0.0.1, 203.0.113.9"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn several_headers_are_read_as_one_list() {
        let headers = forwarded(&["198.51.100.66", "203.0.113.9, 10.1.1.1", "10.2.2.2"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("203.0.113.9")
        );
        let headers = forwarded(&["203.0.113.9", "10.1.1.1"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &trusted()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_malformed_entry_stops_the_walk_at_the_last_good_address() {
        // Right after the peer: the peer is all we have.
        for value in [
            "203.0.113.9, unknown",
            "garbage",
            "",
            "203.0.113.9,",
            "1.2.3.4.5",
        ] {
            assert_eq!(
                client_ip(ip("127.0.0.1"), &forwarded(&[value]), &trusted()),
                ip("127.0.0.1"),
                "{value:?}"
            );
        }
        // Further left: the last trusted hop that was read.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &forwarded(&["203.0.113.9, _hidden, 10.1.1.1"]),
                &trusted()
            ),
            ip("10.1.1.1")
        );
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &forwarded(&["203.0.113.9, , 10.1.1.1"]),
                &trusted()
            ),
            ip("10.1.1.1")
        );
        // A header that is not text counts as one malformed entry.
        let mut headers = forwarded(&["203.0.113.9"]);
        headers.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"10.1.1.1\xff").unwrap(),
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("127.0.0.1")
        );
        // Markup is just a malformed entry.
        assert_eq!(
            client_ip(
                ip("127.0.0.1"),
                &forwarded(&["<script>alert(1)</script>"]),
                &trusted()
            ),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn entries_with_ports_and_brackets_are_read() {
        for (value, expected) in [
            ("203.0.113.9:51234", "203.0.113.9"),
            ("[2001:db8::9]:443", "2001:db8::9"),
            ("[2001:db8::9]", "2001:db8::9"),
            ("  203.0.113.9  ", "203.0.113.9"),
            ("::ffff:203.0.113.9", "203.0.113.9"),
        ] {
            assert_eq!(
                client_ip(ip("127.0.0.1"), &forwarded(&[value]), &trusted()),
                ip(expected),
                "{value}"
            );
        }
    }

    #[test]
    fn a_chain_of_only_trusted_hops_ends_at_the_leftmost() {
        let headers = forwarded(&["10.3.3.3, 10.2.2.2"]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &headers, &trusted()),
            ip("10.3.3.3")
        );
    }

    #[test]
    fn dual_stack_peers_are_matched_and_returned_as_ipv4() {
        assert_eq!(
            client_ip(
                ip("::ffff:127.0.0.1"),
                &forwarded(&["203.0.113.9"]),
                &trusted()
            ),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_ip(ip("::ffff:203.0.113.9"), &HeaderMap::new(), &trusted()),
            ip("203.0.113.9")
        );
    }
}
