//! Settings: the local profiles (database files) and switching between them, mail, the
//! theme, and the keyboard shortcuts.

use std::path::PathBuf;

use super::labelled_edit;
use crate::console::app::{Command, Env, Prefs};
use crate::console::theme::Theme;

#[derive(Default)]
pub struct SettingsView {
    new_profile: String,
}

impl SettingsView {
    /// Returns the database file to switch to, when one was chosen.
    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>, prefs: &mut Prefs, opening: bool) -> Option<PathBuf> {
        let mut open = None;
        ui.heading("Profiles");
        ui.label(format!("In use: {}", env.backend.label()));
        ui.weak(
            "A local profile is one SQLite file; its data key lives in the OS keyring (or, where there is none, in \
             a 0600 key file beside the database).",
        );
        let mut forget = None;
        for (index, path) in prefs.profiles.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.monospace(path.display().to_string());
                if ui.add_enabled(!opening, egui::Button::new("Open")).clicked() {
                    open = Some(path.clone());
                }
                if ui.small_button("Forget").on_hover_text("Remove from this list; the file stays").clicked() {
                    forget = Some(index);
                }
            });
        }
        if let Some(index) = forget {
            prefs.profiles.remove(index);
        }
        ui.horizontal(|ui| {
            labelled_edit(ui, "Database file", &mut self.new_profile, 320.0)
                .on_hover_text("An existing keydesk database, or a new file to create");
            if ui.button("Browse…").clicked()
                && let Some(path) = rfd::FileDialog::new().add_filter("SQLite", &["sqlite", "db"]).save_file()
            {
                self.new_profile = path.display().to_string();
            }
            let typed = self.new_profile.trim();
            if ui.add_enabled(!opening && !typed.is_empty(), egui::Button::new("Open file")).clicked() {
                open = Some(PathBuf::from(typed));
            }
            if opening {
                ui.spinner();
            }
        });
        ui.separator();
        ui.heading("Mail");
        ui.weak(
            "Mail is queued in the Outbox. `keydesk serve --smtp-url smtp://host:25` delivers it through the relay; \
             the console itself never sends.",
        );
        ui.separator();
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
        open
    }
}
