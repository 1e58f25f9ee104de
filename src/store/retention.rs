//! Deleting what has served its time, in batches: each batch is its own short transaction,
//! so a purge of millions of rows never holds the writer for long.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Db, StoreError, to_millis};

/// Rows one purge transaction deletes at most.
pub const PURGE_BATCH: u32 = 5_000;

/// What can be purged, and the rule for each: finished work and records older than a cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purgeable {
    /// Mails sent or failed for good (their bodies carry codes and keys).
    Mail,
    /// Queued jobs done or failed for good (their results carry keys).
    Jobs,
    /// Console sessions that expired or were revoked.
    Sessions,
    /// Telemetry records.
    Telemetry,
    /// Audit entries.
    Audit,
}

impl Purgeable {
    pub const ALL: [Self; 5] = [Self::Mail, Self::Jobs, Self::Sessions, Self::Telemetry, Self::Audit];

    /// Rows older than the cut-off that may go (`?1`: the cut-off in ms).
    fn victims(self) -> &'static str {
        match self {
            Self::Mail => "SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND created_at < ?1 LIMIT ?2",
            Self::Jobs => "SELECT id FROM jobs WHERE state IN ('done', 'failed') AND created_at < ?1 LIMIT ?2",
            Self::Sessions => {
                "SELECT id FROM sessions WHERE (expires_at < ?1 OR revoked = 1) AND created_at < ?1 LIMIT ?2"
            }
            Self::Telemetry => "SELECT id FROM telemetry WHERE created_at < ?1 LIMIT ?2",
            Self::Audit => "SELECT id FROM audit WHERE at < ?1 LIMIT ?2",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Mail => "outbox",
            Self::Jobs => "jobs",
            Self::Sessions => "sessions",
            Self::Telemetry => "telemetry",
            Self::Audit => "audit",
        }
    }
}

impl Db<'_> {
    /// Deletes up to [`PURGE_BATCH`] rows of `what` older than `before`; how many went.
    pub fn purge_batch(&self, what: Purgeable, before: DateTime<Utc>) -> Result<usize, StoreError> {
        let sql = format!("DELETE FROM {} WHERE id IN ({})", what.table(), what.victims());
        Ok(self.conn.prepare_cached(&sql)?.execute(params![to_millis(before), PURGE_BATCH])?)
    }

    /// Deletes up to [`PURGE_BATCH`] of the oldest telemetry records beyond the newest `keep`.
    pub fn trim_telemetry(&self, keep: u64) -> Result<usize, StoreError> {
        let keep = i64::try_from(keep).unwrap_or(i64::MAX);
        Ok(self
            .conn
            .prepare_cached(
                "DELETE FROM telemetry WHERE id IN (SELECT id FROM telemetry WHERE id <= \
             (SELECT id FROM telemetry ORDER BY id DESC LIMIT 1 OFFSET ?1) ORDER BY id LIMIT ?2)",
            )?
            .execute(params![keep, PURGE_BATCH])?)
    }
}
