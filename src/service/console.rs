//! Whole-table reads for the console: every user, every license, the audit log, a user's
//! whole picture. The owner's alone: a distributor has the Registration Server face.

use super::{Actor, Service, ServiceError, resolve_user};
use crate::domain::license::{License, LicenseId};
use crate::domain::user::{Depot, Device, User, UserId};
use crate::domain::wildcard::SearchPattern;
use crate::store::{ActivationRow, AuditEntry, AuditQuery, LicenseQuery, SearchQuery, UserOrder};

/// A window of a sorted table and the number of rows in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window<T> {
    pub offset: u64,
    pub rows: Vec<T>,
    pub total: u64,
}

/// A user with everything the detail pane shows, whatever the user's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserOverview {
    pub user: User,
    pub licenses: Vec<License>,
    pub devices: Vec<Device>,
    pub depots: Vec<Depot>,
}

impl Service {
    /// All users, sorted by an indexed column, a window at a time.
    pub fn users_window(
        &self,
        actor: &Actor,
        order: UserOrder,
        descending: bool,
        offset: u64,
        limit: u32,
    ) -> Result<Window<User>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| {
            let total = db.count_users(None)?;
            Ok(Window { offset, rows: db.users_window(order, descending, offset, limit)?, total })
        })
    }

    /// A user (by id or name) with licenses, devices and depots.
    pub fn user_overview(&self, actor: &Actor, id: UserId) -> Result<UserOverview, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| {
            let user = db.user(id)?.ok_or(ServiceError::UserUnknown)?;
            Ok(UserOverview {
                licenses: db.licenses_of_user(user.id)?,
                devices: db.devices_of_user(user.id)?,
                depots: db.depots_of_user(user.id)?,
                user,
            })
        })
    }

    /// The user with this name, as the owner sees it.
    pub fn user_named(&self, actor: &Actor, name: &str) -> Result<User, ServiceError> {
        actor.require_owner()?;
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
        actor.require_owner()?;
        let mut query = query.clone();
        query.now = Some(self.now());
        self.store.read(|db| {
            let (rows, total) = db.licenses_window(&query, offset, limit)?;
            Ok(Window { offset, rows, total })
        })
    }

    /// Who holds seats of a license.
    pub fn license_activations(&self, actor: &Actor, license: LicenseId) -> Result<Vec<ActivationRow>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| Ok(db.activations_of(license)?))
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
        actor.require_owner()?;
        let pattern = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| SearchPattern::parse(text).map_err(|_| ServiceError::SearchTooShort)).transpose()
        };
        let query = SearchQuery {
            username: pattern(username)?,
            email: pattern(email)?,
            only_distributor: None,
            after: 0,
            limit,
        };
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
