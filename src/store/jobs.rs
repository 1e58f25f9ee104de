//! Work done after the request that asked for it.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Db, StoreError, to_millis};

/// A queued job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: u32,
}

impl Db<'_> {
    pub fn insert_job(&self, kind: &str, payload: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO jobs (kind, payload, created_at) VALUES (?1, ?2, ?3)",
            params![kind, payload, to_millis(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Queued jobs, oldest first.
    pub fn queued_jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, payload, attempts FROM jobs WHERE state = 'queued' ORDER BY id LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(Job { id: r.get(0)?, kind: r.get(1)?, payload: r.get(2)?, attempts: r.get(3)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records an attempt: done, failed for good, or (with an error) still queued for another try.
    pub fn finish_job(&self, id: i64, state: &str, error: Option<&str>, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE jobs SET state = ?2, attempts = attempts + 1, last_error = ?3, \
             finished_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?4 END WHERE id = ?1",
            params![id, state, error, to_millis(now)],
        )?;
        Ok(())
    }
}
