//! Contracts: resellers and their pools (bought, used, left), each pool's Contracts API
//! flags and ledger of issued keys; for the owner, adding, switching off and removing
//! resellers, and adding, topping up and closing their pools.

use super::sorting::{Sort, SortKey, keep_sorted};
use super::{Fetch, Outcome, confirm, finished, labelled_combo, labelled_edit, password_once};
use crate::backend::{Area, BackendResult, ResellerPools};
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::license::License;
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{
    Edition, NewResellerAccount, PoolAction, PoolOrder, Reseller, ResellerAction, ResellerId,
};
use crate::domain::secret::FreshPassword;
use crate::service::console::Window;
use crate::store::LicenseQuery;

/// Keys a ledger shows, newest first.
const LEDGER_ROWS: u32 = 200;

#[derive(Default)]
struct NewResellerForm {
    open: bool,
    email: String,
    name: String,
    distributor: Option<DistributorId>,
}

struct PoolForm {
    edition: Edition,
    product: Option<ProductId>,
    quantity: String,
}

impl Default for PoolForm {
    fn default() -> Self {
        Self { edition: Edition::Professional, product: None, quantity: String::new() }
    }
}

/// A destructive or lasting change waiting for its confirmation.
#[derive(Debug, Clone)]
enum Asking {
    DeleteReseller(Reseller),
    ClosePool { contract: ContractId, what: String },
}

#[derive(Default)]
pub struct ContractsView {
    resellers: Vec<ResellerPools>,
    sorted: Option<Sort>,
    ledger_sorted: Option<Sort>,
    loading: Fetch<Vec<ResellerPools>>,
    products: Vec<Product>,
    products_fetch: Fetch<Vec<Product>>,
    distributors: Vec<Distributor>,
    distributors_fetch: Fetch<Vec<Distributor>>,
    selected: Option<ResellerId>,
    new_reseller: NewResellerForm,
    pool_form: PoolForm,
    top_up: String,
    asking: Option<Asking>,
    ledger: Option<ContractId>,
    ledger_rows: Option<Window<License>>,
    ledger_fetch: Option<Task<BackendResult<Window<License>>>>,
    action: Option<Task<BackendResult<Outcome>>>,
    password: Option<(String, FreshPassword)>,
}

impl ContractsView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let manages = desk.unavailable(Area::Resellers).is_none();
        self.take_results(desk);
        self.loading.start(desk, |backend| backend.resellers());
        if manages {
            self.products_fetch.start(desk, |backend| backend.products());
            self.distributors_fetch.start(desk, |backend| backend.distributors());
        }
        self.dialogs(ui.ctx(), desk);
        ui.horizontal(|ui| {
            ui.heading(format!("Resellers ({})", self.resellers.len()));
            if manages && ui.button("Add reseller…").clicked() {
                self.new_reseller.open = !self.new_reseller.open;
            }
        });
        if manages && self.new_reseller.open {
            self.new_reseller_form(ui, desk);
        }
        if self.resellers.is_empty() {
            ui.label(if self.loading.running() {
                "Loading…"
            } else if manages {
                "No resellers yet. Add one with \"Add reseller…\", then give it a pool of licenses."
            } else {
                "No resellers or contracts here yet."
            });
            return;
        }
        let selected = self.selected.and_then(|id| self.resellers.iter().find(|r| r.reseller.id == id)).cloned();
        if let Some(entry) = selected {
            egui::Panel::right("reseller_detail").default_size(Tokens::DETAIL_WIDTH + 200.0).show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.detail(ui, desk, &entry, manages));
            });
        }
        self.list(ui);
    }

    fn take_results(&mut self, desk: &mut Desk<'_>) {
        if let Some(resellers) = self.loading.finished(desk.status) {
            self.resellers = resellers;
            self.sorted = None;
            if self.selected.is_none() {
                self.selected = self.resellers.first().map(|r| r.reseller.id);
            }
        }
        if let Some(products) = self.products_fetch.finished(desk.status) {
            self.products = products;
        }
        if let Some(distributors) = self.distributors_fetch.finished(desk.status) {
            self.distributors = distributors;
        }
        if let Some(rows) = finished(&mut self.ledger_fetch, desk.status) {
            self.ledger_rows = Some(rows);
            self.ledger_sorted = None;
        }
        if let Some(outcome) = finished(&mut self.action, desk.status) {
            let (said, password) = outcome.split();
            desk.status.info(said);
            self.password = password;
            self.loading.again();
            self.ledger_rows = None;
        }
    }

    fn dialogs(&mut self, ctx: &egui::Context, desk: &mut Desk<'_>) {
        if let Some((who, password)) = &self.password
            && password_once(ctx, who, password)
        {
            self.password = None;
        }
        let Some(asking) = self.asking.clone() else { return };
        let (question, verb) = match &asking {
            Asking::DeleteReseller(r) => {
                (format!("Remove the reseller {} and its pools? This cannot be undone.", r.email), "Remove")
            }
            Asking::ClosePool { what, .. } => {
                (format!("Close the pool {what}? No more keys come from it; those issued keep working."), "Close")
            }
        };
        match confirm(ctx, "contracts-confirm", &question, verb) {
            Some(true) => {
                self.asking = None;
                match asking {
                    Asking::DeleteReseller(reseller) => {
                        self.run(desk, move |b| {
                            b.reseller_action(reseller.id, ResellerAction::Delete)?;
                            Ok(Outcome::Said(format!("{} was removed.", reseller.email)))
                        });
                        self.selected = None;
                    }
                    Asking::ClosePool { contract, what } => self.run(desk, move |b| {
                        b.pool_action(contract, PoolAction::Close)?;
                        Ok(Outcome::Said(format!("The pool {what} is closed.")))
                    }),
                }
            }
            Some(false) => self.asking = None,
            None => {}
        }
    }

    /// Runs an account call off the UI thread, one at a time.
    fn run(
        &mut self,
        desk: &mut Desk<'_>,
        call: impl FnOnce(&dyn crate::backend::Backend) -> BackendResult<Outcome> + Send + 'static,
    ) {
        if self.action.is_some() {
            return;
        }
        self.action = Some(desk.change(&[Topic::Contracts, Topic::Staff], call));
    }

    fn new_reseller_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("New reseller");
            egui::Grid::new("new_reseller").num_columns(2).show(ui, |ui| {
                labelled_edit(ui, "Reseller e-mail", &mut self.new_reseller.email, 260.0)
                    .on_hover_text("Its login for the key generation URL (reselleremail)");
                ui.end_row();
                labelled_edit(ui, "Company name", &mut self.new_reseller.name, 260.0)
                    .on_hover_text("As its customers' mails show it; blank: the e-mail");
                ui.end_row();
                let current = self
                    .new_reseller
                    .distributor
                    .and_then(|id| self.distributors.iter().find(|d| d.id == id))
                    .map_or_else(|| "Built-in templates".to_owned(), |d| d.name.clone());
                labelled_combo(ui, "Mail templates of", current, |ui| {
                    ui.selectable_value(&mut self.new_reseller.distributor, None, "Built-in templates");
                    for d in &self.distributors {
                        ui.selectable_value(&mut self.new_reseller.distributor, Some(d.id), d.name.clone());
                    }
                });
                ui.end_row();
            });
            let ready = !self.new_reseller.email.trim().is_empty() && self.action.is_none();
            ui.horizontal(|ui| {
                if ui.add_enabled(ready, egui::Button::new("Add the reseller")).clicked() {
                    let new = NewResellerAccount {
                        email: self.new_reseller.email.trim().to_owned(),
                        name: self.new_reseller.name.trim().to_owned(),
                        distributor: self.new_reseller.distributor,
                    };
                    self.new_reseller = NewResellerForm::default();
                    self.run(desk, move |b| {
                        let created = b.add_reseller(&new)?;
                        Ok(Outcome::Password {
                            said: format!("{} was added.", created.account.email),
                            who: created.account.email,
                            password: created.password,
                        })
                    });
                }
                if ui.button("Cancel").clicked() {
                    self.new_reseller = NewResellerForm::default();
                }
            });
            ui.weak("keydesk draws its first password and shows it once.");
        });
    }

    /// Every reseller with what its pools have left; a click shows its detail.
    fn list(&mut self, ui: &mut egui::Ui) {
        let sort =
            keep_sorted(
                ui,
                "resellers",
                Sort::by(0),
                &mut self.sorted,
                &mut self.resellers,
                |r, column| match column {
                    0 => SortKey::text(&r.reseller.name),
                    1 => SortKey::text(&r.reseller.email),
                    2 => SortKey::Number(r.pools.len() as i64),
                    _ => SortKey::Number(left_in(r) as i64),
                },
            );
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("resellers").striped(true).num_columns(4).show(ui, |ui| {
                sort.header(ui, "resellers", &["Reseller", "E-mail", "Pools", "Left"]);
                for entry in &self.resellers {
                    let reseller = &entry.reseller;
                    let selected = self.selected == Some(reseller.id);
                    let name =
                        if reseller.disabled { format!("{} (disabled)", reseller.name) } else { reseller.name.clone() };
                    if ui.selectable_label(selected, name).clicked() {
                        self.selected = Some(reseller.id);
                        self.ledger = None;
                        self.ledger_rows = None;
                    }
                    ui.label(&reseller.email);
                    ui.label(entry.pools.len().to_string());
                    let left = left_in(entry);
                    if left == 0 {
                        ui.colored_label(Tokens::WARNING, "0");
                    } else {
                        ui.label(left.to_string());
                    }
                    ui.end_row();
                }
            });
        });
    }

    fn detail(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, entry: &ResellerPools, manages: bool) {
        let reseller = &entry.reseller;
        ui.heading(&reseller.name);
        ui.label(&reseller.email);
        if reseller.disabled {
            ui.colored_label(Tokens::WARNING, "Disabled: its password generates no keys.");
        }
        if manages {
            self.reseller_actions(ui, desk, reseller);
        }
        ui.separator();
        ui.strong("Pools");
        if entry.pools.is_empty() {
            ui.weak(if manages { "No pools yet: add one below." } else { "No pools." });
        }
        let mut rights_change = None;
        egui::Grid::new(("pools", reseller.id.0)).striped(true).num_columns(7).show(ui, |ui| {
            for title in ["Edition", "Bought", "Used", "Left", "Open", "Contracts API", ""] {
                ui.strong(title);
            }
            ui.end_row();
            for pool in &entry.pools {
                let terms = &pool.contract.terms;
                ui.label(pool.edition.label());
                ui.label(terms.quantity.to_string());
                ui.label(pool.contract.keys_count.to_string());
                let left = pool.left();
                if left == 0 {
                    ui.colored_label(Tokens::WARNING, "0");
                } else {
                    ui.label(left.to_string());
                }
                ui.label(if terms.active { "yes" } else { "closed" });
                let mut rights = terms.rights;
                ui.horizontal(|ui| {
                    ui.checkbox(&mut rights.get_info, "get-info");
                    ui.checkbox(&mut rights.generate, "generate");
                    ui.checkbox(&mut rights.destroy, "destroy");
                    ui.checkbox(&mut rights.destroy_all, "destroy-all");
                });
                if rights != terms.rights {
                    rights_change = Some((pool.contract.id, rights));
                }
                let showing = self.ledger == Some(pool.contract.id);
                if ui.selectable_label(showing, format!("{} ledger", pool.edition.label())).clicked() {
                    self.ledger = if showing { None } else { Some(pool.contract.id) };
                    self.ledger_rows = None;
                }
                ui.end_row();
            }
        });
        if let Some((contract, rights)) = rights_change {
            self.set_rights(desk, contract, rights);
        }
        if manages {
            self.pool_actions(ui, desk, entry);
        }
        if let Some(contract) = self.ledger {
            self.ledger_ui(ui, desk, contract);
        }
    }

    fn set_rights(&mut self, desk: &mut Desk<'_>, contract: ContractId, rights: ContractRights) {
        self.run(desk, move |b| {
            b.set_contract_rights(contract, rights)?;
            Ok(Outcome::Said("Contracts API rights changed.".into()))
        });
    }

    fn reseller_actions(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, reseller: &Reseller) {
        let idle = self.action.is_none();
        ui.horizontal(|ui| {
            let (verb, action) = if reseller.disabled {
                ("Enable reseller", ResellerAction::Enable)
            } else {
                ("Disable reseller", ResellerAction::Disable)
            };
            if ui.add_enabled(idle, egui::Button::new(verb)).clicked() {
                let (id, email) = (reseller.id, reseller.email.clone());
                self.run(desk, move |b| {
                    b.reseller_action(id, action)?;
                    let state = if action == ResellerAction::Disable { "disabled" } else { "enabled" };
                    Ok(Outcome::Said(format!("{email} is {state}.")))
                });
            }
            if ui.add_enabled(idle, egui::Button::new("Reset reseller password")).clicked() {
                let (id, email) = (reseller.id, reseller.email.clone());
                self.run(desk, move |b| {
                    let password = b.reseller_action(id, ResellerAction::ResetPassword)?;
                    let said = format!("{email} has a new password.");
                    Ok(match password {
                        Some(password) => Outcome::Password { said, who: email, password },
                        None => Outcome::Said(said),
                    })
                });
            }
            if ui.add_enabled(idle, egui::Button::new("Remove reseller…")).clicked() {
                self.asking = Some(Asking::DeleteReseller(reseller.clone()));
            }
        });
    }

    fn pool_actions(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, entry: &ResellerPools) {
        let idle = self.action.is_none();
        for pool in &entry.pools {
            let contract = pool.contract.id;
            let what = format!("{} of {}", pool.edition.label(), entry.reseller.email);
            ui.horizontal(|ui| {
                ui.label(format!("{}:", pool.edition.label()));
                if pool.contract.terms.active {
                    if ui
                        .add_enabled(idle, egui::Button::new(format!("Close {} pool…", pool.edition.label())))
                        .clicked()
                    {
                        self.asking = Some(Asking::ClosePool { contract, what: what.clone() });
                    }
                } else if ui
                    .add_enabled(idle, egui::Button::new(format!("Reopen {} pool", pool.edition.label())))
                    .clicked()
                {
                    self.run(desk, move |b| {
                        b.pool_action(contract, PoolAction::Reopen)?;
                        Ok(Outcome::Said(format!("The pool {what} is open again.")))
                    });
                }
            });
        }
        if !entry.pools.is_empty() {
            ui.horizontal(|ui| {
                labelled_edit(ui, "Top up by", &mut self.top_up, 80.0).on_hover_text("Licenses the reseller bought");
                let amount = self.top_up.trim().parse::<u32>().ok().filter(|n| *n > 0);
                for pool in &entry.pools {
                    let label = format!("Top up {}", pool.edition.label());
                    if ui.add_enabled(idle && amount.is_some(), egui::Button::new(label)).clicked()
                        && let Some(more) = amount
                    {
                        let contract = pool.contract.id;
                        let what = format!("{} of {}", pool.edition.label(), entry.reseller.email);
                        self.top_up.clear();
                        self.run(desk, move |b| {
                            let pool = b.pool_action(contract, PoolAction::TopUp(more))?;
                            Ok(Outcome::Said(format!(
                                "The pool {what} holds {} now ({} left).",
                                pool.contract.terms.quantity,
                                pool.left()
                            )))
                        });
                    }
                }
            });
        }
        self.new_pool_form(ui, desk, entry);
    }

    fn new_pool_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, entry: &ResellerPools) {
        let missing: Vec<Edition> =
            Edition::ALL.into_iter().filter(|e| entry.pools.iter().all(|p| p.edition != *e)).collect();
        if missing.is_empty() {
            return;
        }
        if !missing.contains(&self.pool_form.edition) {
            self.pool_form.edition = missing[0];
        }
        ui.separator();
        ui.strong("New pool");
        egui::Grid::new("new_pool").num_columns(2).show(ui, |ui| {
            labelled_combo(ui, "Edition", self.pool_form.edition.label(), |ui| {
                for edition in &missing {
                    ui.selectable_value(&mut self.pool_form.edition, *edition, edition.label());
                }
            });
            ui.end_row();
            let current = self
                .pool_form
                .product
                .and_then(|id| self.products.iter().find(|p| p.id == id))
                .map_or_else(|| "Choose a product".to_owned(), |p| p.name.clone());
            labelled_combo(ui, "Pool product", current, |ui| {
                for p in &self.products {
                    ui.selectable_value(&mut self.pool_form.product, Some(p.id), p.name.clone());
                }
            });
            ui.end_row();
            labelled_edit(ui, "Licenses bought", &mut self.pool_form.quantity, 100.0);
            ui.end_row();
        });
        let quantity = self.pool_form.quantity.trim().parse::<u32>().ok().filter(|n| *n > 0);
        let order = match (self.pool_form.product, quantity) {
            (Some(product), Some(quantity)) => {
                Some(PoolOrder { reseller: entry.reseller.id, edition: self.pool_form.edition, product, quantity })
            }
            _ => None,
        };
        if self.products.is_empty() {
            ui.weak("No products yet: add one (with a generator) in Products first.");
        }
        if ui.add_enabled(order.is_some() && self.action.is_none(), egui::Button::new("Add the pool")).clicked()
            && let Some(order) = order
        {
            self.pool_form = PoolForm::default();
            self.run(desk, move |b| {
                let pool = b.add_pool(&order)?;
                Ok(Outcome::Said(format!(
                    "A {} pool of {} licenses was added.",
                    pool.edition.label(),
                    pool.contract.terms.quantity
                )))
            });
        }
    }

    /// The keys drawn from one pool, newest first: whose, by whom, when.
    fn ledger_ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, contract: ContractId) {
        if self.ledger_rows.is_none() && self.ledger_fetch.is_none() {
            let query = LicenseQuery { contract: Some(contract), ..LicenseQuery::default() };
            self.ledger_fetch = Some(desk.read(move |backend| backend.licenses(&query, 0, LEDGER_ROWS)));
        }
        ui.separator();
        let Some(window) = &mut self.ledger_rows else {
            ui.label("Loading the ledger…");
            return;
        };
        let sort =
            keep_sorted(ui, "ledger", Sort::newest(0), &mut self.ledger_sorted, &mut window.rows, |k, column| {
                match column {
                    0 => SortKey::Number(k.id.0),
                    1 => SortKey::text(&k.number),
                    2 => SortKey::text(&k.owner_name),
                    3 => SortKey::text(&k.created_by),
                    _ => SortKey::Number(i64::from(k.is_test)),
                }
            });
        let window = &*window;
        ui.strong(format!("Ledger: {} key(s) issued", window.total));
        if window.rows.is_empty() {
            ui.weak("No keys issued from this pool yet: Key generation draws them.");
            return;
        }
        if window.total > u64::from(LEDGER_ROWS) {
            ui.weak(format!("The newest {LEDGER_ROWS}; Licenses lists them all (filter Made by)."));
        }
        egui::Grid::new(("ledger", contract.0)).striped(true).num_columns(5).show(ui, |ui| {
            sort.header(ui, "ledger", &["Issued", "Key", "Customer", "By", "Test"]);
            for key in &window.rows {
                ui.label(key.created_at.format("%Y-%m-%d %H:%M").to_string());
                ui.monospace(&key.number);
                ui.label(format!("{} <{}>", key.owner_name, key.owner_email));
                ui.label(&key.created_by);
                ui.label(if key.is_test { "test" } else { "" });
                ui.end_row();
            }
        });
    }
}

/// What a reseller's open pools have left.
fn left_in(entry: &ResellerPools) -> u64 {
    entry.pools.iter().filter(|p| p.contract.terms.active).map(|p| u64::from(p.left())).sum()
}

impl Refresh for ContractsView {
    const SHOWS: &'static [Topic] = &[Topic::Contracts, Topic::Licenses, Topic::Products];

    fn refresh(&mut self) {
        self.loading.again();
        self.products_fetch.again();
        self.distributors_fetch.again();
        self.ledger_rows = None;
    }
}
