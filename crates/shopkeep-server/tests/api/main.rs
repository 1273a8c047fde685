//! The server's integration tests: real sockets on loopback, a fresh SQLite
//! database per test.

mod attributes;
mod auth;
mod chat;
mod delivery;
mod demo;
mod helpers;
mod identity;
mod invitations;
mod mail;
mod missed;
mod offline;
mod photos;
mod privacy;
mod rules;
mod smtp;
mod team_live;
mod team_rest;
mod tracking;
mod transcripts;
mod visitor_input;
