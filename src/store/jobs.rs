//! Work done after the request that asked for it.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError, to_millis};

/// A queued job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: u32,
    /// What an earlier attempt produced, to be delivered again as it was.
    pub result: Option<String>,
}

impl Db<'_> {
    pub fn insert_job(&self, kind: &str, payload: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO jobs (kind, payload, created_at) VALUES (?1, ?2, ?3)",
            params![kind, payload, to_millis(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Queued jobs due by `now`, oldest first.
    pub fn due_jobs(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, payload, attempts, result FROM jobs WHERE state = 'queued' AND next_try_at <= ?1 \
             ORDER BY id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![to_millis(now), limit], |r| {
            Ok(Job { id: r.get(0)?, kind: r.get(1)?, payload: r.get(2)?, attempts: r.get(3)?, result: r.get(4)? })
        })?;
        rows.map(|row| {
            let mut job = row?;
            job.result = job.result.map(|sealed| self.sealer.open_text(sealed)).transpose()?;
            Ok(job)
        })
        .collect()
    }

    /// What a job produced, once it has.
    pub fn job_result(&self, id: i64) -> Result<Option<String>, StoreError> {
        let found = self
            .conn
            .prepare_cached("SELECT result FROM jobs WHERE id = ?1")?
            .query_row(params![id], |r| r.get::<_, Option<String>>(0))
            .optional()?;
        Ok(found.flatten().map(|sealed| self.sealer.open_text(sealed)).transpose()?)
    }

    /// Marks a point inside the transaction to roll back to ([`Db::rollback_to`]) or keep
    /// ([`Db::release`]).
    pub fn savepoint(&self, name: &'static str) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch(&format!("SAVEPOINT {name}"))?)
    }

    pub fn release(&self, name: &'static str) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch(&format!("RELEASE {name}"))?)
    }

    /// Undoes everything since the savepoint, which ends.
    pub fn rollback_to(&self, name: &'static str) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?)
    }

    /// Keeps what a job produced before it is delivered.
    pub fn set_job_result(&self, id: i64, result: &str) -> Result<(), StoreError> {
        // The answer of an assignment lists the keys it assigned: sealed at rest.
        self.conn.execute("UPDATE jobs SET result = ?2 WHERE id = ?1", params![id, self.sealer.seal_text(result)])?;
        Ok(())
    }

    /// Records an attempt: done, failed for good, or (with an error) queued again from `next_try`.
    pub fn finish_job(
        &self,
        id: i64,
        state: &str,
        error: Option<&str>,
        next_try: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE jobs SET state = ?2, attempts = attempts + 1, last_error = ?3, next_try_at = ?4, \
             finished_at = CASE WHEN ?2 = 'queued' THEN NULL ELSE ?5 END WHERE id = ?1",
            params![id, state, error, to_millis(next_try), to_millis(now)],
        )?;
        Ok(())
    }
}
