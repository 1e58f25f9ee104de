//! Licenses: every license and key, filtered by product, status, state, owner, who made
//! it and expiry; a virtual table; the selected license's activations and actions.

mod bulk;
mod detail;
mod filters;
mod forms;

use egui_extras::{Column, TableBuilder};

use filters::{Filters, Typed};

use super::table_keys::{Cursor, TableKey};
use super::{Fetch, finished};
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::navigation::{Command, View};
use crate::console::theme::Tokens;
use crate::console::window::{FETCH, RowWindow};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::license::{KeyState, License, LicenseId, LicenseStatus, LicenseType};
use crate::domain::product::{Product, ProductId};
use crate::service::console::Window;
use crate::store::{ActivationRow, LicenseOrder};

#[derive(Default)]
pub struct LicensesView {
    filters: Filters,
    typed: Typed,
    cursor: Cursor,
    /// Whether the sort remembered from the last run was read (the first frame).
    sort_read: bool,
    shown: Option<Filters>,
    window: RowWindow<License>,
    fetching: Option<(Filters, Task<BackendResult<Window<License>>>)>,
    products: Vec<Product>,
    products_fetch: Fetch<Vec<Product>>,
    selected: Option<License>,
    activations: Vec<ActivationRow>,
    activations_task: Option<Task<BackendResult<Vec<ActivationRow>>>>,
    load_activations_for: Option<LicenseId>,
    reference: String,
    assign_to: String,
    confirm_deactivate: bool,
    action: Option<Task<BackendResult<String>>>,
    problem: Option<String>,
    csv_path: String,
    browsing: Option<Task<Option<std::path::PathBuf>>>,
    file_task: Option<Task<BackendResult<String>>>,
    terms: TermsForm,
    create: CreateForm,
    distributors: Vec<Distributor>,
    distributors_task: Option<Task<BackendResult<Vec<Distributor>>>>,
    confirm_cancel: bool,
    bulk: bulk::Bulk,
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
    /// Shows what an overview tile counted: the other filters are cleared.
    pub fn focus(&mut self, focus: crate::console::navigation::LicenseFocus) {
        use crate::console::navigation::LicenseFocus;
        self.filters = Filters::default();
        self.bulk.selection = bulk::Selection::None;
        match focus {
            LicenseFocus::Status(status) => self.filters.status = Some(status),
            LicenseFocus::KeyState(state) => self.filters.key_state = Some(state),
            LicenseFocus::ExpiringWithinDays(days) => self.filters.expiring_days = days,
        }
    }

    /// Every license selected and the default change (extend by 6 months) previewed.
    pub fn stage_bulk_preview(&mut self) {
        self.bulk.selection = bulk::Selection::AllMatching;
        self.bulk.preview_soon();
    }

    pub fn focus_search(&mut self) {
        self.typed.focus();
    }

    /// Filters by a typed text (a saved search, the palette).
    pub fn run_search(&mut self, text: &str) {
        self.bulk.selection = bulk::Selection::None;
        self.typed.run(text, &mut self.filters, &self.products);
    }

    /// Shows this one license, its detail open (the palette).
    pub fn open_license(&mut self, license: License) {
        self.filters = Filters { number: license.number.clone(), ..Filters::default() };
        self.bulk.selection = bulk::Selection::None;
        self.open(license);
    }

    /// Opens a license's detail: its reference to edit, its activations to read.
    fn open(&mut self, license: License) {
        self.reference = license.reference.clone();
        self.load_activations_for = Some(license.id);
        self.selected = Some(license);
    }

    fn fetch(&mut self, desk: &mut Desk<'_>, filters: Filters, offset: u64) {
        if self.fetching.is_some() {
            return;
        }
        let query = filters.query();
        let task = desk.read(move |backend| backend.licenses(&query, offset, FETCH));
        self.fetching = Some((filters, task));
    }

    fn poll(&mut self, desk: &mut Desk<'_>) {
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
                Err(error) => {
                    self.problem = Some(super::table_problem(&error, desk.status));
                }
            }
            self.shown = Some(filters);
        }
        if let Some(products) = self.products_fetch.finished(desk.status) {
            self.products = products;
            self.typed.products_known(&mut self.filters, &self.products);
        }
        if let Some(rows) = finished(&mut self.activations_task, desk.status) {
            self.activations = rows;
        }
        if let Some(message) = finished(&mut self.action, desk.status) {
            desk.status.info(message);
            self.shown = None;
        }
        if let Some(all) = finished(&mut self.distributors_task, desk.status) {
            self.create.distributor = all.iter().find(|d| d.is_default).or(all.first()).map(|d| d.id);
            self.distributors = all;
        }
        if let Some(message) = finished(&mut self.file_task, desk.status) {
            desk.status.info(message);
            self.shown = None;
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        self.poll(desk);
        // A profile without products (a Registration Server, distributor staff) filters without them.
        if desk.unavailable(crate::backend::Area::Products).is_none() {
            self.products_fetch.start(desk, |backend| backend.products());
        }
        if let Some(id) = self.load_activations_for.take() {
            self.activations_task = Some(desk.read(move |backend| backend.license_activations(id)));
        }
        if self.shown.as_ref() != Some(&self.filters) && self.fetching.as_ref().is_none_or(|(f, _)| *f != self.filters)
        {
            self.fetching = None;
            self.fetch(desk, self.filters.clone(), 0);
        }
        let matching = self.filters.matching();
        if let Some(save) = self.typed.ui(ui, &mut self.filters, &self.products) {
            desk.emit(save);
        }
        self.filter_bar(ui);
        self.typed.follow(&self.filters, &self.products);
        if self.filters.matching() != matching {
            // Another filter, other licenses: a selection made under the old one goes.
            self.bulk.selection = bulk::Selection::None;
        }
        self.csv_bar(ui, desk);
        self.bulk.bar(ui, desk, &self.filters, self.window.total);
        self.selection_keys(ui);
        self.table_keys(ui);
        self.remember_sort(ui);
        if self.create.open {
            self.create_form(ui, desk);
        }
        ui.separator();
        if self.selected.is_some() {
            egui::Panel::right("license_detail")
                .default_size(Tokens::DETAIL_WIDTH)
                .show(ui, |ui| egui::ScrollArea::vertical().show(ui, |ui| self.detail_pane(ui, desk)));
        }
        self.table(ui, desk);
    }

    fn filter_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Product");
            let current = self
                .filters
                .product
                .and_then(|id| self.products.iter().find(|p| p.id == id))
                .map_or("Any".to_owned(), |p| p.name.clone());
            egui::ComboBox::from_id_salt("license_product")
                .width(150.0)
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
                .width(100.0)
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
                .width(110.0)
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
                .width(100.0)
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
            let label = ui.label("Expires within");
            let days = egui::DragValue::new(&mut self.filters.expiring_days)
                .range(0..=3650)
                .custom_formatter(|n, _| if n < 1.0 { "any time".to_owned() } else { format!("{n} days") })
                .custom_parser(|text| text.trim().trim_end_matches("days").trim().parse::<f64>().ok().or(Some(0.0)));
            ui.add(days).labelled_by(label.id).on_hover_text("Drag or type a number of days; 0: any expiry");
        });
    }

    fn table(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
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
            let filtered = self.filters.matching() != Filters::default();
            let generates = desk.unavailable(crate::backend::Area::KeyGeneration).is_none();
            ui.vertical_centered(|ui| {
                ui.add_space(Tokens::GAP * 3.0);
                ui.label(if filtered { "No licenses match these filters." } else { "No licenses yet." });
                ui.horizontal(|ui| {
                    if filtered && ui.button("Clear filters").clicked() {
                        self.filters = Filters::default();
                    }
                    if generates && ui.button("Generate keys…").clicked() {
                        desk.emit(Command::Show(View::KeyGeneration));
                    }
                });
            });
            return;
        }
        let products = &self.products;
        let product_name = |id: Option<ProductId>| {
            id.and_then(|id| products.iter().find(|p| p.id == id)).map_or(String::new(), |p| p.name.clone())
        };
        let (window, selected, picked) = (&self.window, self.selected.as_ref().map(|l| l.id), &self.bulk.selection);
        let mut visible: Option<(u64, u64)> = None;
        let mut clicked: Option<(u64, License)> = None;
        let mut sort = None;
        let (sorted, ascending) = (self.filters.order, self.filters.ascending);
        let cursor = self.cursor.row;
        self.cursor
            .scroll(TableBuilder::new(ui))
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
                for (title, order) in [
                    ("License / key", Some(LicenseOrder::Made)),
                    ("Product", Some(LicenseOrder::Product)),
                    ("Owner", Some(LicenseOrder::Owner)),
                    ("Status", Some(LicenseOrder::Status)),
                    ("State", Some(LicenseOrder::State)),
                    ("Used", None),
                    ("Made by", None),
                ] {
                    header.col(|ui| {
                        let Some(order) = order else {
                            ui.strong(title);
                            return;
                        };
                        let arrow = match (sorted == order, ascending) {
                            (true, true) => " ^",
                            (true, false) => " v",
                            _ => "",
                        };
                        let hover = if order == LicenseOrder::Made { "Sort by when made" } else { "Sort" };
                        if ui.button(format!("{title}{arrow}")).on_hover_text(hover).clicked() {
                            sort = Some(order);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(Tokens::ROW_HEIGHT, total as usize, |mut row| {
                    let index = row.index() as u64;
                    visible = Some(visible.map_or((index, index + 1), |(a, b)| (a.min(index), b.max(index + 1))));
                    let license = window.get(index);
                    row.set_selected(license.is_some_and(|l| Some(l.id) == selected || picked.contains(l.id)));
                    if cursor == Some(index) {
                        row.set_hovered(true);
                    }
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
                        clicked = license.cloned().map(|l| (index, l));
                    }
                });
            });
        // A second click on the sorted column turns it round; a new column starts from its
        // beginning (A first), when made from the newest.
        if let Some(order) = sort {
            if self.filters.order == order {
                self.filters.ascending = !self.filters.ascending;
            } else {
                self.filters.order = order;
                self.filters.ascending = order != LicenseOrder::Made;
            }
        }
        if let Some((index, license)) = clicked {
            self.cursor.row = Some(index);
            let pick = bulk::Pick::from(click_modifiers(ui));
            let window = &self.window;
            let between = |from: u64, to: u64| (from..=to).filter_map(|row| window.get(row).map(|l| l.id)).collect();
            self.bulk.selection.pick(pick, index, license.id, between);
            if pick == bulk::Pick::Only {
                self.open(license);
            }
        }
        if let Some((start, end)) = visible
            && let Some(offset) = self.window.refill_for(start..end)
            && let Some(shown) = self.shown.clone()
        {
            self.fetch(desk, shown, offset);
        }
    }
}

impl LicensesView {
    /// Up and Down move the highlighted row, Enter opens its detail, Esc closes it.
    fn table_keys(&mut self, ui: &egui::Ui) {
        match self.cursor.keys(ui, self.window.total) {
            Some(TableKey::Open(row)) => {
                if let Some(license) = self.window.get(row).cloned() {
                    self.open(license);
                }
            }
            Some(TableKey::Close) => self.selected = None,
            None => {}
        }
    }

    /// The sort outlives a restart (egui's persisted memory).
    fn remember_sort(&mut self, ui: &egui::Ui) {
        let now = (self.filters.order, self.filters.ascending);
        if let Some((order, flag)) = super::sorting::remember(ui, "licenses", &mut self.sort_read, now) {
            (self.filters.order, self.filters.ascending) = (order, flag);
        }
    }

    /// Ctrl+A selects every license the filters match, Esc clears the selection: only while
    /// no text field has the keys.
    fn selection_keys(&mut self, ui: &egui::Ui) {
        if ui.memory(|m| m.focused().is_some() || m.top_modal_layer().is_some()) {
            return;
        }
        let selected = self.bulk.selection != bulk::Selection::None;
        let (all, clear) = ui.input_mut(|i| {
            let all = i.consume_key(egui::Modifiers::COMMAND, egui::Key::A);
            (all, selected && i.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
        });
        if all && self.window.total > 0 {
            self.bulk.selection = bulk::Selection::AllMatching;
        }
        if clear {
            self.bulk.selection = bulk::Selection::None;
        }
    }
}

/// The modifiers held at this frame's click: from the release event itself, which a quick
/// Ctrl-click (or a test) may carry without a lasting modifier state.
fn click_modifiers(ui: &egui::Ui) -> egui::Modifiers {
    ui.input(|i| {
        i.events
            .iter()
            .rev()
            .find_map(|event| match event {
                egui::Event::PointerButton { pressed: false, modifiers, .. } => Some(*modifiers),
                _ => None,
            })
            .unwrap_or(i.modifiers)
    })
}

impl Refresh for LicensesView {
    const SHOWS: &'static [Topic] = &[Topic::Licenses, Topic::Products, Topic::Users];

    fn refresh(&mut self) {
        self.shown = None;
        self.bulk.refresh();
        self.products.clear();
        self.products_fetch.again();
        if let Some(license) = &self.selected {
            self.load_activations_for = Some(license.id);
        }
    }
}
