//! End-to-end tests of the `shopkeep` binary: real processes on private data
//! directories, spoken to over HTTP and the visitor WebSocket.

mod commands;
mod crash;
mod setup;
mod shutdown;
mod support;
