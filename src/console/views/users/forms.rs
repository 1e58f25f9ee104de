//! The Users toolbar: search fields, registration, and CSV import and export.

use super::{RegisterForm, UsersView};
use crate::console::csv_files;
use crate::console::desk::{Desk, Topic};
use crate::console::dialogs::FileChoice;
use crate::console::views::labelled_edit;
use crate::domain::distributor::Distributor;
use crate::domain::user::Registration;

impl UsersView {
    pub(super) fn toolbar(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        ui.horizontal(|ui| {
            let search = labelled_edit(ui, "Search users", &mut self.username, 180.0);
            search.on_hover_text("Username with wildcards: clara*, *braun*, *777 (3 characters besides the *)");
            if std::mem::take(&mut self.focus_search) {
                ui.memory_mut(|m| m.request_focus(egui::Id::unique("Search users")));
            }
            labelled_edit(ui, "Search e-mail", &mut self.email, 180.0)
                .on_hover_text("E-mail with wildcards: *@example.com");
            if ui.button("Register…").clicked() {
                self.register.open = !self.register.open;
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "CSV file", &mut self.import_path, 260.0)
                .on_hover_text("A path to import from or export to (or choose one with Browse…)");
            super::super::browse(ui, desk, FileChoice::Csv, &mut self.browsing, &mut self.import_path);
            let busy = self.file_task.is_some();
            if ui.add_enabled(!busy, egui::Button::new("Import CSV")).clicked() {
                self.import(desk);
            }
            labelled_edit(ui, "Export to", &mut self.export_path, 200.0);
            if ui.add_enabled(!busy, egui::Button::new("Export CSV")).clicked() {
                self.export(desk);
            }
            if busy {
                ui.spinner();
            }
        });
        ui.separator();
    }

    pub(super) fn import(&mut self, desk: &mut Desk<'_>) {
        let Some(distributor) = self.register.distributor else {
            desk.status.error("Create a distributor first (keydesk admin distributor add).");
            return;
        };
        let path = std::path::PathBuf::from(self.import_path.trim());
        self.file_task = Some(desk.change(&[Topic::Users], move |backend| {
            let records = csv_files::read_users(&path)?;
            let report = backend.import_users(distributor, &records)?;
            let mut message =
                format!("Imported {} of {} users from {}.", report.created, records.len(), path.display());
            if let Some((record, reason)) = report.refused.first() {
                message.push_str(&format!(" Refused {}: record {record}, {reason}.", report.refused.len()));
            }
            Ok(message)
        }));
    }

    pub(super) fn export(&mut self, desk: &mut Desk<'_>) {
        let path = std::path::PathBuf::from(self.export_path.trim());
        if path.as_os_str().is_empty() {
            desk.status.error("Type the file to export to.");
            return;
        }
        self.file_task = Some(desk.read(move |backend| {
            let records = backend.export_users()?;
            csv_files::write_users(&path, &records)?;
            Ok(format!("Exported {} users to {}.", records.len(), path.display()))
        }));
    }

    pub(super) fn register_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("Register a user");
            ui.horizontal(|ui| {
                let name = |d: &Distributor| format!("{} ({})", d.name, d.code);
                let current = self
                    .distributors
                    .iter()
                    .find(|d| Some(d.id) == self.register.distributor)
                    .map(name)
                    .unwrap_or_default();
                let label = ui.label("Distributor");
                egui::ComboBox::from_id_salt("register_distributor")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for d in &self.distributors {
                            ui.selectable_value(&mut self.register.distributor, Some(d.id), name(d));
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                labelled_edit(ui, "Username", &mut self.register.username, 140.0);
                labelled_edit(ui, "User e-mail", &mut self.register.email, 180.0);
            });
            ui.horizontal(|ui| {
                let label = ui.label("Password");
                ui.add(
                    egui::TextEdit::singleline(&mut self.register.password)
                        .password(true)
                        .hint_text("8 characters or more")
                        .desired_width(140.0),
                )
                .labelled_by(label.id);
                labelled_edit(ui, "Language", &mut self.register.language, 40.0).on_hover_text("ISO 639-1, e.g. en");
                labelled_edit(ui, "Reference", &mut self.register.reference, 120.0);
            });
            ui.horizontal(|ui| {
                if ui.button("Register").clicked() {
                    self.submit_registration(desk);
                }
                if ui.button("Cancel").clicked() {
                    self.register.open = false;
                }
            });
        });
    }

    pub(super) fn submit_registration(&mut self, desk: &mut Desk<'_>) {
        let Some(distributor) = self.register.distributor else {
            desk.status.error("Choose a distributor.");
            return;
        };
        let form = &self.register;
        let registration = Registration {
            username: form.username.trim().to_owned(),
            email: form.email.trim().to_owned(),
            password: form.password.clone(),
            language: Some(form.language.trim().to_owned()).filter(|l| !l.is_empty()),
            reference: form.reference.trim().to_owned(),
            department: String::new(),
        };
        self.action = Some(desk.change(&[Topic::Users], move |backend| {
            backend.register_user(distributor, &registration).map(|u| format!("Registered {}.", u.username))
        }));
        self.register = RegisterForm { distributor: Some(distributor), ..RegisterForm::default() };
    }
}
