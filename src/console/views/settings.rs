//! Settings: the profile in use, the theme, and the keyboard shortcuts.

use crate::console::app::{Command, Env, Prefs};
use crate::console::theme::Theme;

#[derive(Default)]
pub struct SettingsView;

impl SettingsView {
    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>, prefs: &mut Prefs) {
        ui.heading("Profile");
        ui.label(env.backend.label());
        ui.weak(
            "The local profile is one SQLite file; its data key lives in the OS keyring (or, where there is none, \
             in a 0600 key file beside the database). Open another file with `keydesk --db FILE`.",
        );
        ui.separator();
        ui.heading("Mail");
        ui.weak(
            "Mail is queued in the Outbox. `keydesk serve --smtp-url smtp://host:25` delivers it; the console \
             itself never sends.",
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
    }
}
