//! Everything a service call can refuse. Each face maps every variant to its own
//! code in one exhaustive `match`, so a new variant does not compile until it has one.

use crate::domain::limits::TooMany;
use crate::domain::validation::FieldErrors;
use crate::store::StoreError;

/// Why a service call did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("user unknown")]
    UserUnknown,
    #[error("wrong password")]
    WrongPassword,
    #[error("account not activated")]
    NotActivated,
    #[error("account is disabled")]
    Disabled,
    #[error("account will be deleted by the user")]
    InDeletion,
    /// The user belongs to another distributor, whose website this is.
    #[error("user belongs to another distributor: {0}")]
    Redirect(String),
    #[error("username already exists")]
    UsernameTaken,
    #[error("e-mail already exists")]
    EmailTaken,
    #[error("temporary password does not match")]
    TempPasswordMismatch,
    #[error("temporary password expired")]
    TempPasswordExpired,
    #[error("wrong activation code")]
    WrongActivationCode,
    #[error("activation code not found")]
    ActivationCodeNotFound,
    #[error("account already activated")]
    AlreadyActivated,
    #[error("username invalid")]
    UsernameInvalid,
    #[error("password invalid (too short)")]
    PasswordInvalid,
    #[error("e-mail invalid")]
    EmailInvalid,
    #[error("invalid language")]
    InvalidLanguage,
    #[error("search string too short")]
    SearchTooShort,
    #[error("invalid distributor")]
    InvalidDistributor,
    #[error("access denied")]
    AccessDenied,
    #[error("device not found")]
    DeviceNotFound,
    #[error("no default depot")]
    NoDefaultDepot,
    #[error("no default depot server")]
    NoDepotHost,
    #[error("depot already exists")]
    DepotExists,
    #[error("depot data missing or invalid")]
    DepotDataInvalid,
    #[error("depot not found")]
    DepotNotFound,
    #[error("invitation type unknown")]
    InvitationTypeUnknown,
    #[error("unknown user: {0}")]
    InvitedUserUnknown(String),
    #[error("set invited user failed")]
    SetInvitedFailed,
    #[error("unknown license")]
    LicenseUnknown,
    #[error("product name unknown")]
    ProductUnknown,
    #[error("license type unknown")]
    TypeUnknown,
    #[error("feature unknown")]
    FeatureUnknown,
    #[error("limit unknown or invalid")]
    LimitInvalid,
    /// Every seat of the license is taken.
    #[error("the license has no free seat")]
    SeatsExhausted,
    #[error("invalid date")]
    InvalidDate,
    #[error("license upgrade failed")]
    UpgradeFailed,
    #[error("license downgrade failed")]
    DowngradeFailed,
    #[error("cancel license failed (still in use)")]
    CancelFailed,
    #[error("license already disabled")]
    LicenseAlreadyDisabled,
    #[error("license not disabled")]
    LicenseNotDisabled,
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// Still used by something that must stay whole; the sentence says what.
    #[error("{0}")]
    InUse(String),
    #[error("invalid API key")]
    ApiKeyInvalid,
    #[error("inactive API key")]
    ApiKeyInactive,
    #[error("the API key lacks the capability for this endpoint")]
    ApiKeyCapability,
    #[error("the API key cannot be used from this address")]
    ApiKeyAddress,
    #[error("access denied by the blocklist")]
    Blocked,
    #[error("product not found")]
    ProductNotFound,
    #[error("generator not found")]
    GeneratorNotFound,
    #[error("the generator's format cannot make that many different keys")]
    KeyspaceTooSmall,
    #[error("invalid license key")]
    KeyUnknown,
    #[error("this license key is not assigned")]
    KeyNotAssigned,
    #[error("the product of this license key is not active or does not exist")]
    KeyProductInactive,
    #[error("license key blocked")]
    KeyBlocked,
    #[error("license key expired")]
    KeyExpired,
    #[error("identifier is required")]
    IdentifierRequired,
    #[error("no activation for this license key and identifier")]
    NoActivation,
    #[error("license key already active")]
    AlreadyActive,
    #[error("license key reached its activation limit")]
    ActivationLimit,
    #[error("license key already inactive")]
    AlreadyInactive,
    #[error("invalid or already assigned license key")]
    AssignFailed,
    #[error("insufficient license keys ({0} available)")]
    InsufficientKeys(u64),
    #[error("no license keys created")]
    NoneCreated,
    #[error("meta key is required")]
    MetaKeyRequired,
    #[error("meta value is required")]
    MetaValueRequired,
    #[error("cancelled; nothing was kept")]
    Cancelled,
    #[error("the requested file does not exist")]
    DownloadMissing,
    #[error("no permission to download")]
    DownloadForbidden,
    #[error("contract not found")]
    ContractNotFound,
    #[error("the contract does not allow this")]
    ContractRightMissing,
    #[error("the contract's license keys limit is reached")]
    ContractLimitReached,
    #[error("the contract cannot generate this quantity")]
    ContractQuantity,
    #[error("license key not found in the contract")]
    ContractKeyNotFound,
    #[error("the contract has no license keys")]
    ContractNoKeys,
    #[error("no reseller with that e-mail")]
    ResellerUnknown,
    #[error("the reseller holds no pool for that edition")]
    ResellerNoPool,
    #[error("the reseller holds several editions; say which")]
    EditionRequired,
    #[error("the pool has {0} license(s) left")]
    PoolTooSmall(u32),
    #[error("the new password is the same as the old one")]
    PasswordSameAsOld,
    #[error("the session is unknown, expired or ended; log in again")]
    SessionInvalid,
    #[error("meta key already exists")]
    MetaExists,
    #[error("meta key does not exist")]
    MetaMissing,
    /// More than one call may ask for (domain::limits); nothing was done.
    #[error("one call may ask for at most {0}")]
    TooMany(u64),
    /// A bulk change refused before anything was written (domain::bulk).
    #[error("{0}")]
    Bulk(#[from] crate::domain::bulk::BulkRefusal),
    #[error("incorrect data: {0:?}")]
    Invalid(FieldErrors),
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
    #[error("password hashing failed")]
    Hashing,
    #[error("a background task failed")]
    TaskFailed,
}

impl ServiceError {
    /// The database takes no writes now (a full or read-only disk): each face answers
    /// "unavailable, try later" instead of an internal failure.
    pub fn is_unwritable(&self) -> bool {
        matches!(self, Self::Store(store) if store.is_unwritable())
    }
}

impl From<TooMany> for ServiceError {
    fn from(error: TooMany) -> Self {
        Self::TooMany(error.most)
    }
}
