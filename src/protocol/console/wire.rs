//! Requests and answers of the console API as JSON.

use serde::{Deserialize, Serialize};

use crate::domain::staff::{Role, Staff};

/// The version of the console API this build speaks; a client refuses another.
pub const API_VERSION: u32 = 2;

/// `GET /console/v1/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub api: u32,
    pub keydesk: String,
}

/// `POST /console/v1/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// By hand: the password never reaches a log or a panic message.
impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login").field("username", &self.username).finish_non_exhaustive()
    }
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
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub expires_in_seconds: i64,
    pub staff: StaffView,
}

/// By hand: the token never reaches a log or a panic message.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("expires_in_seconds", &self.expires_in_seconds)
            .field("staff", &self.staff)
            .finish_non_exhaustive()
    }
}

/// Every refusal: a machine-readable kind and a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// `unauthorized`, `forbidden`, `refused`, `failed`.
    pub error: String,
    pub message: String,
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

/// `GET /console/v1/users`: a window of the users table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersWindow {
    #[serde(default)]
    pub order: crate::store::UserOrder,
    #[serde(default)]
    pub descending: bool,
    #[serde(default)]
    pub offset: u64,
    pub limit: u32,
}

/// `GET /console/v1/users/search`: searchuser's wildcard rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSearch {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub email: String,
    pub limit: u32,
}

/// `POST /console/v1/users`: registers a user with a distributor.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewUser {
    pub distributor: crate::domain::distributor::DistributorId,
    pub registration: crate::service::accounts::Registration,
}

/// `POST /console/v1/users/import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserImport {
    pub distributor: crate::domain::distributor::DistributorId,
    pub records: Vec<crate::service::import::UserRecord>,
}

/// `POST /console/v1/licenses/window`: a window of the licenses matching a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicensesWindow {
    #[serde(default)]
    pub query: crate::store::LicenseQuery,
    #[serde(default)]
    pub offset: u64,
    pub limit: u32,
}

/// `POST /console/v1/products/{id}/keys`: stock keys to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyImport {
    pub keys: Vec<String>,
}

/// The answer to a key import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyImportReport {
    pub created: u32,
    pub duplicates: u32,
}

/// The most stock keys one request makes; a client asks again for more (and shows progress).
pub const STOCK_PER_REQUEST: u64 = 50_000;

/// `POST /console/v1/products/{id}/stock`: how many keys to make in one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub count: u64,
}

/// `PUT /console/v1/settings/smtp-relay`: the relay, or `null` to forget it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpRelay {
    pub url: String,
    pub from: String,
}

/// By hand: the URL (it may hold a password) never reaches a log or a panic message.
impl std::fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpRelay").field("from", &self.from).finish_non_exhaustive()
    }
}

/// `POST /console/v1/licenses/actions`. The number travels in the body, not the path: it is
/// the license key, and request lines end up in proxies' access logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseActionRequest {
    pub number: String,
    pub action: crate::backend::LicenseAction,
}
