//! Overview, the first view: the business at a glance for the signed-in scope. Each tile
//! opens the view that lists what it counts.

use egui_plot::{Bar, BarChart, Plot};

use super::Fetch;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::navigation::{Command, LicenseFocus, View};
use crate::console::theme::Tokens;
use crate::domain::license::{KeyState, LicenseStatus};
use crate::domain::overview::{Overview, PoolUse};

/// The windows the per-day series can cover.
const WINDOWS: [u32; 2] = [30, 90];

/// A pool with less than this share left is shown as running low.
const LOW_SHARE: f32 = 0.1;

pub struct OverviewView {
    overview: Option<Overview>,
    loading: Fetch<Overview>,
    days: u32,
}

impl Default for OverviewView {
    fn default() -> Self {
        Self { overview: None, loading: Fetch::default(), days: WINDOWS[0] }
    }
}

/// What a tile opens when clicked.
#[derive(Clone, Copy)]
enum Opens {
    View(View),
    Licenses(LicenseFocus),
}

impl OverviewView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        if let Some(overview) = self.loading.finished(desk.status) {
            self.overview = Some(overview);
        }
        let days = self.days;
        self.loading.start(desk, move |backend| backend.overview(days));
        ui.horizontal(|ui| {
            ui.heading("Overview");
            ui.add_space(Tokens::GAP * 2.0);
            for window in WINDOWS {
                if ui.selectable_label(self.days == window, format!("{window} days")).clicked() && self.days != window {
                    self.days = window;
                    self.loading.again();
                }
            }
            if self.loading.running() {
                ui.spinner();
            }
        });
        let Some(overview) = self.overview.clone() else {
            ui.label("Loading…");
            return;
        };
        ui.add_space(Tokens::GAP);
        egui::ScrollArea::vertical().show(ui, |ui| {
            if let Some(opens) = tiles(ui, &overview) {
                desk.emit(match opens {
                    Opens::View(view) => Command::Show(view),
                    Opens::Licenses(focus) => Command::ShowLicenses(focus),
                });
            }
            ui.add_space(Tokens::GAP);
            activations_plot(ui, &overview);
            if let Some(view) = pools(ui, &overview.pools) {
                desk.emit(Command::Show(view));
            }
            if recent(ui, &overview) {
                desk.emit(Command::Show(View::Activity));
            }
        });
    }
}

/// One count as a clickable tile; its accessible label is the caption and the count.
fn tile(ui: &mut egui::Ui, caption: &str, count: u64, warn: bool) -> bool {
    let colour = if warn && count > 0 { Tokens::WARNING } else { ui.visuals().strong_text_color() };
    let mut job = egui::text::LayoutJob::default();
    job.append(
        &count.to_string(),
        0.0,
        egui::TextFormat { font_id: egui::FontId::proportional(26.0), color: colour, ..Default::default() },
    );
    job.append(
        &format!("\n{caption}"),
        0.0,
        egui::TextFormat {
            font_id: egui::FontId::proportional(13.0),
            color: ui.visuals().text_color(),
            ..Default::default()
        },
    );
    let button = egui::Button::new(job).min_size(egui::vec2(Tokens::TILE_WIDTH, Tokens::TILE_HEIGHT));
    ui.add(button).on_hover_text(format!("Open what makes up the {count}")).clicked()
}

/// The tiles of the scope; the one clicked, if any.
fn tiles(ui: &mut egui::Ui, overview: &Overview) -> Option<Opens> {
    let mut opens = None;
    let mut add = |ui: &mut egui::Ui, caption: &str, count: Option<u64>, warn: bool, target: Opens| {
        if let Some(count) = count
            && tile(ui, caption, count, warn)
        {
            opens = Some(target);
        }
    };
    ui.horizontal_wrapped(|ui| {
        let licenses = overview.licenses.as_ref();
        add(ui, "Users", overview.users, false, Opens::View(View::Users));
        let status = |s| licenses.map(|l| l.of_status(s));
        let state = |s| licenses.map(|l| l.of_key_state(s));
        add(ui, "Active licenses", status(LicenseStatus::Active), false, licenses_with(LicenseStatus::Active));
        add(ui, "Deactivated", status(LicenseStatus::Deactivated), false, licenses_with(LicenseStatus::Deactivated));
        add(ui, "Keys in stock", state(KeyState::Available), false, keys_in(KeyState::Available));
        add(ui, "Blocked keys", state(KeyState::Blocked), true, keys_in(KeyState::Blocked));
        let expiring = |days| Opens::Licenses(LicenseFocus::ExpiringWithinDays(days));
        add(ui, "Expiring in 7 days", overview.expiring_in_7_days, true, expiring(7));
        add(ui, "Expiring in 30 days", overview.expiring_in_30_days, false, expiring(30));
        let mail = overview.mail;
        add(ui, "Mail queued", mail.map(|m| m.queued), false, Opens::View(View::Outbox));
        add(ui, "Mail failed", mail.map(|m| m.failed), true, Opens::View(View::Outbox));
        let flags = format!("Red flags in {} days", overview.days);
        add(ui, &flags, overview.red_flags, true, Opens::View(View::Telemetry));
    });
    opens
}

fn licenses_with(status: LicenseStatus) -> Opens {
    Opens::Licenses(LicenseFocus::Status(status))
}

fn keys_in(state: KeyState) -> Opens {
    Opens::Licenses(LicenseFocus::KeyState(state))
}

fn activations_plot(ui: &mut egui::Ui, overview: &Overview) {
    if overview.licenses.is_none() {
        return;
    }
    let total: u64 = overview.activations_per_day.iter().map(|d| d.count).sum();
    ui.strong(format!("Activations per day: {total} in {} days", overview.days));
    let bars: Vec<Bar> = overview
        .activations_per_day
        .iter()
        .enumerate()
        .map(|(at, day)| Bar::new(at as f64, day.count as f64).name(day.day.format("%Y-%m-%d").to_string()))
        .collect();
    let first = overview.activations_per_day.first().map(|d| d.day);
    Plot::new("activations_per_day")
        .height(160.0)
        .allow_scroll(false)
        .allow_zoom(false)
        .allow_drag(false)
        .include_y(0.0)
        .x_axis_formatter(move |mark, _| match first {
            Some(first) => (first + chrono::Days::new(mark.value.max(0.0) as u64)).format("%d %b").to_string(),
            None => String::new(),
        })
        .show(ui, |plot| plot.bar_chart(BarChart::new("Activations", bars).color(Tokens::ACCENT)));
}

/// Each pool's use; the view to open when one is clicked.
fn pools(ui: &mut egui::Ui, pools: &[PoolUse]) -> Option<View> {
    if pools.is_empty() {
        return None;
    }
    let mut opens = None;
    ui.add_space(Tokens::GAP);
    ui.strong("Reseller pools");
    egui::Grid::new("overview_pools").striped(true).num_columns(4).show(ui, |ui| {
        for title in ["Reseller", "Edition", "Issued", "Left"] {
            ui.strong(title);
        }
        ui.end_row();
        for entry in pools {
            let contract = &entry.pool.contract;
            if ui.link(&entry.reseller).on_hover_text("Open the reseller's pools").clicked() {
                opens = Some(View::Contracts);
            }
            ui.label(entry.pool.edition.label());
            ui.label(format!("{} of {}", contract.keys_count, contract.terms.quantity));
            let left = entry.pool.left();
            let quantity = contract.terms.quantity;
            let share = if quantity == 0 { 0.0 } else { left as f32 / quantity as f32 };
            let bar = egui::ProgressBar::new(share).desired_width(160.0).text(format!("{left} left"));
            ui.add(if share < LOW_SHARE { bar.fill(Tokens::WARNING) } else { bar });
            ui.end_row();
        }
    });
    opens
}

/// The newest changes; true when "All activity" was clicked.
fn recent(ui: &mut egui::Ui, overview: &Overview) -> bool {
    if overview.recent.is_empty() {
        return false;
    }
    ui.add_space(Tokens::GAP);
    ui.strong("Recent changes");
    egui::Grid::new("overview_recent").striped(true).num_columns(4).show(ui, |ui| {
        for change in &overview.recent {
            ui.label(change.at.format("%Y-%m-%d %H:%M").to_string());
            ui.label(&change.actor);
            ui.label(&change.action);
            ui.label(&change.subject);
            ui.end_row();
        }
    });
    ui.button("All activity…").clicked()
}

impl Refresh for OverviewView {
    const SHOWS: &'static [Topic] =
        &[Topic::Users, Topic::Licenses, Topic::Products, Topic::Contracts, Topic::Outbox, Topic::Staff];

    fn refresh(&mut self) {
        self.loading.again();
    }
}
