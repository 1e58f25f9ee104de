//! The counts behind the Overview: each one query, scoped to a distributor when given.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use super::{Db, StoreError, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::license::{KeyState, LicenseStatus};
use crate::domain::overview::{LicenseCounts, MailCounts};

impl Db<'_> {
    /// Licenses that are not deleted, counted by status and by key state.
    pub fn license_counts(&self, distributor: Option<DistributorId>) -> Result<LicenseCounts, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT status, key_state, COUNT(*) FROM licenses \
             WHERE status != ?1 AND (?2 IS NULL OR distributor_id = ?2) GROUP BY status, key_state",
        )?;
        let rows = statement.query_map(params![LicenseStatus::Deleted.code(), distributor.map(|d| d.0)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut counts = LicenseCounts::default();
        for row in rows {
            let (status, state, count) = row?;
            let count = u64::try_from(count).unwrap_or(0);
            match LicenseStatus::from_code(status) {
                Some(LicenseStatus::Active) => counts.active += count,
                Some(LicenseStatus::Deactivated) => counts.deactivated += count,
                _ => {}
            }
            match KeyState::parse(&state) {
                Some(KeyState::Available) => counts.available += count,
                Some(KeyState::Assigned) => counts.assigned += count,
                Some(KeyState::Reserved) => counts.reserved += count,
                Some(KeyState::Blocked) => counts.blocked += count,
                None => {}
            }
        }
        Ok(counts)
    }

    /// Activations made since `since`, per UTC day.
    pub fn activations_per_day(
        &self,
        distributor: Option<DistributorId>,
        since: DateTime<Utc>,
    ) -> Result<Vec<(NaiveDate, u64)>, StoreError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT a.created_at / 86400000, COUNT(*) FROM activations a JOIN licenses l ON l.id = a.license_id \
             WHERE a.created_at >= ?1 AND (?2 IS NULL OR l.distributor_id = ?2) GROUP BY 1",
        )?;
        let rows = statement.query_map(params![to_millis(since), distributor.map(|d| d.0)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut days = Vec::new();
        for row in rows {
            let (day, count) = row?;
            if let Some(date) = DateTime::<Utc>::from_timestamp(day.saturating_mul(86_400), 0) {
                days.push((date.date_naive(), u64::try_from(count).unwrap_or(0)));
            }
        }
        Ok(days)
    }

    /// Mails waiting to be sent, and mails given up on.
    pub fn mail_counts(&self) -> Result<MailCounts, StoreError> {
        let count = |state: &str| -> Result<u64, StoreError> {
            let n: i64 = self
                .conn
                .prepare_cached("SELECT COUNT(*) FROM outbox WHERE state = ?1")?
                .query_row(params![state], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(MailCounts { queued: count("queued")?, failed: count("failed")? })
    }

    /// Telemetry records with red flags since `since`.
    pub fn red_flags_since(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM telemetry WHERE has_red_flags = 1 AND created_at >= ?1")?
            .query_row(params![to_millis(since)], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
