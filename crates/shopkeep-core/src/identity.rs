//! Verified identity: the shop's backend signs its customer id with the site's
//! secret, `hex(HMAC-SHA256(secret, id))`, and the widget passes the signature
//! along. Only a valid signature links a visitor to a contact and its history.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Longest customer id the shop may send.
pub const MAX_EXTERNAL_ID_LEN: usize = 200;

/// True when `hash` is the hex HMAC-SHA256 of `external_id` under `secret`.
/// Hex digits may be upper or lower case; anything else, or the wrong length,
/// is simply not a match. The comparison takes the same time wherever it differs.
/// An empty secret verifies nothing: anyone could compute its signatures.
pub fn verify(secret: &str, external_id: &str, hash: &str) -> bool {
    if secret.is_empty() || external_id.is_empty() || external_id.len() > MAX_EXTERNAL_ID_LEN {
        return false;
    }
    let Some(signature) = decode_hex(hash) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(external_id.as_bytes());
    mac.verify_slice(&signature).is_ok()
}

/// The signature a shop's backend computes, lower-case hex.
pub fn sign(secret: &str, external_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(external_id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let high = (pair[0] as char).to_digit(16)?;
        let low = (pair[1] as char).to_digit(16)?;
        *slot = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A secret shaped like the ones `shopkeep site add` generates; the expected
    /// values were computed with `openssl dgst -sha256 -hmac` and Python's `hmac`.
    const SECRET: &str = "Yw3xF0n6Qd9pLr2tVb8kZs1mHc4jGe7uNa5iXo0yTq8";
    const ID: &str = "customer-42";
    const HASH: &str = "9763fdca3439e09af60b128bd5e11d032c6b729d9feb346df8087e7db2a46e02";

    #[test]
    fn sign_matches_known_vectors() {
        assert_eq!(sign(SECRET, ID), HASH);
        assert_eq!(
            sign(SECRET, "customer-43"),
            "dcc8ce8e0b394f87e177bcecfe55dab470fdf1ca9048b23ad1e8aa1d1db7c2ff"
        );
        assert_eq!(
            sign("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        // Both sides are UTF-8 bytes.
        assert_eq!(
            sign("секрет", "клиент-7"),
            "676089b8f12680c5fd407dcb94c3f699ae19e9c04d39682344c014082694fc5d"
        );
    }

    #[test]
    fn verify_accepts_the_signature_in_either_case() {
        assert!(verify(SECRET, ID, HASH));
        assert!(verify(SECRET, ID, &HASH.to_uppercase()));
        let mixed: String = HASH
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if i % 2 == 0 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        assert!(verify(SECRET, ID, &mixed));
    }

    #[test]
    fn verify_refuses_wrong_lengths_and_non_hex() {
        assert!(!verify(SECRET, ID, &HASH[..63]));
        assert!(!verify(SECRET, ID, &format!("{HASH}0")));
        assert!(!verify(SECRET, ID, ""));
        assert!(!verify(SECRET, ID, &format!(" {}", &HASH[1..])));
        assert!(!verify(SECRET, ID, &format!("{}g", &HASH[..63])));
        assert!(!verify(SECRET, ID, &format!("{}+", &HASH[..63])));
        assert!(!verify(SECRET, ID, &format!("0x{}", &HASH[2..])));
        // 64 bytes of which two form one non-ASCII character.
        assert!(!verify(SECRET, ID, &format!("{}é", &HASH[..62])));
        // Right bytes, wrong encoding.
        assert!(!verify(
            SECRET,
            ID,
            "l2P9yjQ54Jr2CxKL1eEdAyxrcp2f6zRt+Ah+fbKkbgI="
        ));
    }

    #[test]
    fn verify_refuses_a_signature_of_another_id_or_secret() {
        let other = sign(SECRET, "customer-43");
        assert!(!verify(SECRET, ID, &other));
        assert!(!verify("another-secret", ID, HASH));
        assert!(!verify(SECRET, "Customer-42", HASH));
        assert!(!verify(SECRET, "customer-42 ", HASH));
    }

    #[test]
    fn verify_refuses_empty_and_over_long_ids() {
        assert!(!verify(SECRET, "", &sign(SECRET, "")));
        let longest = "x".repeat(MAX_EXTERNAL_ID_LEN);
        assert!(verify(SECRET, &longest, &sign(SECRET, &longest)));
        let too_long = "x".repeat(MAX_EXTERNAL_ID_LEN + 1);
        assert!(!verify(SECRET, &too_long, &sign(SECRET, &too_long)));
    }

    #[test]
    fn the_documented_test_vectors_hold() {
        let doc = include_str!("../../../docs/identity.md");
        let vectors: Vec<Vec<&str>> = doc
            .lines()
            .filter(|line| line.starts_with("| `"))
            .map(|line| {
                line.split('|')
                    .map(|cell| cell.trim().trim_matches('`'))
                    .filter(|cell| !cell.is_empty())
                    .collect()
            })
            .collect();
        assert!(
            vectors.len() >= 3,
            "docs/identity.md lists its test vectors"
        );
        for vector in vectors {
            let [secret, id, hash] = vector[..] else {
                panic!("a vector row has three cells: {vector:?}");
            };
            assert_eq!(sign(secret, id), hash, "{id}");
            assert!(verify(secret, id, hash));
        }
    }

    #[test]
    fn an_empty_secret_verifies_nothing() {
        let signature = sign("", ID);
        assert_eq!(
            signature,
            "b9980f25b9b6a1e2abb7013d0be9ef9775cc0b62665202cc02264e4e171fd03b"
        );
        assert!(!verify("", ID, &signature));
    }
}
