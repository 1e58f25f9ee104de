//! Files only their owner may read: the database (and so its WAL and shared-memory files,
//! which SQLite creates with the database's mode), the data key, and exports, which hold
//! e-mail addresses, password hashes and license keys. Whatever the process's umask.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates (or truncates) `path` as a file of mode 0600.
pub fn create_private(path: &Path) -> io::Result<File> {
    let file = private_options().write(true).create(true).truncate(true).open(path)?;
    restrict(path, 0o600)?;
    Ok(file)
}

/// Creates `path` empty with mode 0600 if it does not exist; leaves an existing file alone.
pub fn touch_private(path: &Path) -> io::Result<()> {
    match private_options().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Creates a folder (and its parents) and makes the folder itself mode 0700.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    std::fs::create_dir_all(path)?;
    restrict(path, 0o700)
}

#[cfg(unix)]
fn private_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.mode(0o600);
    options
}

#[cfg(not(unix))]
fn private_options() -> OpenOptions {
    OpenOptions::new()
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn files_and_folders_are_the_owners_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let folder = dir.path().join("data");
        create_private_dir(&folder).expect("dir");
        assert_eq!(mode(&folder), 0o700);
        let export = folder.join("users.csv");
        std::fs::write(&export, "old").expect("write");
        std::fs::set_permissions(&export, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        create_private(&export).expect("create");
        assert_eq!(mode(&export), 0o600);
        let db = folder.join("x.sqlite");
        touch_private(&db).expect("touch");
        assert_eq!(mode(&db), 0o600);
    }
}
