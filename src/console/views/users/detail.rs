//! The detail pane of the selected user: facts, actions, licenses, devices, depots.

use super::UsersView;
use crate::backend::UserAction;
use crate::console::desk::{Desk, Topic};
use crate::console::views::{confirm, labelled_edit, result_line};

impl UsersView {
    pub(super) fn act(&mut self, desk: &mut Desk<'_>, username: &str, action: UserAction, done: String) {
        let username = username.to_owned();
        // A user's action may touch its licenses too (removal with licenses, a move).
        self.action = Some(desk.change(&[Topic::Users, Topic::Licenses], move |backend| {
            backend.user_action(&username, &action).map(|()| done)
        }));
    }

    pub(super) fn detail_pane(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let Some(overview) = self.detail.clone() else {
            ui.spinner();
            return;
        };
        let user = &overview.user;
        let name = user.username.clone();
        ui.horizontal(|ui| {
            ui.heading(&name);
            if ui.small_button("Close").clicked() {
                self.selected = None;
                self.detail = None;
            }
        });
        egui::Grid::new("user_facts").num_columns(2).show(ui, |ui| {
            for (label, value) in [
                ("Status", user.status.as_str().to_owned()),
                ("Distributor", user.distributor_code.to_string()),
                ("E-mail", user.email.clone()),
                ("Language", user.language.clone()),
                ("Reference", user.reference.clone()),
                ("Created", user.created_at.format("%Y-%m-%d %H:%M").to_string()),
            ] {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            if ui.button("Resend activation").clicked() {
                self.act(desk, &name, UserAction::ResendActivation, format!("Activation mail queued for {name}."));
            }
            if ui.button("Activate").clicked() {
                self.act(desk, &name, UserAction::Activate, format!("{name} is activated."));
            }
            if ui.button("Reset password").clicked() {
                self.act(desk, &name, UserAction::ResetPassword, format!("A temporary password was mailed to {name}."));
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New e-mail", &mut self.edits.email, 170.0);
            if ui.button("Set e-mail").clicked() {
                let email = self.edits.email.trim().to_owned();
                self.act(desk, &name, UserAction::SetEmail(email), format!("E-mail of {name} changed."));
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New reference", &mut self.edits.reference, 170.0);
            if ui.button("Set reference").clicked() {
                let reference = self.edits.reference.clone();
                self.act(desk, &name, UserAction::SetReference(reference), format!("Reference of {name} set."));
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New language", &mut self.edits.language, 40.0);
            if ui.button("Change language").clicked() {
                let language = self.edits.language.clone();
                self.act(desk, &name, UserAction::ChangeLanguage(language), format!("Language of {name} changed."));
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Move to");
            let codes: Vec<String> = self.distributors.iter().map(|d| d.code.to_string()).collect();
            egui::ComboBox::from_id_salt("move_to")
                .selected_text(self.edits.move_to.clone())
                .show_ui(ui, |ui| {
                    for code in codes {
                        ui.selectable_value(&mut self.edits.move_to, code.clone(), code);
                    }
                })
                .response
                .labelled_by(label.id);
            if ui.button("Move").clicked() && !self.edits.move_to.is_empty() {
                let target = self.edits.move_to.clone();
                self.act(desk, &name, UserAction::MoveTo(target.clone()), format!("{name} moved to {target}."));
            }
        });
        ui.separator();
        ui.strong(format!("Licenses ({})", overview.licenses.len()));
        if overview.licenses.is_empty() {
            ui.weak("No licenses.");
        }
        for license in &overview.licenses {
            ui.horizontal(|ui| {
                ui.monospace(&license.number);
                ui.label(format!("{:?} · {}/{}", license.status, license.used, license.limit.0));
                if ui.small_button("Copy").on_hover_text("Copy the license number").clicked() {
                    ui.ctx().copy_text(license.number.clone());
                }
            });
        }
        ui.strong(format!("Devices ({})", overview.devices.len()));
        if overview.devices.is_empty() {
            ui.weak("No devices.");
        }
        for device in &overview.devices {
            ui.horizontal(|ui| {
                ui.label(format!("{} ({} {})", device.name, device.platform, device.version));
                if ui.small_button("Remove device").clicked() {
                    let done = format!("Device {} removed.", device.name);
                    self.act(desk, &name, UserAction::RemoveDevice(device.name.clone()), done);
                }
            });
        }
        ui.strong(format!("Depots ({})", overview.depots.len()));
        if overview.depots.is_empty() {
            ui.weak("No depots.");
        }
        for depot in &overview.depots {
            ui.label(format!("{} on {}", depot.depot_id, depot.host_url));
        }
        ui.separator();
        ui.checkbox(&mut self.edits.with_licenses, "Remove the user's licenses too");
        if ui.button("Remove user…").clicked() {
            self.confirm_remove = true;
        }
        if self.confirm_remove {
            let with_licenses = self.edits.with_licenses;
            let question = if with_licenses {
                format!("Remove {name} and their licenses? This cannot be undone.")
            } else {
                format!("Remove {name}? Their licenses stay. This cannot be undone.")
            };
            if let Some(confirmed) = confirm(ui.ctx(), "confirm_remove_user", &question, "Remove") {
                self.confirm_remove = false;
                if confirmed {
                    self.act(desk, &name, UserAction::Remove { with_licenses }, format!("{name} removed."));
                    self.selected = None;
                    self.detail = None;
                }
            }
        }
        result_line(ui, self.action.is_some());
    }
}
