//! Country lookup in a MaxMind-format database (`.mmdb`).
//!
//! Two record layouts are read: MaxMind's GeoIP2/GeoLite2 Country and City
//! (`country.iso_code`, falling back to `registered_country.iso_code`) and the
//! flat `country_code` of the ip-location-db databases.

use std::net::IpAddr;
use std::path::Path;

use anyhow::anyhow;
use maxminddb::Reader;
use serde::Deserialize;

/// An open country database.
pub struct GeoIp {
    /// The whole file in memory: a country database is a few megabytes, and
    /// reading it once needs neither `mmap` (unsafe) nor a file per lookup.
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for GeoIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let metadata = self.reader.metadata();
        f.debug_struct("GeoIp")
            .field("database_type", &metadata.database_type)
            .field("build_epoch", &metadata.build_epoch)
            .finish()
    }
}

#[derive(Deserialize)]
struct CountryRecord<'a> {
    /// ip-location-db.
    #[serde(borrow)]
    country_code: Option<&'a str>,
    /// MaxMind: where the address is used.
    #[serde(borrow)]
    country: Option<IsoCode<'a>>,
    /// MaxMind: where the network is registered, for addresses with no `country`.
    #[serde(borrow)]
    registered_country: Option<IsoCode<'a>>,
}

#[derive(Deserialize)]
struct IsoCode<'a> {
    #[serde(borrow)]
    iso_code: Option<&'a str>,
}

impl GeoIp {
    /// Reads the whole database. The error names the file and the cause in one
    /// line, so it reads well however the caller prints it.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let bytes = std::fs::read(path).map_err(|error| {
            anyhow!("cannot read the GeoIP database {}: {error}", path.display())
        })?;
        let reader = Reader::from_source(bytes).map_err(|error| {
            anyhow!(
                "{} is not a MaxMind DB (.mmdb) file, or it is damaged: {error}",
                path.display()
            )
        })?;
        Ok(Self { reader })
    }

    /// ISO 3166 alpha-2 code, upper case, of the address's country, if known.
    /// Private, loopback and other non-public addresses have none.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        let ip = ip.to_canonical();
        if !is_public(ip) {
            return None;
        }
        let found = self.reader.lookup(ip).ok()?;
        let record: CountryRecord<'_> = found.decode().ok()??;
        let code = record
            .country_code
            .or(record.country.and_then(|c| c.iso_code))
            .or(record.registered_country.and_then(|c| c.iso_code))?;
        (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
            .then(|| code.to_ascii_uppercase())
    }
}

/// False for addresses no country database places: private, loopback,
/// link-local, shared (CGNAT), documentation, multicast and unique-local ones.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || (a == 100 && (64..128).contains(&b))
                || a == 0
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// The ip-location-db country database that `npm ci` in `web/` installs.
    fn fixture() -> PathBuf {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../../web/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
        );
        assert!(
            path.exists(),
            "the GeoIP test database {} is missing: run `npm ci` in web/",
            path.display()
        );
        path
    }

    fn country(geo: &GeoIp, ip: &str) -> Option<String> {
        geo.country(ip.parse().unwrap())
    }

    #[test]
    fn well_known_addresses_have_their_countries() {
        let geo = GeoIp::open(&fixture()).unwrap();
        for (ip, expected) in [
            ("8.8.8.8", "US"),
            ("81.2.69.160", "GB"),
            ("133.242.0.1", "JP"),
            ("77.88.55.242", "RU"),
            ("194.44.0.1", "UA"),
            ("193.0.6.139", "NL"),
            ("200.160.2.3", "BR"),
            ("2001:4860:4860::8888", "US"),
            ("2a02:6b8::2:242", "RU"),
            ("2001:67c:2e8:22::c100:68b", "NL"),
            // An IPv4 address as a dual-stack socket reports it.
            ("::ffff:8.8.8.8", "US"),
        ] {
            assert_eq!(country(&geo, ip).as_deref(), Some(expected), "{ip}");
        }
    }

    #[test]
    fn non_public_addresses_have_no_country() {
        let geo = GeoIp::open(&fixture()).unwrap();
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "0.0.0.0",
            "169.254.1.1",
            "100.64.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "2001:db8::1",
            "::ffff:192.168.1.1",
        ] {
            assert_eq!(country(&geo, ip), None, "{ip}");
        }
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let err = GeoIp::open(Path::new("/nonexistent/GeoLite2-Country.mmdb")).unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.contains("cannot read the GeoIP database /nonexistent/GeoLite2-Country.mmdb: "),
            "{message}"
        );
        // The cause is in the message itself, not only in a chain a caller may not print.
        assert!(err.to_string().contains("No such file"), "{err}");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("country.mmdb");
        std::fs::write(&text, "<html>not found</html>").unwrap();
        let message = format!("{:#}", GeoIp::open(&text).unwrap_err());
        assert!(
            message.contains("is not a MaxMind DB (.mmdb) file"),
            "{message}"
        );

        let truncated = dir.path().join("truncated.mmdb");
        let bytes = std::fs::read(fixture()).unwrap();
        std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
        let message = format!("{:#}", GeoIp::open(&truncated).unwrap_err());
        assert!(
            message.contains("is not a MaxMind DB (.mmdb) file"),
            "{message}"
        );
    }

    #[test]
    fn maxmind_layout_is_read_with_its_registered_country_fallback() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("GeoLite2-Country.mmdb");
        std::fs::write(
            &path,
            maxmind_ipv4_database(&[
                (
                    [81, 2, 69],
                    &[("country", "GB"), ("registered_country", "GB")],
                ),
                ([2, 16, 20], &[("registered_country", "de")]),
                ([5, 5, 5], &[("country", "Europe")]),
            ]),
        )
        .unwrap();
        let geo = GeoIp::open(&path).unwrap();
        assert_eq!(country(&geo, "81.2.69.160").as_deref(), Some("GB"));
        assert_eq!(country(&geo, "2.16.20.1").as_deref(), Some("DE"));
        assert_eq!(country(&geo, "5.5.5.5"), None, "not a two-letter code");
        assert_eq!(country(&geo, "8.8.8.8"), None, "not in the database");
        assert_eq!(
            country(&geo, "2001:4860:4860::8888"),
            None,
            "IPv6 in an IPv4 database"
        );
    }

    /// A /24 by its first three bytes, and its record's `(field, iso_code)` pairs.
    type Network<'a> = ([u8; 3], &'a [(&'a str, &'a str)]);

    /// A minimal MaxMind DB (IPv4 search tree, 24-bit records) mapping each /24 to
    /// a record shaped like GeoLite2-Country's: `{"country": {"iso_code": …}, …}`.
    fn maxmind_ipv4_database(networks: &[Network<'_>]) -> Vec<u8> {
        #[derive(Clone, Copy)]
        enum Slot {
            Empty,
            Node(usize),
            Data(usize),
        }
        let mut nodes: Vec<[Slot; 2]> = vec![[Slot::Empty; 2]];
        let mut data = Vec::new();
        for (prefix, fields) in networks {
            let offset = data.len();
            map(&mut data, fields.len());
            for (field, code) in *fields {
                string(&mut data, field);
                map(&mut data, 1);
                string(&mut data, "iso_code");
                string(&mut data, code);
            }
            let bits = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], 0]);
            let mut node = 0;
            for depth in 0..24 {
                let bit = usize::from(bits & (1 << (31 - depth)) != 0);
                if depth == 23 {
                    nodes[node][bit] = Slot::Data(offset);
                } else if let Slot::Node(next) = nodes[node][bit] {
                    node = next;
                } else {
                    nodes.push([Slot::Empty; 2]);
                    nodes[node][bit] = Slot::Node(nodes.len() - 1);
                    node = nodes.len() - 1;
                }
            }
        }
        let node_count = nodes.len();
        let mut out = Vec::new();
        for node in &nodes {
            for slot in node {
                let record = match *slot {
                    Slot::Empty => node_count,
                    Slot::Node(next) => next,
                    Slot::Data(offset) => node_count + 16 + offset,
                };
                out.extend_from_slice(&u32::try_from(record).unwrap().to_be_bytes()[1..]);
            }
        }
        out.extend_from_slice(&[0; 16]);
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\xab\xcd\xefMaxMind.com");
        map(&mut out, 9);
        string(&mut out, "binary_format_major_version");
        uint16(&mut out, 2);
        string(&mut out, "binary_format_minor_version");
        uint16(&mut out, 0);
        string(&mut out, "build_epoch");
        out.extend_from_slice(&[8, 2]);
        out.extend_from_slice(&1_700_000_000u64.to_be_bytes());
        string(&mut out, "database_type");
        string(&mut out, "GeoLite2-Country");
        string(&mut out, "description");
        map(&mut out, 0);
        string(&mut out, "ip_version");
        uint16(&mut out, 4);
        string(&mut out, "languages");
        out.extend_from_slice(&[0, 4]);
        string(&mut out, "node_count");
        out.push(0xc0 | 4);
        out.extend_from_slice(&u32::try_from(node_count).unwrap().to_be_bytes());
        string(&mut out, "record_size");
        uint16(&mut out, 24);
        out
    }

    fn map(out: &mut Vec<u8>, entries: usize) {
        out.push(0xe0 | u8::try_from(entries).unwrap());
    }

    fn string(out: &mut Vec<u8>, text: &str) {
        let len = u8::try_from(text.len()).unwrap();
        assert!(len < 29, "short strings only");
        out.push(0x40 | len);
        out.extend_from_slice(text.as_bytes());
    }

    fn uint16(out: &mut Vec<u8>, value: u16) {
        out.push(0xa0 | 2);
        out.extend_from_slice(&value.to_be_bytes());
    }
}
