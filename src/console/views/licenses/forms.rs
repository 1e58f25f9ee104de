//! Above the licenses table: keys CSV import and export, and the new-license form.

use super::{LicensesView, TYPES, seats};
use crate::backend::NewLicenseOrder;
use crate::console::csv_files;
use crate::console::desk::{Desk, Topic};
use crate::console::dialogs::FileChoice;
use crate::console::views::labelled_edit;
use crate::domain::license::{LicenseType, ProductKind};
use crate::domain::product::ProductId;

impl LicensesView {
    pub(super) fn csv_bar(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        ui.horizontal(|ui| {
            labelled_edit(ui, "Keys CSV", &mut self.csv_path, 260.0)
                .on_hover_text("A file with a `key` column to import into the chosen product, or to export to");
            super::super::browse(ui, desk, FileChoice::Csv, &mut self.browsing, &mut self.csv_path);
            let busy = self.file_task.is_some();
            let product = self.filters.product;
            let import = ui.add_enabled(!busy && product.is_some(), egui::Button::new("Import keys"));
            if import.on_disabled_hover_text("Choose the product the keys are for").clicked()
                && let Some(product) = product
            {
                let path = std::path::PathBuf::from(self.csv_path.trim());
                self.file_task = Some(desk.change(&[Topic::Licenses], move |backend| {
                    let keys = csv_files::read_keys(&path)?;
                    let (created, duplicates) = backend.import_keys(product, &keys)?;
                    Ok(format!("Imported {created} keys from {}; {duplicates} existed already.", path.display()))
                }));
            }
            // With a selection, just the selected keys.
            let selection = self.bulk.selection.query(&self.filters);
            let export = if selection.is_some() { "Export selected keys" } else { "Export keys" };
            if ui.add_enabled(!busy, egui::Button::new(export)).clicked() {
                let path = std::path::PathBuf::from(self.csv_path.trim());
                let query = selection.unwrap_or_else(|| self.filters.query());
                let names: Vec<(ProductId, String)> = self.products.iter().map(|p| (p.id, p.name.clone())).collect();
                self.file_task = Some(desk.read(move |backend| {
                    let licenses = backend.export_licenses(&query)?;
                    let rows: Vec<[String; 4]> = licenses
                        .into_iter()
                        .map(|l| {
                            let product = names.iter().find(|(id, _)| Some(*id) == l.product_id);
                            [l.number, l.owner_name, l.owner_email, product.map_or(String::new(), |(_, n)| n.clone())]
                        })
                        .collect();
                    csv_files::write_keys(&path, &rows)?;
                    Ok(format!("Exported {} keys to {}.", rows.len(), path.display()))
                }));
            }
            if busy {
                ui.spinner();
            }
            if ui.button("New license…").clicked() {
                self.create.open = !self.create.open;
                if self.distributors.is_empty() && self.distributors_task.is_none() {
                    self.distributors_task = Some(desk.read(|backend| backend.distributors()));
                }
            }
        });
    }

    pub(super) fn create_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("New license (Registration Server terms)");
            ui.horizontal(|ui| {
                let label = ui.label("Distributor");
                let current = self
                    .distributors
                    .iter()
                    .find(|d| Some(d.id) == self.create.distributor)
                    .map_or(String::new(), |d| d.code.to_string());
                egui::ComboBox::from_id_salt("create_distributor")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for d in &self.distributors {
                            ui.selectable_value(&mut self.create.distributor, Some(d.id), d.code.to_string());
                        }
                    })
                    .response
                    .labelled_by(label.id);
                labelled_edit(ui, "Owner username", &mut self.create.owner, 140.0).on_hover_text("Blank: no user yet");
                ui.checkbox(&mut self.create.server, "Server license");
                let label = ui.label("License type");
                let chosen = self.create.license_type.unwrap_or(LicenseType::Permanent);
                egui::ComboBox::from_id_salt("create_type")
                    .selected_text(chosen.name())
                    .show_ui(ui, |ui| {
                        for t in TYPES {
                            ui.selectable_value(&mut self.create.license_type, Some(t), t.name());
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                labelled_edit(ui, "Features", &mut self.create.features, 200.0)
                    .on_hover_text("e.g. professional, banner (names or bits)");
                labelled_edit(ui, "Seats", &mut self.create.seats, 50.0).on_hover_text("Blank: 1");
                labelled_edit(ui, "Reference", &mut self.create.reference, 140.0);
                if ui.button("Create license").clicked() {
                    match (self.create.distributor, seats(&self.create.seats)) {
                        (None, _) => desk.status.error("Choose a distributor."),
                        (_, Err(problem)) => desk.status.error(problem),
                        (Some(distributor), Ok(count)) => {
                            let order = NewLicenseOrder {
                                distributor,
                                owner: Some(self.create.owner.clone()),
                                product: if self.create.server { ProductKind::Server } else { ProductKind::Client },
                                license_type: self.create.license_type.unwrap_or(LicenseType::Permanent),
                                features: self.create.features.clone(),
                                seats: count.unwrap_or(1),
                                reference: self.create.reference.clone(),
                            };
                            self.action = Some(desk.change(&[Topic::Licenses], move |backend| {
                                backend.create_license(&order).map(|l| format!("Created license {}.", l.number))
                            }));
                        }
                    }
                }
            });
        });
    }
}
