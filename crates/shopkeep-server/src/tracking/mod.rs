//! Visitor tracking: who is on the site now (in memory), their visits and pages
//! (batched to the store), and the invitations rules and operators send them.

pub mod client_ip;
pub mod geo;
pub mod input;
pub mod invitations;
pub mod live;
pub mod useragent;
