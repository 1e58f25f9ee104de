//! Staff: the accounts that log in to a shared `keydesk serve` from a console, for the
//! owner: add one (keydesk draws the first password), change its role, switch it off or
//! on, reset its password, remove it. The service keeps one owner able to log in.

use super::sorting::{Sort, SortKey, keep_sorted};
use super::{Fetch, Outcome, confirm, finished, labelled_combo, labelled_edit, password_once};
use crate::backend::{Backend, BackendResult, ResellerPools};
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::domain::distributor::Distributor;
use crate::domain::secret::FreshPassword;
use crate::domain::staff::{NewStaff, Role, Staff, StaffAction};

/// The role being chosen in a form: the kind first, then its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum RoleChoice {
    #[default]
    Unset,
    Chosen(Role),
}

#[derive(Default)]
pub struct StaffView {
    staff: Vec<Staff>,
    sorted: Option<Sort>,
    loading: Fetch<Vec<Staff>>,
    distributors: Vec<Distributor>,
    distributors_fetch: Fetch<Vec<Distributor>>,
    resellers: Vec<ResellerPools>,
    resellers_fetch: Fetch<Vec<ResellerPools>>,
    selected: Option<String>,
    adding: bool,
    username: String,
    role: RoleChoice,
    new_role: RoleChoice,
    asking_delete: Option<String>,
    action: Option<Task<BackendResult<Outcome>>>,
    password: Option<(String, FreshPassword)>,
}

impl StaffView {
    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        self.take_results(desk);
        self.loading.start(desk, |backend| backend.staff());
        self.distributors_fetch.start(desk, |backend| backend.distributors());
        self.resellers_fetch.start(desk, |backend| backend.resellers());
        self.dialogs(ui.ctx(), desk);
        ui.horizontal(|ui| {
            ui.heading(format!("Staff accounts ({})", self.staff.len()));
            if ui.button("Add staff account…").clicked() {
                self.adding = !self.adding;
            }
        });
        ui.weak("Who may log in to this database's `keydesk serve` from a console, and what each role sees.");
        if self.adding {
            self.add_form(ui, desk);
        }
        if self.staff.is_empty() {
            ui.label(if self.loading.running() {
                "Loading…"
            } else {
                "No staff accounts yet. Add one for each person who will use a remote profile on this server."
            });
            return;
        }
        let selected = self.selected.as_ref().and_then(|name| self.staff.iter().find(|s| &s.username == name)).cloned();
        if let Some(member) = selected {
            egui::Panel::right("staff_detail").default_size(Tokens::DETAIL_WIDTH).show(ui, |ui| {
                self.detail(ui, desk, &member);
            });
        }
        self.list(ui);
    }

    fn take_results(&mut self, desk: &mut Desk<'_>) {
        if let Some(staff) = self.loading.finished(desk.status) {
            self.staff = staff;
            self.sorted = None;
        }
        if let Some(distributors) = self.distributors_fetch.finished(desk.status) {
            self.distributors = distributors;
        }
        if let Some(resellers) = self.resellers_fetch.finished(desk.status) {
            self.resellers = resellers;
        }
        if let Some(outcome) = finished(&mut self.action, desk.status) {
            let (said, password) = outcome.split();
            desk.status.info(said);
            self.password = password;
            self.loading.again();
        }
    }

    fn dialogs(&mut self, ctx: &egui::Context, desk: &mut Desk<'_>) {
        if let Some((who, password)) = &self.password
            && password_once(ctx, who, password)
        {
            self.password = None;
        }
        let Some(username) = self.asking_delete.clone() else { return };
        let question = format!("Remove the staff account {username}? Its sessions end at once.");
        match confirm(ctx, "staff-delete", &question, "Remove") {
            Some(true) => {
                self.asking_delete = None;
                self.selected = None;
                self.run(desk, move |b| {
                    b.staff_action(&username, &StaffAction::Delete)?;
                    Ok(Outcome::Said(format!("{username} was removed.")))
                });
            }
            Some(false) => self.asking_delete = None,
            None => {}
        }
    }

    fn run(&mut self, desk: &mut Desk<'_>, call: impl FnOnce(&dyn Backend) -> BackendResult<Outcome> + Send + 'static) {
        if self.action.is_some() {
            return;
        }
        self.action = Some(desk.change(&[Topic::Staff], call));
    }

    /// "Distributor: Acme Ltd", "Owner".
    fn role_text(&self, role: Role) -> String {
        match role {
            Role::Owner => "Owner".into(),
            Role::Distributor(id) => {
                let name = self
                    .distributors
                    .iter()
                    .find(|d| d.id == id)
                    .map_or_else(|| format!("#{}", id.0), |d| d.name.clone());
                format!("Distributor: {name}")
            }
            Role::Reseller(id) => {
                let name = self
                    .resellers
                    .iter()
                    .find(|r| r.reseller.id == id)
                    .map_or_else(|| format!("#{}", id.0), |r| r.reseller.name.clone());
                format!("Reseller: {name}")
            }
        }
    }

    /// A drop-down of every role this database can give: the owner, each distributor, each reseller.
    fn role_combo(&self, ui: &mut egui::Ui, label: &str, choice: &mut RoleChoice) {
        let current = match choice {
            RoleChoice::Unset => "Choose a role".to_owned(),
            RoleChoice::Chosen(role) => self.role_text(*role),
        };
        let mut roles = vec![Role::Owner];
        roles.extend(self.distributors.iter().map(|d| Role::Distributor(d.id)));
        roles.extend(self.resellers.iter().map(|r| Role::Reseller(r.reseller.id)));
        labelled_combo(ui, label, current, |ui| {
            for role in roles {
                let text = if role == Role::Owner { "Owner: everything".to_owned() } else { self.role_text(role) };
                ui.selectable_value(choice, RoleChoice::Chosen(role), text);
            }
        });
    }

    fn add_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong("New staff account");
            egui::Grid::new("new_staff").num_columns(2).show(ui, |ui| {
                labelled_edit(ui, "Staff username", &mut self.username, 220.0)
                    .on_hover_text("What the person types at a remote profile's login");
                ui.end_row();
                let mut role = self.role;
                self.role_combo(ui, "Staff role", &mut role);
                self.role = role;
                ui.end_row();
            });
            let ready = match self.role {
                RoleChoice::Chosen(role) if !self.username.trim().is_empty() => Some(role),
                _ => None,
            };
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(ready.is_some() && self.action.is_none(), egui::Button::new("Add the account"))
                    .clicked()
                    && let Some(role) = ready
                {
                    let new = NewStaff { username: self.username.trim().to_owned(), role };
                    self.username.clear();
                    self.role = RoleChoice::Unset;
                    self.adding = false;
                    self.run(desk, move |b| {
                        let created = b.add_staff(&new)?;
                        Ok(Outcome::Password {
                            said: format!("{} was added.", created.account.username),
                            who: created.account.username,
                            password: created.password,
                        })
                    });
                }
                if ui.button("Cancel").clicked() {
                    self.adding = false;
                }
            });
            ui.weak("keydesk draws the first password and shows it once.");
        });
    }

    fn list(&mut self, ui: &mut egui::Ui) {
        // The role sorts as it reads ("Distributor: Acme"), so by the names the view knows.
        let roles: std::collections::HashMap<String, String> =
            self.staff.iter().map(|m| (m.username.clone(), self.role_text(m.role))).collect();
        let sort = keep_sorted(ui, "staff", Sort::by(0), &mut self.sorted, &mut self.staff, |m, column| match column {
            0 => SortKey::text(&m.username),
            1 => SortKey::text(roles.get(&m.username).map_or("", String::as_str)),
            2 => SortKey::time(m.created_at),
            _ => SortKey::Number(i64::from(m.disabled)),
        });
        egui::ScrollArea::vertical().show(ui, |ui| {
            egui::Grid::new("staff").striped(true).num_columns(4).show(ui, |ui| {
                sort.header(ui, "staff", &["Username", "Role", "Since", "State"]);
                for member in &self.staff {
                    let selected = self.selected.as_deref() == Some(member.username.as_str());
                    if ui.selectable_label(selected, &member.username).clicked() {
                        self.selected = Some(member.username.clone());
                        self.new_role = RoleChoice::Chosen(member.role);
                    }
                    ui.label(self.role_text(member.role));
                    ui.label(member.created_at.format("%Y-%m-%d").to_string());
                    if member.disabled {
                        ui.colored_label(Tokens::WARNING, "disabled");
                    } else {
                        ui.label("active");
                    }
                    ui.end_row();
                }
            });
        });
    }

    fn detail(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, member: &Staff) {
        ui.heading(&member.username);
        ui.label(self.role_text(member.role));
        if member.disabled {
            ui.colored_label(Tokens::WARNING, "Disabled: the password logs in no more.");
        }
        let idle = self.action.is_none();
        ui.add_space(Tokens::GAP);
        let (verb, action) = if member.disabled {
            ("Enable account", StaffAction::Enable)
        } else {
            ("Disable account", StaffAction::Disable)
        };
        if ui.add_enabled(idle, egui::Button::new(verb)).clicked() {
            let username = member.username.clone();
            self.run(desk, move |b| {
                b.staff_action(&username, &action)?;
                let state = if action == StaffAction::Disable { "disabled; its sessions ended" } else { "enabled" };
                Ok(Outcome::Said(format!("{username} is {state}.")))
            });
        }
        if ui.add_enabled(idle, egui::Button::new("Reset staff password")).clicked() {
            let username = member.username.clone();
            self.run(desk, move |b| {
                let password = b.staff_action(&username, &StaffAction::ResetPassword)?;
                let said = format!("{username} has a new password; its sessions ended.");
                Ok(match password {
                    Some(password) => Outcome::Password { said, who: username, password },
                    None => Outcome::Said(said),
                })
            });
        }
        ui.add_space(Tokens::GAP);
        ui.horizontal(|ui| {
            let mut role = self.new_role;
            self.role_combo(ui, "New role", &mut role);
            self.new_role = role;
        });
        let changed = matches!(self.new_role, RoleChoice::Chosen(role) if role != member.role);
        if ui.add_enabled(idle && changed, egui::Button::new("Change role")).clicked()
            && let RoleChoice::Chosen(role) = self.new_role
        {
            let (username, text) = (member.username.clone(), self.role_text(role));
            self.run(desk, move |b| {
                b.staff_action(&username, &StaffAction::SetRole(role))?;
                Ok(Outcome::Said(format!("{username} is now {text}.")))
            });
        }
        ui.add_space(Tokens::GAP);
        if ui.add_enabled(idle, egui::Button::new("Remove account…")).clicked() {
            self.asking_delete = Some(member.username.clone());
        }
    }
}

impl Refresh for StaffView {
    const SHOWS: &'static [Topic] = &[Topic::Staff, Topic::Contracts];

    fn refresh(&mut self) {
        self.loading.again();
        self.distributors_fetch.again();
        self.resellers_fetch.again();
    }
}
