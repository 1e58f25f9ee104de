//! Requests and answers of the console API as JSON.

use serde::{Deserialize, Serialize};

use crate::domain::reseller::{Edition, IssuedKeys, KeyOrder, ResellerId};
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

impl StaffView {
    /// The role it names, `None` for one this build does not know.
    pub fn role(&self) -> Option<Role> {
        match (self.role.as_str(), self.scope) {
            ("owner", _) => Some(Role::Owner),
            ("distributor", Some(id)) => Some(Role::Distributor(crate::domain::distributor::DistributorId(id))),
            ("reseller", Some(id)) => Some(Role::Reseller(ResellerId(id))),
            _ => None,
        }
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

impl KeyRequest {
    pub fn new(reseller: ResellerId, order: &KeyOrder) -> Self {
        Self {
            reseller: reseller.0,
            first_name: order.first_name.clone(),
            last_name: order.last_name.clone(),
            email: order.email.clone(),
            quantity: order.quantity,
            edition: order.edition.map(|e| e.code().to_owned()),
            test_mode: order.test_mode,
        }
    }

    /// The reseller and the order; an edition other than `pro` or `ent` is refused.
    pub fn into_order(self) -> Result<(ResellerId, KeyOrder), &'static str> {
        let edition = match self.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => None,
            Some(code) => Some(Edition::from_code(code).ok_or("The edition is pro or ent.")?),
        };
        let order = KeyOrder {
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            quantity: self.quantity,
            edition,
            test_mode: self.test_mode,
        };
        Ok((ResellerId(self.reseller), order))
    }
}

/// The keys made, the pool's remainder, and where the mail went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedView {
    pub keys: Vec<String>,
    pub edition: String,
    pub left: u32,
    pub mailed_to: String,
}

impl From<IssuedKeys> for IssuedView {
    fn from(issued: IssuedKeys) -> Self {
        Self {
            keys: issued.keys,
            edition: issued.edition.code().to_owned(),
            left: issued.left,
            mailed_to: issued.mailed_to,
        }
    }
}

impl IssuedView {
    /// The keys as the console holds them; `None` for an edition this build does not know.
    pub fn into_issued(self) -> Option<IssuedKeys> {
        let edition = Edition::from_code(&self.edition)?;
        Some(IssuedKeys { keys: self.keys, edition, left: self.left, mailed_to: self.mailed_to })
    }
}

/// `GET /console/v1/overview`: the days its per-day series cover (30 unless asked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverviewWindow {
    #[serde(default = "OverviewWindow::default_days")]
    pub days: u32,
}

impl OverviewWindow {
    fn default_days() -> u32 {
        30
    }
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
    pub registration: crate::domain::user::Registration,
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

/// `POST /console/v1/licenses/bulk/preview`: what a change would do to a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkAsk {
    #[serde(default)]
    pub selection: crate::domain::tables::LicenseQuery,
    pub change: crate::domain::bulk::BulkChange,
}

/// `POST /console/v1/licenses/bulk`: start a change previewed over `previewed` licenses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkStart {
    #[serde(default)]
    pub selection: crate::domain::tables::LicenseQuery,
    pub change: crate::domain::bulk::BulkChange,
    pub previewed: u64,
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
pub use crate::domain::limits::MAX_STOCK_PER_REQUEST as STOCK_PER_REQUEST;

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
