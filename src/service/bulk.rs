//! Bulk changes to licenses: a preview of what a change would do to a selection, the change
//! applied as a batch a step at a time (each step its own transaction), and an undo of the
//! actor's last batch from the terms it kept. The selection is the console's: a filter, or
//! licenses picked row by row, always within the actor's own scope.

use super::{Actor, Service, ServiceError, audit};
use crate::domain::bulk::{BatchId, BulkBatch, BulkChange, BulkPreview, BulkRefusal, MAX_PICKED, STEP, UndoReport};
use crate::domain::limits;
use crate::domain::tables::LicenseQuery;
use crate::store::{Db, NewBatch, StoredBatch};

impl Service {
    /// The selection as the actor may see it (a distributor's own licenses only), with
    /// "expiring within" read at `now`.
    fn bulk_scope(
        &self,
        actor: &Actor,
        selection: &LicenseQuery,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<LicenseQuery, ServiceError> {
        limits::within(selection.picked.len() as u64, MAX_PICKED as u64)?;
        let mut query = selection.clone();
        query.distributor = self.console_scope(actor)?;
        query.now = Some(now);
        Ok(query)
    }

    /// What `change` would do to the licenses `selection` matches; nothing is written.
    pub fn bulk_preview(
        &self,
        actor: &Actor,
        selection: &LicenseQuery,
        change: BulkChange,
    ) -> Result<BulkPreview, ServiceError> {
        change.check()?;
        let query = self.bulk_scope(actor, selection, self.now())?;
        self.store.read(|db| Ok(BulkPreview::of(change, db.license_term_groups(&query, change.reads())?)))
    }

    /// Starts applying `change` to `selection`, refused when the selection no longer holds the
    /// `previewed` number of licenses (someone changed them since the preview). The batch
    /// covers the licenses that exist now; [`Service::bulk_step`] changes them.
    pub fn bulk_start(
        &self,
        actor: &Actor,
        selection: &LicenseQuery,
        change: BulkChange,
        previewed: u64,
    ) -> Result<BulkBatch, ServiceError> {
        change.check()?;
        let now = self.now();
        // Kept with the batch: "expiring within 30 days" means the same licenses at every step.
        let query = self.bulk_scope(actor, selection, now)?;
        let label = actor.label();
        self.store.write(|db| {
            let (selected, last_id) = db.licenses_matching(&query)?;
            if selected == 0 {
                return Err(BulkRefusal::NothingSelected.into());
            }
            if selected != previewed {
                return Err(BulkRefusal::SelectionChanged { previewed, now: selected }.into());
            }
            let new = NewBatch { actor: &label, change, selection: &query, selected, last_id, at: now };
            let id = db.insert_bulk_batch(&new)?;
            db.forget_older_bulk_batches(&label, id)?;
            Ok(BulkBatch { id, change, selected, looked_at: 0, changed: 0, finished: false, undone: false, at: now })
        })
    }

    /// Changes the batch's next [`STEP`] licenses in one transaction; the batch as it stands
    /// after. A finished batch is returned as it is; an undone one is refused.
    pub fn bulk_step(&self, actor: &Actor, batch: BatchId) -> Result<BulkBatch, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let stored = own_batch(db, actor, batch)?;
            if stored.batch.undone {
                return Err(BulkRefusal::AlreadyUndone.into());
            }
            if stored.batch.finished {
                return Ok(stored.batch);
            }
            let mut query = stored.selection;
            query.distributor = self.console_scope(actor)?;
            let rows = db.bulk_rows(&query, stored.cursor, stored.last_id, STEP)?;
            let change = stored.batch.change;
            let changes: Vec<_> = rows
                .iter()
                .filter_map(|row| {
                    let after = change.apply(row.before);
                    (after != row.before).then_some((*row, after))
                })
                .collect();
            db.write_bulk_rows(batch, &changes, now)?;
            let mut progress = stored.batch;
            progress.looked_at += rows.len() as u64;
            progress.changed += changes.len() as u64;
            progress.finished = rows.len() < STEP as usize;
            db.advance_bulk_batch(&progress, rows.last().map_or(stored.cursor, |row| row.id.0))?;
            if progress.finished {
                audit(db, now, actor, "licenses.bulk", &format!("batch {}", batch.0), &progress.summary())?;
            }
            Ok(progress)
        })
    }

    /// Ends a batch before its last step (the person cancelled): what it changed stays, and
    /// can be undone.
    pub fn bulk_stop(&self, actor: &Actor, batch: BatchId) -> Result<BulkBatch, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let stored = own_batch(db, actor, batch)?;
            let mut stopped = stored.batch;
            if stopped.finished || stopped.undone {
                return Ok(stopped);
            }
            stopped.finished = true;
            db.advance_bulk_batch(&stopped, stored.cursor)?;
            let detail = format!("{} (stopped after {} of {})", stopped.summary(), stopped.looked_at, stopped.selected);
            audit(db, now, actor, "licenses.bulk", &format!("batch {}", batch.0), &detail)?;
            Ok(stopped)
        })
    }

    /// The actor's newest batch (the one an undo would reverse), if any.
    pub fn bulk_last(&self, actor: &Actor) -> Result<Option<BulkBatch>, ServiceError> {
        self.console_scope(actor)?;
        self.store.read(|db| Ok(db.newest_bulk_batch(&actor.label())?.map(|stored| stored.batch)))
    }

    /// Puts back what the actor's last batch changed, on every license nobody has changed
    /// since; refused for any batch but the last.
    pub fn bulk_undo(&self, actor: &Actor, batch: BatchId) -> Result<UndoReport, ServiceError> {
        self.console_scope(actor)?;
        let now = self.now();
        self.store.write(|db| {
            let undone = own_batch(db, actor, batch)?;
            // The actor's own batch exists, so the actor has a newest one.
            let newest = db.newest_bulk_batch(&actor.label())?.ok_or(BulkRefusal::BatchUnknown)?;
            if newest.batch.id != batch {
                return Err(BulkRefusal::NotTheLast.into());
            }
            if undone.batch.undone {
                return Err(BulkRefusal::AlreadyUndone.into());
            }
            let (restored, kept) = db.undo_bulk_batch(batch, now)?;
            let detail =
                format!("undid {}: {restored} put back, {kept} changed since and kept", undone.batch.change.describe());
            audit(db, now, actor, "licenses.bulk-undo", &format!("batch {}", batch.0), &detail)?;
            Ok(UndoReport { restored, kept })
        })
    }
}

/// The batch, when the actor started it; anyone else's is as unknown as a missing one.
fn own_batch(db: &Db<'_>, actor: &Actor, batch: BatchId) -> Result<StoredBatch, ServiceError> {
    db.bulk_batch(batch)?.filter(|stored| stored.actor == actor.label()).ok_or(BulkRefusal::BatchUnknown.into())
}
