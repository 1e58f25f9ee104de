//! The detail pane of the selected license: facts, activations and every action on it.

use super::{LicensesView, seats};
use crate::backend::LicenseAction;
use crate::console::desk::{Desk, Topic};
use crate::console::views::{confirm, labelled_edit, result_line};
use crate::domain::license::{License, LicenseStatus};

impl LicensesView {
    pub(super) fn act(&mut self, desk: &mut Desk<'_>, number: &str, action: LicenseAction, done: String) {
        let number = number.to_owned();
        self.action = Some(
            desk.change(&[Topic::Licenses], move |backend| backend.license_action(&number, &action).map(|()| done)),
        );
    }

    pub(super) fn detail_pane(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let ctx = ui.ctx().clone();
        let Some(license) = self.selected.clone() else { return };
        ui.horizontal(|ui| {
            ui.heading("License");
            if ui.small_button("Close").clicked() {
                self.selected = None;
            }
        });
        ui.horizontal(|ui| {
            ui.monospace(&license.number);
            if ui.small_button("Copy").on_hover_text("Copy the key").clicked() {
                ui.ctx().copy_text(license.number.clone());
                desk.status.info("Key copied.");
            }
        });
        egui::Grid::new("license_facts").num_columns(2).show(ui, |ui| {
            let expires = license
                .expires_at()
                .map(|at| at.date_naive())
                .or(license.valid_until)
                .map_or("never".to_owned(), |day| day.to_string());
            for (label, value) in [
                ("Status", format!("{:?}", license.status)),
                ("Key state", license.key_state.as_str().to_owned()),
                ("Owner", format!("{} {}", license.owner_name, license.owner_email)),
                ("User", license.owner_username.clone().unwrap_or_default()),
                ("Seats", format!("{} used of {}", license.used, license.limit.0)),
                ("Expires", expires),
                ("Reference", license.reference.clone()),
                ("Made by", license.created_by.clone()),
                ("Test key", if license.is_test { "yes" } else { "no" }.to_owned()),
            ] {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
        ui.separator();
        let number = license.number.clone();
        ui.horizontal(|ui| {
            if license.status == LicenseStatus::Deactivated {
                if ui.button("Activate license").clicked() {
                    self.act(desk, &number, LicenseAction::Activate, "License activated.".into());
                }
            } else if ui.button("Deactivate license").clicked() {
                self.confirm_deactivate = true;
            }
        });
        if self.confirm_deactivate {
            let question = "Deactivate this license? Its holders stop being served until it is activated again.";
            if let Some(confirmed) = confirm(&ctx, "confirm_deactivate", question, "Deactivate") {
                self.confirm_deactivate = false;
                if confirmed {
                    self.act(desk, &number, LicenseAction::Deactivate, "License deactivated.".into());
                }
            }
        }
        ui.horizontal(|ui| {
            labelled_edit(ui, "License reference", &mut self.reference, 160.0);
            if ui.button("Set").clicked() {
                let action = LicenseAction::SetReference(self.reference.clone());
                self.act(desk, &number, action, "Reference set.".into());
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "Assign to user", &mut self.assign_to, 160.0);
            if ui.button("Assign").clicked() {
                let user = self.assign_to.trim().to_owned();
                self.act(desk, &number, LicenseAction::AssignUser(user.clone()), format!("Assigned to {user}."));
            }
        });
        self.terms_actions(ui, desk, &license);
        ui.separator();
        ui.strong(format!("Activations ({})", self.activations.len()));
        if self.activations_task.is_some() {
            ui.spinner();
        } else if self.activations.is_empty() {
            ui.weak("No activations.");
        }
        for activation in &self.activations {
            let device = activation.device.as_deref().map(|d| format!(" (device {d})")).unwrap_or_default();
            ui.label(format!("{}{device} since {}", activation.identifier, activation.created_at.format("%Y-%m-%d")));
        }
        result_line(ui, self.action.is_some());
    }

    pub(super) fn terms_actions(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, license: &License) {
        let ctx = ui.ctx().clone();
        let number = license.number.clone();
        let user = license.owner_username.clone();
        ui.separator();
        ui.horizontal(|ui| {
            labelled_edit(ui, "Change features", &mut self.terms.features, 150.0)
                .on_hover_text("e.g. professional, banner (names or bits)");
            labelled_edit(ui, "Change seats", &mut self.terms.seats, 50.0);
        });
        ui.horizontal(|ui| {
            let ready = user.is_some();
            for (title, upgrade) in [("Upgrade", true), ("Downgrade", false)] {
                let button = ui.add_enabled(ready, egui::Button::new(title));
                if button.on_disabled_hover_text("Only a license with a user is upgraded or downgraded").clicked()
                    && let Some(user) = user.clone()
                {
                    match seats(&self.terms.seats) {
                        Err(problem) => desk.status.error(problem),
                        Ok(count) => {
                            let features = self.terms.features.clone();
                            let action = if upgrade {
                                LicenseAction::Upgrade { user, features, seats: count }
                            } else {
                                LicenseAction::Downgrade { user, features, seats: count }
                            };
                            self.act(desk, &number, action, format!("{title} done."));
                        }
                    }
                }
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "Keep seats", &mut self.terms.keep, 50.0).on_hover_text("0 cancels the license");
            if ui.button("Cancel seats…").clicked() {
                self.confirm_cancel = true;
            }
        });
        if self.confirm_cancel {
            let keep = self.terms.keep.trim().parse::<u32>().unwrap_or(0);
            let question = if keep == 0 {
                "Cancel this license entirely? It cannot be used again.".to_owned()
            } else {
                format!("Cancel all but {keep} seat(s) of this license?")
            };
            if let Some(confirmed) = confirm(&ctx, "confirm_cancel_seats", &question, "Cancel seats") {
                self.confirm_cancel = false;
                if confirmed {
                    let action = LicenseAction::Cancel { user: user.clone(), keep };
                    self.act(desk, &number, action, "Seats cancelled.".into());
                }
            }
        }
        if let Some(user) = user {
            ui.horizontal(|ui| {
                labelled_edit(ui, "Devices", &mut self.terms.devices, 170.0)
                    .on_hover_text("Device names, comma-separated; blank: all of the user's devices");
                if ui.button("Assign to devices").clicked() {
                    let devices = self
                        .terms
                        .devices
                        .split(',')
                        .map(str::trim)
                        .filter(|d| !d.is_empty())
                        .map(str::to_owned)
                        .collect();
                    let action = LicenseAction::AssignDevices { user, devices };
                    self.act(desk, &number, action, "Devices hold the license.".into());
                }
            });
        }
    }
}
