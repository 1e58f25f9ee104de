//! Licenses: every license and key, filtered by product, status, state, owner, who made
//! it and expiry; a virtual table; the selected license's activations and actions.

use egui_extras::{Column, TableBuilder};

use super::{finished, labelled_edit};
use crate::backend::NewLicenseOrder;
use crate::backend::{BackendResult, LicenseAction};
use crate::console::app::Env;
use crate::console::csv_files;
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::console::window::{FETCH, RowWindow};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::license::{KeyState, License, LicenseId, LicenseStatus, LicenseType, ProductKind};
use crate::domain::product::{Product, ProductId};
use crate::service::console::Window;
use crate::store::{ActivationRow, LicenseQuery};

/// The filters as typed; turned into a query when they change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Filters {
    product: Option<ProductId>,
    license_type: Option<LicenseType>,
    status: Option<LicenseStatus>,
    key_state: Option<KeyState>,
    owner: String,
    made_by: String,
    expiring_days: u32,
}

impl Filters {
    fn query(&self) -> LicenseQuery {
        LicenseQuery {
            product: self.product,
            license_type: self.license_type,
            status: self.status,
            key_state: self.key_state,
            owner: self.owner.clone(),
            made_by: self.made_by.clone(),
            expiring_before: (self.expiring_days > 0)
                .then(|| chrono::Utc::now() + chrono::Duration::days(i64::from(self.expiring_days))),
            now: None,
        }
    }
}

#[derive(Default)]
pub struct LicensesView {
    filters: Filters,
    shown: Option<Filters>,
    window: RowWindow<License>,
    fetching: Option<(Filters, Task<BackendResult<Window<License>>>)>,
    products: Vec<Product>,
    products_task: Option<Task<BackendResult<Vec<Product>>>>,
    selected: Option<License>,
    activations: Vec<ActivationRow>,
    activations_task: Option<Task<BackendResult<Vec<ActivationRow>>>>,
    load_activations_for: Option<LicenseId>,
    reference: String,
    assign_to: String,
    confirm_deactivate: bool,
    action: Option<Task<BackendResult<String>>>,
    focus_search: bool,
    problem: Option<String>,
    csv_path: String,
    file_task: Option<Task<Result<String, String>>>,
    terms: TermsForm,
    create: CreateForm,
    distributors: Vec<Distributor>,
    distributors_task: Option<Task<BackendResult<Vec<Distributor>>>>,
    confirm_cancel: bool,
}

/// Upgrade, downgrade, cancel and device assignment of the selected license, as typed.
#[derive(Default)]
struct TermsForm {
    features: String,
    seats: String,
    keep: String,
    devices: String,
}

/// A new license, as typed.
#[derive(Default)]
struct CreateForm {
    open: bool,
    distributor: Option<DistributorId>,
    owner: String,
    server: bool,
    license_type: Option<LicenseType>,
    features: String,
    seats: String,
    reference: String,
}

const TYPES: [LicenseType; 4] =
    [LicenseType::Permanent, LicenseType::Monthly, LicenseType::NotForResale, LicenseType::Yearly];

fn seats(text: &str) -> Result<Option<u32>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse().map(Some).map_err(|_| format!("Seats must be a whole number, not {t:?}.")),
    }
}

impl LicensesView {
    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    pub fn refresh(&mut self) {
        self.shown = None;
        self.products.clear();
        if let Some(license) = &self.selected {
            self.load_activations_for = Some(license.id);
        }
    }

    fn fetch(&mut self, env: &Env<'_>, ctx: &egui::Context, filters: Filters, offset: u64) {
        if self.fetching.is_some() {
            return;
        }
        let (backend, query) = (env.backend.clone(), filters.query());
        let task = env.jobs.run(ctx, move || backend.licenses(&query, offset, FETCH));
        self.fetching = Some((filters, task));
    }

    fn poll(&mut self, env: &mut Env<'_>) {
        if let Some((filters, task)) = &self.fetching
            && let Some(result) = task.take()
        {
            let filters = filters.clone();
            self.fetching = None;
            match result {
                Ok(window) => {
                    self.problem = None;
                    if let Some(selected) = &self.selected
                        && let Some(fresh) = window.rows.iter().find(|l| l.id == selected.id)
                    {
                        self.selected = Some(fresh.clone());
                    }
                    self.window = RowWindow { offset: window.offset, rows: window.rows, total: window.total };
                }
                Err(error) => self.problem = Some(error.to_string()),
            }
            self.shown = Some(filters);
        }
        if let Some(products) = finished(&mut self.products_task, env.status) {
            self.products = products;
        }
        if let Some(rows) = finished(&mut self.activations_task, env.status) {
            self.activations = rows;
        }
        if let Some(message) = finished(&mut self.action, env.status) {
            env.status.info(message);
            self.shown = None;
        }
        if let Some(task) = &self.distributors_task
            && let Some(result) = task.take()
        {
            self.distributors_task = None;
            match result {
                Ok(all) => {
                    self.create.distributor = all.iter().find(|d| d.is_default).or(all.first()).map(|d| d.id);
                    self.distributors = all;
                }
                Err(error) => env.status.error(error.to_string()),
            }
        }
        if let Some(task) = &self.file_task
            && let Some(result) = task.take()
        {
            self.file_task = None;
            match result {
                Ok(message) => env.status.info(message),
                Err(error) => env.status.error(error),
            }
            self.shown = None;
        }
    }

    fn csv_bar(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        ui.horizontal(|ui| {
            labelled_edit(ui, "Keys CSV", &mut self.csv_path, 260.0)
                .on_hover_text("A file with a `key` column to import into the chosen product, or to export to");
            if ui.button("Browse…").clicked()
                && let Some(path) = rfd::FileDialog::new().add_filter("CSV", &["csv"]).pick_file()
            {
                self.csv_path = path.display().to_string();
            }
            let busy = self.file_task.is_some();
            let product = self.filters.product;
            let import = ui.add_enabled(!busy && product.is_some(), egui::Button::new("Import keys"));
            if import.on_disabled_hover_text("Choose the product the keys are for").clicked()
                && let Some(product) = product
            {
                let (backend, path) = (env.backend.clone(), std::path::PathBuf::from(self.csv_path.trim()));
                self.file_task = Some(env.jobs.run(ui.ctx(), move || {
                    let keys = csv_files::read_keys(&path).map_err(|e| e.to_string())?;
                    let (created, duplicates) = backend.import_keys(product, &keys).map_err(|e| e.to_string())?;
                    Ok(format!("Imported {created} keys from {}; {duplicates} existed already.", path.display()))
                }));
            }
            if ui.add_enabled(!busy, egui::Button::new("Export keys")).clicked() {
                let (backend, path, query) =
                    (env.backend.clone(), std::path::PathBuf::from(self.csv_path.trim()), self.filters.query());
                let names: Vec<(ProductId, String)> = self.products.iter().map(|p| (p.id, p.name.clone())).collect();
                self.file_task = Some(env.jobs.run(ui.ctx(), move || {
                    let licenses = backend.export_licenses(&query).map_err(|e| e.to_string())?;
                    let rows: Vec<[String; 4]> = licenses
                        .into_iter()
                        .map(|l| {
                            let product = names.iter().find(|(id, _)| Some(*id) == l.product_id);
                            [l.number, l.owner_name, l.owner_email, product.map_or(String::new(), |(_, n)| n.clone())]
                        })
                        .collect();
                    csv_files::write_keys(&path, &rows).map_err(|e| e.to_string())?;
                    Ok(format!("Exported {} keys to {}.", rows.len(), path.display()))
                }));
            }
            if busy {
                ui.spinner();
            }
            if ui.button("New license…").clicked() {
                self.create.open = !self.create.open;
                if self.distributors.is_empty() && self.distributors_task.is_none() {
                    let backend = env.backend.clone();
                    self.distributors_task = Some(env.jobs.run(ui.ctx(), move || backend.distributors()));
                }
            }
        });
    }

    fn create_form(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
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
                        (None, _) => env.status.error("Choose a distributor."),
                        (_, Err(problem)) => env.status.error(problem),
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
                            let backend = env.backend.clone();
                            self.action = Some(env.jobs.run(ui.ctx(), move || {
                                backend.create_license(&order).map(|l| format!("Created license {}.", l.number))
                            }));
                        }
                    }
                }
            });
        });
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        let ctx = ui.ctx().clone();
        self.poll(env);
        if self.products.is_empty() && self.products_task.is_none() {
            let backend = env.backend.clone();
            self.products_task = Some(env.jobs.run(&ctx, move || backend.products()));
        }
        if let Some(id) = self.load_activations_for.take() {
            let backend = env.backend.clone();
            self.activations_task = Some(env.jobs.run(&ctx, move || backend.license_activations(id)));
        }
        if self.shown.as_ref() != Some(&self.filters) && self.fetching.as_ref().is_none_or(|(f, _)| *f != self.filters)
        {
            self.fetching = None;
            self.fetch(env, &ctx, self.filters.clone(), 0);
        }
        self.filter_bar(ui);
        self.csv_bar(ui, env);
        if self.create.open {
            self.create_form(ui, env);
        }
        ui.separator();
        if self.selected.is_some() {
            egui::Panel::right("license_detail")
                .default_size(Tokens::DETAIL_WIDTH)
                .show(ui, |ui| egui::ScrollArea::vertical().show(ui, |ui| self.detail_pane(ui, env)));
        }
        self.table(ui, env);
    }

    fn filter_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Product");
            let current = self
                .filters
                .product
                .and_then(|id| self.products.iter().find(|p| p.id == id))
                .map_or("Any".to_owned(), |p| p.name.clone());
            egui::ComboBox::from_id_salt("license_product")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.product, None, "Any");
                    for p in &self.products {
                        ui.selectable_value(&mut self.filters.product, Some(p.id), p.name.clone());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Status");
            let status_text = |s: Option<LicenseStatus>| s.map_or("Any".to_owned(), |s| format!("{s:?}"));
            egui::ComboBox::from_id_salt("license_status")
                .selected_text(status_text(self.filters.status))
                .show_ui(ui, |ui| {
                    for status in [None, Some(LicenseStatus::Active), Some(LicenseStatus::Deactivated)] {
                        ui.selectable_value(&mut self.filters.status, status, status_text(status));
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Type");
            let type_text = |t: Option<LicenseType>| t.map_or("Any", LicenseType::name).to_owned();
            egui::ComboBox::from_id_salt("license_type")
                .selected_text(type_text(self.filters.license_type))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filters.license_type, None, "Any");
                    for t in TYPES {
                        ui.selectable_value(&mut self.filters.license_type, Some(t), t.name());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Key state");
            let state_text = |s: Option<KeyState>| s.map_or("Any", KeyState::as_str).to_owned();
            egui::ComboBox::from_id_salt("license_state")
                .selected_text(state_text(self.filters.key_state))
                .show_ui(ui, |ui| {
                    for state in [
                        None,
                        Some(KeyState::Available),
                        Some(KeyState::Assigned),
                        Some(KeyState::Reserved),
                        Some(KeyState::Blocked),
                    ] {
                        ui.selectable_value(&mut self.filters.key_state, state, state_text(state));
                    }
                })
                .response
                .labelled_by(label.id);
            labelled_edit(ui, "Owner", &mut self.filters.owner, 140.0)
                .on_hover_text("Part of the owner's name, e-mail or username");
            if std::mem::take(&mut self.focus_search) {
                ui.memory_mut(|m| m.request_focus(egui::Id::unique("Owner")));
            }
            labelled_edit(ui, "Made by", &mut self.filters.made_by, 110.0)
                .on_hover_text("e.g. reseller:2, owner, api-key");
            let label = ui.label("Expiring within days");
            ui.add(egui::DragValue::new(&mut self.filters.expiring_days).range(0..=3650))
                .labelled_by(label.id)
                .on_hover_text("0: any expiry");
        });
    }

    fn table(&mut self, ui: &mut egui::Ui, env: &Env<'_>) {
        if let Some(problem) = &self.problem {
            ui.colored_label(Tokens::ERROR, problem);
            return;
        }
        let total = self.window.total;
        ui.horizontal(|ui| {
            ui.label(format!("{total} licenses"));
            if self.fetching.is_some() {
                ui.spinner();
            }
        });
        if total == 0 && self.fetching.is_none() {
            ui.vertical_centered(|ui| ui.label("No licenses match. Generate keys, or loosen the filters."));
            return;
        }
        let products = &self.products;
        let product_name = |id: Option<ProductId>| {
            id.and_then(|id| products.iter().find(|p| p.id == id)).map_or(String::new(), |p| p.name.clone())
        };
        let (window, selected) = (&self.window, self.selected.as_ref().map(|l| l.id));
        let mut visible: Option<(u64, u64)> = None;
        let mut clicked: Option<License> = None;
        TableBuilder::new(ui)
            .id_salt("licenses_table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .column(Column::initial(250.0).at_least(100.0))
            .column(Column::initial(150.0))
            .column(Column::initial(170.0))
            .column(Column::initial(90.0))
            .column(Column::initial(80.0))
            .column(Column::initial(60.0))
            .column(Column::remainder())
            .header(Tokens::ROW_HEIGHT, |mut header| {
                for title in ["License / key", "Product", "Owner", "Status", "State", "Used", "Made by"] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|body| {
                body.rows(Tokens::ROW_HEIGHT, total as usize, |mut row| {
                    let index = row.index() as u64;
                    visible = Some(visible.map_or((index, index + 1), |(a, b)| (a.min(index), b.max(index + 1))));
                    let license = window.get(index);
                    row.set_selected(license.is_some_and(|l| Some(l.id) == selected));
                    let cells: [String; 7] = match license {
                        Some(l) => [
                            l.number.clone(),
                            product_name(l.product_id),
                            if l.owner_email.is_empty() {
                                l.owner_username.clone().unwrap_or_default()
                            } else {
                                format!("{} <{}>", l.owner_name, l.owner_email)
                            },
                            format!("{:?}", l.status),
                            l.key_state.as_str().to_owned(),
                            if l.limit.0 == 0 {
                                format!("{}/unlimited", l.used)
                            } else {
                                format!("{}/{}", l.used, l.limit.0)
                            },
                            l.created_by.clone(),
                        ],
                        None => std::array::from_fn(|i| if i == 0 { "…".to_owned() } else { String::new() }),
                    };
                    for cell in cells {
                        row.col(|ui| {
                            ui.add(egui::Label::new(cell).truncate().selectable(false));
                        });
                    }
                    if row.response().clicked() {
                        clicked = license.cloned();
                    }
                });
            });
        if let Some(license) = clicked {
            self.reference = license.reference.clone();
            self.load_activations_for = Some(license.id);
            self.selected = Some(license);
        }
        if let Some((start, end)) = visible
            && let Some(offset) = self.window.refill_for(start..end)
            && let Some(shown) = self.shown.clone()
        {
            self.fetch(env, ui.ctx(), shown, offset);
        }
    }

    fn act(&mut self, env: &Env<'_>, ctx: &egui::Context, number: &str, action: LicenseAction, done: String) {
        let (backend, number) = (env.backend.clone(), number.to_owned());
        self.action = Some(env.jobs.run(ctx, move || backend.license_action(&number, &action).map(|()| done)));
    }

    fn detail_pane(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
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
                env.status.info("Key copied.");
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
                    self.act(env, &ctx, &number, LicenseAction::Activate, "License activated.".into());
                }
            } else if ui.button("Deactivate license").clicked() {
                self.confirm_deactivate = true;
            }
        });
        if self.confirm_deactivate {
            let question = "Deactivate this license? Its holders stop being served until it is activated again.";
            if let Some(confirmed) = super::confirm(&ctx, "confirm_deactivate", question, "Deactivate") {
                self.confirm_deactivate = false;
                if confirmed {
                    self.act(env, &ctx, &number, LicenseAction::Deactivate, "License deactivated.".into());
                }
            }
        }
        ui.horizontal(|ui| {
            labelled_edit(ui, "License reference", &mut self.reference, 160.0);
            if ui.button("Set").clicked() {
                let action = LicenseAction::SetReference(self.reference.clone());
                self.act(env, &ctx, &number, action, "Reference set.".into());
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "Assign to user", &mut self.assign_to, 160.0);
            if ui.button("Assign").clicked() {
                let user = self.assign_to.trim().to_owned();
                self.act(env, &ctx, &number, LicenseAction::AssignUser(user.clone()), format!("Assigned to {user}."));
            }
        });
        self.terms_actions(ui, env, &license);
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
        super::result_line(ui, self.action.is_some());
    }

    fn terms_actions(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>, license: &License) {
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
                        Err(problem) => env.status.error(problem),
                        Ok(count) => {
                            let features = self.terms.features.clone();
                            let action = if upgrade {
                                LicenseAction::Upgrade { user, features, seats: count }
                            } else {
                                LicenseAction::Downgrade { user, features, seats: count }
                            };
                            self.act(env, &ctx, &number, action, format!("{title} done."));
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
            if let Some(confirmed) = super::confirm(&ctx, "confirm_cancel_seats", &question, "Cancel seats") {
                self.confirm_cancel = false;
                if confirmed {
                    let action = LicenseAction::Cancel { user: user.clone(), keep };
                    self.act(env, &ctx, &number, action, "Seats cancelled.".into());
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
                    self.act(env, &ctx, &number, action, "Devices hold the license.".into());
                }
            });
        }
    }
}
