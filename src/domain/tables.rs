//! The console's tables, on both sides of the wire: which rows are asked for and in which
//! order, and the rows that have no type of their own (an activation, an audit entry). The
//! store turns the queries into SQL (store/listing.rs); the console builds them from its
//! filters; the console API carries them as JSON.

use chrono::{DateTime, Utc};

use super::contract::ContractId;
use super::distributor::DistributorId;
use super::license::{KeyState, LicenseId, LicenseStatus, LicenseType};
use super::product::ProductId;

/// The column the users table is sorted by; each is backed by an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum UserOrder {
    #[default]
    Username,
    Email,
    Created,
}

/// The column the licenses table is sorted by. Made (the id) is the index's order; the others
/// sort the matching rows, newest first among equals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum LicenseOrder {
    #[default]
    Made,
    Product,
    Owner,
    Status,
    State,
}

/// Which licenses a window shows. Empty fields do not filter.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(default)]
pub struct LicenseQuery {
    /// Only this distributor's licenses. Set by the service from the actor, never taken from a
    /// client (so not on the wire).
    #[serde(skip)]
    pub distributor: Option<DistributorId>,
    pub product: Option<ProductId>,
    /// Only the keys drawn from this contract (a reseller's pool: its ledger).
    pub contract: Option<ContractId>,
    pub license_type: Option<LicenseType>,
    pub status: Option<LicenseStatus>,
    pub key_state: Option<KeyState>,
    /// Only these licenses (a selection picked row by row); empty: no such filter.
    pub picked: Vec<LicenseId>,
    /// A substring of the owner's name, e-mail or username.
    pub owner: String,
    /// The owner's e-mail, `*` standing for any characters; without a `*`, the whole
    /// address (case-blind).
    pub email: String,
    /// One whole license number or key. Keys are sealed at rest, so it is matched by its
    /// lookup hash: no part of a key can be searched.
    pub number: String,
    /// A substring of who made the license (`reseller:2`, `owner`, …).
    pub made_by: String,
    /// Only licenses that stop working between now and this instant.
    pub expiring_before: Option<DateTime<Utc>>,
    pub now: Option<DateTime<Utc>>,
    /// The sort column, and whether it runs from the end (newest, Z, …) first. The default,
    /// Made descending, is newest first.
    pub order: LicenseOrder,
    pub ascending: bool,
}

/// Which audit entries a window shows.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
#[serde(default)]
pub struct AuditQuery {
    pub who: String,
    pub what: String,
    pub since: Option<DateTime<Utc>>,
}

/// One activation of a license: the identifier (or device) holding a seat, and since when.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ActivationRow {
    pub identifier: String,
    pub device: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One recorded change.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}
