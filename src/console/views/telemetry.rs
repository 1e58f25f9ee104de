//! Telemetry: records per product and data group, red flags highlighted, numeric series
//! plotted.

use egui_plot::{Line, Plot};

use super::sorting::{Sort, SortKey, keep_sorted};
use super::{Fetch, finished, labelled_edit};
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::domain::product::{Product, ProductId};
use crate::domain::telemetry::TelemetryRecord;
use crate::store::TelemetryFilter;

#[derive(Default)]
pub struct TelemetryView {
    product: Option<ProductId>,
    group: String,
    red_only: bool,
    shown: Option<(Option<ProductId>, String, bool)>,
    products: Vec<Product>,
    products_fetch: Fetch<Vec<Product>>,
    records: Vec<TelemetryRecord>,
    sorted: Option<Sort>,
    loading: Option<Task<BackendResult<Vec<TelemetryRecord>>>>,
}

impl TelemetryView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if let Some(records) = finished(&mut self.loading, desk.status) {
            self.records = records;
            self.sorted = None;
        }
        if let Some(products) = self.products_fetch.finished(desk.status) {
            self.products = products;
        }
        self.products_fetch.start(desk, |backend| backend.products());
        ui.horizontal(|ui| {
            let label = ui.label("Product");
            let current = self
                .product
                .and_then(|id| self.products.iter().find(|p| p.id == id))
                .map_or("Any".to_owned(), |p| p.name.clone());
            egui::ComboBox::from_id_salt("telemetry_product")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.product, None, "Any");
                    for p in &self.products {
                        ui.selectable_value(&mut self.product, Some(p.id), p.name.clone());
                    }
                })
                .response
                .labelled_by(label.id);
            labelled_edit(ui, "Data group", &mut self.group, 160.0);
            ui.checkbox(&mut self.red_only, "Red flags only");
        });
        let wanted = (self.product, self.group.clone(), self.red_only);
        if self.shown.as_ref() != Some(&wanted) && self.loading.is_none() {
            let filter = TelemetryFilter {
                product_id: wanted.0.map(|p| p.0),
                data_group: Some(wanted.1.trim().to_owned()).filter(|g| !g.is_empty()),
                red_flags: wanted.2.then_some(true),
                limit: 5_000,
                ..TelemetryFilter::default()
            };
            self.loading = Some(desk.read(move |backend| backend.telemetry(&filter)));
            self.shown = Some(wanted);
        }
        ui.separator();
        if self.records.is_empty() {
            ui.label(if self.loading.is_some() { "Loading…" } else { "No telemetry received yet." });
            return;
        }
        // One line per data group: its numeric values in the order they arrived (records
        // often share a timestamp, so the arrival order is the x axis).
        let mut series: Vec<(&str, Vec<[f64; 2]>)> = Vec::new();
        for r in self.records.iter().filter(|r| r.flags.correct_format) {
            let Ok(value) = r.data.trim().parse::<f64>() else { continue };
            let at = match series.iter().position(|(group, _)| *group == r.data_group.as_str()) {
                Some(at) => at,
                None => {
                    series.push((r.data_group.as_str(), Vec::new()));
                    series.len() - 1
                }
            };
            let points = &mut series[at].1;
            points.push([points.len() as f64 + 1.0, value]);
        }
        if !series.is_empty() {
            ui.label("Numeric values per data group, in the order received");
            Plot::new("telemetry_plot").height(200.0).legend(egui_plot::Legend::default()).x_axis_label("record").show(
                ui,
                |plot| {
                    for (group, points) in series {
                        plot.line(Line::new(group.to_owned(), points));
                    }
                },
            );
        }
        let sort =
            keep_sorted(
                ui,
                "telemetry",
                Sort::newest(0),
                &mut self.sorted,
                &mut self.records,
                |r, column| match column {
                    0 => SortKey::time(r.created_at),
                    1 => SortKey::Number(r.product_id.unwrap_or(0)),
                    2 => SortKey::text(&r.data_group),
                    3 => SortKey::text(&r.data_type),
                    4 => SortKey::text(&r.data),
                    _ => SortKey::Number(i64::from(r.flags.red_flags) * 2 + i64::from(!r.flags.correct_format)),
                },
            );
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("telemetry").striped(true).num_columns(6).show(ui, |ui| {
                sort.header(ui, "telemetry", &["Received", "Product", "Group", "Type", "Value", "Flags"]);
                for r in &self.records {
                    ui.label(r.created_at.format("%Y-%m-%d %H:%M").to_string());
                    ui.label(r.product_id.map_or(String::new(), |p| p.to_string()));
                    ui.label(&r.data_group);
                    ui.label(&r.data_type);
                    ui.label(&r.data);
                    if r.flags.red_flags {
                        ui.colored_label(Tokens::ERROR, "red flag");
                    } else if !r.flags.correct_format {
                        ui.colored_label(Tokens::WARNING, "malformed");
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
        });
    }
}

impl Refresh for TelemetryView {
    const SHOWS: &'static [Topic] = &[Topic::Products];

    fn refresh(&mut self) {
        self.shown = None;
    }
}
