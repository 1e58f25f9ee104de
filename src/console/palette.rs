//! The command palette (Ctrl+K): type to jump to any view, saved search, user or license.
//! Views and saved searches match by name at once; from three characters on, users are
//! searched by username prefix (searchuser's rules) and licenses by owner (or, typed whole,
//! by key) off the UI thread. Arrows move, Enter takes the highlighted entry, Esc closes.

use super::jobs::{Jobs, Task};
use super::navigation::{Command, View};
use super::prefs::SavedSearch;
use crate::backend::{Area, Backend};
use crate::domain::license::License;
use crate::domain::tables::LicenseQuery;
use crate::domain::user::User;

/// Users, and licenses, the palette lists at most.
const USERS_SHOWN: u32 = 8;
const LICENSES_SHOWN: u32 = 5;

/// What a search found for a typed text.
#[derive(Default)]
struct Found {
    users: Vec<User>,
    licenses: Vec<License>,
}

impl Found {
    /// Users by username prefix, licenses by whole key and by owner: what the backend serves.
    /// A refused part finds nothing; the palette is no place for the refusal.
    fn search(backend: &dyn Backend, typed: &str) -> Self {
        let mut found = Self::default();
        if backend.unavailable(Area::Users).is_none() {
            let pattern = format!("{}*", typed.trim_end_matches('*'));
            found.users = backend.search_users(&pattern, "", USERS_SHOWN).map(|w| w.rows).unwrap_or_default();
        }
        if backend.unavailable(Area::Licenses).is_none() {
            let typed = typed.trim_matches('*');
            for (query, limit) in [
                (LicenseQuery { number: typed.to_owned(), ..LicenseQuery::default() }, 1),
                (LicenseQuery { owner: typed.to_owned(), ..LicenseQuery::default() }, LICENSES_SHOWN),
            ] {
                found.licenses.extend(backend.licenses(&query, 0, limit).map(|w| w.rows).unwrap_or_default());
            }
        }
        found
    }
}

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
    /// What was found for `found_for`, and the search under way.
    found: Found,
    found_for: String,
    searching: Option<(String, Task<Found>)>,
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

    /// What the query matches now: views, saved searches, users, licenses.
    fn entries(&self, backend: &dyn Backend, searches: &[SavedSearch]) -> Vec<Entry> {
        let typed = self.query.trim().to_lowercase();
        let mut entries: Vec<Entry> = View::ALL
            .iter()
            .filter(|v| v.area().is_none_or(|area| backend.unavailable(area).is_none()))
            .filter(|v| typed.is_empty() || v.title().to_lowercase().contains(&typed))
            .map(|v| Entry { label: format!("Go to {}", v.title()), command: Command::Show(*v) })
            .collect();
        entries.extend(
            searches
                .iter()
                .filter(|s| typed.is_empty() || s.name.to_lowercase().contains(&typed))
                .map(|s| Entry { label: format!("Search {}", s.name), command: Command::Search(s.text.clone()) }),
        );
        if self.found_for == self.query.trim() {
            entries.extend(self.found.users.iter().map(|u| Entry {
                label: format!("User {} <{}>", u.username, u.email),
                command: Command::OpenUser(u.id),
            }));
            let mut listed = Vec::new();
            for license in &self.found.licenses {
                if listed.contains(&license.id) {
                    continue;
                }
                listed.push(license.id);
                let owner = if license.owner_email.is_empty() { "no owner" } else { &license.owner_email };
                entries.push(Entry {
                    label: format!("License {} ({owner})", license.number),
                    command: Command::OpenLicense(Box::new(license.clone())),
                });
            }
        }
        entries
    }

    /// Starts a search of users and licenses when the query is new and long enough.
    fn search(&mut self, backend: &std::sync::Arc<dyn Backend>, jobs: &Jobs, ctx: &egui::Context) {
        if let Some((query, task)) = &self.searching
            && let Some(answer) = task.take()
        {
            self.found_for = query.clone();
            self.found = answer;
            self.searching = None;
        }
        let query = self.query.trim().to_owned();
        let searchable = query.chars().filter(|c| *c != '*').count() >= 3;
        let new = query != self.found_for && self.searching.as_ref().is_none_or(|(q, _)| *q != query);
        if searchable && new && self.searching.is_none() {
            let (backend, typed) = (backend.clone(), query.clone());
            let task = jobs.run(ctx, move || Found::search(backend.as_ref(), &typed));
            self.searching = Some((query, task));
        } else if !searchable {
            self.found = Found::default();
            self.found_for = query;
        }
    }

    /// The palette, when open; the command taken, if any.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        backend: &std::sync::Arc<dyn Backend>,
        jobs: &Jobs,
        searches: &[SavedSearch],
    ) -> Option<Command> {
        if !self.open {
            return None;
        }
        self.search(backend, jobs, ctx);
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
                .hint_text("a view, saved search, user or license (3 letters)")
                .desired_width(f32::INFINITY);
            let response = ui.add(edit).labelled_by(label.id);
            if std::mem::take(&mut self.focus) {
                response.request_focus();
            }
            if self.query != before {
                self.highlighted = 0;
            }
            // After the field: what is listed is what was typed in this very frame.
            let entries = self.entries(backend.as_ref(), searches);
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
