//! The profiles the console opens: a local database file, a shared `keydesk serve`, or a
//! real peer (a Registration Server, a license key server). What is saved of a profile is
//! where it is and who logs in; its secrets live in [`Secrets`].

use std::path::PathBuf;
use std::sync::Arc;

use super::secrets::{Kept, Secrets};
use crate::backend::{Backend, BackendError, LocalBackend};
use crate::client::remote::{RemoteBackend, RemoteServer};

/// A profile, as saved in the console's preferences (never a secret).
///
/// Untagged, so the plain paths that earlier versions saved still read as local profiles.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Profile {
    /// A SQLite file in this process.
    Local(PathBuf),
    /// A shared `keydesk serve`, as one of its staff.
    Remote {
        url: String,
        username: String,
        #[serde(default)]
        ca_file: Option<PathBuf>,
    },
    /// A real Registration Server (API 1.0.005), as one distributor.
    RegistrationServer { registration_server: String, distributor: String },
    /// A real license key server (REST API v1), with an API key.
    KeyServer { key_server: String },
}

/// What opening a profile gave.
pub enum Opened {
    /// The backend, and a sentence about where its secrets are.
    Ready(Arc<dyn Backend>, String),
    /// The profile needs a secret typed in: the label of the field and why.
    NeedsSecret { prompt: &'static str, reason: String },
}

impl Profile {
    /// How the profile is named in lists.
    pub fn title(&self) -> String {
        match self {
            Self::Local(path) => format!("Local: {}", path.display()),
            Self::Remote { url, username, .. } => format!("Remote: {username}@{url}"),
            Self::RegistrationServer { registration_server, distributor } => {
                format!("Registration Server: {distributor} at {registration_server}")
            }
            Self::KeyServer { key_server } => format!("License key server: {key_server}"),
        }
    }

    /// The keyring account of the profile's secret (`None`: it has none).
    fn account(&self) -> Option<String> {
        match self {
            Self::Local(_) => None,
            Self::Remote { url, username, .. } => Some(format!("session {username}@{}", url.trim_end_matches('/'))),
            Self::RegistrationServer { registration_server, distributor } => {
                Some(format!("checksum salt {distributor}@{registration_server}"))
            }
            Self::KeyServer { key_server } => Some(format!("api key {key_server}")),
        }
    }

    fn prompt(&self) -> &'static str {
        match self {
            Self::Local(_) | Self::Remote { .. } => "Password",
            Self::RegistrationServer { .. } => "Checksum salt",
            Self::KeyServer { .. } => "API key",
        }
    }

    fn server(&self) -> Option<RemoteServer> {
        match self {
            Self::Remote { url, username, ca_file } => {
                Some(RemoteServer { url: url.clone(), username: username.clone(), ca_file: ca_file.clone() })
            }
            _ => None,
        }
    }

    /// Opens the profile with what is kept: a local file with its data key, a remote
    /// session with its token, a peer with its secret. Blocks: run it off the UI thread.
    pub fn open(&self, secrets: &Secrets) -> Result<Opened, String> {
        if let Self::Local(path) = self {
            let (key, source) = super::profile::data_key(path).map_err(|e| e.to_string())?;
            let backend = LocalBackend::open(path, &key).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
            return Ok(Opened::Ready(Arc::new(backend), source.describe()));
        }
        let account = self.account().unwrap_or_default();
        let Some(secret) = secrets.get(&account) else {
            let reason = match self {
                Self::Remote { .. } => "Log in once; the session is then kept in the OS keyring.".to_owned(),
                _ => format!("The {} is not kept on this computer yet.", self.prompt().to_lowercase()),
            };
            return Ok(Opened::NeedsSecret { prompt: self.prompt(), reason });
        };
        match self.connect(&secret) {
            Ok(backend) => Ok(Opened::Ready(backend, "its secret is in the OS keyring".into())),
            Err(BackendError::Unauthorized(_)) => {
                secrets.delete(&account);
                Ok(Opened::NeedsSecret { prompt: self.prompt(), reason: "The session has ended: log in again.".into() })
            }
            Err(error) => Err(error.to_string()),
        }
    }

    /// Opens the profile with a secret typed in (a remote password, a peer's secret) and
    /// keeps what lets it open again: the session token, or the peer's secret.
    pub fn open_with(&self, secrets: &Secrets, typed: &str) -> Result<(Arc<dyn Backend>, String), String> {
        let account = self.account().ok_or("a local profile has no secret")?;
        let (backend, secret): (Arc<dyn Backend>, String) = match self.server() {
            Some(server) => {
                let remote = RemoteBackend::log_in(&server, typed).map_err(|e| e.to_string())?;
                let token = remote.token().unwrap_or_default().to_owned();
                (Arc::new(remote), token)
            }
            None => (self.connect(typed).map_err(|e| e.to_string())?, typed.to_owned()),
        };
        let note = match secrets.set(&account, &secret) {
            Kept::Keyring => "its secret is kept in the OS keyring".to_owned(),
            Kept::ThisSession(reason) => {
                format!("no OS keyring ({reason}), so keydesk will ask again after it is closed")
            }
        };
        Ok((backend, note))
    }

    /// The backend of a profile with its secret (a remote profile's is a session token).
    fn connect(&self, secret: &str) -> Result<Arc<dyn Backend>, BackendError> {
        match self {
            Self::Local(_) => Err(BackendError::Failed("a local profile opens with its data key".into())),
            Self::Remote { .. } => {
                let server = self.server().ok_or_else(|| BackendError::Failed("not a remote profile".into()))?;
                Ok(Arc::new(RemoteBackend::resume(&server, secret)?))
            }
            Self::RegistrationServer { registration_server, distributor } => Ok(Arc::new(
                crate::client::peers::RegistrationServerBackend::new(registration_server, distributor, secret)?,
            )),
            Self::KeyServer { key_server } => {
                Ok(Arc::new(crate::client::peers::KeyServerBackend::new(key_server, secret)?))
            }
        }
    }

    /// Forgets the profile's secret (a session that ended, a peer's refused secret).
    pub fn forget_secret(&self, secrets: &Secrets) {
        if let Some(account) = self.account() {
            secrets.delete(&account);
        }
    }

    /// Ends a removed profile's session on its server (when one is kept) and forgets its
    /// secret. Blocks: run it off the UI thread. A server that cannot be reached lets the
    /// session run out by itself (12 hours).
    pub fn forget(&self, secrets: &Secrets) {
        if let (Some(server), Some(token)) = (self.server(), self.account().and_then(|a| secrets.get(&a)))
            && let Err(error) = RemoteBackend::end_session(&server, &token)
        {
            tracing::info!(%error, "the removed profile's session could not be ended; it runs out by itself");
        }
        self.forget_secret(secrets);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_profiles_read_back_and_old_plain_paths_are_local() {
        let all = vec![
            Profile::Local("/data/keydesk.sqlite".into()),
            Profile::Remote { url: "https://keys.example".into(), username: "mara".into(), ca_file: None },
            Profile::RegistrationServer {
                registration_server: "https://rs.example/pbas/td2api/api/api.htm".into(),
                distributor: "ACME".into(),
            },
            Profile::KeyServer { key_server: "https://lm.example".into() },
        ];
        let json = serde_json::to_string(&all).expect("json");
        assert!(!json.contains("secret") && !json.contains("token"), "{json}");
        assert_eq!(serde_json::from_str::<Vec<Profile>>(&json).expect("back"), all);
        let old: Vec<Profile> = serde_json::from_str(r#"["/old/keydesk.sqlite"]"#).expect("old prefs");
        assert_eq!(old, vec![Profile::Local("/old/keydesk.sqlite".into())]);
    }
}
