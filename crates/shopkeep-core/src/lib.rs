//! Shopkeep's domain: the types every other crate speaks, and the pure rules
//! that decide what may happen to a conversation. No IO, no async runtime.
//!
//! # Layout
//! - [`ids`]: newtype ids so a visitor id is never passed where a conversation id belongs.
//! - [`text`]: parsed, size-limited user input (message text, client message ids, names).
//! - [`event`]: the durable event model; every visible change of a conversation is one.
//! - [`conversation`]: the conversation state machine (who may take, post, close).
//! - [`staff`]: roles and presence of operators, the team list.
//! - [`department`]: departments, their routing strategy and page routing.
//! - [`routing`]: who gets which waiting chat, queue positions and wait estimates.
//! - [`access`]: who may see and do what with a conversation.
//! - [`canned`]: canned answers and their placeholders.
//! - [`internal`]: the staff's internal chat rooms.
//! - [`tracking`]: the live visitor list, visits and pages, the visitor profile.
//! - [`attributes`]: custom attributes a shop sets on a visitor, with their limits.
//! - [`rules`]: invitation rules and their pure evaluation.
//! - [`identity`]: HMAC verification of the shop's customer ids.
//! - [`privacy`]: URL stripping and IP truncation.
//! - [`site`]: site settings (tracking, greetings).
//! - [`email`]: email addresses and header text safe from injection; mail kinds and SMTP settings.
//! - [`hours`]: business hours in the shop's time zone, with holidays.
//! - [`protocol`]: the JSON frames of the visitor and agent WebSockets; the source of
//!   the TypeScript types in `web/protocol`.
#![forbid(unsafe_code)]

pub mod access;
pub mod attributes;
pub mod canned;
pub mod conversation;
pub mod department;
pub mod email;
pub mod event;
pub mod hours;
pub mod identity;
pub mod ids;
pub mod internal;
pub mod privacy;
pub mod protocol;
pub mod routing;
pub mod rules;
pub mod site;
pub mod staff;
pub mod text;
pub mod tracking;

/// Milliseconds since the Unix epoch: the one clock unit on the wire and in the store.
pub type Millis = i64;
