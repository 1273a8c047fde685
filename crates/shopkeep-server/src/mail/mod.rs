//! Outgoing mail: templates render a mail, the outbox in the store keeps it,
//! the sender delivers it over SMTP with retries.
//!
//! # Layout
//! - [`templates`]: text and HTML parts of every mail, in every language.

pub mod templates;
