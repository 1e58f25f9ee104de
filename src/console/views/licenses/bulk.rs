//! Selecting licenses and changing them together: rows picked by click, Ctrl-click and
//! Shift-click, or every license the filters match (across all pages); a change staged as a
//! preview, applied as one job with progress and Cancel, and the last one undone.

use std::collections::BTreeSet;

use super::Filters;
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Topic};
use crate::console::jobs::{Progress, Task};
use crate::console::theme::Tokens;
use crate::console::views::{Fetch, finished};
use crate::domain::bulk::{BulkBatch, BulkChange, BulkPreview, MAX_PICKED, ShiftUnit, UndoReport};
use crate::domain::license::LicenseId;
use crate::domain::tables::LicenseQuery;

/// Which licenses the bulk actions act on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) enum Selection {
    #[default]
    None,
    /// Rows picked one by one; `anchor` is the row a Shift-click range starts from.
    Rows { ids: BTreeSet<LicenseId>, anchor: u64 },
    /// Every license the filters match, loaded or not.
    AllMatching,
}

/// How a click on a row changes the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pick {
    /// A plain click: this row alone.
    Only,
    /// Ctrl (⌘) and click: this row in or out.
    Toggle,
    /// Shift and click: the rows from the last one clicked to this one.
    Range,
}

impl Pick {
    pub(super) fn from(modifiers: egui::Modifiers) -> Self {
        if modifiers.shift {
            Self::Range
        } else if modifiers.command || modifiers.ctrl {
            Self::Toggle
        } else {
            Self::Only
        }
    }
}

impl Selection {
    /// `row` was clicked with `pick`; `ids_between` names the loaded rows of a range.
    pub(super) fn pick(
        &mut self,
        pick: Pick,
        row: u64,
        id: LicenseId,
        ids_between: impl Fn(u64, u64) -> Vec<LicenseId>,
    ) {
        *self = match (std::mem::take(self), pick) {
            (Self::Rows { mut ids, .. }, Pick::Toggle) => {
                if !ids.remove(&id) {
                    ids.insert(id);
                }
                if ids.is_empty() { Self::None } else { Self::Rows { ids, anchor: row } }
            }
            (Self::Rows { mut ids, anchor }, Pick::Range) => {
                ids.extend(ids_between(anchor.min(row), anchor.max(row)));
                Self::Rows { ids, anchor }
            }
            _ => Self::Rows { ids: BTreeSet::from([id]), anchor: row },
        };
    }

    pub(super) fn contains(&self, id: LicenseId) -> bool {
        match self {
            Self::None => false,
            Self::Rows { ids, .. } => ids.contains(&id),
            Self::AllMatching => true,
        }
    }

    /// How many licenses are selected, of `total` matching the filters.
    pub(super) fn count(&self, total: u64) -> u64 {
        match self {
            Self::None => 0,
            Self::Rows { ids, .. } => ids.len() as u64,
            Self::AllMatching => total,
        }
    }

    /// The selection as the backend takes it; `None` when nothing is selected.
    pub(super) fn query(&self, filters: &Filters) -> Option<LicenseQuery> {
        match self {
            Self::None => None,
            Self::Rows { ids, .. } => {
                Some(LicenseQuery { picked: ids.iter().copied().collect(), ..LicenseQuery::default() })
            }
            Self::AllMatching => Some(filters.query()),
        }
    }
}

/// The kinds of bulk change, as the drop-down names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Extend,
    Shorten,
    SetLimit,
    Activate,
    Deactivate,
    Revoke,
}

impl Kind {
    const ALL: [Self; 6] =
        [Self::Extend, Self::Shorten, Self::SetLimit, Self::Activate, Self::Deactivate, Self::Revoke];

    fn title(self) -> &'static str {
        match self {
            Self::Extend => "Extend validity",
            Self::Shorten => "Shorten validity",
            Self::SetLimit => "Set seat limit",
            Self::Activate => "Activate",
            Self::Deactivate => "Deactivate",
            Self::Revoke => "Revoke (block the key)",
        }
    }
}

/// A bulk change being applied.
struct Applying {
    selected: u64,
    progress: Progress,
    task: Task<BackendResult<BulkBatch>>,
}

/// The bulk bar's state: the selection, the change as set up, its preview, the running job
/// and the last batch (for Undo).
pub(super) struct Bulk {
    pub(super) selection: Selection,
    kind: Kind,
    amount: u32,
    unit: ShiftUnit,
    seats: u32,
    previewing: Option<(LicenseQuery, Task<BackendResult<BulkPreview>>)>,
    preview: Option<(LicenseQuery, BulkPreview)>,
    applying: Option<Applying>,
    last: Fetch<Option<BulkBatch>>,
    last_batch: Option<BulkBatch>,
    undoing: Option<Task<BackendResult<UndoReport>>>,
    /// A preview asked for from outside the bar (the screenshot tour), started next frame.
    preview_asked: bool,
}

impl Default for Bulk {
    fn default() -> Self {
        Self {
            selection: Selection::None,
            kind: Kind::Extend,
            amount: 6,
            unit: ShiftUnit::Months,
            seats: 1,
            previewing: None,
            preview: None,
            applying: None,
            last: Fetch::default(),
            last_batch: None,
            undoing: None,
            preview_asked: false,
        }
    }
}

impl Bulk {
    fn change(&self) -> BulkChange {
        let amount = i32::try_from(self.amount).unwrap_or(i32::MAX);
        match self.kind {
            Kind::Extend => BulkChange::Extend { amount, unit: self.unit },
            Kind::Shorten => BulkChange::Extend { amount: -amount, unit: self.unit },
            Kind::SetLimit => BulkChange::SetLimit(self.seats),
            Kind::Activate => BulkChange::Activate,
            Kind::Deactivate => BulkChange::Deactivate,
            Kind::Revoke => BulkChange::Revoke,
        }
    }

    pub(super) fn preview_soon(&mut self) {
        self.preview_asked = true;
    }

    /// Reads the last batch again (after a change: Undo names the newest).
    pub(super) fn refresh(&mut self) {
        self.last.again();
    }

    fn poll(&mut self, desk: &mut Desk<'_>) {
        self.last.start(desk, |backend| backend.bulk_last());
        if let Some(last) = self.last.finished(desk.status) {
            self.last_batch = last;
        }
        if let Some((query, task)) = &self.previewing
            && let Some(result) = task.take()
        {
            let query = query.clone();
            self.previewing = None;
            match result {
                Ok(preview) => self.preview = Some((query, preview)),
                Err(error) => desk.status.backend_error(&error),
            }
        }
        if let Some(job) = &self.applying
            && let Some(result) = job.task.take()
        {
            let selected = job.selected;
            self.applying = None;
            self.last.again();
            match result {
                Ok(batch) if batch.looked_at < selected => desk.status.info(format!(
                    "Stopped: {} changed before the stop ({} of {selected} looked at). Undo puts them back.",
                    batch.summary(),
                    batch.looked_at
                )),
                Ok(batch) => {
                    desk.status.info(format!("Done: {}. Undo puts them back.", batch.summary()));
                    self.selection = Selection::None;
                }
                Err(error) => desk.status.backend_error(&error),
            }
        }
        if let Some(report) = finished(&mut self.undoing, desk.status) {
            self.last.again();
            let kept = match report.kept {
                0 => String::new(),
                n => format!(" {n} changed again since keep their newer values."),
            };
            desk.status.info(format!("Undone: {} licenses put back as they were.{kept}", report.restored));
        }
    }

    /// The bar above the table: what is selected, the change, Preview, progress, Undo.
    pub(super) fn bar(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, filters: &Filters, total: u64) {
        self.poll(desk);
        ui.horizontal(|ui| {
            let count = self.selection.count(total);
            match count {
                0 => ui.weak("Click a row to select it; Ctrl-click adds one, Shift-click a range."),
                1 => ui.label("1 selected"),
                n => ui.label(format!("{n} selected")),
            };
            if self.selection != Selection::AllMatching
                && total > 0
                && ui.button(format!("Select all {total} matching")).on_hover_text("Ctrl+A").clicked()
            {
                self.selection = Selection::AllMatching;
            }
            if count > 0 && ui.button("Clear selection").on_hover_text("Esc").clicked() {
                self.selection = Selection::None;
            }
            if let Some(job) = &self.applying {
                let done = job.progress.done();
                let fraction = done as f32 / job.selected.max(1) as f32;
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(220.0)
                        .text(format!("{done} of {} licenses", job.selected)),
                );
                if job.progress.is_cancelled() {
                    ui.colored_label(Tokens::WARNING, "Stopping after this step…");
                } else if ui.button("Cancel").clicked() {
                    job.progress.cancel();
                }
            } else if count > 0 {
                self.change_controls(ui, desk, filters);
            }
            if let Some(batch) = self.last_batch.clone().filter(|b| !b.undone && b.changed > 0) {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let ready = self.undoing.is_none() && self.applying.is_none();
                    let undo = ui.add_enabled(ready, egui::Button::new(format!("Undo {}", batch.summary())));
                    if undo.on_hover_text("Puts back the values these licenses had before").clicked() {
                        let id = batch.id;
                        self.undoing = Some(desk.change(&[Topic::Licenses], move |backend| backend.bulk_undo(id)));
                    }
                });
            }
        });
        self.preview_window(ui, desk);
    }

    fn change_controls(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, filters: &Filters) {
        ui.separator();
        let label = ui.label("Bulk change");
        egui::ComboBox::from_id_salt("bulk_change")
            .width(170.0)
            .selected_text(self.kind.title())
            .show_ui(ui, |ui| {
                for kind in Kind::ALL {
                    ui.selectable_value(&mut self.kind, kind, kind.title());
                }
            })
            .response
            .labelled_by(label.id);
        match self.kind {
            Kind::Extend | Kind::Shorten => {
                let label = ui.label("By");
                ui.add(egui::DragValue::new(&mut self.amount).range(1..=1200)).labelled_by(label.id);
                egui::ComboBox::from_id_salt("bulk_unit").width(80.0).selected_text(self.unit.name(2)).show_ui(
                    ui,
                    |ui| {
                        ui.selectable_value(&mut self.unit, ShiftUnit::Days, "days");
                        ui.selectable_value(&mut self.unit, ShiftUnit::Months, "months");
                    },
                );
            }
            Kind::SetLimit => {
                let label = ui.label("Seats");
                ui.add(egui::DragValue::new(&mut self.seats).range(0..=100_000))
                    .labelled_by(label.id)
                    .on_hover_text("0: unlimited");
            }
            Kind::Activate | Kind::Deactivate | Kind::Revoke => {}
        }
        let picked_too_many = matches!(&self.selection, Selection::Rows { ids, .. } if ids.len() > MAX_PICKED);
        let ready = self.previewing.is_none() && !picked_too_many;
        let preview = ui.add_enabled(ready, egui::Button::new("Preview…"));
        let asked = std::mem::take(&mut self.preview_asked);
        if (preview.on_hover_text("Shows what will change; nothing is written yet").clicked() || asked)
            && let Some(query) = self.selection.query(filters)
        {
            let (asked, change) = (query.clone(), self.change());
            self.previewing = Some((query, desk.read(move |backend| backend.bulk_preview(&asked, change))));
        }
        if self.previewing.is_some() {
            ui.spinner();
        }
    }

    /// The staged change: what it will do, and Apply or Cancel.
    fn preview_window(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let Some((query, preview)) = &self.preview else { return };
        let mut close = false;
        let mut apply = false;
        egui::Modal::new(egui::Id::unique("bulk_preview")).show(ui.ctx(), |ui| {
            ui.set_width(520.0);
            let noun = if preview.selected == 1 { "license" } else { "licenses" };
            let alone = preview.selected - preview.changing;
            ui.heading(format!("Preview: {}, {} {noun} selected", preview.change.describe(), preview.selected));
            ui.add_space(Tokens::GAP);
            // The changes (the lines list them first), then what is left alone, in grey.
            let (changes, unchanged): (Vec<_>, Vec<_>) = preview.lines.iter().partition(|line| line.changes());
            for line in changes {
                ui.label(line.to_string());
            }
            if preview.more > 0 {
                ui.label(format!("…and {} more licenses changing in other ways.", preview.more));
            }
            let listed: u64 = unchanged.iter().map(|line| line.count).sum();
            for line in unchanged {
                ui.weak(line.to_string());
            }
            if alone > listed {
                ui.weak(format!("…and {} more left as they are.", alone - listed));
            }
            ui.add_space(Tokens::GAP);
            ui.horizontal(|ui| {
                if preview.changing == 0 {
                    ui.label("Nothing would change.");
                } else {
                    let noun = if preview.changing == 1 { "license" } else { "licenses" };
                    apply = ui.button(format!("Apply to {} {noun}", preview.changing)).clicked();
                }
                close = ui.button("Close preview").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape));
            });
        });
        if apply {
            let (query, change, selected) = (query.clone(), preview.change, preview.selected);
            let progress = Progress::default();
            let shared = progress.clone();
            let task = desk.change(&[Topic::Licenses], move |backend| {
                backend.bulk_apply(&query, change, selected, &mut |batch| {
                    shared.set(batch.looked_at);
                    !shared.is_cancelled()
                })
            });
            self.applying = Some(Applying { selected, progress, task });
        }
        if apply || close {
            self.preview = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(selection: &Selection) -> Vec<i64> {
        match selection {
            Selection::Rows { ids, .. } => ids.iter().map(|id| id.0).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn clicks_pick_toggle_and_extend_a_range() {
        let between = |a: u64, b: u64| (a..=b).map(|row| LicenseId(row as i64 * 10)).collect();
        let mut selection = Selection::None;
        selection.pick(Pick::Only, 2, LicenseId(20), between);
        selection.pick(Pick::Range, 5, LicenseId(50), between);
        assert_eq!(ids(&selection), [20, 30, 40, 50]);
        selection.pick(Pick::Toggle, 3, LicenseId(30), between);
        assert_eq!(ids(&selection), [20, 40, 50]);
        selection.pick(Pick::Only, 7, LicenseId(70), between);
        assert_eq!(ids(&selection), [70], "a plain click starts again");
        selection.pick(Pick::Toggle, 7, LicenseId(70), between);
        assert_eq!(selection, Selection::None);
        let mut all = Selection::AllMatching;
        all.pick(Pick::Toggle, 1, LicenseId(10), between);
        assert_eq!(ids(&all), [10], "a click on all-matching starts from that row");
    }
}
