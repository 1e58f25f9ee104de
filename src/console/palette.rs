//! The command palette (Ctrl+K): type to jump to any view or user. Views match by title at
//! once; users are searched by username prefix (searchuser's rules, three characters) off
//! the UI thread. Arrows move, Enter takes the highlighted entry, Esc closes.

use super::jobs::{Jobs, Task};
use super::navigation::{Command, View};
use crate::backend::{Area, Backend, BackendResult};
use crate::domain::user::User;
use crate::service::console::Window;

/// Users the palette lists at most.
const USERS_SHOWN: u32 = 8;

/// One thing the palette can take you to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    label: String,
    command: Command,
}

#[derive(Default)]
pub struct Palette {
    open: bool,
    query: String,
    highlighted: usize,
    /// The users found for `users_for`, and the search under way.
    users: Vec<User>,
    users_for: String,
    searching: Option<(String, Task<BackendResult<Window<User>>>)>,
    focus: bool,
}

impl Palette {
    pub fn open(&mut self) {
        self.open_with("");
    }

    pub fn close(&mut self) {
        self.open = false;
    }

    /// Opens with `query` already typed.
    pub fn open_with(&mut self, query: &str) {
        self.open = true;
        self.focus = true;
        self.query = query.to_owned();
        self.highlighted = 0;
    }

    /// What the query matches now: views first, then users.
    fn entries(&self, backend: &dyn Backend) -> Vec<Entry> {
        let typed = self.query.trim().to_lowercase();
        let mut entries: Vec<Entry> = View::ALL
            .iter()
            .filter(|v| v.area().is_none_or(|area| backend.unavailable(area).is_none()))
            .filter(|v| typed.is_empty() || v.title().to_lowercase().contains(&typed))
            .map(|v| Entry { label: format!("Go to {}", v.title()), command: Command::Show(*v) })
            .collect();
        if self.users_for == self.query.trim() {
            entries.extend(self.users.iter().map(|u| Entry {
                label: format!("User {} <{}>", u.username, u.email),
                command: Command::OpenUser(u.id),
            }));
        }
        entries
    }

    /// Starts a user search for the query when it is new and long enough.
    fn search_users(&mut self, backend: &std::sync::Arc<dyn Backend>, jobs: &Jobs, ctx: &egui::Context) {
        if let Some((query, task)) = &self.searching
            && let Some(answer) = task.take()
        {
            self.users_for = query.clone();
            self.users = answer.map(|w| w.rows).unwrap_or_default();
            self.searching = None;
        }
        let query = self.query.trim().to_owned();
        let searchable = query.chars().filter(|c| *c != '*').count() >= 3;
        let new = query != self.users_for && self.searching.as_ref().is_none_or(|(q, _)| *q != query);
        if searchable && new && self.searching.is_none() && backend.unavailable(Area::Users).is_none() {
            let (backend, pattern) = (backend.clone(), format!("{}*", query.trim_end_matches('*')));
            let task = jobs.run(ctx, move || backend.search_users(&pattern, "", USERS_SHOWN));
            self.searching = Some((query, task));
        } else if !searchable {
            self.users.clear();
            self.users_for = query;
        }
    }

    /// The palette, when open; the command taken, if any.
    pub fn ui(&mut self, ctx: &egui::Context, backend: &std::sync::Arc<dyn Backend>, jobs: &Jobs) -> Option<Command> {
        if !self.open {
            return None;
        }
        self.search_users(backend, jobs, ctx);
        let (down, up, enter) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
            )
        });
        let mut taken = None;
        let modal = egui::Modal::new(egui::Id::unique("command-palette")).show(ctx, |ui| {
            ui.set_width(460.0);
            let label = ui.label("Command palette");
            let before = self.query.clone();
            let edit = egui::TextEdit::singleline(&mut self.query)
                .id(egui::Id::unique("command-palette-query"))
                .hint_text("a view, or a user's name (3 letters)")
                .desired_width(f32::INFINITY);
            let response = ui.add(edit).labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                response.request_focus();
            }
            if self.query != before {
                self.highlighted = 0;
            }
            // After the field: what is listed is what was typed in this very frame.
            let entries = self.entries(backend.as_ref());
            let last = entries.len().saturating_sub(1);
            if down {
                self.highlighted = (self.highlighted + 1).min(last);
            }
            if up {
                self.highlighted = self.highlighted.saturating_sub(1);
            }
            self.highlighted = self.highlighted.min(last);
            if enter {
                taken = entries.get(self.highlighted).map(|e| e.command.clone());
            }
            ui.separator();
            for (at, entry) in entries.iter().enumerate() {
                if ui.selectable_label(at == self.highlighted, &entry.label).clicked() {
                    taken = Some(entry.command.clone());
                }
            }
            if entries.is_empty() {
                ui.weak(if self.searching.is_some() { "Searching…" } else { "Nothing matches." });
            }
        });
        if taken.is_some() || modal.should_close() {
            self.open = false;
        }
        taken
    }
}
