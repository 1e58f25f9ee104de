//! The shell: the top bar with the active profile, the left navigation, the view, and the
//! status line. Views read state and return nothing; keyboard shortcuts become
//! [`Command`]s, applied in one place.

use std::sync::Arc;

use super::desk::{Asked, Changes, Desk, Refresh, Topic};
use super::dialogs::{Dialogs, SystemDialogs};
use super::jobs::{Jobs, Task};
use super::profiles::Profile;
use super::secrets::Secrets;
use super::switcher::Switcher;
use super::theme::{Theme, Tokens};
use super::views::{
    activity::ActivityView, contracts::ContractsView, keygen::KeygenView, licenses::LicensesView, outbox::OutboxView,
    overview::OverviewView, products::ProductsView, settings::SettingsView, staff::StaffView, telemetry::TelemetryView,
    users::UsersView,
};
use crate::backend::Backend;

pub use super::navigation::{Command, View};
pub use super::prefs::{Prefs, SavedSearch};
pub use super::status::Status;

/// The state of every view of one profile (kept per profile when switching).
#[derive(Default)]
pub struct Views {
    overview: OverviewView,
    users: UsersView,
    licenses: LicensesView,
    products: ProductsView,
    contracts: ContractsView,
    keygen: KeygenView,
    staff: StaffView,
    outbox: OutboxView,
    activity: ActivityView,
    telemetry: TelemetryView,
    settings: SettingsView,
}

/// The console.
pub struct ConsoleApp {
    backend: Arc<dyn Backend>,
    jobs: Jobs,
    pub prefs: Prefs,
    status: Status,
    views: Views,
    applied_theme: Option<Theme>,
    switcher: Switcher<Views>,
    /// The context of the last frame, for calls started outside one.
    views_ctx: egui::Context,
    /// The background round of mail delivery, and when the last one started.
    delivery: Option<Task<crate::backend::BackendResult<usize>>>,
    last_delivery: Option<std::time::Instant>,
    /// The calls, dialogs and commands the views asked for this frame, run once it is drawn.
    asked: Asked,
    /// The changes the views' calls made, told to every view.
    changes: Changes,
    feed: ChangeFeed,
    palette: super::palette::Palette,
    toasts: super::toasts::Toasts,
    feed_every: std::time::Duration,
    dialogs: Arc<dyn Dialogs>,
}

/// The backend's change mark, asked for every [`FEED_EVERY`]: when it moved, something changed
/// that the views may show (made by this console or by anyone else on a shared server).
#[derive(Default)]
struct ChangeFeed {
    seen: Option<u64>,
    asking: Option<Task<crate::backend::BackendResult<Option<u64>>>>,
    last: Option<std::time::Instant>,
}

/// How often the console asks for the change mark: a number, so cheap for any server.
pub const FEED_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How often the console sends queued mail through the database's relay.
const DELIVERY_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

impl ConsoleApp {
    pub fn new(backend: Arc<dyn Backend>, prefs: Prefs) -> std::io::Result<Self> {
        Ok(Self {
            backend,
            jobs: Jobs::new()?,
            prefs,
            status: Status::Empty,
            views: Views::default(),
            applied_theme: None,
            switcher: Switcher::new(Arc::new(Secrets::os_keyring()), None),
            views_ctx: egui::Context::default(),
            delivery: None,
            last_delivery: None,
            asked: Asked::default(),
            changes: Changes::default(),
            feed: ChangeFeed::default(),
            palette: super::palette::Palette::default(),
            toasts: super::toasts::Toasts::default(),
            feed_every: FEED_EVERY,
            dialogs: Arc::new(SystemDialogs),
        })
    }

    /// Whether a backend call is still running.
    pub fn busy(&self) -> bool {
        self.jobs.busy()
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    pub fn view(&self) -> View {
        self.prefs.view
    }

    pub fn apply(&mut self, command: Command) {
        match command {
            Command::Show(view) => self.prefs.view = view,
            Command::OpenUser(id) => {
                self.views.users.open_user(id);
                self.prefs.view = View::Users;
            }
            Command::OpenLicense(license) => {
                self.views.licenses.open_license(*license);
                self.prefs.view = View::Licenses;
            }
            Command::Search(text) => {
                self.views.licenses.run_search(&text);
                self.prefs.view = View::Licenses;
            }
            Command::SaveSearch { name, text } => {
                self.status.info(format!("Saved the search {name:?}: it is in the side panel and the palette."));
                self.prefs.save_search(self.switcher.active().cloned(), name, text);
            }
            Command::ForgetSearch(name) => {
                let profile = self.switcher.active().cloned();
                self.prefs.forget_search(profile.as_ref(), &name);
                self.status.info(format!("Forgot the search {name:?}."));
            }
            Command::OpenPalette => self.palette.open(),
            Command::ShowLicenses(focus) => {
                self.views.licenses.focus(focus);
                self.prefs.view = View::Licenses;
            }
            Command::Refresh => self.refresh(),
            Command::FocusSearch => match self.prefs.view {
                View::Users => self.views.users.focus_search(),
                View::Licenses => self.views.licenses.focus_search(),
                _ => {}
            },
            Command::ToggleTheme => {
                self.prefs.theme = if self.prefs.theme == Theme::Dark { Theme::Light } else { Theme::Dark };
            }
            Command::OpenProfile(path) => self.open_profile(path),
        }
    }

    /// Opens the command palette with `query` typed (the screenshot tour).
    pub(super) fn show_palette(&mut self, query: &str) {
        self.palette.open_with(query);
    }

    /// Selects every license and previews extending them by six months (the screenshot tour).
    pub(super) fn show_bulk_preview(&mut self) {
        self.views.licenses.stage_bulk_preview();
    }

    pub(super) fn close_palette(&mut self) {
        self.palette.close();
    }

    /// Keeps the profiles' secrets here instead of the OS keyring (tests, screenshots).
    pub fn with_secrets(mut self, secrets: Arc<Secrets>) -> Self {
        self.switcher = Switcher::new(secrets, self.switcher.active().cloned());
        self
    }

    /// Asks for the change mark this often instead of every [`FEED_EVERY`] (tests).
    pub fn with_change_feed_every(mut self, every: std::time::Duration) -> Self {
        self.feed_every = every;
        self
    }

    /// Shows file dialogs with `dialogs` instead of the system's (tests).
    pub fn with_dialogs(mut self, dialogs: Arc<dyn Dialogs>) -> Self {
        self.dialogs = dialogs;
        self
    }

    /// Names the profile the console was opened on, so that switching back to it is instant.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        if !self.prefs.profiles.contains(&profile) {
            self.prefs.profiles.push(profile.clone());
        }
        self.switcher.activate(profile);
        self
    }

    /// The profile in use, when the console knows it.
    pub fn active_profile(&self) -> Option<&Profile> {
        self.switcher.active()
    }

    /// Whether the console is asking for a profile's password or secret.
    pub fn asking_for_secret(&self) -> bool {
        self.switcher.asking()
    }

    fn open_profile(&mut self, profile: Profile) {
        let ctx = self.views_ctx.clone();
        if let Some(switched) = self.switcher.switch(profile, &self.jobs, &ctx) {
            self.install(switched);
        }
    }

    /// Puts a profile in use, keeping the one left (with its views) for switching back.
    fn install(&mut self, switched: super::switcher::Switched<Views>) {
        if self.switcher.active() == Some(&switched.profile) {
            // Logged in again: the new session serves the views as they are.
            self.backend = switched.backend;
            self.status.info("Logged in again.");
            return;
        }
        // The new profile's mark is another count: learnt afresh at the next ask, and an ask of
        // the profile left behind is dropped.
        self.feed = ChangeFeed { last: self.feed.last, ..ChangeFeed::default() };
        let left = std::mem::replace(&mut self.backend, switched.backend);
        let views = std::mem::replace(&mut self.views, switched.views.unwrap_or_default());
        self.switcher.park(left, views);
        let title = switched.profile.title();
        if !self.prefs.profiles.contains(&switched.profile) {
            self.prefs.profiles.push(switched.profile.clone());
        }
        self.switcher.activate(switched.profile);
        match switched.note {
            Some(note) => self.status.info(format!("Opened {title}; {note}.")),
            None => self.status.info(format!("Back on {title}.")),
        }
    }

    /// Removes a profile from the list and this session, and forgets its secret.
    pub fn remove_profile(&mut self, profile: &Profile) {
        self.prefs.profiles.retain(|p| p != profile);
        let ctx = self.views_ctx.clone();
        self.switcher.remove(profile, &self.jobs, &ctx);
    }

    /// Sends queued mail through the relay every [`DELIVERY_EVERY`], off the UI thread.
    fn deliver_mail(&mut self, ctx: &egui::Context) {
        if let Some(task) = &self.delivery
            && let Some(result) = task.take()
        {
            self.delivery = None;
            match result {
                Ok(0) => {}
                Ok(sent) => {
                    self.status.info(format!("{sent} queued mail(s) sent."));
                    self.changed(Topic::Outbox);
                }
                Err(error @ crate::backend::BackendError::Unauthorized(_)) => self.status.backend_error(&error),
                Err(error) => self.status.error(format!("Mail delivery: {error}")),
            }
        }
        if !self.backend.console_delivers_mail() {
            return;
        }
        let due = self.last_delivery.is_none_or(|at| at.elapsed() >= DELIVERY_EVERY);
        if due && self.delivery.is_none() {
            self.last_delivery = Some(std::time::Instant::now());
            let backend = self.backend.clone();
            self.delivery = Some(self.jobs.run(ctx, move || backend.deliver_mail()));
        }
        ctx.request_repaint_after(DELIVERY_EVERY);
    }

    fn poll_opening(&mut self) {
        match self.switcher.poll() {
            Some(Ok(switched)) => self.install(switched),
            Some(Err(error)) => self.status.error(error),
            None => {}
        }
    }

    /// Tells every view of the profile what changed; the ones that show it read again (the
    /// hidden ones when they are next shown).
    fn changed(&mut self, topic: Topic) {
        let views = &mut self.views;
        views.overview.changed(topic);
        views.users.changed(topic);
        views.licenses.changed(topic);
        views.products.changed(topic);
        views.contracts.changed(topic);
        views.keygen.changed(topic);
        views.staff.changed(topic);
        views.outbox.changed(topic);
        views.activity.changed(topic);
        views.telemetry.changed(topic);
    }

    /// Asks for the change mark every `feed_every`; a moved mark is a change of anything.
    fn follow_changes(&mut self, ctx: &egui::Context) {
        if let Some(task) = &self.feed.asking
            && let Some(answer) = task.take()
        {
            self.feed.asking = None;
            // A failed ask says nothing: the next one may answer, and views keep what they show.
            if let Ok(Some(mark)) = answer {
                if self.feed.seen.is_some_and(|seen| seen != mark) {
                    self.changed(Topic::Everything);
                }
                self.feed.seen = Some(mark);
            }
        }
        let due = self.feed.last.is_none_or(|at| at.elapsed() >= self.feed_every);
        if due && self.feed.asking.is_none() {
            self.feed.last = Some(std::time::Instant::now());
            let backend = self.backend.clone();
            self.feed.asking = Some(self.jobs.run_in_background(ctx, move || backend.change_mark()));
        }
        ctx.request_repaint_after(self.feed_every);
    }

    /// Runs what the views asked for this frame: the calls off the UI thread, the dialogs
    /// on the runtime (awaited while frames go on), the commands here.
    fn run_asked(&mut self, ctx: &egui::Context) {
        let asked = std::mem::take(&mut self.asked);
        for call in asked.calls {
            let backend = self.backend.clone();
            drop(self.jobs.run(ctx, move || call(backend.as_ref())));
        }
        for (choice, answer) in asked.dialogs {
            drop(self.jobs.wait(ctx, self.dialogs.choose(choice), move |path| answer.fill(path)));
        }
        for command in asked.commands {
            self.apply(command);
        }
    }

    fn refresh(&mut self) {
        let views = &mut self.views;
        match self.prefs.view {
            View::Overview => views.overview.refresh(),
            View::Users => views.users.refresh(),
            View::Licenses => views.licenses.refresh(),
            View::Products => views.products.refresh(),
            View::Contracts => views.contracts.refresh(),
            View::KeyGeneration => views.keygen.refresh(),
            View::Staff => views.staff.refresh(),
            View::Outbox => views.outbox.refresh(),
            View::Activity => views.activity.refresh(),
            View::Telemetry => views.telemetry.refresh(),
            View::Settings => {}
        }
    }

    /// The whole console in `ui` (the window's root, or a test harness).
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.views_ctx = ctx.clone();
        self.poll_opening();
        if let Status::SignedOut(text) = &self.status {
            let text = text.clone();
            self.switcher.log_in_again(&text);
            self.status = Status::Error(text);
        }
        self.switcher.prompt_ui(&ctx, &self.jobs);
        self.deliver_mail(&ctx);
        for topic in self.changes.take() {
            self.changed(topic);
        }
        self.follow_changes(&ctx);
        if self.applied_theme != Some(self.prefs.theme) {
            self.prefs.theme.apply(&ctx);
            self.applied_theme = Some(self.prefs.theme);
        }
        for command in Command::from_input(&ctx) {
            self.apply(command);
        }
        let searches: Vec<SavedSearch> = self.prefs.searches_of(self.switcher.active()).cloned().collect();
        if let Some(command) = self.palette.ui(&ctx, &self.backend, &self.jobs, &searches) {
            self.apply(command);
        }
        // Before the panels: a message is either up as a toast or in the status line, never both.
        self.toasts.ui(&ctx, &mut self.status);
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status_line").show(ui, |ui| self.status_line(ui));
        egui::Panel::left("navigation")
            .exact_size(Tokens::NAV_WIDTH)
            .resizable(false)
            .show(ui, |ui| self.navigation(ui));
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.run_asked(&ctx);
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("keydesk");
            ui.separator();
            ui.label(egui::RichText::new(self.backend.label()).strong()).on_hover_text("The active profile");
            self.profile_menu(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let other = if self.prefs.theme == Theme::Dark { Theme::Light } else { Theme::Dark };
                if ui.button(format!("{} theme", other.label())).on_hover_text("Ctrl+Shift+T").clicked() {
                    self.apply(Command::ToggleTheme);
                }
            });
        });
    }

    /// Switches to another saved profile from the top bar.
    fn profile_menu(&mut self, ui: &mut egui::Ui) {
        let mut chosen = None;
        ui.add_enabled_ui(!self.switcher.busy(), |ui| {
            ui.menu_button("Switch profile", |ui| {
                for profile in &self.prefs.profiles {
                    let current = self.switcher.active() == Some(profile);
                    if ui.add_enabled(!current, egui::Button::new(profile.title())).clicked() {
                        chosen = Some(profile.clone());
                    }
                }
                if self.prefs.profiles.is_empty() {
                    ui.label("No other profile yet: add one in Settings.");
                }
            });
        });
        if let Some(profile) = chosen {
            self.apply(Command::OpenProfile(profile));
        }
    }

    fn status_line(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            // Right: where the data is, and the backend calls under way.
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.weak(self.backend.label());
                let running = self.jobs.running();
                if running > 0 {
                    ui.separator();
                    ui.label(format!("{running} call(s) running"));
                    ui.spinner();
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| self.status_message(ui));
            });
        });
    }

    fn status_message(&mut self, ui: &mut egui::Ui) {
        if self.toasts.showing(&self.status) {
            ui.weak("Ready");
            return;
        }
        ui.horizontal(|ui| match &self.status {
            Status::Empty => {
                ui.weak("Ready");
            }
            Status::Info(text) => {
                ui.label(text);
            }
            Status::Error(text) | Status::SignedOut(text) => {
                ui.colored_label(Tokens::ERROR, text);
                if ui.small_button("Dismiss").clicked() {
                    self.status = Status::Empty;
                }
            }
        });
    }

    fn navigation(&mut self, ui: &mut egui::Ui) {
        ui.add_space(Tokens::GAP);
        for view in View::ALL {
            let selected = self.prefs.view == view;
            let shortcut = view.shortcut();
            let unavailable = view.area().and_then(|area| self.backend.unavailable(area));
            let item = ui.add_enabled(unavailable.is_none(), egui::Button::selectable(selected, view.title()));
            let item = match &unavailable {
                Some(reason) => item.on_disabled_hover_text(reason.as_str()),
                None => item.on_hover_text(shortcut),
            };
            if item.clicked() {
                self.prefs.view = view;
            }
        }
        self.saved_searches(ui);
    }

    /// The active profile's saved searches under the views: a click runs one, its context
    /// menu forgets it.
    fn saved_searches(&mut self, ui: &mut egui::Ui) {
        if self.backend.unavailable(crate::backend::Area::Licenses).is_some() {
            return;
        }
        ui.add_space(Tokens::GAP);
        ui.separator();
        ui.strong("Saved searches");
        let mut asked = None;
        let mut any = false;
        for search in self.prefs.searches_of(self.switcher.active()) {
            any = true;
            let item = ui.add(egui::Button::selectable(false, &search.name).truncate()).on_hover_text(&search.text);
            if item.clicked() {
                asked = Some(Command::Search(search.text.clone()));
            }
            item.context_menu(|ui| {
                if ui.button(format!("Forget {:?}", search.name)).clicked() {
                    asked = Some(Command::ForgetSearch(search.name.clone()));
                }
            });
        }
        if !any {
            ui.weak("Type a filter in Licenses, then Save search…");
        }
        if let Some(command) = asked {
            self.apply(command);
        }
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        if let Some(reason) = self.prefs.view.area().and_then(|area| self.backend.unavailable(area)) {
            ui.heading(self.prefs.view.title());
            ui.label(reason);
            return;
        }
        let mut desk = Desk::new(&mut self.status, self.backend.as_ref(), &mut self.asked, &self.changes);
        let views = &mut self.views;
        let mut open = None;
        match self.prefs.view {
            View::Overview => views.overview.ui(ui, &mut desk),
            View::Users => views.users.ui(ui, &mut desk),
            View::Licenses => views.licenses.ui(ui, &mut desk),
            View::Products => views.products.ui(ui, &mut desk),
            View::Contracts => views.contracts.ui(ui, &mut desk),
            View::KeyGeneration => views.keygen.ui(ui, &mut desk),
            View::Staff => views.staff.ui(ui, &mut desk),
            View::Outbox => views.outbox.ui(ui, &mut desk),
            View::Activity => views.activity.ui(ui, &mut desk),
            View::Telemetry => views.telemetry.ui(ui, &mut desk),
            View::Settings => {
                let (busy, active) = (self.switcher.busy(), self.switcher.active());
                open = views.settings.ui(ui, &mut desk, &mut self.prefs, busy, active);
            }
        }
        match open {
            Some(super::views::settings::ProfileChange::Open(profile)) => self.apply(Command::OpenProfile(profile)),
            Some(super::views::settings::ProfileChange::Remove(profile)) => self.remove_profile(&profile),
            Some(super::views::settings::ProfileChange::Replace { old, new }) => {
                self.remove_profile(&old);
                self.apply(Command::OpenProfile(new));
            }
            None => {}
        }
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        ConsoleApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.prefs);
    }
}
