//! How long keydesk keeps what it no longer needs, and the purge that enforces it
//! (`keydesk admin purge`, and hourly inside `keydesk serve`). docs/reliability.md says why
//! each default is what it is.

use chrono::Duration;

use super::{Actor, Service, ServiceError, audit};
use crate::store::retention::{PURGE_BATCH, Purgeable};

/// Days each kind of record is kept; telemetry is also capped by count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Sent and failed mails (their bodies carry codes, temporary passwords and keys).
    pub mail_days: u32,
    /// Finished queued jobs (their results carry the assigned keys).
    pub job_days: u32,
    /// Expired and revoked console sessions.
    pub session_days: u32,
    pub telemetry_days: u32,
    /// The newest telemetry records kept at most, whatever their age: an API key shipped
    /// in every installed copy must not be able to fill the disk.
    pub telemetry_rows: u64,
    pub audit_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            mail_days: 30,
            job_days: 30,
            session_days: 1,
            telemetry_days: 365,
            telemetry_rows: 1_000_000,
            audit_days: 730,
        }
    }
}

impl Retention {
    fn days(&self, what: Purgeable) -> u32 {
        match what {
            Purgeable::Mail => self.mail_days,
            Purgeable::Jobs => self.job_days,
            Purgeable::Sessions => self.session_days,
            Purgeable::Telemetry => self.telemetry_days,
            Purgeable::Audit => self.audit_days,
        }
    }
}

/// How many rows a purge deleted, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub mail: usize,
    pub jobs: usize,
    pub sessions: usize,
    pub telemetry: usize,
    pub audit: usize,
}

impl Purged {
    pub fn total(&self) -> usize {
        self.mail + self.jobs + self.sessions + self.telemetry + self.audit
    }

    fn count(&mut self, what: Purgeable) -> &mut usize {
        match what {
            Purgeable::Mail => &mut self.mail,
            Purgeable::Jobs => &mut self.jobs,
            Purgeable::Sessions => &mut self.sessions,
            Purgeable::Telemetry => &mut self.telemetry,
            Purgeable::Audit => &mut self.audit,
        }
    }
}

impl Service {
    /// Deletes what `retention` no longer keeps, a batch per transaction. Owner only.
    pub fn purge(&self, actor: &Actor, retention: &Retention) -> Result<Purged, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        let mut purged = Purged::default();
        let batch = PURGE_BATCH as usize;
        for what in Purgeable::ALL {
            let before = now - Duration::days(i64::from(retention.days(what)));
            loop {
                let deleted = self.store.write(|db| Ok::<_, ServiceError>(db.purge_batch(what, before)?))?;
                *purged.count(what) += deleted;
                if deleted < batch {
                    break;
                }
            }
        }
        loop {
            let deleted = self.store.write(|db| Ok::<_, ServiceError>(db.trim_telemetry(retention.telemetry_rows)?))?;
            purged.telemetry += deleted;
            if deleted < batch {
                break;
            }
        }
        if purged.total() > 0 {
            let detail = format!(
                "mail {}, jobs {}, sessions {}, telemetry {}, audit {}",
                purged.mail, purged.jobs, purged.sessions, purged.telemetry, purged.audit
            );
            self.store.write(|db| audit(db, now, actor, "purge", "retention", &detail))?;
        }
        Ok(purged)
    }
}
