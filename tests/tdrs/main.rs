//! The Registration Server face over real HTTP: a real SQLite file, the real server on
//! 127.0.0.1, and the real client posting XML with checksums.

mod accounts;
mod credentials;
mod depots;
mod licenses;
mod mail;
#[path = "../support/smtp.rs"]
mod smtp;
mod tenancy;
mod transport;
mod world;
