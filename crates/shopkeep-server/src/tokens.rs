//! Random secrets and their stored form. Tokens are 256 random bits from the
//! thread-local CSPRNG (ChaCha, seeded and reseeded from the OS); only their SHA-256 is stored, so a database leak yields no
//! usable token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new URL-safe token of 256 random bits.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The form a token is stored and looked up in.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// `len` characters of `[A-Za-z0-9]` for human-visible keys (site public keys).
pub fn alphanumeric(len: usize) -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
