//! Switching profiles: opening one off the UI thread, asking once for a secret it lacks,
//! and keeping every profile opened in this session (its backend and its views' state),
//! so that switching back is instant and finds each view as it was left.

use std::sync::Arc;

use super::jobs::{Jobs, Task};
use super::profiles::{Opened, Profile};
use super::secrets::Secrets;
use crate::backend::Backend;

/// A profile that has just become usable.
pub struct Switched<V> {
    pub profile: Profile,
    pub backend: Arc<dyn Backend>,
    /// The views as they were left, or `None` for a profile opened for the first time.
    pub views: Option<V>,
    /// What to tell the person (where the secret is kept), when it was just opened.
    pub note: Option<String>,
}

/// A login (or connection) with a typed secret: the backend and where the secret is kept.
type Connecting = Task<Result<(Arc<dyn Backend>, String), String>>;

/// A secret the console is asking for.
struct Prompt {
    profile: Profile,
    label: &'static str,
    reason: String,
    typed: String,
    error: Option<String>,
    task: Option<Connecting>,
    /// Whether the field was given the keyboard focus (once, when the prompt opens).
    focused: bool,
}

/// The profiles of this session, with `V` the state of a profile's views.
pub struct Switcher<V> {
    secrets: Arc<Secrets>,
    active: Option<Profile>,
    parked: Vec<(Profile, Arc<dyn Backend>, V)>,
    opening: Option<(Profile, Task<Result<Opened, String>>)>,
    prompt: Option<Prompt>,
}

impl<V> Switcher<V> {
    pub fn new(secrets: Arc<Secrets>, active: Option<Profile>) -> Self {
        Self { secrets, active, parked: Vec::new(), opening: None, prompt: None }
    }

    pub fn active(&self) -> Option<&Profile> {
        self.active.as_ref()
    }

    /// Whether a profile is being opened or asked for.
    pub fn busy(&self) -> bool {
        self.opening.is_some() || self.prompt.as_ref().is_some_and(|p| p.task.is_some())
    }

    pub fn secrets(&self) -> &Arc<Secrets> {
        &self.secrets
    }

    /// Starts switching to `profile`: at once when it was opened before in this session,
    /// else by opening it off the UI thread.
    pub fn switch(&mut self, profile: Profile, jobs: &Jobs, ctx: &egui::Context) -> Option<Switched<V>> {
        if self.active.as_ref() == Some(&profile) {
            return None;
        }
        if let Some(index) = self.parked.iter().position(|(p, ..)| *p == profile) {
            let (profile, backend, views) = self.parked.remove(index);
            return Some(Switched { profile, backend, views: Some(views), note: None });
        }
        let (secrets, target) = (self.secrets.clone(), profile.clone());
        self.prompt = None;
        self.opening = Some((profile, jobs.run(ctx, move || target.open(&secrets))));
        None
    }

    /// Keeps the profile being left, with its views, for an instant switch back.
    pub fn park(&mut self, backend: Arc<dyn Backend>, views: V) {
        if let Some(profile) = self.active.take() {
            self.parked.push((profile, backend, views));
        }
    }

    /// Marks `profile` as the one in use.
    pub fn activate(&mut self, profile: Profile) {
        self.active = Some(profile);
    }

    /// Drops a removed profile from this session, ends its server session and forgets its
    /// secret (off the UI thread).
    pub fn remove(&mut self, profile: &Profile, jobs: &Jobs, ctx: &egui::Context) {
        self.parked.retain(|(p, ..)| p != profile);
        let (secrets, profile) = (self.secrets.clone(), profile.clone());
        // Nothing to wait for: the task's result is the unit.
        drop(jobs.run(ctx, move || profile.forget(&secrets)));
    }

    /// A profile that finished opening, or an error to show.
    pub fn poll(&mut self) -> Option<Result<Switched<V>, String>> {
        if let Some(prompt) = &mut self.prompt
            && let Some(result) = prompt.task.as_ref().and_then(Task::take)
        {
            prompt.task = None;
            match result {
                Ok((backend, note)) => {
                    let profile = prompt.profile.clone();
                    self.prompt = None;
                    return Some(Ok(Switched { profile, backend, views: None, note: Some(note) }));
                }
                Err(error) => prompt.error = Some(error),
            }
        }
        let (profile, task) = self.opening.as_ref()?;
        let result = task.take()?;
        let profile = profile.clone();
        self.opening = None;
        Some(match result {
            Ok(Opened::Ready(backend, note)) => Ok(Switched { profile, backend, views: None, note: Some(note) }),
            Ok(Opened::NeedsSecret { prompt, reason }) => {
                self.prompt = Some(Prompt {
                    profile,
                    label: prompt,
                    reason,
                    typed: String::new(),
                    error: None,
                    task: None,
                    focused: false,
                });
                return None;
            }
            Err(error) => Err(error),
        })
    }

    /// The modal that asks for a profile's password (or salt, or API key), if one is open.
    pub fn prompt_ui(&mut self, ctx: &egui::Context, jobs: &Jobs) {
        let Some(prompt) = &mut self.prompt else { return };
        let mut cancel = false;
        let modal = egui::Modal::new(egui::Id::unique("profile-secret")).show(ctx, |ui| {
            ui.set_max_width(440.0);
            ui.heading(prompt.profile.title());
            ui.label(&prompt.reason);
            ui.add_space(6.0);
            let label = ui.label(prompt.label);
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut prompt.typed)
                        .password(true)
                        .hint_text("password")
                        .desired_width(300.0),
                )
                .labelled_by(label.id);
            if !prompt.focused {
                prompt.focused = true;
                field.request_focus();
            }
            if let Some(error) = &prompt.error {
                ui.colored_label(super::theme::Tokens::ERROR, error);
            }
            ui.horizontal(|ui| {
                let working = prompt.task.is_some();
                let ready = !working && !prompt.typed.is_empty();
                let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let action = if matches!(prompt.profile, Profile::Remote { .. }) { "Log in" } else { "Connect" };
                if (ui.add_enabled(ready, egui::Button::new(action)).clicked() || (entered && ready)) && !working {
                    let (secrets, profile) = (self.secrets.clone(), prompt.profile.clone());
                    // The typed secret leaves the field at once: it is not kept on the screen.
                    let typed = std::mem::take(&mut prompt.typed);
                    prompt.error = None;
                    prompt.task = Some(jobs.run(ui.ctx(), move || profile.open_with(&secrets, &typed)));
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
                if working {
                    ui.spinner();
                }
            });
        });
        if cancel || (modal.should_close() && prompt.task.is_none()) {
            self.prompt = None;
        }
    }

    /// Asks for the active profile's password again, after the server ended its session.
    pub fn log_in_again(&mut self, reason: &str) {
        let Some(profile) = self.active.clone() else { return };
        if self.prompt.is_some() || !matches!(profile, Profile::Remote { .. }) {
            return;
        }
        profile.forget_secret(&self.secrets);
        let reason = format!("{reason} Your views stay as they are.");
        self.prompt = Some(Prompt {
            profile,
            label: "Password",
            reason,
            typed: String::new(),
            error: None,
            task: None,
            focused: false,
        });
    }

    /// Whether the console is asking for a secret (tests look for this).
    pub fn asking(&self) -> bool {
        self.prompt.is_some()
    }
}
