//! The registration and licensing logic. Every rule lives here once; every call
//! takes the acting party and sees only what that party may see.

pub mod accounts;
pub mod apikeys;
pub mod bulk;
pub mod clock;
pub mod console;
pub mod contracts;
pub mod credentials;
pub mod delivery;
pub mod depots;
pub mod distributors;
pub mod error;
pub mod import;
pub mod jobs;
pub mod keys;
pub mod licenses;
pub mod lifecycle;
pub mod mail;
pub mod overview;
pub mod passwords;
pub mod products;
pub mod random;
pub mod resellers;
pub mod retention;
pub mod signing;
pub mod staff;
pub mod staff_scope;
pub mod telemetry;
pub mod throttle;

use std::sync::Arc;

use chrono::{DateTime, Utc};

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ServiceError;

use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::reseller::ResellerId;
use crate::domain::user::{User, UserStatus, fold_key};
use crate::store::{Db, Store};

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A distributor through the Registration Server API: sees only its own users and licenses.
    Distributor(DistributorId),
    /// The operator of the local database or server: sees everything.
    Owner,
    /// A license key API key (its id): the vendor's scripts and shops, limited by the
    /// key's capabilities at the door.
    ApiKey(i64),
}

impl Actor {
    /// The distributor the actor is confined to, if any.
    pub fn distributor(&self) -> Option<DistributorId> {
        match self {
            Self::Distributor(d) => Some(*d),
            Self::Owner | Self::ApiKey(_) => None,
        }
    }

    /// Whether the actor manages products, keys and contracts (the vendor's side).
    pub fn is_vendor(&self) -> bool {
        matches!(self, Self::Owner | Self::ApiKey(_))
    }

    /// How the actor appears in the audit log and on the keys it makes.
    pub(crate) fn label(&self) -> String {
        match self {
            Self::Distributor(d) => format!("distributor:{}", d.0),
            Self::Owner => "owner".into(),
            Self::ApiKey(id) => format!("api-key:{id}"),
        }
    }

    /// Refuses everyone but the owner (operator commands, the console's whole-table views).
    pub fn require_owner(&self) -> Result<(), ServiceError> {
        if *self == Self::Owner { Ok(()) } else { Err(ServiceError::AccessDenied) }
    }

    /// Whether the actor may see and change things of `distributor`.
    pub fn may_act_for(&self, distributor: DistributorId) -> bool {
        self.distributor().is_none_or(|own| own == distributor)
    }
}

/// The service: a store and a clock.
#[derive(Clone)]
pub struct Service {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    keys: Arc<signing::KeyCache>,
    /// Wrong reseller passwords per reseller and address (the keygen URL).
    reseller_logins: Arc<throttle::Throttle<ResellerId>>,
    /// Wrong staff passwords per username (known or not, by a keyed hash) and address.
    staff_logins: Arc<throttle::Throttle<u64>>,
    /// One round of mail delivery at a time in this process: two overlapping rounds would
    /// both read the same queued mails and send them twice.
    delivering: Arc<tokio::sync::Mutex<()>>,
}

/// How much of a user's state a command requires (the seed's per-command error lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requires {
    /// The user exists (-30100 only).
    Exists,
    /// ... and is activated (-30102).
    Activated,
    /// ... and is neither disabled (-30119) nor being deleted (-30120).
    Usable,
}

impl Service {
    pub fn new(store: Arc<Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            keys: Arc::default(),
            reseller_logins: Arc::default(),
            staff_logins: Arc::default(),
            delivering: Arc::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn distributor_in(&self, db: &Db<'_>, id: DistributorId) -> Result<Distributor, ServiceError> {
        db.distributor(id)?.ok_or(ServiceError::InvalidDistributor)
    }
}

/// Finds the user a request names, as the actor may see them: by username, or by e-mail
/// where the distributor uses e-mail as reference (or `by_email` allows it).
pub(crate) fn resolve_user(db: &Db<'_>, actor: &Actor, name: &str, by_email: bool) -> Result<User, ServiceError> {
    let key = fold_key(name);
    if key.is_empty() {
        return Err(ServiceError::UserUnknown);
    }
    if let Some(user) = db.user_by_username(&key)? {
        return if actor.may_act_for(user.distributor) { Ok(user) } else { Err(ServiceError::UserUnknown) };
    }
    let Some(own) = actor.distributor() else {
        return Err(ServiceError::UserUnknown);
    };
    let email_allowed = by_email || db.distributor(own)?.is_some_and(|d| d.settings.email_as_reference);
    if email_allowed {
        let mut matches = db.users_by_email(own, &key)?;
        if matches.len() == 1 {
            return Ok(matches.remove(0));
        }
    }
    Err(ServiceError::UserUnknown)
}

/// Checks the user's status against what the command requires.
pub(crate) fn require(user: &User, level: Requires) -> Result<(), ServiceError> {
    match (user.status, level) {
        (_, Requires::Exists) | (UserStatus::Activated, _) => Ok(()),
        (UserStatus::Inactive, _) => Err(ServiceError::NotActivated),
        (UserStatus::Disabled, Requires::Activated) | (UserStatus::ToDelete, Requires::Activated) => Ok(()),
        (UserStatus::Disabled, Requires::Usable) => Err(ServiceError::Disabled),
        (UserStatus::ToDelete, Requires::Usable) => Err(ServiceError::InDeletion),
    }
}

/// Resolves and checks a user in one step.
pub(crate) fn user_for(db: &Db<'_>, actor: &Actor, name: &str, level: Requires) -> Result<User, ServiceError> {
    let user = resolve_user(db, actor, name, false)?;
    require(&user, level)?;
    Ok(user)
}

/// Records an audit entry inside the caller's transaction.
pub(crate) fn audit(
    db: &Db<'_>,
    at: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    audit_as(db, at, &actor.label(), action, subject, detail)
}

/// Records a change made by a party that is not an [`Actor`] (a reseller through the keygen URL).
pub(crate) fn audit_as(
    db: &Db<'_>,
    at: DateTime<Utc>,
    who: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), ServiceError> {
    db.record_audit(at, who, action, subject, detail)?;
    Ok(())
}
