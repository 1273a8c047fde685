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
pub fn verify(secret: &str, external_id: &str, hash: &str) -> bool {
    if external_id.is_empty() || external_id.len() > MAX_EXTERNAL_ID_LEN {
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
