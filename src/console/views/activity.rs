//! Activity: the audit log of every change, filtered by who, what and since when.

use super::sorting::{Sort, SortKey, keep_sorted};
use super::{finished, labelled_edit};
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::store::{AuditEntry, AuditQuery};

#[derive(Default)]
pub struct ActivityView {
    who: String,
    what: String,
    days: u32,
    shown: Option<(String, String, u32)>,
    entries: Vec<AuditEntry>,
    sorted: Option<Sort>,
    loading: Option<Task<BackendResult<Vec<AuditEntry>>>>,
}

impl ActivityView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if let Some(entries) = finished(&mut self.loading, desk.status) {
            self.entries = entries;
            self.sorted = None;
        }
        ui.horizontal(|ui| {
            labelled_edit(ui, "Who", &mut self.who, 140.0).on_hover_text("owner, reseller:2, api-key:1, distributor:1");
            labelled_edit(ui, "What", &mut self.what, 180.0).on_hover_text("An action, a subject or a detail");
            let label = ui.label("Last days");
            ui.add(egui::DragValue::new(&mut self.days).range(0..=3650)).labelled_by(label.id).on_hover_text("0: all");
        });
        let wanted = (self.who.clone(), self.what.clone(), self.days);
        if self.shown.as_ref() != Some(&wanted) && self.loading.is_none() {
            let query = AuditQuery {
                who: wanted.0.clone(),
                what: wanted.1.clone(),
                since: (wanted.2 > 0).then(|| chrono::Utc::now() - chrono::Duration::days(i64::from(wanted.2))),
            };
            self.loading = Some(desk.read(move |backend| backend.activity(&query)));
            self.shown = Some(wanted);
        }
        ui.separator();
        ui.label(format!("{} entries (the newest 5,000 at most)", self.entries.len()));
        if self.entries.is_empty() && self.loading.is_none() {
            ui.label("Nothing recorded matches.");
            return;
        }
        let sort =
            keep_sorted(
                ui,
                "activity",
                Sort::newest(0),
                &mut self.sorted,
                &mut self.entries,
                |e, column| match column {
                    0 => SortKey::Number(e.id),
                    1 => SortKey::text(&e.actor),
                    2 => SortKey::text(&e.action),
                    3 => SortKey::text(&e.subject),
                    _ => SortKey::text(&e.detail),
                },
            );
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("activity").striped(true).num_columns(5).show(ui, |ui| {
                sort.header(ui, "activity", &["When", "Who", "What", "Subject", "Detail"]);
                for entry in &self.entries {
                    ui.label(entry.at.format("%Y-%m-%d %H:%M:%S").to_string());
                    ui.label(&entry.actor);
                    ui.label(&entry.action);
                    ui.label(&entry.subject);
                    ui.label(&entry.detail);
                    ui.end_row();
                }
            });
        });
    }
}

impl Refresh for ActivityView {
    const SHOWS: &'static [Topic] = &[
        Topic::Users,
        Topic::Licenses,
        Topic::Products,
        Topic::Contracts,
        Topic::Staff,
        Topic::Outbox,
        Topic::Settings,
    ];

    fn refresh(&mut self) {
        self.shown = None;
    }
}
