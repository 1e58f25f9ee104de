//! The e-mail outbox and the distributors' template overrides.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::mail::{Mail, MailKind, Template};

/// Where a mail is in its delivery.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sent,
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed].into_iter().find(|s| s.as_str() == text)
    }
}

/// A mail in the outbox.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub distributor: Option<DistributorId>,
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<OutboxEntry, StoreError>> {
    let kind: String = row.get(2)?;
    let state: String = row.get(6)?;
    let (Some(kind), Some(state)) = (MailKind::parse(&kind), OutboxState::parse(&state)) else {
        return Ok(Err(StoreError::Corrupt(format!("outbox row has kind {kind:?}, state {state:?}"))));
    };
    Ok(Ok(OutboxEntry {
        id: row.get(0)?,
        distributor: row.get::<_, Option<i64>>(1)?.map(DistributorId),
        kind,
        to: row.get(3)?,
        subject: row.get(4)?,
        body: row.get(5)?,
        state,
        attempts: row.get(7)?,
        last_error: row.get(8)?,
        created_at: from_millis(row.get(9)?),
        sent_at: row.get::<_, Option<i64>>(10)?.map(from_millis),
    }))
}

const COLUMNS: &str =
    "id, distributor_id, kind, to_addr, subject, body, state, attempts, last_error, created_at, sent_at";

/// `last_error` of a mail while it is handed to the relay.
const SENDING: &str = "sending";
/// `last_error` of a mail whose sending was cut short by a crash.
pub const INTERRUPTED: &str =
    "interrupted while sending (the process stopped); it may or may not have gone out: resend it if it did not arrive";

impl Db<'_> {
    pub fn queue_mail(
        &self,
        distributor: Option<DistributorId>,
        mail: &Mail,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO outbox (distributor_id, kind, to_addr, subject, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                distributor.map(|d| d.0),
                mail.kind.as_str(),
                mail.to,
                mail.subject,
                // Bodies carry activation codes, temporary passwords and keys: sealed at rest.
                self.sealer.seal_text(&mail.body),
                to_millis(now)
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Mails of one state, oldest first.
    pub fn outbox(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE (?1 IS NULL OR state = ?1) ORDER BY id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![state.map(OutboxState::as_str), limit], from_row)?;
        rows.map(|r| {
            let mut entry = r??;
            entry.body = self.sealer.open_text(std::mem::take(&mut entry.body))?;
            Ok(entry)
        })
        .collect()
    }

    /// Notes that a mail is being handed to the relay now (its `last_error` says so until
    /// [`Db::mark_mail`] records the outcome).
    pub fn claim_mail(&self, id: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("UPDATE outbox SET last_error = ?2 WHERE id = ?1 AND state = 'queued'")?
            .execute(params![id, SENDING])?;
        Ok(())
    }

    /// Mails a process was handing to the relay when it died: whether they went out is
    /// unknown, so they are marked failed (a person resends them) rather than sent twice.
    pub fn fail_interrupted_mails(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?2, attempts = attempts + 1, sent_at = NULL \
             WHERE state = 'queued' AND last_error = ?1 AND created_at <= ?3",
            params![SENDING, INTERRUPTED, to_millis(now)],
        )?)
    }

    pub fn mark_mail(
        &self,
        id: i64,
        state: OutboxState,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3, \
             sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END WHERE id = ?1",
            params![id, state.as_str(), error, to_millis(now)],
        )?;
        Ok(())
    }

    pub fn mail_template(&self, distributor: DistributorId, kind: MailKind) -> Result<Option<Template>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT subject, body FROM mail_templates WHERE distributor_id = ?1 AND kind = ?2")?
            .query_row(params![distributor.0, kind.as_str()], |r| Ok(Template { subject: r.get(0)?, body: r.get(1)? }))
            .optional()?)
    }

    pub fn set_mail_template(
        &self,
        distributor: DistributorId,
        kind: MailKind,
        template: &Template,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO mail_templates (distributor_id, kind, subject, body) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (distributor_id, kind) DO UPDATE SET subject = excluded.subject, body = excluded.body",
            params![distributor.0, kind.as_str(), template.subject, template.body],
        )?;
        Ok(())
    }
}
