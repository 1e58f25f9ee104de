//! Whole-table reads for the console: every user, every license, the audit log, a user's
//! whole picture. The owner sees all of them; a distributor (its staff on a shared server)
//! sees its own users and licenses and nothing else: the audit log and releases stay the owner's.

use super::{Actor, Service, ServiceError, resolve_user};
use crate::domain::distributor::DistributorId;
use crate::domain::license::{License, LicenseId, LicenseStatus};
use crate::domain::limits::MAX_WINDOW;
use crate::domain::user::{Depot, Device, User, UserId};
use crate::domain::wildcard::SearchPattern;
use crate::store::{ActivationRow, AuditEntry, AuditQuery, LicenseQuery, SearchQuery, UserOrder};

/// A window of a sorted table and the number of rows in all.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Window<T> {
    pub offset: u64,
    pub rows: Vec<T>,
    pub total: u64,
}

/// A user with everything the detail pane shows, whatever the user's status.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct UserOverview {
    pub user: User,
    pub licenses: Vec<License>,
    pub devices: Vec<Device>,
    pub depots: Vec<Depot>,
}

impl Service {
    /// The distributor whose rows `actor` is confined to in the console (`None`: all rows),
    /// or a refusal for an actor that has no console views of users and licenses.
    pub(super) fn console_scope(&self, actor: &Actor) -> Result<Option<DistributorId>, ServiceError> {
        match actor {
            Actor::Owner => Ok(None),
            Actor::Distributor(d) => Ok(Some(*d)),
            Actor::ApiKey(_) => Err(ServiceError::AccessDenied),
        }
    }

    /// All users, sorted by an indexed column, a window at a time.
    pub fn users_window(
        &self,
        actor: &Actor,
        order: UserOrder,
        descending: bool,
        offset: u64,
        limit: u32,
    ) -> Result<Window<User>, ServiceError> {
        let only = self.console_scope(actor)?;
        self.store.read(|db| {
            let total = db.count_users(only)?;
            let limit = limit.min(MAX_WINDOW);
            Ok(Window { offset, rows: db.users_window(only, order, descending, offset, limit)?, total })
        })
    }

    /// A user (by id or name) with licenses, devices and depots.
    pub fn user_overview(&self, actor: &Actor, id: UserId) -> Result<UserOverview, ServiceError> {
        self.console_scope(actor)?;
        self.store.read(|db| {
            // Another distributor's user is as unknown as a missing one.
            let user = db.user(id)?.filter(|u| actor.may_act_for(u.distributor)).ok_or(ServiceError::UserUnknown)?;
            Ok(UserOverview {
                licenses: db.licenses_of_user(user.id)?,
                devices: db.devices_of_user(user.id)?,
                depots: db.depots_of_user(user.id)?,
                user,
            })
        })
    }

    /// The user with this name, as `actor` may see it.
    pub fn user_named(&self, actor: &Actor, name: &str) -> Result<User, ServiceError> {
        self.console_scope(actor)?;
        self.store.read(|db| resolve_user(db, actor, name, false))
    }

    /// Licenses matching a query, newest first, a window at a time.
    pub fn licenses_window(
        &self,
        actor: &Actor,
        query: &LicenseQuery,
        offset: u64,
        limit: u32,
    ) -> Result<Window<License>, ServiceError> {
        let mut query = query.clone();
        query.distributor = self.console_scope(actor)?;
        query.now = Some(self.now());
        self.store.read(|db| {
            let (rows, total) = db.licenses_window(&query, offset, limit.min(MAX_WINDOW))?;
            Ok(Window { offset, rows, total })
        })
    }

    /// Who holds seats of a license.
    pub fn license_activations(&self, actor: &Actor, license: LicenseId) -> Result<Vec<ActivationRow>, ServiceError> {
        self.console_scope(actor)?;
        self.store.read(|db| {
            // As everywhere: a distributor sees its own licenses only; a key of no distributor
            // is the owner's alone.
            let visible = db.license(license)?.is_some_and(|l| {
                l.status != LicenseStatus::Deleted && actor.distributor().is_none_or(|own| l.distributor == Some(own))
            });
            if !visible {
                return Err(ServiceError::LicenseUnknown);
            }
            Ok(db.activations_of(license)?)
        })
    }

    /// The audit log, newest first.
    pub fn activity(&self, actor: &Actor, query: &AuditQuery, limit: u32) -> Result<Vec<AuditEntry>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| Ok(db.audit_window(query, limit)?))
    }
}

impl Service {
    /// searchuser's wildcard rules on username and e-mail (AND) over every user, the first
    /// `limit` matches by id and the number of all matches.
    pub fn search_users_window(
        &self,
        actor: &Actor,
        username: &str,
        email: &str,
        limit: u32,
    ) -> Result<Window<User>, ServiceError> {
        let only_distributor = self.console_scope(actor)?;
        let pattern = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| SearchPattern::parse(text).map_err(|_| ServiceError::SearchTooShort)).transpose()
        };
        let limit = limit.min(MAX_WINDOW);
        let query =
            SearchQuery { username: pattern(username)?, email: pattern(email)?, only_distributor, after: 0, limit };
        if query.username.is_none() && query.email.is_none() {
            return Err(ServiceError::SearchTooShort);
        }
        self.store.read(|db| {
            let page = db.search_users(&query)?;
            Ok(Window { offset: 0, rows: page.users, total: page.total })
        })
    }
}

impl Service {
    /// A product's published releases (the Products view).
    pub fn product_releases(
        &self,
        actor: &Actor,
        product: crate::domain::product::ProductId,
    ) -> Result<Vec<crate::store::Downloadable>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| Ok(db.published_downloadables(product)?))
    }
}

/// The console's views of things the protocols reach without an actor (the vendor's
/// catalogue, the outbox, telemetry, the relay): the owner's alone.
impl Service {
    pub fn products_for(&self, actor: &Actor) -> Result<Vec<crate::domain::product::Product>, ServiceError> {
        actor.require_owner()?;
        self.products()
    }

    pub fn generators_for(&self, actor: &Actor) -> Result<Vec<crate::domain::generator::Generator>, ServiceError> {
        actor.require_owner()?;
        self.generators()
    }

    pub fn outbox_for(&self, actor: &Actor, limit: u32) -> Result<Vec<crate::store::OutboxEntry>, ServiceError> {
        actor.require_owner()?;
        self.outbox(None, limit)
    }

    /// Queues a sent or failed mail again.
    pub fn requeue_mail(&self, actor: &Actor, id: i64) -> Result<(), ServiceError> {
        actor.require_owner()?;
        self.mark_mail(id, crate::store::OutboxState::Queued, None)
    }

    /// The saved relay, for the owner to send through or to see its sender.
    pub fn smtp_relay_for(&self, actor: &Actor) -> Result<Option<(super::delivery::Relay, String)>, ServiceError> {
        actor.require_owner()?;
        self.smtp_relay()
    }

    pub fn telemetry_for(
        &self,
        actor: &Actor,
        filter: &crate::store::TelemetryFilter,
    ) -> Result<Vec<crate::domain::telemetry::TelemetryRecord>, ServiceError> {
        actor.require_owner()?;
        let filter = crate::store::TelemetryFilter { limit: filter.limit.min(MAX_WINDOW), ..filter.clone() };
        self.telemetry(&filter)
    }
}
