//! Users: search as you type (searchuser's wildcards), a virtual table of every user,
//! registration, CSV import and export, and a detail pane with the user's licenses,
//! devices and depots and everything that can be done to them.

mod detail;
mod forms;

use egui_extras::{Column, TableBuilder};

use super::table_keys::{Cursor, TableKey};
use super::{Fetch, finished};

use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::console::window::{FETCH, RowWindow};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::user::{User, UserId};
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
    cursor: Cursor,
    /// Whether the sort remembered from the last run was read (the first frame).
    sort_read: bool,
    shown: Option<Shown>,
    window: RowWindow<User>,
    fetching: Option<(Shown, Task<BackendResult<Window<User>>>)>,
    problem: Option<String>,
    focus_search: bool,
    distributors: Vec<Distributor>,
    distributors_fetch: Fetch<Vec<Distributor>>,
    selected: Option<UserId>,
    detail: Option<UserOverview>,
    detail_task: Option<Task<BackendResult<UserOverview>>>,
    register: RegisterForm,
    edits: Edits,
    confirm_remove: bool,
    action: Option<Task<BackendResult<String>>>,
    import_path: String,
    browsing: Option<Task<Option<std::path::PathBuf>>>,
    export_path: String,
    file_task: Option<Task<BackendResult<String>>>,
}

impl UsersView {
    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    /// Opens this user's detail (from the command palette), the search cleared so the
    /// table holds them.
    pub fn open_user(&mut self, id: UserId) {
        self.username.clear();
        self.email.clear();
        self.select(id);
    }

    fn select(&mut self, id: UserId) {
        if self.selected != Some(id) {
            self.selected = Some(id);
            self.detail = None;
            self.detail_task = None;
        }
    }

    /// The sort outlives a restart (egui's persisted memory).
    fn remember_sort(&mut self, ui: &egui::Ui) {
        let now = (self.order, self.descending);
        if let Some((order, flag)) = super::sorting::remember(ui, "users", &mut self.sort_read, now) {
            (self.order, self.descending) = (order, flag);
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
    fn fetch(&mut self, desk: &mut Desk<'_>, shown: Shown, offset: u64) {
        if self.fetching.is_some() {
            return;
        }
        let terms = shown.clone();
        let task = desk.read(move |backend| {
            if terms.is_search() {
                backend.search_users(&terms.username, &terms.email, 1_000)
            } else {
                backend.users(terms.order, terms.descending, offset, FETCH)
            }
        });
        self.fetching = Some((shown, task));
    }

    fn poll(&mut self, desk: &mut Desk<'_>) {
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
                    self.problem = Some(super::table_problem(&error, desk.status));
                    self.window = RowWindow::default();
                    self.shown = Some(shown);
                }
            }
        }
        if let Some(all) = self.distributors_fetch.finished(desk.status) {
            if self.register.distributor.is_none() {
                self.register.distributor = all.iter().find(|d| d.is_default).or(all.first()).map(|d| d.id);
            }
            self.distributors = all;
        }
        if let Some(overview) = finished(&mut self.detail_task, desk.status) {
            self.edits.email = overview.user.email.clone();
            self.edits.reference = overview.user.reference.clone();
            self.edits.language = overview.user.language.clone();
            self.detail = Some(overview);
        }
        let done = finished(&mut self.action, desk.status).or_else(|| finished(&mut self.file_task, desk.status));
        if let Some(message) = done {
            desk.status.info(message);
            self.refresh();
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        self.poll(desk);
        self.remember_sort(ui);
        match self.cursor.keys(ui, self.window.total) {
            Some(TableKey::Open(row)) => {
                if let Some(id) = self.window.get(row).map(|u| u.id) {
                    self.select(id);
                }
            }
            Some(TableKey::Close) => self.selected = None,
            None => {}
        }
        self.distributors_fetch.start(desk, |backend| backend.distributors());
        let wanted = self.wanted();
        if self.shown.as_ref() != Some(&wanted) && self.fetching.as_ref().is_none_or(|(s, _)| *s != wanted) {
            self.fetching = None;
            self.fetch(desk, wanted, 0);
        }
        if let Some(id) = self.selected
            && self.detail.is_none()
            && self.detail_task.is_none()
        {
            self.detail_task = Some(desk.read(move |backend| backend.user(id)));
        }

        self.toolbar(ui, desk);
        if self.register.open {
            self.register_form(ui, desk);
        }
        if self.selected.is_some() {
            egui::Panel::right("user_detail")
                .default_size(Tokens::DETAIL_WIDTH)
                .show(ui, |ui| egui::ScrollArea::vertical().show(ui, |ui| self.detail_pane(ui, desk)));
        }
        self.table(ui, desk);
    }

    fn table(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
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
        let cursor = self.cursor.row;
        self.cursor
            .scroll(TableBuilder::new(ui))
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
                    if cursor == Some(index) {
                        row.set_hovered(true);
                    }
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
                        clicked = Some((index, u.id));
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
        if let Some((index, id)) = clicked {
            self.cursor.row = Some(index);
            self.select(id);
        }
        if !searching
            && let Some((start, end)) = visible
            && let Some(offset) = self.window.refill_for(start..end)
            && let Some(shown) = self.shown.clone()
        {
            self.fetch(desk, shown, offset);
        }
    }
}

impl Refresh for UsersView {
    const SHOWS: &'static [Topic] = &[Topic::Users, Topic::Licenses];

    fn refresh(&mut self) {
        self.shown = None;
        self.distributors.clear();
        self.distributors_fetch.again();
        if let Some(id) = self.selected {
            self.selected = None;
            self.select(id);
        }
    }
}
