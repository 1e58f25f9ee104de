//! Contracts: resellers and their pools (bought, used, left) and each pool's Contracts API
//! flags.

use super::{Fetch, finished};
use crate::backend::{BackendResult, ResellerPools};
use crate::console::app::Env;
use crate::console::jobs::Task;
use crate::console::theme::Tokens;

#[derive(Default)]
pub struct ContractsView {
    resellers: Vec<ResellerPools>,
    loading: Fetch<Vec<ResellerPools>>,
    action: Option<Task<BackendResult<()>>>,
}

impl ContractsView {
    pub fn refresh(&mut self) {
        self.loading.again();
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        if let Some(resellers) = self.loading.finished(env.status) {
            self.resellers = resellers;
        }
        if let Some(()) = finished(&mut self.action, env.status) {
            env.status.info("Contracts API rights changed.");
            self.loading.again();
        }
        self.loading.start(env, ui.ctx(), |backend| backend.resellers());
        ui.heading(format!("Resellers ({})", self.resellers.len()));
        if self.resellers.is_empty() {
            ui.label(if self.loading.running() {
                "Loading…"
            } else {
                "No resellers yet: `keydesk admin reseller add`, then `keydesk admin pool add`."
            });
            return;
        }
        let mut change = None;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for entry in &self.resellers {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.strong(&entry.reseller.name);
                        ui.label(&entry.reseller.email);
                    });
                    if entry.pools.is_empty() {
                        ui.weak("No pools.");
                    }
                    egui::Grid::new(("pools", entry.reseller.id.0)).striped(true).num_columns(6).show(ui, |ui| {
                        for title in ["Edition", "Bought", "Used", "Left", "Active", "Contracts API"] {
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
                            ui.label(if terms.active { "yes" } else { "no" });
                            let mut rights = terms.rights;
                            ui.horizontal(|ui| {
                                ui.checkbox(&mut rights.get_info, "get-info");
                                ui.checkbox(&mut rights.generate, "generate");
                                ui.checkbox(&mut rights.destroy, "destroy");
                                ui.checkbox(&mut rights.destroy_all, "destroy-all");
                            });
                            if rights != terms.rights {
                                change = Some((pool.contract.id, rights));
                            }
                            ui.end_row();
                        }
                    });
                });
            }
        });
        if let Some((contract, rights)) = change
            && self.action.is_none()
        {
            let backend = env.backend.clone();
            self.action = Some(env.jobs.run(ui.ctx(), move || backend.set_contract_rights(contract, rights)));
        }
    }
}
