//! One file per view of the left navigation, and the few widgets they share.

pub mod activity;
pub mod contracts;
pub mod keygen;
pub mod licenses;
pub mod outbox;
pub mod overview;
pub mod products;
pub mod settings;
pub mod sorting;
pub mod staff;
pub mod table_keys;
pub mod telemetry;
pub mod users;

/// The result of a finished call, once: the slot is cleared, and a refusal or failure goes
/// to the status line (so the view only handles success).
pub fn finished<T>(
    slot: &mut Option<crate::console::jobs::Task<crate::backend::BackendResult<T>>>,
    status: &mut crate::console::status::Status,
) -> Option<T> {
    let result = slot.as_ref()?.take()?;
    *slot = None;
    result.map_err(|error| status.backend_error(&error)).ok()
}

/// A read a view makes once, then again only when asked (a refresh, a change the view made):
/// never once per frame, whatever the answer was. A refusal goes to the status line.
pub struct Fetch<T> {
    wanted: bool,
    task: Option<crate::console::jobs::Task<crate::backend::BackendResult<T>>>,
}

impl<T> Default for Fetch<T> {
    fn default() -> Self {
        Self { wanted: true, task: None }
    }
}

impl<T: Send + 'static> Fetch<T> {
    /// Reads again, once the read under way (if any) is done.
    pub fn again(&mut self) {
        self.wanted = true;
    }

    /// Asks for `call` when a read is wanted and none is running.
    pub fn start(
        &mut self,
        desk: &mut crate::console::desk::Desk<'_>,
        call: impl FnOnce(&dyn crate::backend::Backend) -> crate::backend::BackendResult<T> + Send + 'static,
    ) {
        if self.wanted && self.task.is_none() {
            self.wanted = false;
            self.task = Some(desk.read(call));
        }
    }

    /// The answer, once it has come.
    pub fn finished(&mut self, status: &mut crate::console::status::Status) -> Option<T> {
        finished(&mut self.task, status)
    }

    pub fn running(&self) -> bool {
        self.task.is_some()
    }
}

/// What a table shows in place of its rows when its window could not be read. An ended
/// session also goes to the status line, which brings the login back.
pub fn table_problem(error: &crate::backend::BackendError, status: &mut crate::console::status::Status) -> String {
    if matches!(error, crate::backend::BackendError::Unauthorized(_)) {
        status.backend_error(error);
    }
    error.to_string()
}

/// A text field with a visible label that is also its accessible name (screen readers and
/// the tests find it by that name), and the grey hint of `console::hints`. Its id is the
/// label, so a shortcut can focus it.
pub fn labelled_edit(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32) -> egui::Response {
    let shown = ui.label(label);
    let hint = crate::console::hints::for_label(label);
    let edit = egui::TextEdit::singleline(text).id(egui::Id::unique(label)).hint_text(hint).desired_width(width);
    ui.add(edit).labelled_by(shown.id)
}

/// A modal question; `Some(true)` once confirmed, `Some(false)` once cancelled (or Escape).
pub fn confirm(ctx: &egui::Context, id: &str, question: &str, action: &str) -> Option<bool> {
    let mut answer = None;
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(380.0);
        ui.label(question);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button(action).clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer
}

/// A spinner while an action runs.
pub fn result_line(ui: &mut egui::Ui, busy: bool) {
    if busy {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Working…");
        });
    }
}

/// A drop-down with a visible label that is also its accessible name.
pub fn labelled_combo(
    ui: &mut egui::Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    choices: impl FnOnce(&mut egui::Ui),
) -> egui::Response {
    let shown = ui.label(label);
    egui::ComboBox::from_id_salt(label).selected_text(selected).show_ui(ui, choices).response.labelled_by(shown.id)
}

/// What an account action left to tell: a sentence, or a password keydesk drew that is
/// shown this once.
pub enum Outcome {
    Said(String),
    Password { said: String, who: String, password: crate::domain::secret::FreshPassword },
}

impl Outcome {
    /// The sentence for the status line; the password, when there is one, to show once.
    pub fn split(self) -> (String, Option<(String, crate::domain::secret::FreshPassword)>) {
        match self {
            Self::Said(said) => (said, None),
            Self::Password { said, who, password } => (said, Some((who, password))),
        }
    }
}

/// The password of `who`, shown once in a modal with a copy button; true once closed.
/// Only its hash is kept, so the modal says so: whoever closes it without copying resets
/// the password again.
pub fn password_once(ctx: &egui::Context, who: &str, password: &crate::domain::secret::FreshPassword) -> bool {
    let mut done = false;
    let modal = egui::Modal::new(egui::Id::unique("password-once")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.strong(format!("Password for {who}"));
        ui.label("Shown this once: keydesk keeps only its hash. Hand it on, and ask for a change at first use.");
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(egui::RichText::new(&password.0).monospace().size(18.0));
            if ui.button("Copy password").clicked() {
                ui.ctx().copy_text(password.0.clone());
            }
        });
        ui.add_space(8.0);
        if ui.button("Done").clicked() {
            done = true;
        }
    });
    done || modal.should_close()
}

/// A "Browse…" button beside a typed path: the dialog runs off the UI thread (frames go on
/// while it is open) and the chosen path replaces the typed one. `pending` is the view's.
pub fn browse(
    ui: &mut egui::Ui,
    desk: &mut crate::console::desk::Desk<'_>,
    choice: crate::console::dialogs::FileChoice,
    pending: &mut Option<crate::console::jobs::Task<Option<std::path::PathBuf>>>,
    path: &mut String,
) {
    if let Some(task) = pending.as_ref()
        && let Some(chosen) = task.take()
    {
        *pending = None;
        if let Some(chosen) = chosen {
            *path = chosen.display().to_string();
        }
    }
    let open = pending.is_some();
    let button = ui.add_enabled(!open, egui::Button::new("Browse…"));
    if button.on_disabled_hover_text("The file dialog is open").clicked() {
        *pending = Some(desk.choose_file(choice));
    }
}
