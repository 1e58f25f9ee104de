//! What the console remembers between runs (eframe's storage). Never a secret.

use super::navigation::View;
use super::profiles::Profile;
use super::theme::Theme;

/// What the console remembers between runs. Never a secret.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: Theme,
    pub view: View,
    /// Profiles: where each is and who logs in; their keys, tokens and salts stay in the keyring.
    pub profiles: Vec<Profile>,
}
