//! Bulk batches: a change to many licenses, the terms each had before it, and how far it got.
//! Rows are read and written in id order a step at a time, so a batch over a million
//! licenses never holds the writer for long and can stop between steps.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::bulk::{BatchId, BulkBatch, BulkChange, Reads, Terms};
use crate::domain::license::{KeyState, LicenseId, LicenseStatus, SeatLimit};
use crate::domain::tables::LicenseQuery;

/// The seats in use, as the license rows count them.
const USED: &str = "(SELECT count(*) FROM activations a WHERE a.license_id = l.id)";

/// A batch as stored: what the service needs to take its next step.
#[derive(Debug, Clone)]
pub struct StoredBatch {
    pub batch: BulkBatch,
    /// Who started it (an actor's label): only they step it on or undo it.
    pub actor: String,
    pub selection: LicenseQuery,
    /// The highest license id it covers: licenses made after it started are not in it.
    pub last_id: i64,
    /// The highest license id it has looked at.
    pub cursor: i64,
}

/// What a new batch is.
pub struct NewBatch<'a> {
    pub actor: &'a str,
    pub change: BulkChange,
    pub selection: &'a LicenseQuery,
    pub selected: u64,
    pub last_id: i64,
    pub at: DateTime<Utc>,
}

/// One license of a step: its terms before and after.
#[derive(Debug, Clone, Copy)]
pub struct BulkRow {
    pub id: LicenseId,
    pub before: Terms,
}

fn terms_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Result<Terms, StoreError>> {
    let valid_until: Option<String> = row.get(first)?;
    let status: i64 = row.get(first + 4)?;
    let key_state: String = row.get(first + 5)?;
    let valid_until = match valid_until.map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d")) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => return Ok(Err(StoreError::Corrupt("a license's valid_until is not a date".into()))),
    };
    let (Some(status), Some(key_state)) = (LicenseStatus::from_code(status), KeyState::parse(&key_state)) else {
        return Ok(Err(StoreError::Corrupt("a license's status or key state is unknown".into())));
    };
    Ok(Ok(Terms {
        valid_until,
        validity_days: row.get(first + 1)?,
        limit: SeatLimit(row.get(first + 2)?),
        used: row.get(first + 3)?,
        status,
        key_state,
    }))
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("a bulk batch's {what}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("a bulk batch does not serialise: {e}")))
}

const SELECT_BATCH: &str = "SELECT id, actor, change, selection, selected, last_id, cursor, looked_at, changed, \
     finished, undone_at, created_at FROM bulk_batches";

fn batch_from(row: &Row<'_>) -> rusqlite::Result<Result<StoredBatch, StoreError>> {
    let change: String = row.get(2)?;
    let selection: String = row.get(3)?;
    let (change, selection) = match (json(&change, "change"), json(&selection, "selection")) {
        (Ok(change), Ok(selection)) => (change, selection),
        (Err(e), _) | (_, Err(e)) => return Ok(Err(e)),
    };
    Ok(Ok(StoredBatch {
        batch: BulkBatch {
            id: BatchId(row.get(0)?),
            change,
            selected: row.get::<_, i64>(4)? as u64,
            looked_at: row.get::<_, i64>(7)? as u64,
            changed: row.get::<_, i64>(8)? as u64,
            finished: row.get(9)?,
            undone: row.get::<_, Option<i64>>(10)?.is_some(),
            at: from_millis(row.get(11)?),
        },
        actor: row.get(1)?,
        selection,
        last_id: row.get(5)?,
        cursor: row.get(6)?,
    }))
}

impl Db<'_> {
    /// How many licenses match `query`, and the highest id among them (0 when none).
    pub fn licenses_matching(&self, query: &LicenseQuery) -> Result<(u64, i64), StoreError> {
        let (conditions, args) = query.conditions(self.sealer);
        let found: (i64, Option<i64>) = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*), max(l.id) FROM licenses l LEFT JOIN users u ON u.id = l.user_id WHERE {conditions}"
            ))?
            .query_row(params_from_iter(args.iter()), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((found.0 as u64, found.1.unwrap_or(0)))
    }

    /// The licenses matching `query`, grouped by the terms `reads` tells apart (the others
    /// read as [`Terms::default`]), with each group's count: a preview's input.
    pub fn license_term_groups(&self, query: &LicenseQuery, reads: Reads) -> Result<Vec<(Terms, u64)>, StoreError> {
        let (conditions, args) = query.conditions(self.sealer);
        let pick = |read: bool, column: &'static str, default: &'static str| if read { column } else { default };
        let columns = [
            pick(reads.validity, "l.valid_until", "NULL"),
            pick(reads.validity, "l.validity_days", "0"),
            pick(reads.seats, "l.seat_limit", "1"),
            pick(reads.seats, USED, "0"),
            pick(reads.status, "l.status", "0"),
            pick(reads.key_state, "l.key_state", "'assigned'"),
        ]
        .join(", ");
        let sql = format!(
            "SELECT {columns}, count(*) FROM licenses l LEFT JOIN users u ON u.id = l.user_id WHERE {conditions} \
             GROUP BY 1, 2, 3, 4, 5, 6"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |row| {
            Ok(terms_at(row, 0)?.map(|terms| (terms, row.get::<_, i64>(6).map(|n| n as u64))))
        })?;
        let mut groups = Vec::new();
        for row in rows {
            let (terms, count) = row??;
            groups.push((terms, count?));
        }
        Ok(groups)
    }

    /// The next `limit` licenses of a batch's selection after id `after`, up to id `through`.
    pub fn bulk_rows(
        &self,
        query: &LicenseQuery,
        after: i64,
        through: i64,
        limit: u32,
    ) -> Result<Vec<BulkRow>, StoreError> {
        let (conditions, mut args) = query.conditions(self.sealer);
        args.extend([Value::Integer(after), Value::Integer(through), Value::Integer(i64::from(limit))]);
        let sql = format!(
            "SELECT l.id, l.valid_until, l.validity_days, l.seat_limit, {USED}, l.status, l.key_state \
             FROM licenses l LEFT JOIN users u ON u.id = l.user_id \
             WHERE {conditions} AND l.id > ? AND l.id <= ? ORDER BY l.id LIMIT ?"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |row| {
            let id = LicenseId(row.get(0)?);
            Ok(terms_at(row, 1)?.map(|before| BulkRow { id, before }))
        })?;
        rows.map(|r| r?).collect()
    }

    /// Writes the new terms of a step's licenses, keeping each one's terms before in the batch.
    pub fn write_bulk_rows(
        &self,
        batch: BatchId,
        rows: &[(BulkRow, Terms)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let stamp = to_millis(now);
        let mut keep = self.conn.prepare_cached(
            "INSERT INTO bulk_before (batch_id, license_id, valid_until, validity_days, seat_limit, status, key_state, \
             stamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (batch_id, license_id) DO NOTHING",
        )?;
        let mut write = self.conn.prepare_cached(
            "UPDATE licenses SET valid_until = ?2, validity_days = ?3, seat_limit = ?4, status = ?5, key_state = ?6, \
             updated_at = ?7 WHERE id = ?1",
        )?;
        let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
        for (row, after) in rows {
            let before = row.before;
            keep.execute(params![
                batch.0,
                row.id.0,
                date(before.valid_until),
                before.validity_days,
                before.limit.0,
                before.status.code(),
                before.key_state.as_str(),
                stamp,
            ])?;
            write.execute(params![
                row.id.0,
                date(after.valid_until),
                after.validity_days,
                after.limit.0,
                after.status.code(),
                after.key_state.as_str(),
                stamp,
            ])?;
        }
        Ok(())
    }

    pub fn insert_bulk_batch(&self, new: &NewBatch<'_>) -> Result<BatchId, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO bulk_batches (actor, change, selection, selected, last_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                new.actor,
                to_json(&new.change)?,
                to_json(new.selection)?,
                new.selected as i64,
                new.last_id,
                to_millis(new.at),
            ])?;
        Ok(BatchId(self.conn.last_insert_rowid()))
    }

    /// Only the newest batch of an actor can be undone: the terms older ones kept go.
    pub fn forget_older_bulk_batches(&self, actor: &str, newest: BatchId) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM bulk_before WHERE batch_id IN (SELECT id FROM bulk_batches WHERE actor = ?1 AND id < ?2)",
            params![actor, newest.0],
        )?;
        Ok(())
    }

    pub fn bulk_batch(&self, id: BatchId) -> Result<Option<StoredBatch>, StoreError> {
        let found = self
            .conn
            .prepare_cached(&format!("{SELECT_BATCH} WHERE id = ?1"))?
            .query_row([id.0], batch_from)
            .optional()?;
        found.transpose()
    }

    pub fn newest_bulk_batch(&self, actor: &str) -> Result<Option<StoredBatch>, StoreError> {
        let found = self
            .conn
            .prepare_cached(&format!("{SELECT_BATCH} WHERE actor = ?1 ORDER BY id DESC LIMIT 1"))?
            .query_row([actor], batch_from)
            .optional()?;
        found.transpose()
    }

    /// Records a step: the last id looked at and the counts so far.
    pub fn advance_bulk_batch(&self, batch: &BulkBatch, cursor: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE bulk_batches SET cursor = ?2, looked_at = ?3, changed = ?4, finished = ?5 WHERE id = ?1",
            params![batch.id.0, cursor, batch.looked_at as i64, batch.changed as i64, batch.finished],
        )?;
        Ok(())
    }

    /// Puts back the terms a batch kept, on the licenses nobody changed since (their
    /// updated_at is still the batch's); returns (put back, kept back).
    pub fn undo_bulk_batch(&self, batch: BatchId, now: DateTime<Utc>) -> Result<(u64, u64), StoreError> {
        let kept: i64 =
            self.conn.query_row("SELECT count(*) FROM bulk_before WHERE batch_id = ?1", [batch.0], |r| r.get(0))?;
        let restored = self.conn.execute(
            "UPDATE licenses SET valid_until = b.valid_until, validity_days = b.validity_days, \
             seat_limit = b.seat_limit, status = b.status, key_state = b.key_state, updated_at = ?2 \
             FROM bulk_before b WHERE b.batch_id = ?1 AND licenses.id = b.license_id AND licenses.updated_at = b.stamp",
            params![batch.0, to_millis(now)],
        )? as i64;
        self.conn.execute("DELETE FROM bulk_before WHERE batch_id = ?1", [batch.0])?;
        self.conn.execute("UPDATE bulk_batches SET undone_at = ?2 WHERE id = ?1", params![batch.0, to_millis(now)])?;
        Ok((restored as u64, (kept - restored).max(0) as u64))
    }
}
