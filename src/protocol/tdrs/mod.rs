//! The Registration Server XML API 1.0.005 (TeamDrive's TDRS), served at
//! `/pbas/td2api/api/api.htm` and `/pbas/td2as/api/api.htm`.

pub mod checksum;
pub mod codes;
pub mod handle;
pub mod reply;
pub mod request;
