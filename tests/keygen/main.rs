//! The reseller keygen URL over real HTTP: GET queries and POST forms as resellers' scripts
//! send them, every documented token, the pool under concurrent calls, test mode, and the
//! customer mail delivered through a real SMTP relay.

mod generation;
mod passwords;
mod races;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/smtp.rs"]
mod smtp;
mod tokens;
mod world;
