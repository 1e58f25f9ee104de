//! The one interface the console drives. `LocalBackend` runs the service on a SQLite file
//! in this process; `client::remote::RemoteBackend` speaks to a `keydesk serve` over its
//! console API, and `client::peers` to real peers over their own protocols. Calls block:
//! the console runs them off its UI thread, on threads that run no async tasks.

mod local;

pub use local::LocalBackend;

use crate::domain::bulk::{BatchId, BulkBatch, BulkChange, BulkPreview, UndoReport};
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::generator::Generator;
use crate::domain::license::{License, LicenseId, LicenseType, ProductKind};
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{
    IssuedKeys, KeyOrder, NewResellerAccount, Pool, PoolAction, PoolOrder, Reseller, ResellerAction, ResellerId,
};
use crate::domain::secret::{CreatedAccount, FreshPassword};
use crate::domain::staff::{NewStaff, Role, Staff, StaffAction};
use crate::domain::telemetry::TelemetryRecord;
use crate::domain::user::Registration;
use crate::domain::user::{User, UserId};
use crate::service::ServiceError;
use crate::service::console::{UserOverview, Window};
use crate::service::import::{ImportReport, UserRecord};
use crate::store::{
    ActivationRow, AuditEntry, AuditQuery, Downloadable, GeneratorFields, LicenseQuery, OutboxEntry, ProductFields,
    TelemetryFilter, UserOrder,
};

/// Why a backend call did not happen, in words for the person at the console.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The backend refused: bad input or a rule (shown as is).
    #[error("{0}")]
    Refused(String),
    /// The profile's role does not allow this (a distributor's staff opening Products).
    #[error("{0}")]
    Forbidden(String),
    /// The server does not know the session (expired, ended, or never logged in): log in again.
    #[error("{0}")]
    Unauthorized(String),
    /// The backend failed (the database, a lost connection).
    #[error("keydesk could not complete this: {0}")]
    Failed(String),
}

impl From<ServiceError> for BackendError {
    fn from(error: ServiceError) -> Self {
        match error {
            // The operator can act on these: say what happened instead of "could not complete".
            ref unwritable if unwritable.is_unwritable() => Self::Refused(sentence(&unwritable.to_string())),
            ServiceError::Store(_) | ServiceError::Hashing | ServiceError::TaskFailed => {
                Self::Failed(error.to_string())
            }
            ServiceError::AccessDenied => Self::Forbidden("Your role does not allow this.".into()),
            ServiceError::SessionInvalid => {
                Self::Unauthorized("Log in again: the session is unknown, expired or ended.".into())
            }
            // Each field's own sentence ("The name field is required."), not the error's debug form.
            ServiceError::Invalid(errors) => {
                Self::Refused(errors.0.iter().map(|e| e.message()).collect::<Vec<_>>().join(" "))
            }
            refused => Self::Refused(sentence(&refused.to_string())),
        }
    }
}

/// "username already exists" becomes "Username already exists."
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

pub type BackendResult<T> = Result<T, BackendError>;

/// A peer's own protocol has no bulk changes.
fn no_bulk() -> BackendError {
    BackendError::Refused("This backend makes no bulk changes.".into())
}

/// What can be done to a user from the Users view.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    ResendActivation,
    Activate,
    ResetPassword,
    SetEmail(String),
    SetReference(String),
    ChangeLanguage(String),
    RemoveDevice(String),
    Remove { with_licenses: bool },
    MoveTo(String),
}

/// What can be done to a license from the Licenses view.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum LicenseAction {
    Activate,
    Deactivate,
    SetReference(String),
    AssignUser(String),
    /// The user's devices that hold the license (all of the user's when none are named).
    AssignDevices {
        user: String,
        devices: Vec<String>,
    },
    /// More features (names or bits, e.g. "professional, banner") and/or seats.
    Upgrade {
        user: String,
        features: String,
        seats: Option<u32>,
    },
    /// Fewer features and/or seats (never below those in use).
    Downgrade {
        user: String,
        features: String,
        seats: Option<u32>,
    },
    /// Keep this many seats; 0 cancels the license.
    Cancel {
        user: Option<String>,
        keep: u32,
    },
}

/// A license made in the console (createlicense's terms).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NewLicenseOrder {
    pub distributor: DistributorId,
    /// The owner's username; `None`: a license without a user.
    pub owner: Option<String>,
    pub product: ProductKind,
    pub license_type: LicenseType,
    pub features: String,
    pub seats: u32,
    pub reference: String,
}

/// A reseller and its pools.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ResellerPools {
    pub reseller: Reseller,
    pub pools: Vec<Pool>,
}

/// The parts of the console a backend may not serve (a peer that lacks them, a role
/// that may not use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    /// The business at a glance (every role, each its own scope).
    Overview,
    Users,
    Licenses,
    Products,
    Contracts,
    KeyGeneration,
    Outbox,
    Activity,
    Telemetry,
    /// The SMTP relay in Settings.
    Mail,
    /// Adding, switching off and removing resellers and their pools (in Contracts).
    Resellers,
    /// The staff accounts of a shared server.
    Staff,
}

impl Area {
    /// Why a staff role has no use for this area, or `None` when it has. The service refuses
    /// the role's calls there anyway (403); this only spares the person a view that can show
    /// nothing.
    pub fn closed_to(self, role: Role) -> Option<String> {
        let open = match role {
            Role::Owner => true,
            Role::Distributor(_) => matches!(self, Self::Overview | Self::Users | Self::Licenses),
            Role::Reseller(_) => matches!(self, Self::Overview | Self::KeyGeneration),
        };
        (!open).then(|| format!("Your role ({} staff) does not include {}.", role.kind(), self.name()))
    }

    /// How the console names the area in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            Self::Overview => "the overview",
            Self::Users => "users",
            Self::Licenses => "licenses",
            Self::Products => "products",
            Self::Contracts => "contracts",
            Self::KeyGeneration => "key generation",
            Self::Outbox => "the outbox",
            Self::Activity => "the activity log",
            Self::Telemetry => "telemetry",
            Self::Mail => "the mail relay",
            Self::Resellers => "managing resellers",
            Self::Staff => "staff accounts",
        }
    }
}

/// The console's view of a backend.
pub trait Backend: Send + Sync {
    /// What the top bar shows: "Local: /path/keydesk.sqlite".
    fn label(&self) -> String;

    /// Whether the console itself sends this backend's queued mail (every 30 s). Only a local
    /// file needs it: a server sends its own, and a peer has no outbox.
    fn console_delivers_mail(&self) -> bool {
        false
    }

    /// Why this backend cannot serve `area`, in a sentence; `None` when it can.
    fn unavailable(&self, area: Area) -> Option<String> {
        let _ = area;
        None
    }

    /// The change feed: a mark that moves whenever anything of the backend's data changed,
    /// so the console re-reads its views only when there is something new (changes made by
    /// other people on a shared server included). `None`: no feed (a peer); the console then
    /// refreshes after its own changes and on request.
    fn change_mark(&self) -> BackendResult<Option<u64>> {
        Ok(None)
    }

    /// The business at a glance over the last `days`, in the role's scope.
    fn overview(&self, days: u32) -> BackendResult<crate::domain::overview::Overview> {
        let _ = days;
        Err(BackendError::Refused(self.unavailable(Area::Overview).unwrap_or_else(|| "No overview here.".into())))
    }

    fn distributors(&self) -> BackendResult<Vec<Distributor>>;
    fn users(&self, order: UserOrder, descending: bool, offset: u64, limit: u32) -> BackendResult<Window<User>>;
    /// searchuser's wildcard rules on username and e-mail; the first `limit` matches.
    fn search_users(&self, username: &str, email: &str, limit: u32) -> BackendResult<Window<User>>;
    fn user(&self, id: UserId) -> BackendResult<UserOverview>;
    fn register_user(&self, distributor: DistributorId, registration: &Registration) -> BackendResult<User>;
    fn user_action(&self, username: &str, action: &UserAction) -> BackendResult<()>;
    fn import_users(&self, distributor: DistributorId, records: &[UserRecord]) -> BackendResult<ImportReport>;
    fn export_users(&self) -> BackendResult<Vec<UserRecord>>;

    fn licenses(&self, query: &LicenseQuery, offset: u64, limit: u32) -> BackendResult<Window<License>>;
    fn license_activations(&self, license: LicenseId) -> BackendResult<Vec<ActivationRow>>;
    fn create_license(&self, order: &NewLicenseOrder) -> BackendResult<License>;
    fn license_action(&self, number: &str, action: &LicenseAction) -> BackendResult<()>;
    /// Every license matching `query` (for a CSV export).
    fn export_licenses(&self, query: &LicenseQuery) -> BackendResult<Vec<License>>;
    /// What `change` would do to the licenses `selection` matches; nothing is written.
    fn bulk_preview(&self, selection: &LicenseQuery, change: BulkChange) -> BackendResult<BulkPreview> {
        let _ = (selection, change);
        Err(no_bulk())
    }
    /// Starts a bulk change over `selection`, refused when it no longer holds the `previewed`
    /// number of licenses; [`Backend::bulk_step`] applies it.
    fn bulk_start(&self, selection: &LicenseQuery, change: BulkChange, previewed: u64) -> BackendResult<BulkBatch> {
        let _ = (selection, change, previewed);
        Err(no_bulk())
    }
    /// Changes the batch's next licenses (one transaction); the batch as it stands after.
    fn bulk_step(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        let _ = batch;
        Err(no_bulk())
    }
    /// Ends a batch early; what it changed stays and can be undone.
    fn bulk_stop(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        let _ = batch;
        Err(no_bulk())
    }
    /// The newest bulk change of this profile's account (the one Undo reverses).
    fn bulk_last(&self) -> BackendResult<Option<BulkBatch>> {
        Ok(None)
    }
    /// Puts back what the last bulk change altered, where nobody has changed it since.
    fn bulk_undo(&self, batch: BatchId) -> BackendResult<UndoReport> {
        let _ = batch;
        Err(no_bulk())
    }
    /// A bulk change from start to finish, step by step; `progress` sees the batch after each
    /// step and returns false to stop (what was changed stays, and can be undone).
    fn bulk_apply(
        &self,
        selection: &LicenseQuery,
        change: BulkChange,
        previewed: u64,
        progress: &mut dyn FnMut(&BulkBatch) -> bool,
    ) -> BackendResult<BulkBatch> {
        let mut batch = self.bulk_start(selection, change, previewed)?;
        while !batch.finished {
            batch = self.bulk_step(batch.id)?;
            if !batch.finished && !progress(&batch) {
                return self.bulk_stop(batch.id);
            }
        }
        progress(&batch);
        Ok(batch)
    }
    /// Stores keys of a product as available stock; returns (created, duplicates).
    fn import_keys(&self, product: ProductId, keys: &[String]) -> BackendResult<(u32, u32)>;

    fn products(&self) -> BackendResult<Vec<Product>>;
    fn generators(&self) -> BackendResult<Vec<Generator>>;
    fn create_product(&self, fields: &ProductFields) -> BackendResult<Product>;
    fn create_generator(&self, fields: &GeneratorFields) -> BackendResult<Generator>;
    fn releases(&self, product: ProductId) -> BackendResult<Vec<Downloadable>>;
    /// Gives a product its own RSA-2048 signing key; returns the public key (PEM).
    fn create_signing_key(&self, product: ProductId) -> BackendResult<String>;
    /// Turns a pool's (contract's) Contracts API rights on or off.
    fn set_contract_rights(&self, contract: ContractId, rights: ContractRights) -> BackendResult<()>;
    /// Makes `count` available keys of a product; `progress` gets the number stored so far
    /// and returns false to cancel. A local job then keeps nothing; a server keeps the
    /// batches it already stored, and the refusal says how many.
    fn generate_stock(
        &self,
        product: ProductId,
        count: u64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> BackendResult<u64>;

    fn resellers(&self) -> BackendResult<Vec<ResellerPools>>;
    fn issue_keys(&self, reseller: ResellerId, order: &KeyOrder) -> BackendResult<IssuedKeys>;
    /// Adds a reseller with a password keydesk draws, returned this once.
    fn add_reseller(&self, new: &NewResellerAccount) -> BackendResult<CreatedAccount<Reseller>>;
    /// Switches a reseller off or on, resets its password (the new one, returned this once)
    /// or removes it.
    fn reseller_action(&self, reseller: ResellerId, action: ResellerAction) -> BackendResult<Option<FreshPassword>>;
    fn add_pool(&self, order: &PoolOrder) -> BackendResult<Pool>;
    /// Tops a pool (a contract of a reseller) up, closes or reopens it.
    fn pool_action(&self, contract: ContractId, action: PoolAction) -> BackendResult<Pool>;

    /// The staff accounts that log in to a shared server's console API.
    fn staff(&self) -> BackendResult<Vec<Staff>>;
    /// Adds a staff account with a password keydesk draws, returned this once.
    fn add_staff(&self, new: &NewStaff) -> BackendResult<CreatedAccount<Staff>>;
    /// Disables, enables, resets (the new password, returned this once), changes the role
    /// of, or removes a staff account.
    fn staff_action(&self, username: &str, action: &StaffAction) -> BackendResult<Option<FreshPassword>>;

    fn outbox(&self) -> BackendResult<Vec<OutboxEntry>>;
    /// The saved SMTP relay's sender address (never the URL, which may hold a password).
    fn smtp_sender(&self) -> BackendResult<Option<String>>;
    /// Saves the relay queued mail goes out through; `None` forgets it.
    fn set_smtp_relay(&self, relay: Option<(&str, &str)>) -> BackendResult<()>;
    /// Sends what is queued through the saved relay; the number sent (0 without a relay).
    fn deliver_mail(&self) -> BackendResult<usize>;
    fn resend_mail(&self, id: i64) -> BackendResult<()>;
    fn activity(&self, query: &AuditQuery) -> BackendResult<Vec<AuditEntry>>;
    fn telemetry(&self, filter: &TelemetryFilter) -> BackendResult<Vec<TelemetryRecord>>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::validation::{FieldErrors, Problem};

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(
            BackendError::from(ServiceError::UsernameTaken),
            BackendError::Refused("Username already exists.".into())
        );
        let mut errors = FieldErrors::one("name", Problem::Required);
        errors.add("smtp_url", Problem::Url);
        assert_eq!(
            BackendError::from(ServiceError::Invalid(errors)),
            BackendError::Refused("The name field is required. The smtp url field must be a valid URL.".into())
        );
    }
}
