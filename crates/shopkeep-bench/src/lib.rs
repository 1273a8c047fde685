//! `shopkeep-bench`: a load generator for Shopkeep and, for the same idle and
//! chat scenarios, its XMPP peers (Prosody, ejabberd) over WebSocket.
//!
//! # Layout
//! - `net`: loopback sockets from spread source addresses, the clock,
//!   open-loop schedules, latency histograms.
//! - `proc`: CPU seconds and memory of a server's process tree from `/proc`.
//! - `shopkeep`: the visitor and console side of Shopkeep's protocol.
//! - `chat`, `idle`, `pageviews`, `presence`: the Shopkeep scenarios.
//! - `xmpp`: the XMPP-over-WebSocket client and its idle and chat scenarios.
//! - `servers`: starting and stopping each system as a child process.
//! - `report`: medians, ratios and the chart in `docs/benchmarks.md`.
//! - `outcome`: one result line per run.
//!
//! Every loop is bounded by a count and a deadline; the generator connects
//! only to loopback addresses.
#![forbid(unsafe_code)]

pub mod chat;
pub mod idle;
pub mod net;
pub mod outcome;
pub mod pageviews;
pub mod presence;
pub mod proc;
pub mod report;
pub mod servers;
pub mod shopkeep;
pub mod xmpp;
