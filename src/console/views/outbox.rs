//! Outbox: queued, sent and failed mails; read one; queue it again.

use super::sorting::{Sort, SortKey, keep_sorted};
use super::{Fetch, finished};
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::store::{OutboxEntry, OutboxState};

#[derive(Default)]
pub struct OutboxView {
    mails: Vec<OutboxEntry>,
    sorted: Option<Sort>,
    loading: Fetch<Vec<OutboxEntry>>,
    selected: Option<i64>,
    action: Option<Task<BackendResult<()>>>,
}

impl OutboxView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if let Some(mails) = self.loading.finished(desk.status) {
            self.mails = mails;
            self.sorted = None;
        }
        if let Some(()) = finished(&mut self.action, desk.status) {
            desk.status.info("The mail is queued again.");
            self.loading.again();
        }
        self.loading.start(desk, |backend| backend.outbox());
        let count = |state| self.mails.iter().filter(|m| m.state == state).count();
        ui.heading(format!(
            "Outbox: {} queued, {} sent, {} failed",
            count(OutboxState::Queued),
            count(OutboxState::Sent),
            count(OutboxState::Failed)
        ));
        if self.mails.is_empty() {
            ui.label(if self.loading.running() { "Loading…" } else { "No mail yet." });
            return;
        }
        if let Some(mail) = self.selected.and_then(|id| self.mails.iter().find(|m| m.id == id)).cloned() {
            egui::Panel::right("mail_detail").default_size(Tokens::DETAIL_WIDTH + 60.0).show(ui, |ui| {
                ui.strong(&mail.subject);
                ui.label(format!("To: {}", mail.to));
                ui.label(format!("State: {} after {} attempt(s)", mail.state.as_str(), mail.attempts));
                if let Some(error) = &mail.last_error {
                    ui.colored_label(Tokens::ERROR, error);
                }
                if mail.state != OutboxState::Queued && ui.button("Resend").clicked() {
                    self.action = Some(desk.change(&[Topic::Outbox], move |backend| backend.resend_mail(mail.id)));
                }
                ui.separator();
                egui::ScrollArea::vertical().show(ui, |ui| ui.monospace(&mail.body));
            });
        }
        let sort =
            keep_sorted(ui, "outbox", Sort::newest(0), &mut self.sorted, &mut self.mails, |m, column| match column {
                0 => SortKey::Number(m.id),
                1 => SortKey::text(m.state.as_str()),
                2 => SortKey::text(&m.to),
                _ => SortKey::text(&m.subject),
            });
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("outbox").striped(true).num_columns(4).show(ui, |ui| {
                sort.header(ui, "outbox", &["Created", "State", "To", "Subject"]);
                for mail in &self.mails {
                    ui.label(mail.created_at.format("%Y-%m-%d %H:%M").to_string());
                    let state = mail.state.as_str();
                    if mail.state == OutboxState::Failed {
                        ui.colored_label(Tokens::ERROR, state);
                    } else {
                        ui.label(state);
                    }
                    ui.label(&mail.to);
                    if ui.link(&mail.subject).clicked() {
                        self.selected = Some(mail.id);
                    }
                    ui.end_row();
                }
            });
        });
    }
}

impl Refresh for OutboxView {
    const SHOWS: &'static [Topic] = &[Topic::Outbox, Topic::Users, Topic::Licenses, Topic::Contracts, Topic::Settings];

    fn refresh(&mut self) {
        self.loading.again();
    }
}
