//! Requests and answers of the console API as JSON.

use serde::{Deserialize, Serialize};

use crate::domain::staff::{Role, Staff};

/// The version of the console API this build speaks; a client refuses another.
pub const API_VERSION: u32 = 1;

/// `GET /console/v1/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub api: u32,
    pub keydesk: String,
}

/// `POST /console/v1/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// A staff member as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub username: String,
    /// `owner`, `distributor` or `reseller`.
    pub role: String,
    /// The distributor's or reseller's id for those roles.
    pub scope: Option<i64>,
}

impl From<&Staff> for StaffView {
    fn from(staff: &Staff) -> Self {
        let scope = match staff.role {
            Role::Owner => None,
            Role::Distributor(d) => Some(d.0),
            Role::Reseller(r) => Some(r.0),
        };
        Self { username: staff.username.clone(), role: staff.role.kind().to_owned(), scope }
    }
}

/// The answer to a login: the session token (shown this once) and who it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_in_seconds: i64,
    pub staff: StaffView,
}

/// Every refusal: a machine-readable kind and a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `unauthorized`, `forbidden`, `refused`, `not-found`, `failed`.
    pub error: String,
    pub message: String,
}
