//! The vocabulary of keydesk and the pure rules on it. No SQL, no HTTP, no UI.

pub mod bulk;
pub mod contract;
pub mod date;
pub mod distributor;
pub mod endpoint;
pub mod generator;
pub mod language;
pub mod license;
pub mod limits;
pub mod mail;
pub mod overview;
pub mod product;
pub mod reseller;
pub mod search;
pub mod secret;
pub mod staff;
pub mod tables;
pub mod telemetry;
pub mod user;
pub mod validation;
pub mod webhook;
pub mod wildcard;
