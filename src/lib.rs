//! keydesk: registration and licensing backend with a desktop console.
//!
//! The layers follow docs/architecture.md: `domain` (types and rules, no I/O),
//! `store` (SQLite, all SQL), `service` (every rule once, per acting party),
//! `protocol` (one folder per face: `wire` formats and `handle` mappings),
//! `server` (axum router) and `client` (reqwest clients built on the wires).

pub mod backend;
pub mod client;
pub mod console;
pub mod demo;
pub mod domain;
pub mod protocol;
pub mod server;
pub mod service;
pub mod store;
