//! The license key REST API v1 (`/api/v1/…`, numeric codes, signed JSON envelope).

pub mod codes;
pub mod envelope;
pub mod handle;
pub mod wire;
