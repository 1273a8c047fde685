//! Staff authentication: password hashing, sessions, CSRF, and the REST routes
//! that log in, out, and create the first admin.

pub mod csrf;
pub mod password;
pub mod routes;
pub mod session;
