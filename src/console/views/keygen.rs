//! Key generation by hand: for a reseller's customer from one of its pools (the same call
//! as the keygen URL), or available stock of a product in bulk, with progress and cancel.

use super::{Fetch, finished, labelled_edit};
use crate::backend::{Area, BackendResult, ResellerPools};
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::{Progress, Task};
use crate::console::theme::Tokens;
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{Edition, IssuedKeys, KeyOrder, ResellerId};

// The largest stock job the form accepts is what the service takes in one job.
use crate::domain::limits::MAX_STOCK;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Mode {
    #[default]
    ResellerPool,
    ProductStock,
}

#[derive(Default)]
struct OrderForm {
    reseller: Option<ResellerId>,
    edition: Option<Edition>,
    /// As typed; empty means 1.
    quantity: String,
    first_name: String,
    last_name: String,
    email: String,
    test_mode: bool,
}

struct StockJob {
    count: u64,
    progress: Progress,
    task: Task<BackendResult<u64>>,
}

/// What the forms choose from: the resellers with their pools, and the products.
type Catalog = (Vec<ResellerPools>, Vec<Product>);

#[derive(Default)]
pub struct KeygenView {
    mode: Mode,
    resellers: Vec<ResellerPools>,
    products: Vec<Product>,
    loading: Fetch<Catalog>,
    order: OrderForm,
    issuing: Option<Task<BackendResult<IssuedKeys>>>,
    issued: Option<IssuedKeys>,
    stock_product: Option<ProductId>,
    stock_count: u64,
    stock: Option<StockJob>,
}

impl KeygenView {
    fn pool_left(&self) -> Option<(u32, u32)> {
        let reseller = self.resellers.iter().find(|r| Some(r.reseller.id) == self.order.reseller)?;
        let pool = reseller.pools.iter().find(|p| Some(p.edition) == self.order.edition)?;
        Some((pool.left(), pool.contract.terms.quantity))
    }

    fn poll(&mut self, desk: &mut Desk<'_>) {
        if let Some((resellers, products)) = self.loading.finished(desk.status) {
            if self.order.reseller.is_none() {
                self.order.reseller = resellers.first().map(|r| r.reseller.id);
            }
            self.resellers = resellers;
            self.products = products;
            self.fix_edition();
        }
        if let Some(issued) = finished(&mut self.issuing, desk.status) {
            desk.status.info(format!(
                "{} key(s) generated; the mail is queued to {}; {} left in the pool.",
                issued.keys.len(),
                issued.mailed_to,
                issued.left
            ));
            self.issued = Some(issued);
            self.loading.again();
        }
        if let Some(job) = &self.stock
            && let Some(result) = job.task.take()
        {
            match result {
                Ok(made) => desk.status.info(format!("{made} keys generated and stored as available stock.")),
                Err(error) => desk.status.backend_error(&error),
            }
            self.stock = None;
        }
    }

    /// Keeps the edition one the chosen reseller holds.
    fn fix_edition(&mut self) {
        let Some(reseller) = self.resellers.iter().find(|r| Some(r.reseller.id) == self.order.reseller) else {
            return;
        };
        if !reseller.pools.iter().any(|p| Some(p.edition) == self.order.edition) {
            self.order.edition = reseller.pools.first().map(|p| p.edition);
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let ctx = ui.ctx().clone();
        self.poll(desk);
        self.loading.start(desk, |backend| {
            // Reseller staff and peers without products still generate for customers.
            let products = match backend.unavailable(Area::Products) {
                None => backend.products()?,
                Some(_) => Vec::new(),
            };
            Ok((backend.resellers()?, products))
        });
        let stock = desk.unavailable(Area::Products).is_none();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.mode, Mode::ResellerPool, "For a reseller's customer");
            if stock {
                ui.selectable_value(&mut self.mode, Mode::ProductStock, "Stock of a product");
            }
        });
        ui.separator();
        match self.mode {
            Mode::ResellerPool => self.order_form(ui, desk),
            Mode::ProductStock => self.stock_form(ui, desk),
        }
        if self.stock.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn order_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if self.resellers.is_empty() {
            ui.label(if self.loading.running() {
                "Loading…"
            } else {
                "No resellers yet: add one with `keydesk admin reseller add` and give it a pool."
            });
            return;
        }
        let before = (self.order.reseller, self.order.edition);
        ui.horizontal(|ui| {
            let label = ui.label("Reseller");
            let current = self
                .resellers
                .iter()
                .find(|r| Some(r.reseller.id) == self.order.reseller)
                .map_or(String::new(), |r| r.reseller.name.clone());
            egui::ComboBox::from_id_salt("keygen_reseller")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for r in &self.resellers {
                        ui.selectable_value(&mut self.order.reseller, Some(r.reseller.id), r.reseller.name.clone());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Pool");
            let pools = self
                .resellers
                .iter()
                .find(|r| Some(r.reseller.id) == self.order.reseller)
                .map(|r| r.pools.clone())
                .unwrap_or_default();
            let pool_text = |e: Option<Edition>| {
                pools.iter().find(|p| Some(p.edition) == e).map_or(String::new(), |p| {
                    format!("{} ({} of {} left)", p.edition.label(), p.left(), p.contract.terms.quantity)
                })
            };
            egui::ComboBox::from_id_salt("keygen_pool")
                .selected_text(pool_text(self.order.edition))
                .show_ui(ui, |ui| {
                    for p in &pools {
                        ui.selectable_value(&mut self.order.edition, Some(p.edition), pool_text(Some(p.edition)));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if before != (self.order.reseller, self.order.edition) {
            self.fix_edition();
        }
        if let Some((left, bought)) = self.pool_left() {
            ui.label(format!("Left in the pool: {left} of {bought}"));
        }
        ui.horizontal(|ui| {
            let label = ui.label("Quantity");
            ui.add(egui::TextEdit::singleline(&mut self.order.quantity).hint_text("1").desired_width(60.0))
                .labelled_by(label.id);
            ui.checkbox(&mut self.order.test_mode, "Test mode")
                .on_hover_text("The mail goes to the reseller, the pool is untouched, the keys are marked test");
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "First name", &mut self.order.first_name, 140.0);
            labelled_edit(ui, "Last name", &mut self.order.last_name, 140.0);
            labelled_edit(ui, "Customer e-mail", &mut self.order.email, 200.0);
        });
        let quantity = match self.order.quantity.trim() {
            "" => Some(1),
            text => text.parse::<u32>().ok().filter(|q| (1..=10_000).contains(q)),
        };
        if quantity.is_none() {
            ui.colored_label(Tokens::ERROR, "The quantity is a whole number from 1 to 10,000.");
        }
        let ready = self.order.reseller.is_some() && self.issuing.is_none();
        if ui.add_enabled(ready, egui::Button::new("Generate keys")).clicked()
            && let (Some(reseller), Some(quantity)) = (self.order.reseller, quantity)
        {
            let order = KeyOrder {
                first_name: self.order.first_name.trim().to_owned(),
                last_name: self.order.last_name.trim().to_owned(),
                email: self.order.email.trim().to_owned(),
                quantity,
                edition: self.order.edition,
                test_mode: self.order.test_mode,
            };
            // Keys issued from a pool: the pool's count, the licenses and the mail queue change.
            let touched = &[Topic::Contracts, Topic::Licenses, Topic::Outbox];
            self.issuing = Some(desk.change(touched, move |backend| backend.issue_keys(reseller, &order)));
        }
        super::result_line(ui, self.issuing.is_some());
        self.issued_keys(ui, desk);
    }

    fn issued_keys(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let Some(issued) = &self.issued else { return };
        ui.separator();
        ui.horizontal(|ui| {
            ui.strong(format!("{} key(s), {} edition", issued.keys.len(), issued.edition.label()));
            if ui.button("Copy all").clicked() {
                ui.ctx().copy_text(issued.keys.join("\n"));
                desk.status.info(format!("{} keys copied.", issued.keys.len()));
            }
        });
        ui.label(format!("Mail queued to {}.", issued.mailed_to));
        egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
            for (index, key) in issued.keys.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.monospace(key);
                    if ui.small_button("Copy").on_hover_text(format!("Copy key {}", index + 1)).clicked() {
                        ui.ctx().copy_text(key.clone());
                        desk.status.info("Key copied.");
                    }
                });
            }
        });
    }

    fn stock_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        ui.horizontal(|ui| {
            let label = ui.label("Product");
            let current = self
                .stock_product
                .and_then(|id| self.products.iter().find(|p| p.id == id))
                .map_or(String::new(), |p| p.name.clone());
            egui::ComboBox::from_id_salt("stock_product")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for p in &self.products {
                        ui.selectable_value(&mut self.stock_product, Some(p.id), p.name.clone());
                    }
                })
                .response
                .labelled_by(label.id);
            let label = ui.label("Keys");
            ui.add(egui::DragValue::new(&mut self.stock_count).range(1..=MAX_STOCK).speed(100)).labelled_by(label.id);
        });
        match &self.stock {
            None => {
                let ready = self.stock_product.is_some() && self.stock_count > 0;
                if ui.add_enabled(ready, egui::Button::new("Generate stock")).clicked()
                    && let Some(product) = self.stock_product
                {
                    let (count, progress) = (self.stock_count, Progress::default());
                    let shared = progress.clone();
                    let task = desk.change(&[Topic::Licenses, Topic::Products], move |backend| {
                        backend.generate_stock(product, count, &mut |done| {
                            shared.set(done);
                            !shared.is_cancelled()
                        })
                    });
                    self.stock = Some(StockJob { count, progress, task });
                }
            }
            Some(job) => {
                let done = job.progress.done();
                let fraction = done as f32 / job.count.max(1) as f32;
                ui.add(egui::ProgressBar::new(fraction).show_percentage().text(format!("{done} of {}", job.count)));
                if job.progress.is_cancelled() {
                    ui.colored_label(Tokens::WARNING, "Cancelling: the keys of the unfinished batch are not kept.");
                } else if ui.button("Cancel").clicked() {
                    job.progress.cancel();
                }
            }
        }
    }
}

impl Refresh for KeygenView {
    const SHOWS: &'static [Topic] = &[Topic::Contracts, Topic::Products];

    fn refresh(&mut self) {
        self.loading.again();
    }
}
