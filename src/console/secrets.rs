//! Secrets of the profiles (remote session tokens, a Registration Server's checksum salt, a
//! license key server's API key): in the OS keyring, and only there between runs. Where no
//! keyring can be used, a secret is kept in memory until the console closes, and the
//! console says why it will ask again next time. Never in eframe's storage.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// The keyring service name secrets are filed under; the account names the profile.
pub const KEYRING_SERVICE: &str = "keydesk profile secret";

/// Where a secret was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    Keyring,
    /// Only until the console closes: no keyring could be used (the reason).
    ThisSession(String),
}

/// The profiles' secrets: the OS keyring, with this session's memory behind it.
pub struct Secrets {
    keyring: bool,
    session: Mutex<HashMap<String, String>>,
}

impl Default for Secrets {
    fn default() -> Self {
        Self::os_keyring()
    }
}

impl Secrets {
    /// The OS keyring (the desktop's Secret Service), falling back to memory.
    pub fn os_keyring() -> Self {
        Self { keyring: true, session: Mutex::default() }
    }

    /// Memory only (tests, screenshots): nothing outlives the process.
    pub fn session_only() -> Self {
        Self { keyring: false, session: Mutex::default() }
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, String> {
        if !self.keyring {
            return Err("this console keeps secrets in memory only".into());
        }
        keyring::Entry::new(KEYRING_SERVICE, account).map_err(|e| e.to_string())
    }

    /// The secret of `account`, from this session or the keyring.
    pub fn get(&self, account: &str) -> Option<String> {
        if let Some(secret) = self.memory().get(account) {
            return Some(secret.clone());
        }
        self.entry(account).ok()?.get_password().ok()
    }

    /// Keeps a secret: in the keyring when it can, else for this session (and says why).
    pub fn set(&self, account: &str, secret: &str) -> Kept {
        match self.entry(account).and_then(|entry| entry.set_password(secret).map_err(|e| e.to_string())) {
            Ok(()) => {
                self.memory().remove(account);
                Kept::Keyring
            }
            Err(reason) => {
                self.memory().insert(account.to_owned(), secret.to_owned());
                Kept::ThisSession(reason)
            }
        }
    }

    /// Forgets a secret everywhere.
    pub fn delete(&self, account: &str) {
        self.memory().remove(account);
        if let Ok(entry) = self.entry(account) {
            // NoEntry, or no keyring: either way nothing is left.
            let _ = entry.delete_credential();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_keyring_a_secret_lasts_the_session_and_says_why() {
        let secrets = Secrets::session_only();
        assert_eq!(secrets.get("remote token mara@https://keys.example"), None);
        let kept = secrets.set("remote token mara@https://keys.example", "t0ken");
        assert!(matches!(kept, Kept::ThisSession(reason) if !reason.is_empty()));
        assert_eq!(secrets.get("remote token mara@https://keys.example").as_deref(), Some("t0ken"));
        secrets.delete("remote token mara@https://keys.example");
        assert_eq!(secrets.get("remote token mara@https://keys.example"), None);
    }
}
