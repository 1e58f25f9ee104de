//! Users: search as you type (searchuser's wildcards), a virtual table of every user,
//! registration, CSV import and export, and a detail pane with the user's licenses,
//! devices and depots and everything that can be done to them.

use egui_extras::{Column, TableBuilder};

use super::{labelled_edit, result_line};
use crate::backend::{BackendResult, UserAction};
use crate::console::app::Env;
use crate::console::csv_files;
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::console::window::{FETCH, RowWindow};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::user::{User, UserId};
use crate::service::accounts::Registration;
use crate::service::console::{UserOverview, Window};
use crate::store::UserOrder;

/// The terms the table shows: every user, or a search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Shown {
    username: String,
    email: String,
    order: UserOrder,
    descending: bool,
}

impl Shown {
    fn is_search(&self) -> bool {
        !self.username.trim().is_empty() || !self.email.trim().is_empty()
    }
}

#[derive(Default)]
struct RegisterForm {
    open: bool,
    distributor: Option<DistributorId>,
    username: String,
    email: String,
    password: String,
    language: String,
    reference: String,
}

#[derive(Default)]
struct Edits {
    email: String,
    reference: String,
    language: String,
    move_to: String,
    with_licenses: bool,
}

#[derive(Default)]
pub struct UsersView {
    username: String,
    email: String,
    order: UserOrder,
    descending: bool,
    shown: Option<Shown>,
    window: RowWindow<User>,
    fetching: Option<(Shown, Task<BackendResult<Window<User>>>)>,
    problem: Option<String>,
    focus_search: bool,
    distributors: Vec<Distributor>,
    distributors_task: Option<Task<BackendResult<Vec<Distributor>>>>,
    selected: Option<UserId>,
    detail: Option<UserOverview>,
    detail_task: Option<Task<BackendResult<UserOverview>>>,
    register: RegisterForm,
    edits: Edits,
    confirm_remove: bool,
    action: Option<Task<BackendResult<String>>>,
    import_path: String,
    export_path: String,
    file_task: Option<Task<Result<String, String>>>,
}

impl UsersView {
    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    pub fn refresh(&mut self) {
        self.shown = None;
        self.distributors.clear();
        if let Some(id) = self.selected {
            self.selected = None;
            self.select(id);
        }
    }

    fn select(&mut self, id: UserId) {
        if self.selected != Some(id) {
            self.selected = Some(id);
            self.detail = None;
            self.detail_task = None;
        }
    }

    fn wanted(&self) -> Shown {
        Shown {
            username: self.username.clone(),
            email: self.email.clone(),
            order: self.order,
            descending: self.descending,
        }
    }

    /// Starts a fetch of the rows from `offset` for `shown`, unless one is running.
    fn fetch(&mut self, env: &Env<'_>, ctx: &egui::Context, shown: Shown, offset: u64) {
        if self.fetching.is_some() {
            return;
        }
        let backend = env.backend.clone();
        let terms = shown.clone();
        let task = env.jobs.run(ctx, move || {
            if terms.is_search() {
                backend.search_users(&terms.username, &terms.email, 1_000)
            } else {
                backend.users(terms.order, terms.descending, offset, FETCH)
            }
        });
        self.fetching = Some((shown, task));
    }

    fn poll(&mut self, env: &mut Env<'_>) {
        if let Some((shown, task)) = &self.fetching
            && let Some(result) = task.take()
        {
            let shown = shown.clone();
            self.fetching = None;
            match result {
                Ok(window) => {
                    self.problem = None;
                    self.window = RowWindow { offset: window.offset, rows: window.rows, total: window.total };
                    self.shown = Some(shown);
                }
                Err(error) => {
                    self.problem = Some(error.to_string());
                    self.window = RowWindow::default();
                    self.shown = Some(shown);
                }
            }
        }
        if let Some(task) = &self.distributors_task
            && let Some(result) = task.take()
        {
            self.distributors_task = None;
            match result {
                Ok(all) => {
                    if self.register.distributor.is_none() {
                        self.register.distributor = all.iter().find(|d| d.is_default).or(all.first()).map(|d| d.id);
                    }
                    self.distributors = all;
                }
                Err(error) => env.status.error(error.to_string()),
            }
        }
        if let Some(task) = &self.detail_task
            && let Some(result) = task.take()
        {
            self.detail_task = None;
            match result {
                Ok(overview) => {
                    self.edits.email = overview.user.email.clone();
                    self.edits.reference = overview.user.reference.clone();
                    self.edits.language = overview.user.language.clone();
                    self.detail = Some(overview);
                }
                Err(error) => env.status.error(error.to_string()),
            }
        }
        if let Some(task) = &self.action
            && let Some(result) = task.take()
        {
            self.action = None;
            match result {
                Ok(message) => {
                    env.status.info(message);
                    self.refresh();
                }
                Err(error) => env.status.error(error.to_string()),
            }
        }
        if let Some(task) = &self.file_task
            && let Some(result) = task.take()
        {
            self.file_task = None;
            match result {
                Ok(message) => {
                    env.status.info(message);
                    self.refresh();
                }
                Err(error) => env.status.error(error),
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        let ctx = ui.ctx().clone();
        self.poll(env);
        if self.distributors.is_empty() && self.distributors_task.is_none() {
            let backend = env.backend.clone();
            self.distributors_task = Some(env.jobs.run(&ctx, move || backend.distributors()));
        }
        let wanted = self.wanted();
        if self.shown.as_ref() != Some(&wanted) && self.fetching.as_ref().is_none_or(|(s, _)| *s != wanted) {
            self.fetching = None;
            self.fetch(env, &ctx, wanted, 0);
        }
        if let Some(id) = self.selected
            && self.detail.is_none()
            && self.detail_task.is_none()
        {
            let backend = env.backend.clone();
            self.detail_task = Some(env.jobs.run(&ctx, move || backend.user(id)));
        }

        self.toolbar(ui, env);
        if self.register.open {
            self.register_form(ui, env);
        }
        if self.selected.is_some() {
            egui::Panel::right("user_detail")
                .default_size(Tokens::DETAIL_WIDTH)
                .show(ui, |ui| egui::ScrollArea::vertical().show(ui, |ui| self.detail_pane(ui, env)));
        }
        self.table(ui, env);
    }

    fn toolbar(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        ui.horizontal(|ui| {
            let search = labelled_edit(ui, "Search users", &mut self.username, 180.0);
            search.on_hover_text("Username with wildcards: clara*, *braun*, *777 (3 characters besides the *)");
            if std::mem::take(&mut self.focus_search) {
                ui.memory_mut(|m| m.request_focus(egui::Id::unique("Search users")));
            }
            labelled_edit(ui, "Search e-mail", &mut self.email, 180.0)
                .on_hover_text("E-mail with wildcards: *@example.com");
            if ui.button("Register…").clicked() {
                self.register.open = !self.register.open;
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "CSV file", &mut self.import_path, 260.0)
                .on_hover_text("A path to import from or export to (or choose one with Browse…)");
            if ui.button("Browse…").clicked()
                && let Some(path) = rfd::FileDialog::new().add_filter("CSV", &["csv"]).pick_file()
            {
                self.import_path = path.display().to_string();
            }
            let busy = self.file_task.is_some();
            if ui.add_enabled(!busy, egui::Button::new("Import CSV")).clicked() {
                self.import(env, ui.ctx());
            }
            labelled_edit(ui, "Export to", &mut self.export_path, 200.0);
            if ui.add_enabled(!busy, egui::Button::new("Export CSV")).clicked() {
                self.export(env, ui.ctx());
            }
            if busy {
                ui.spinner();
            }
        });
        ui.separator();
    }

    fn import(&mut self, env: &mut Env<'_>, ctx: &egui::Context) {
        let Some(distributor) = self.register.distributor else {
            env.status.error("Create a distributor first (keydesk admin distributor add).");
            return;
        };
        let path = std::path::PathBuf::from(self.import_path.trim());
        let backend = env.backend.clone();
        self.file_task = Some(env.jobs.run(ctx, move || {
            let records = csv_files::read_users(&path).map_err(|e| e.to_string())?;
            let report = backend.import_users(distributor, &records).map_err(|e| e.to_string())?;
            let mut message =
                format!("Imported {} of {} users from {}.", report.created, records.len(), path.display());
            if let Some((record, reason)) = report.refused.first() {
                message.push_str(&format!(" Refused {}: record {record}, {reason}.", report.refused.len()));
            }
            Ok(message)
        }));
    }

    fn export(&mut self, env: &mut Env<'_>, ctx: &egui::Context) {
        let path = std::path::PathBuf::from(self.export_path.trim());
        if path.as_os_str().is_empty() {
            env.status.error("Type the file to export to.");
            return;
        }
        let backend = env.backend.clone();
        self.file_task = Some(env.jobs.run(ctx, move || {
            let records = backend.export_users().map_err(|e| e.to_string())?;
            csv_files::write_users(&path, &records).map_err(|e| e.to_string())?;
            Ok(format!("Exported {} users to {}.", records.len(), path.display()))
        }));
    }

    fn register_form(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("Register a user");
            ui.horizontal(|ui| {
                let name = |d: &Distributor| format!("{} ({})", d.name, d.code);
                let current = self
                    .distributors
                    .iter()
                    .find(|d| Some(d.id) == self.register.distributor)
                    .map(name)
                    .unwrap_or_default();
                let label = ui.label("Distributor");
                egui::ComboBox::from_id_salt("register_distributor")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for d in &self.distributors {
                            ui.selectable_value(&mut self.register.distributor, Some(d.id), name(d));
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
            ui.horizontal(|ui| {
                labelled_edit(ui, "Username", &mut self.register.username, 140.0);
                labelled_edit(ui, "User e-mail", &mut self.register.email, 180.0);
            });
            ui.horizontal(|ui| {
                let label = ui.label("Password");
                ui.add(egui::TextEdit::singleline(&mut self.register.password).password(true).desired_width(140.0))
                    .labelled_by(label.id);
                labelled_edit(ui, "Language", &mut self.register.language, 40.0).on_hover_text("ISO 639-1, e.g. en");
                labelled_edit(ui, "Reference", &mut self.register.reference, 120.0);
            });
            ui.horizontal(|ui| {
                if ui.button("Register").clicked() {
                    self.submit_registration(env, ui.ctx());
                }
                if ui.button("Cancel").clicked() {
                    self.register.open = false;
                }
            });
        });
    }

    fn submit_registration(&mut self, env: &mut Env<'_>, ctx: &egui::Context) {
        let Some(distributor) = self.register.distributor else {
            env.status.error("Choose a distributor.");
            return;
        };
        let form = &self.register;
        let registration = Registration {
            username: form.username.trim().to_owned(),
            email: form.email.trim().to_owned(),
            password: form.password.clone(),
            language: Some(form.language.trim().to_owned()).filter(|l| !l.is_empty()),
            reference: form.reference.trim().to_owned(),
            department: String::new(),
        };
        let backend = env.backend.clone();
        self.action = Some(env.jobs.run(ctx, move || {
            backend.register_user(distributor, &registration).map(|u| format!("Registered {}.", u.username))
        }));
        self.register = RegisterForm { distributor: Some(distributor), ..RegisterForm::default() };
    }

    fn table(&mut self, ui: &mut egui::Ui, env: &Env<'_>) {
        if let Some(problem) = &self.problem {
            let hint = if self.wanted().is_search() {
                "Type at least 3 characters besides the wildcards (*), e.g. clara* or *@example.com."
            } else {
                ""
            };
            ui.colored_label(Tokens::WARNING, format!("{problem} {hint}"));
            return;
        }
        let total = self.window.total;
        ui.horizontal(|ui| {
            let what = if self.wanted().is_search() { "matching users" } else { "users" };
            ui.label(format!("{total} {what}"));
            if self.fetching.is_some() {
                ui.spinner();
            }
        });
        if total == 0 && self.fetching.is_none() {
            ui.add_space(Tokens::GAP * 4.0);
            ui.vertical_centered(|ui| {
                ui.label("No users yet. Register one, or import a CSV file.");
            });
            return;
        }
        let searching = self.wanted().is_search();
        let mut visible: Option<(u64, u64)> = None;
        let mut clicked = None;
        let mut sort = None;
        let selected = self.selected;
        let window = &self.window;
        let arrow = |order: UserOrder| match (self.order == order && !searching, self.descending) {
            (true, false) => " ^",
            (true, true) => " v",
            _ => "",
        };
        TableBuilder::new(ui)
            .id_salt("users_table")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .column(Column::initial(180.0).at_least(80.0))
            .column(Column::initial(90.0))
            .column(Column::initial(220.0).at_least(80.0))
            .column(Column::initial(120.0))
            .column(Column::remainder())
            .header(Tokens::ROW_HEIGHT, |mut header| {
                for (title, order) in [
                    ("Username", Some(UserOrder::Username)),
                    ("Status", None),
                    ("E-mail", Some(UserOrder::Email)),
                    ("Reference", None),
                    ("Created", Some(UserOrder::Created)),
                ] {
                    header.col(|ui| match order {
                        Some(order) if !searching => {
                            if ui.button(format!("{title}{}", arrow(order))).on_hover_text("Sort").clicked() {
                                sort = Some(order);
                            }
                        }
                        _ => {
                            ui.strong(title);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(Tokens::ROW_HEIGHT, total as usize, |mut row| {
                    let index = row.index() as u64;
                    visible = Some(visible.map_or((index, index + 1), |(a, b)| (a.min(index), b.max(index + 1))));
                    let user = window.get(index);
                    row.set_selected(user.is_some_and(|u| Some(u.id) == selected));
                    let cells: [String; 5] = match user {
                        Some(u) => [
                            u.username.clone(),
                            u.status.as_str().to_owned(),
                            u.email.clone(),
                            u.reference.clone(),
                            u.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        ],
                        None => ["…".into(), String::new(), String::new(), String::new(), String::new()],
                    };
                    for cell in cells {
                        row.col(|ui| {
                            ui.add(egui::Label::new(cell).truncate().selectable(false));
                        });
                    }
                    if row.response().clicked()
                        && let Some(u) = user
                    {
                        clicked = Some(u.id);
                    }
                });
            });
        if let Some(order) = sort {
            if self.order == order {
                self.descending = !self.descending;
            } else {
                self.order = order;
                self.descending = false;
            }
        }
        if let Some(id) = clicked {
            self.select(id);
        }
        if !searching
            && let Some((start, end)) = visible
            && let Some(offset) = self.window.refill_for(start..end)
            && let Some(shown) = self.shown.clone()
        {
            self.fetch(env, ui.ctx(), shown, offset);
        }
    }

    fn act(&mut self, env: &mut Env<'_>, ctx: &egui::Context, username: &str, action: UserAction, done: String) {
        let (backend, username) = (env.backend.clone(), username.to_owned());
        self.action = Some(env.jobs.run(ctx, move || backend.user_action(&username, &action).map(|()| done)));
    }

    fn detail_pane(&mut self, ui: &mut egui::Ui, env: &mut Env<'_>) {
        let ctx = ui.ctx().clone();
        let Some(overview) = self.detail.clone() else {
            ui.spinner();
            return;
        };
        let user = &overview.user;
        let name = user.username.clone();
        ui.horizontal(|ui| {
            ui.heading(&name);
            if ui.small_button("Close").clicked() {
                self.selected = None;
                self.detail = None;
            }
        });
        egui::Grid::new("user_facts").num_columns(2).show(ui, |ui| {
            for (label, value) in [
                ("Status", user.status.as_str().to_owned()),
                ("Distributor", user.distributor_code.to_string()),
                ("E-mail", user.email.clone()),
                ("Language", user.language.clone()),
                ("Reference", user.reference.clone()),
                ("Created", user.created_at.format("%Y-%m-%d %H:%M").to_string()),
            ] {
                ui.label(label);
                ui.label(value);
                ui.end_row();
            }
        });
        ui.separator();
        ui.horizontal_wrapped(|ui| {
            if ui.button("Resend activation").clicked() {
                self.act(env, &ctx, &name, UserAction::ResendActivation, format!("Activation mail queued for {name}."));
            }
            if ui.button("Activate").clicked() {
                self.act(env, &ctx, &name, UserAction::Activate, format!("{name} is activated."));
            }
            if ui.button("Reset password").clicked() {
                self.act(
                    env,
                    &ctx,
                    &name,
                    UserAction::ResetPassword,
                    format!("A temporary password was mailed to {name}."),
                );
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New e-mail", &mut self.edits.email, 170.0);
            if ui.button("Set e-mail").clicked() {
                let email = self.edits.email.trim().to_owned();
                self.act(env, &ctx, &name, UserAction::SetEmail(email), format!("E-mail of {name} changed."));
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New reference", &mut self.edits.reference, 170.0);
            if ui.button("Set reference").clicked() {
                let reference = self.edits.reference.clone();
                self.act(env, &ctx, &name, UserAction::SetReference(reference), format!("Reference of {name} set."));
            }
        });
        ui.horizontal(|ui| {
            labelled_edit(ui, "New language", &mut self.edits.language, 40.0);
            if ui.button("Change language").clicked() {
                let language = self.edits.language.clone();
                self.act(
                    env,
                    &ctx,
                    &name,
                    UserAction::ChangeLanguage(language),
                    format!("Language of {name} changed."),
                );
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Move to");
            let codes: Vec<String> = self.distributors.iter().map(|d| d.code.to_string()).collect();
            egui::ComboBox::from_id_salt("move_to")
                .selected_text(self.edits.move_to.clone())
                .show_ui(ui, |ui| {
                    for code in codes {
                        ui.selectable_value(&mut self.edits.move_to, code.clone(), code);
                    }
                })
                .response
                .labelled_by(label.id);
            if ui.button("Move").clicked() && !self.edits.move_to.is_empty() {
                let target = self.edits.move_to.clone();
                self.act(env, &ctx, &name, UserAction::MoveTo(target.clone()), format!("{name} moved to {target}."));
            }
        });
        ui.separator();
        ui.strong(format!("Licenses ({})", overview.licenses.len()));
        if overview.licenses.is_empty() {
            ui.weak("No licenses.");
        }
        for license in &overview.licenses {
            ui.horizontal(|ui| {
                ui.monospace(&license.number);
                ui.label(format!("{:?} · {}/{}", license.status, license.used, license.limit.0));
                if ui.small_button("Copy").on_hover_text("Copy the license number").clicked() {
                    ui.ctx().copy_text(license.number.clone());
                }
            });
        }
        ui.strong(format!("Devices ({})", overview.devices.len()));
        if overview.devices.is_empty() {
            ui.weak("No devices.");
        }
        for device in &overview.devices {
            ui.horizontal(|ui| {
                ui.label(format!("{} ({} {})", device.name, device.platform, device.version));
                if ui.small_button("Remove device").clicked() {
                    let done = format!("Device {} removed.", device.name);
                    self.act(env, &ctx, &name, UserAction::RemoveDevice(device.name.clone()), done);
                }
            });
        }
        ui.strong(format!("Depots ({})", overview.depots.len()));
        if overview.depots.is_empty() {
            ui.weak("No depots.");
        }
        for depot in &overview.depots {
            ui.label(format!("{} on {}", depot.depot_id, depot.host_url));
        }
        ui.separator();
        ui.checkbox(&mut self.edits.with_licenses, "Remove the user's licenses too");
        if ui.button("Remove user…").clicked() {
            self.confirm_remove = true;
        }
        if self.confirm_remove {
            let with_licenses = self.edits.with_licenses;
            let question = if with_licenses {
                format!("Remove {name} and their licenses? This cannot be undone.")
            } else {
                format!("Remove {name}? Their licenses stay. This cannot be undone.")
            };
            if let Some(confirmed) = super::confirm(ui.ctx(), "confirm_remove_user", &question, "Remove") {
                self.confirm_remove = false;
                if confirmed {
                    self.act(env, &ctx, &name, UserAction::Remove { with_licenses }, format!("{name} removed."));
                    self.selected = None;
                    self.detail = None;
                }
            }
        }
        result_line(ui, self.action.is_some());
    }
}
