//! The audit log: who changed what, and when.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Db, StoreError, to_millis};
use crate::domain::tables::AuditEntry;

impl Db<'_> {
    pub fn record_audit(
        &self,
        at: DateTime<Utc>,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("INSERT INTO audit (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![to_millis(at), actor, action, subject, detail])?;
        Ok(())
    }

    /// The newest entries first.
    pub fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit_window(&super::AuditQuery::default(), limit)
    }
}
