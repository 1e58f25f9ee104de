//! The Profiles section of Settings: the saved profiles with Open, Edit and Remove, and a
//! form that adds (or edits) a local file, a shared keydesk server, a Registration Server
//! or a license key server. Secrets are never typed here: opening a profile that needs one
//! asks for it, and it goes to the OS keyring.

use std::path::PathBuf;

use super::super::{confirm, labelled_edit};
use crate::console::desk::Desk;
use crate::console::dialogs::FileChoice;
use crate::console::jobs::Task;
use crate::console::prefs::Prefs;
use crate::console::profiles::Profile;

/// What the section asks the console to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    Open(Profile),
    /// Remove from the list and forget its secret.
    Remove(Profile),
    /// An edited profile: the old one goes (with its secret), the new one opens.
    Replace {
        old: Profile,
        new: Profile,
    },
}

/// Which kind of profile the form makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    #[default]
    Local,
    Keydesk,
    RegistrationServer,
    KeyServer,
}

impl Kind {
    const ALL: [Self; 4] = [Self::Local, Self::Keydesk, Self::RegistrationServer, Self::KeyServer];

    fn label(self) -> &'static str {
        match self {
            Self::Local => "Local file",
            Self::Keydesk => "keydesk server",
            Self::RegistrationServer => "Registration Server",
            Self::KeyServer => "License key server",
        }
    }
}

#[derive(Default)]
pub struct ProfilesSection {
    kind: Kind,
    /// The database file, or the server's URL.
    location: String,
    username: String,
    ca_file: String,
    distributor: String,
    editing: Option<Profile>,
    removing: Option<Profile>,
    browsing: Option<Task<Option<PathBuf>>>,
}

/// An http(s) URL, or the sentence that says what is wrong with it.
fn server_url(text: &str) -> Result<String, &'static str> {
    let url = text.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err("Type the server's URL.");
    }
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err("The URL starts with https:// (or http:// on this computer or a trusted network).");
    }
    Ok(url.to_owned())
}

impl ProfilesSection {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        desk: &mut Desk<'_>,
        prefs: &Prefs,
        busy: bool,
        active: Option<&Profile>,
    ) -> Option<ProfileChange> {
        let mut change = None;
        ui.heading("Profiles");
        ui.label(format!("In use: {}", desk.label()));
        ui.weak(
            "A local profile is one SQLite file; its data key lives in the OS keyring (or, where there is none, in \
             a 0600 key file beside the database). A server's session token, checksum salt or API key lives in the \
             OS keyring; where there is none, keydesk asks once each time it runs.",
        );
        if prefs.profiles.is_empty() {
            ui.label("No saved profiles yet: a file or server opened here is added to the list.");
        }
        egui::Grid::new("profiles").num_columns(2).striped(true).show(ui, |ui| {
            for profile in &prefs.profiles {
                ui.monospace(profile.title());
                ui.horizontal(|ui| {
                    if ui.add_enabled(!busy, egui::Button::new("Open")).clicked() {
                        change = Some(ProfileChange::Open(profile.clone()));
                    }
                    if ui.small_button("Edit").clicked() {
                        self.edit(profile);
                    }
                    let in_use = active == Some(profile);
                    let remove = ui
                        .add_enabled(!in_use, egui::Button::new("Remove").small())
                        .on_hover_text("Remove from this list and end its session; a file stays")
                        .on_disabled_hover_text("The profile in use: switch to another one first");
                    if remove.clicked() {
                        self.removing = Some(profile.clone());
                    }
                });
                ui.end_row();
            }
        });
        if let Some(profile) = &self.removing {
            let question = format!("Remove the profile {}? Its kept secret is forgotten too.", profile.title());
            match confirm(ui.ctx(), "remove-profile", &question, "Remove profile") {
                Some(true) => change = self.removing.take().map(ProfileChange::Remove),
                Some(false) => self.removing = None,
                None => {}
            }
        }
        ui.add_space(6.0);
        if let Some(made) = self.form(ui, desk, busy) {
            change = Some(match self.editing.take() {
                Some(old) if old != made => ProfileChange::Replace { old, new: made },
                _ => ProfileChange::Open(made),
            });
        }
        change
    }

    /// Fills the form with a profile to change.
    fn edit(&mut self, profile: &Profile) {
        *self = Self { editing: Some(profile.clone()), ..Self::default() };
        match profile {
            Profile::Local(path) => self.location = path.display().to_string(),
            Profile::Remote { url, username, ca_file } => {
                self.kind = Kind::Keydesk;
                self.location = url.clone();
                self.username = username.clone();
                self.ca_file = ca_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
            }
            Profile::RegistrationServer { registration_server, distributor } => {
                self.kind = Kind::RegistrationServer;
                self.location = registration_server.clone();
                self.distributor = distributor.clone();
            }
            Profile::KeyServer { key_server } => {
                self.kind = Kind::KeyServer;
                self.location = key_server.clone();
            }
        }
    }

    /// The add (or edit) form; the profile to open when its button is clicked.
    fn form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>, busy: bool) -> Option<Profile> {
        ui.horizontal(|ui| {
            ui.label(if self.editing.is_some() { "Edit profile:" } else { "Add a profile:" });
            for kind in Kind::ALL {
                ui.radio_value(&mut self.kind, kind, kind.label());
            }
        });
        let made = match self.kind {
            Kind::Local => self.local(ui, desk),
            Kind::Keydesk => self.keydesk(ui),
            Kind::RegistrationServer => self.registration_server(ui),
            Kind::KeyServer => {
                ui.horizontal(|ui| {
                    labelled_edit(ui, "Server URL", &mut self.location, 320.0)
                        .on_hover_text("The license key server's root, e.g. https://licenses.example.com");
                });
                server_url(&self.location).map(|url| Profile::KeyServer { key_server: url })
            }
        };
        let mut chosen = None;
        ui.horizontal(|ui| {
            let action = match (self.kind, self.editing.is_some()) {
                (Kind::Local, _) => "Open file",
                (_, true) => "Save and connect",
                (_, false) => "Add and connect",
            };
            if ui.add_enabled(!busy && made.is_ok(), egui::Button::new(action)).clicked() {
                chosen = made.as_ref().ok().cloned();
            }
            if self.editing.is_some() && ui.button("Cancel edit").clicked() {
                *self = Self::default();
            }
            match &made {
                Err(problem) if !self.location.trim().is_empty() => {
                    ui.weak(*problem);
                }
                _ => {}
            }
            if busy {
                ui.spinner();
            }
        });
        chosen
    }

    fn local(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) -> Result<Profile, &'static str> {
        ui.horizontal(|ui| {
            labelled_edit(ui, "Database file", &mut self.location, 320.0)
                .on_hover_text("An existing keydesk database, or a new file to create");
            super::super::browse(ui, desk, FileChoice::Database, &mut self.browsing, &mut self.location);
        });
        let typed = self.location.trim();
        if typed.is_empty() { Err("Type or choose a database file.") } else { Ok(Profile::Local(PathBuf::from(typed))) }
    }

    fn keydesk(&mut self, ui: &mut egui::Ui) -> Result<Profile, &'static str> {
        ui.horizontal(|ui| {
            labelled_edit(ui, "Server URL", &mut self.location, 260.0)
                .on_hover_text("The root of a shared `keydesk serve`, e.g. https://keys.example.com");
            labelled_edit(ui, "Username", &mut self.username, 140.0).on_hover_text("Your staff account");
            labelled_edit(ui, "CA file", &mut self.ca_file, 200.0)
                .on_hover_text("Optional: a PEM certificate to trust, for a server with a self-signed certificate");
        });
        let url = server_url(&self.location)?;
        if url.starts_with("http://") && !(url.contains("://127.0.0.1") || url.contains("://localhost")) {
            ui.colored_label(
                crate::console::theme::Tokens::WARNING,
                "Without HTTPS the password and the session token cross the network in clear.",
            );
        }
        let username = self.username.trim();
        if username.is_empty() {
            return Err("Type your staff username.");
        }
        let ca_file = Some(self.ca_file.trim()).filter(|p| !p.is_empty()).map(PathBuf::from);
        Ok(Profile::Remote { url, username: username.to_owned(), ca_file })
    }

    fn registration_server(&mut self, ui: &mut egui::Ui) -> Result<Profile, &'static str> {
        ui.horizontal(|ui| {
            labelled_edit(ui, "Endpoint URL", &mut self.location, 320.0)
                .on_hover_text("The API endpoint, e.g. https://rs.example.com/pbas/td2api/api/api.htm");
            labelled_edit(ui, "Distributor code", &mut self.distributor, 80.0)
                .on_hover_text("The four characters the Registration Server knows you by");
        });
        let url = server_url(&self.location)?;
        let code = self.distributor.trim().to_uppercase();
        if crate::domain::distributor::DistributorCode::parse(&code).is_err() {
            return Err("The distributor code is four letters or digits.");
        }
        Ok(Profile::RegistrationServer { registration_server: url, distributor: code })
    }
}
