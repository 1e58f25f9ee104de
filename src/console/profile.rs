//! The local profile's data key: kept in the OS keyring (the desktop's Secret Service),
//! with an explicit, announced fallback to a 0600 key file beside the database where no
//! keyring is available. A key file or `KEYDESK_DATA_KEY` that exists always wins, so a
//! database made by `keydesk serve` or `keydesk admin` opens in the console as it is.

use std::path::{Path, PathBuf};

use crate::store::DataKey;
use crate::store::keyfile::{DATA_KEY_ENV, KeyFileError, default_key_path, load_or_create};

/// The keyring service name entries are filed under; the account is the database path.
pub const KEYRING_SERVICE: &str = "keydesk data key";

/// Where the key came from, for the console to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment,
    KeyFile(PathBuf),
    Keyring,
    /// No keyring could be used (the reason), so a key file holds the key.
    FallbackFile {
        path: PathBuf,
        reason: String,
    },
}

impl KeySource {
    pub fn describe(&self) -> String {
        match self {
            Self::Environment => format!("the data key comes from {DATA_KEY_ENV}"),
            Self::KeyFile(path) => format!("the data key is in {}", path.display()),
            Self::Keyring => "the data key is in the OS keyring".to_owned(),
            Self::FallbackFile { path, reason } => {
                format!("no OS keyring ({reason}); the data key is in {} (mode 0600)", path.display())
            }
        }
    }
}

/// Why the key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    #[error("the keyring holds a damaged data key for {0}")]
    DamagedEntry(PathBuf),
    #[error("the database {0} exists, but neither the keyring nor a key file beside it has its data key")]
    Missing(PathBuf),
}

/// The data key of the database at `db`.
pub fn data_key(db: &Path) -> Result<(DataKey, KeySource), ProfileError> {
    let key_path = default_key_path(db);
    if std::env::var(DATA_KEY_ENV).is_ok() {
        return Ok((load_or_create(db, &key_path)?, KeySource::Environment));
    }
    if key_path.exists() {
        return Ok((load_or_create(db, &key_path)?, KeySource::KeyFile(key_path)));
    }
    let account = keyring_account(db);
    match keyring::Entry::new(KEYRING_SERVICE, &account).and_then(|entry| keyring_key(&entry, db)) {
        Ok(Some(key)) => Ok((key, KeySource::Keyring)),
        Ok(None) => Err(ProfileError::DamagedEntry(db.to_owned())),
        Err(keyring::Error::NoEntry) => Err(ProfileError::Missing(db.to_owned())),
        Err(error) => {
            let key = load_or_create(db, &key_path)?;
            Ok((key, KeySource::FallbackFile { path: key_path, reason: error.to_string() }))
        }
    }
}

/// The keyring account of a database: its absolute path with the folder's symlinks resolved,
/// the same before and after the file exists.
fn keyring_account(db: &Path) -> String {
    let absolute = std::path::absolute(db).unwrap_or_else(|_| db.to_owned());
    let resolved = match (absolute.parent(), absolute.file_name()) {
        (Some(folder), Some(name)) => folder.canonicalize().map(|f| f.join(name)).unwrap_or(absolute.clone()),
        _ => absolute,
    };
    resolved.display().to_string()
}

/// The stored key, or a new one stored for a new database; `Ok(None)`: an entry that is
/// not a key. `NoEntry` for an existing database without a stored key.
fn keyring_key(entry: &keyring::Entry, db: &Path) -> Result<Option<DataKey>, keyring::Error> {
    match entry.get_password() {
        Ok(text) => Ok(DataKey::from_hex(&text)),
        Err(keyring::Error::NoEntry) if !db.exists() => {
            let key = DataKey::generate();
            entry.set_password(&key.to_hex())?;
            Ok(Some(key))
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_beside_the_database_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("k.sqlite");
        let key = DataKey::generate();
        std::fs::write(default_key_path(&db), key.to_hex()).expect("key file");
        let (found, source) = data_key(&db).expect("key");
        assert_eq!(found.to_hex(), key.to_hex());
        assert_eq!(source, KeySource::KeyFile(default_key_path(&db)));
    }

    #[test]
    fn a_new_database_gets_a_key_that_opens_it_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("new.sqlite");
        let (first, source) = data_key(&db).expect("key");
        // Where there is no keyring (a test run, a server), the fallback is a 0600 file, and it says so.
        if let KeySource::FallbackFile { path, reason } = &source {
            assert_eq!(path, &default_key_path(&db));
            assert!(!reason.is_empty());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(path).expect("key file").permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
        }
        std::fs::write(&db, b"").expect("the database now exists");
        let (again, _) = data_key(&db).expect("the same key");
        assert_eq!(first.to_hex(), again.to_hex());
        if source == KeySource::Keyring {
            let _ = keyring::Entry::new(KEYRING_SERVICE, &keyring_account(&db)).and_then(|e| e.delete_credential());
        }
    }
}
