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

/// One pool of a reseller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolView {
    /// `pro` or `ent`.
    pub edition: String,
    pub bought: u32,
    pub used: u32,
    pub left: u32,
    pub active: bool,
}

/// A reseller and its pools (`GET /console/v1/resellers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResellerView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub pools: Vec<PoolView>,
}

impl ResellerView {
    pub fn new(reseller: &crate::domain::reseller::Reseller, pools: &[crate::domain::reseller::Pool]) -> Self {
        Self {
            id: reseller.id.0,
            name: reseller.name.clone(),
            email: reseller.email.clone(),
            pools: pools
                .iter()
                .map(|p| PoolView {
                    edition: p.edition.code().to_owned(),
                    bought: p.contract.terms.quantity,
                    used: p.contract.keys_count,
                    left: p.left(),
                    active: p.contract.terms.active,
                })
                .collect(),
        }
    }
}

/// `POST /console/v1/keys`: keys for a reseller's customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRequest {
    pub reseller: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub quantity: u32,
    /// `pro`, `ent`, or none for the reseller's only edition.
    pub edition: Option<String>,
    #[serde(default)]
    pub test_mode: bool,
}

/// The keys made, the pool's remainder, and where the mail went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedView {
    pub keys: Vec<String>,
    pub edition: String,
    pub left: u32,
    pub mailed_to: String,
}
