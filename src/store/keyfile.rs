//! Where a server's data key lives: a file of 64 hex digits, readable by its owner only,
//! or the `KEYDESK_DATA_KEY` environment variable.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::DataKey;

/// Why no data key could be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read the data key file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("the data key file {path} does not hold 64 hex digits")]
    Invalid { path: PathBuf },
    #[error("cannot create the data key file {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error(
        "the database {db} exists but its data key file {key} does not; restore the key file or set KEYDESK_DATA_KEY"
    )]
    Missing { db: PathBuf, key: PathBuf },
    #[error("KEYDESK_DATA_KEY does not hold 64 hex digits")]
    InvalidEnv,
}

/// The environment variable that may carry the key instead of a file.
pub const DATA_KEY_ENV: &str = "KEYDESK_DATA_KEY";

/// The default key file beside a database: `FILE.key`.
pub fn default_key_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Reads the key for `db`, creating a new one (mode 0600) only for a new database.
pub fn load_or_create(db: &Path, key_path: &Path) -> Result<DataKey, KeyFileError> {
    if let Ok(text) = std::env::var(DATA_KEY_ENV) {
        return DataKey::from_hex(&text).ok_or(KeyFileError::InvalidEnv);
    }
    match std::fs::read_to_string(key_path) {
        Ok(text) => DataKey::from_hex(&text).ok_or_else(|| KeyFileError::Invalid { path: key_path.to_owned() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if db.exists() {
                return Err(KeyFileError::Missing { db: db.to_owned(), key: key_path.to_owned() });
            }
            let key = DataKey::generate();
            write_private(key_path, &key.to_hex())
                .map_err(|source| KeyFileError::Create { path: key_path.to_owned(), source })?;
            Ok(key)
        }
        Err(source) => Err(KeyFileError::Read { path: key_path.to_owned(), source }),
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_database_gets_a_private_key_file_and_an_existing_one_needs_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("k.sqlite");
        let key_path = default_key_path(&db);
        let key = load_or_create(&db, &key_path).expect("created");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(load_or_create(&db, &key_path).expect("read").to_hex(), key.to_hex());
        std::fs::write(&db, b"").expect("db");
        std::fs::remove_file(&key_path).expect("rm");
        assert!(matches!(load_or_create(&db, &key_path), Err(KeyFileError::Missing { .. })));
    }
}
