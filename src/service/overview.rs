//! The Overview: the business at a glance for one acting party, read in one snapshot.

use chrono::Duration;

use super::{Actor, Service, ServiceError};
use crate::domain::overview::{Overview, PoolUse, RecentChange, every_day, window};
use crate::domain::staff::Role;
use crate::store::{AuditQuery, LicenseQuery};

/// How many of the newest changes the overview lists.
pub const RECENT_CHANGES: u32 = 8;

impl Service {
    /// The overview a staff role sees: the owner everything with every pool, a distributor's
    /// staff their own users and licenses, a reseller's staff (who have no actor) their pools.
    pub fn overview_for(&self, role: Role, days: u32) -> Result<Overview, ServiceError> {
        let mut overview = match role {
            Role::Reseller(_) => Overview { days: window(days), ..Overview::default() },
            _ => self.overview(&role.actor()?, days)?,
        };
        if matches!(role, Role::Owner | Role::Reseller(_)) {
            for (reseller, pools) in self.resellers_for(role)? {
                let name = reseller.name;
                overview.pools.extend(pools.into_iter().map(|pool| PoolUse { reseller: name.clone(), pool }));
            }
        }
        Ok(overview)
    }

    /// Counts, the activations per day over the last `days`, and, for the owner, the mail
    /// queue, telemetry red flags and the newest changes. A distributor sees its own users
    /// and licenses only. Pools are added by the caller, which knows the staff role.
    pub fn overview(&self, actor: &Actor, days: u32) -> Result<Overview, ServiceError> {
        let scope = self.console_scope(actor)?;
        let now = self.now();
        let window = window(days);
        let since =
            (now - Duration::days(i64::from(window) - 1)).date_naive().and_hms_opt(0, 0, 0).map(|d| d.and_utc());
        let since = since.unwrap_or(now);
        let owner = scope.is_none();
        self.store.read(|db| {
            let expiring = |days: i64| -> Result<u64, ServiceError> {
                let query = LicenseQuery {
                    expiring_before: Some(now + Duration::days(days)),
                    now: Some(now),
                    distributor: scope,
                    ..LicenseQuery::default()
                };
                Ok(db.licenses_window(&query, 0, 0)?.1)
            };
            let recent = if owner {
                let entries = db.audit_window(&AuditQuery::default(), RECENT_CHANGES)?;
                entries
                    .into_iter()
                    .map(|e| RecentChange { at: e.at, actor: e.actor, action: e.action, subject: e.subject })
                    .collect()
            } else {
                Vec::new()
            };
            Ok(Overview {
                days: window,
                users: Some(db.count_users(scope)?),
                licenses: Some(db.license_counts(scope)?),
                expiring_in_7_days: Some(expiring(7)?),
                expiring_in_30_days: Some(expiring(30)?),
                activations_per_day: every_day(now.date_naive(), window, &db.activations_per_day(scope, since)?),
                pools: Vec::new(),
                mail: if owner { Some(db.mail_counts()?) } else { None },
                red_flags: if owner { Some(db.red_flags_since(since)?) } else { None },
                recent,
            })
        })
    }
}
