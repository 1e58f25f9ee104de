//! Staff accounts of a shared `keydesk serve`: who may use the console over the network,
//! and what their role lets them see.

use chrono::{DateTime, Utc};

use super::distributor::DistributorId;
use super::reseller::ResellerId;

/// Database identity of a staff account.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffId(pub i64);

/// What a staff member may do.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Owner,
    /// One distributor's users and licenses.
    Distributor(DistributorId),
    /// One reseller's pools and key generation.
    Reseller(ResellerId),
}

impl Role {
    /// The stored kind: `owner`, `distributor` or `reseller`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Distributor(_) => "distributor",
            Self::Reseller(_) => "reseller",
        }
    }
}

/// A staff account (never its password).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: StaffId,
    pub username: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    /// Switched off: the password logs in no more (`keydesk admin staff disable`).
    pub disabled: bool,
}

/// A staff account to add from the console; keydesk draws its first password.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub username: String,
    pub role: Role,
}

/// What the console can do to a staff account (the owner's staff only).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum StaffAction {
    /// The password logs in no more and the account's sessions end.
    Disable,
    Enable,
    /// A new password drawn by keydesk, shown once; the account's sessions end.
    ResetPassword,
    /// Takes effect on the account's next request: a session reads its role each time.
    SetRole(Role),
    Delete,
}

/// How long a console session lasts without a new login.
pub const SESSION_HOURS: i64 = 12;
