//! The license key API v1 over real HTTP: form bodies and query strings as its clients
//! send them, every code checked with its message, HTTP status and signed envelope.

mod abuse;
mod access;
mod contracts;
mod downloads;
mod envato;
mod faces;
mod keys;
mod products;
mod queued;
mod telemetry;
mod world;
