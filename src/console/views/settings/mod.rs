//! Settings: the profiles and switching between them, mail, the theme, and the keyboard
//! shortcuts.

use super::{Fetch, finished, labelled_edit};
use crate::backend::{Area, BackendResult};
use crate::console::desk::{Desk, Topic};
use crate::console::jobs::Task;
use crate::console::navigation::Command;
use crate::console::prefs::Prefs;
use crate::console::theme::Theme;

mod profiles;

pub use profiles::ProfileChange;

#[derive(Default)]
pub struct SettingsView {
    profiles: profiles::ProfilesSection,
    relay_url: String,
    relay_from: String,
    sender: Option<Option<String>>,
    sender_fetch: Fetch<Option<String>>,
    action: Option<Task<BackendResult<String>>>,
}

impl SettingsView {
    /// Returns the profile change asked for, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &mut Desk<'_>,
        prefs: &mut Prefs,
        opening: bool,
        active: Option<&crate::console::profiles::Profile>,
    ) -> Option<ProfileChange> {
        let change = self.profiles.ui(ui, desk, prefs, opening, active);
        ui.separator();
        if desk.unavailable(Area::Mail).is_none() {
            self.mail(ui, desk);
            ui.separator();
        }
        ui.heading("Theme");
        ui.horizontal(|ui| {
            for theme in [Theme::Dark, Theme::Light] {
                ui.radio_value(&mut prefs.theme, theme, theme.label());
            }
        });
        ui.separator();
        ui.heading("Keyboard shortcuts");
        egui::Grid::new("shortcuts").num_columns(2).striped(true).show(ui, |ui| {
            for (keys, what) in Command::shortcuts() {
                ui.monospace(keys);
                ui.label(what);
                ui.end_row();
            }
        });
        change
    }

    /// The SMTP relay of this database: saved sealed in it, so the URL's password never
    /// reaches eframe's storage. Queued mail goes out through it every 30 s from the console
    /// (a local file) or every 5 s from the server (a keydesk server profile).
    fn mail(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if let Some(sender) = self.sender_fetch.finished(desk.status) {
            self.sender = Some(sender);
        }
        if let Some(message) = finished(&mut self.action, desk.status) {
            desk.status.info(message);
            self.sender = None;
            self.sender_fetch.again();
        }
        self.sender_fetch.start(desk, |backend| backend.smtp_sender());
        ui.heading("Mail");
        match &self.sender {
            Some(Some(from)) => ui.label(format!("Queued mail goes out through the saved SMTP relay, from {from}.")),
            Some(None) => ui.label("No SMTP relay: mail stays queued in the Outbox."),
            None if self.sender_fetch.running() => ui.spinner(),
            None => ui.label("The saved relay could not be read (the status line says why)."),
        };
        ui.horizontal(|ui| {
            let label = ui.label("SMTP relay URL");
            ui.add(
                egui::TextEdit::singleline(&mut self.relay_url)
                    .password(true)
                    .hint_text("smtps://user:password@smtp.example.com")
                    .desired_width(260.0),
            )
            .labelled_by(label.id)
            .on_hover_text("smtp://host:25, or smtps://user:password@mail.example.com (kept sealed in the database)");
            labelled_edit(ui, "Sender", &mut self.relay_from, 200.0)
                .on_hover_text("e.g. keydesk <noreply@example.com>");
        });
        ui.horizontal(|ui| {
            let busy = self.action.is_some();
            let ready = !busy && !self.relay_url.trim().is_empty() && !self.relay_from.trim().is_empty();
            if ui.add_enabled(ready, egui::Button::new("Save relay")).clicked() {
                let (url, from) = (self.relay_url.trim().to_owned(), self.relay_from.trim().to_owned());
                self.action = Some(desk.change(&[Topic::Settings], move |backend| {
                    backend.set_smtp_relay(Some((&url, &from))).map(|()| "The SMTP relay is saved.".to_owned())
                }));
                self.relay_url.clear();
            }
            let saved = matches!(self.sender, Some(Some(_)));
            if ui.add_enabled(!busy && saved, egui::Button::new("Forget relay")).clicked() {
                self.action = Some(desk.change(&[Topic::Settings], |backend| {
                    backend.set_smtp_relay(None).map(|()| "The relay is forgotten.".into())
                }));
            }
            if ui.add_enabled(!busy, egui::Button::new("Send queued mail now")).clicked() {
                self.action =
                    Some(desk.change(&[Topic::Outbox], |backend| {
                        backend.deliver_mail().map(|n| format!("{n} mail(s) sent."))
                    }));
            }
        });
    }
}
