//! The SQLite store. All SQL lives in this folder; the service calls typed functions
//! on [`Db`] inside [`Store::read`] or [`Store::write`].
//!
//! One writer connection (behind a mutex, every write an IMMEDIATE transaction, so
//! writers never race) and a small pool of read-only connections that WAL lets run
//! beside it.

mod apikeys;
mod audit;
mod bulk;
mod contracts;
mod devices;
mod distributors;
mod downloads;
mod jobs;
pub mod keyfile;
mod keys;
mod licenses;
mod listing;
mod migrations;
mod outbox;
mod overview;
pub mod private_files;
mod products;
mod resellers;
pub mod retention;
mod seal;
mod settings;
mod staff;
mod telemetry;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::config::DbConfig;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};

pub use crate::domain::tables::{ActivationRow, AuditEntry, AuditQuery, LicenseOrder, LicenseQuery, UserOrder};
pub use apikeys::{ApiKeyRecord, BlockKind};
pub use bulk::{BulkRow, NewBatch, StoredBatch};
pub use distributors::{DistributorUpdate, NewDistributor};
pub use downloads::Downloadable;
pub use jobs::Job;
pub use keys::{KeyFilter, NewKey, SealedKey, StockTerms};
pub use licenses::{LicenseChange, NewLicense};
pub use migrations::{APPLICATION_ID, MIGRATIONS};
pub use outbox::{OutboxEntry, OutboxState};
pub use products::{GeneratorFields, ProductFields};
pub use resellers::NewReseller;
pub use seal::{DataKey, OpenError, Sealer};
pub use telemetry::TelemetryFilter;
pub use users::{NewUser, SearchPage, SearchQuery, UserField, UserSecrets};

/// What can go wrong below the service.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// The disk that holds the database has no room (SQLITE_FULL): the transaction was
    /// rolled back whole, so nothing of it was written.
    #[error(
        "the disk that holds the database is full: nothing of this change was written; free some space and try again"
    )]
    DiskFull,
    /// The database file or its folder cannot be written (a read-only mount or file).
    #[error("the database cannot be written (a read-only file, folder or mount): nothing of this change was written")]
    ReadOnly,
    #[error(
        "{path} was written by a newer keydesk (schema version {found}; this one knows up to {known}); it was not changed"
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error("{path} is a SQLite file of another application, not a keydesk database; it was not changed")]
    ForeignFile { path: PathBuf },
    #[error("the data key does not open this database's secrets (wrong key file?)")]
    WrongDataKey,
    #[error("sealed data could not be opened: {0}")]
    Sealed(#[from] OpenError),
    #[error("stored value out of range: {0}")]
    Corrupt(String),
    #[error("cannot open {path}: {detail}")]
    Unopenable { path: PathBuf, detail: String },
}

/// SQLite's own word on why a write failed is kept apart where the operator must act (a
/// full disk, a read-only file), so each face can say so instead of "internal error".
impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Self::DiskFull,
            Some(ErrorCode::ReadOnly) => Self::ReadOnly,
            _ => Self::Sqlite(error),
        }
    }
}

impl StoreError {
    /// The database cannot take writes now for a reason outside keydesk (the disk is full or
    /// read-only); trying again once the operator has acted may succeed.
    pub fn is_unwritable(&self) -> bool {
        matches!(self, Self::DiskFull | Self::ReadOnly)
    }
}

impl<T> From<PoisonError<T>> for StoreError {
    fn from(_: PoisonError<T>) -> Self {
        Self::Corrupt("a database connection lock was poisoned by a panic".into())
    }
}

/// Readers open at most, beside the one writer.
const MAX_READERS: usize = 8;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;
/// Page cache of the writer connection, in KiB.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// A keydesk database file.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<ReaderPool>,
    reader_freed: Condvar,
    sealer: Sealer,
    /// Committed write transactions since the store was opened (see [`Store::generation`]).
    generation: std::sync::atomic::AtomicU64,
}

struct ReaderPool {
    idle: Vec<Connection>,
    open: usize,
}

/// A reader connection on loan to one [`Store::read`]; it returns itself on drop.
struct ReaderLease<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl Drop for ReaderLease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if std::thread::panicking() { self.store.forget_reader(conn) } else { self.store.return_reader(conn) }
        }
    }
}

/// Typed queries over one connection; see the per-table modules for the methods.
pub struct Db<'a> {
    conn: &'a Connection,
    sealer: &'a Sealer,
}

impl Store {
    /// Opens (creating if needed) and migrates a database file, sealing its secrets under `key`.
    pub fn open(path: &Path, key: &DataKey) -> Result<Self, StoreError> {
        // A new database is created private (0600) before SQLite opens it; its WAL and
        // shared-memory files take the same mode.
        private_files::touch_private(path)
            .map_err(|e| StoreError::Unopenable { path: path.to_owned(), detail: e.to_string() })?;
        let writer = Connection::open(path)?;
        check_version(&writer, path)?;
        configure(&writer)?;
        // Keys and lookups are random: a large cache keeps the unique indexes' pages in
        // memory while many rows go in (a bulk of a million keys, say).
        writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&writer)?;
        let sealer = Sealer::new(key);
        check_data_key(&writer, &sealer)?;
        seal_leftovers(&writer, &sealer)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(ReaderPool { idle: Vec::new(), open: 0 }),
            reader_freed: Condvar::new(),
            sealer,
            generation: std::sync::atomic::AtomicU64::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that moves on every committed write of this process: the console's change
    /// feed compares it, so a view re-reads only when something may have changed. Writes of
    /// another process on the same file do not move it.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Runs `f` on a read-only connection. The connection goes back to the pool however `f`
    /// ends; if it panicked, the connection is closed instead and its place freed, so a
    /// panicking request can never drain the pool.
    pub fn read<T, E: From<StoreError>>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E> {
        let lease = ReaderLease { store: self, conn: Some(self.take_reader()?) };
        let conn =
            lease.conn.as_ref().ok_or_else(|| StoreError::Corrupt("a reader lease lost its connection".into()))?;
        f(&Db { conn, sealer: &self.sealer })
    }

    /// Runs `f` in one IMMEDIATE transaction, committed when `f` succeeds. A panic inside `f`
    /// rolls the transaction back (the transaction's drop) and leaves the writer usable: the
    /// lock's poison is cleared, since the connection holds no half-done work.
    pub fn write<T, E: From<StoreError>>(&self, f: impl FnOnce(&Db<'_>) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.writer.lock().unwrap_or_else(|poisoned| {
            self.writer.clear_poison();
            poisoned.into_inner()
        });
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        let value = f(&Db { conn: &tx, sealer: &self.sealer })?;
        tx.commit().map_err(StoreError::from)?;
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(value)
    }

    /// A consistent copy of the database as it is now, written to `target` while the server
    /// goes on (SQLite's online backup, in one step: one read snapshot, writers not held up).
    /// `target` must not exist yet; the copy is the owner's alone (0600). Its sealed values
    /// need the same data key.
    pub fn backup_to(&self, target: &Path) -> Result<(), StoreError> {
        let unopenable = |e: std::io::Error| StoreError::Unopenable { path: target.to_owned(), detail: e.to_string() };
        std::fs::OpenOptions::new().write(true).create_new(true).open(target).map_err(unopenable)?;
        private_files::create_private(target).map_err(unopenable)?;
        let lease = ReaderLease { store: self, conn: Some(self.take_reader()?) };
        let source =
            lease.conn.as_ref().ok_or_else(|| StoreError::Corrupt("a reader lease lost its connection".into()))?;
        let mut copy = Connection::open(target)?;
        let backup = rusqlite::backup::Backup::new(source, &mut copy)?;
        // All pages in one step (-1): one snapshot. Busy or locked: try again, a bounded
        // number of times.
        for _ in 0..100 {
            match backup.step(-1)? {
                rusqlite::backup::StepResult::Done => return Ok(()),
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        Err(StoreError::Unopenable { path: target.to_owned(), detail: "the database stayed busy for 5 s".into() })
    }

    /// SQLite's integrity and foreign-key checks; what they found (empty: all is well).
    pub fn check(&self) -> Result<Vec<String>, StoreError> {
        self.read(|db| {
            let mut found = Vec::new();
            let mut integrity = db.conn.prepare("PRAGMA integrity_check")?;
            for line in integrity.query_map([], |r| r.get::<_, String>(0))? {
                let line = line?;
                if line != "ok" {
                    found.push(format!("integrity: {line}"));
                }
            }
            let mut keys = db.conn.prepare("PRAGMA foreign_key_check")?;
            let rows = keys.query_map([], |r| {
                Ok(format!(
                    "foreign key: {} row {} refers to a missing {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.map_or("?".into(), |id| id.to_string()),
                    r.get::<_, String>(2)?
                ))
            })?;
            for row in rows {
                found.push(row?);
            }
            Ok(found)
        })
    }

    fn take_reader(&self) -> Result<Connection, StoreError> {
        // The pool's lock guards a few counter updates that cannot panic; its poison means nothing.
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(conn) = pool.idle.pop() {
                return Ok(conn);
            }
            if pool.open < MAX_READERS {
                pool.open += 1;
                drop(pool);
                let opened = self.open_reader();
                if opened.is_err() {
                    self.readers.lock().unwrap_or_else(PoisonError::into_inner).open -= 1;
                }
                return opened;
            }
            pool = self.reader_freed.wait(pool).unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn return_reader(&self, conn: Connection) {
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        pool.idle.push(conn);
        self.reader_freed.notify_one();
    }

    /// A reader that will not come back (its user panicked): its place opens for a new one.
    fn forget_reader(&self, conn: Connection) {
        drop(conn);
        let mut pool = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        pool.open = pool.open.saturating_sub(1);
        self.reader_freed.notify_one();
    }

    fn open_reader(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        configure(&conn)?;
        Ok(conn)
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // keydesk has more distinct statements than rusqlite's default cache of 16 holds.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.pragma_update(None, "foreign_keys", true)?;
    // FULL: a commit is on disk (the WAL synced) before the answer that reports it goes out,
    // so a power loss cannot take back a license, an activation or a key that was answered.
    // (NORMAL would only survive a crash of the process.)
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Without the query planner stability guarantee, SQLite ties the plan of the license
    // query (a join and partial indexes) to the bound key and compiles it again for every
    // new key: 70% of a verify request went to that.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// Seals what a keydesk before schema version 6 kept in plain text: mail bodies and job
/// results (they carry codes, temporary passwords and keys). Once, in one transaction.
fn seal_leftovers(conn: &Connection, sealer: &Sealer) -> Result<(), StoreError> {
    let pattern = format!("{}%", seal::SEALED_TEXT);
    for (table, column) in [("outbox", "body"), ("jobs", "result")] {
        let plain: Vec<(i64, String)> = conn
            .prepare(&format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE ?1"))?
            .query_map([&pattern], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        if plain.is_empty() {
            continue;
        }
        let tx = conn.unchecked_transaction()?;
        for (id, text) in &plain {
            tx.execute(
                &format!("UPDATE {table} SET {column} = ?2 WHERE id = ?1"),
                rusqlite::params![id, sealer.seal_text(text)],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// Refuses files of other applications and of newer keydesk versions before anything is written.
fn check_version(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let app: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    if app != APPLICATION_ID && (app != 0 || tables > 0) {
        return Err(StoreError::ForeignFile { path: path.to_owned() });
    }
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(StoreError::NewerSchema { path: path.to_owned(), found: version, known });
    }
    Ok(())
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if current as usize >= MIGRATIONS.len() {
        return Ok(());
    }
    conn.create_scalar_function(
        migrations::KEY_TAG_FUNCTION,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(seal::tag_of(&ctx.get::<Vec<u8>>(0)?)),
    )?;
    // A migration may rebuild a table; foreign keys are checked once it is done, not while
    // the old table is dropped (SQLite's documented procedure for changing a table).
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = MIGRATIONS.iter().enumerate().skip(current as usize).try_for_each(|(index, sql)| {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        let broken: Option<String> =
            tx.query_row("SELECT \"table\" FROM pragma_foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Corrupt(format!("migration {} left a broken reference in {table}", index + 1)));
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        Ok(())
    });
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.remove_function(migrations::KEY_TAG_FUNCTION, 1)?;
    migrated
}

/// Records a check value on first use, and refuses a key that does not match it later.
fn check_data_key(conn: &Connection, sealer: &Sealer) -> Result<(), StoreError> {
    let check = sealer.lookup("keydesk data key check").to_vec();
    let stored: Option<Vec<u8>> =
        conn.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| r.get(0)).optional()?;
    match stored {
        Some(stored) if stored == check => Ok(()),
        Some(_) => Err(StoreError::WrongDataKey),
        None => {
            conn.execute("INSERT INTO meta (key, value) VALUES ('key_check', ?1)", [check])?;
            Ok(())
        }
    }
}

/// Timestamps are stored as Unix milliseconds.
pub(crate) fn to_millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_millis(millis: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(millis).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("t.sqlite")
    }

    #[test]
    fn panicking_reads_and_writes_leave_the_store_working() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&fresh(&dir), &DataKey::generate()).expect("open");
        // More panicking reads than the pool has readers: each frees its place.
        for _ in 0..MAX_READERS * 2 {
            let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let _: Result<(), StoreError> = store.read(|_| panic!("a bug in a read"));
            }));
            assert!(panicked.is_err());
        }
        let count: i64 =
            store.read(|db| Ok::<_, StoreError>(db.conn.query_row("SELECT 1", [], |r| r.get(0))?)).expect("read");
        assert_eq!(count, 1);
        // A write that panics midway keeps nothing, and the writer works after it.
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), StoreError> = store.write(|db| {
                db.conn.execute("INSERT INTO meta (key, value) VALUES ('half', 1)", [])?;
                panic!("a bug in a write")
            });
        }));
        assert!(panicked.is_err());
        let half: Option<i64> = store
            .write(|db| {
                Ok::<_, StoreError>(
                    db.conn.query_row("SELECT value FROM meta WHERE key = 'half'", [], |r| r.get(0)).optional()?,
                )
            })
            .expect("the writer works");
        assert_eq!(half, None, "the panicking write was rolled back");
    }

    #[test]
    fn a_new_file_is_migrated_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&fresh(&dir), &DataKey::generate()).expect("open");
        let conn = store.writer.lock().expect("lock");
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).expect("version");
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).expect("mode");
        let fk: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).expect("fk");
        assert_eq!((version, mode.as_str(), fk), (MIGRATIONS.len() as i64, "wal", true));
    }

    #[test]
    fn reopening_keeps_data_and_needs_the_same_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = DataKey::generate();
        drop(Store::open(&fresh(&dir), &key).expect("open"));
        assert!(Store::open(&fresh(&dir), &key).is_ok());
        assert!(matches!(Store::open(&fresh(&dir), &DataKey::generate()), Err(StoreError::WrongDataKey)));
    }

    #[test]
    fn a_file_from_a_newer_keydesk_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = fresh(&dir);
        drop(Store::open(&path, &DataKey::generate()).expect("open"));
        {
            let conn = Connection::open(&path).expect("raw");
            conn.pragma_update(None, "user_version", 99).expect("bump");
            conn.pragma_update(None, "journal_mode", "DELETE").expect("checkpoint");
        }
        let before = std::fs::read(&path).expect("read");
        let error = Store::open(&path, &DataKey::generate()).err().expect("refused");
        assert!(matches!(error, StoreError::NewerSchema { found: 99, .. }), "{error}");
        assert!(error.to_string().contains("newer keydesk"), "{error}");
        assert_eq!(std::fs::read(&path).expect("read"), before, "the file was not changed");
        assert!(!dir.path().join("t.sqlite-wal").exists());
    }

    #[test]
    fn another_applications_database_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = fresh(&dir);
        Connection::open(&path).expect("raw").execute_batch("CREATE TABLE notes (body TEXT)").expect("create");
        assert!(matches!(Store::open(&path, &DataKey::generate()), Err(StoreError::ForeignFile { .. })));
    }

    #[test]
    fn readers_cannot_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&fresh(&dir), &DataKey::generate()).expect("open");
        let result: Result<(), StoreError> =
            store.read(|db| Ok(db.conn.execute_batch("INSERT INTO meta (key, value) VALUES ('x', 'y')")?));
        assert!(result.is_err());
    }

    #[test]
    fn a_license_lookup_is_compiled_once_per_connection_not_once_per_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&fresh(&dir), &DataKey::generate()).expect("open");
        let sql = format!("{} WHERE l.key_tag = ?1", licenses::SELECT_LICENSE);
        let reprepared = store
            .read(|db| {
                for key in ["AAAA-1", "AAAA-2", "AAAA-3"] {
                    db.license_by_number(key)?;
                }
                Ok::<_, StoreError>(db.conn.prepare_cached(&sql)?.get_status(rusqlite::StatementStatus::RePrepare))
            })
            .expect("read");
        assert_eq!(reprepared, 0);
    }

    #[test]
    fn a_version_2_file_keeps_its_licenses_and_activations_through_the_tag_migration() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, key) = (fresh(&dir), DataKey::generate());
        let sealer = Sealer::new(&key);
        {
            let conn = Connection::open(&path).expect("raw");
            for sql in &MIGRATIONS[..2] {
                conn.execute_batch(sql).expect("migrate to version 2");
            }
            conn.pragma_update(None, "application_id", APPLICATION_ID).expect("app");
            conn.pragma_update(None, "user_version", 2).expect("version");
            conn.execute(
                "INSERT INTO licenses (key_lookup, key_sealed, created_at, updated_at) VALUES (?1, ?2, 0, 0)",
                rusqlite::params![sealer.lookup("OLD-KEY-0001").to_vec(), sealer.seal("OLD-KEY-0001")],
            )
            .expect("license");
            conn.execute("INSERT INTO activations (license_id, identifier, created_at) VALUES (1, 'host-a', 0)", [])
                .expect("activation");
        }
        let store = Store::open(&path, &key).expect("migrates");
        let found = store.read(|db| db.license_by_number("OLD-KEY-0001")).expect("read");
        let license = found.expect("the license survives");
        assert_eq!((license.number.as_str(), license.used), ("OLD-KEY-0001", 1));
        let other = store.read(|db| db.license_by_number("OLD-KEY-0002")).expect("read");
        assert!(other.is_none());
        let conn = store.writer.lock().expect("lock");
        let fk: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0)).expect("fk");
        assert!(fk, "foreign keys are on again after migrating");
    }

    #[test]
    fn a_key_sharing_another_keys_tag_is_not_taken_for_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let key = DataKey::generate();
        let store = Store::open(&fresh(&dir), &key).expect("open");
        let sealer = Sealer::new(&key);
        // A stored key whose tag is, as if by a 2^-64 chance, the tag of another key.
        store
            .write(|db| {
                db.conn.execute(
                    "INSERT INTO licenses (key_tag, key_sealed, created_at, updated_at) VALUES (?1, ?2, 0, 0)",
                    rusqlite::params![sealer.tag("KEY-TWO"), sealer.seal("KEY-ONE")],
                )?;
                Ok::<_, StoreError>(())
            })
            .expect("insert");
        let found = store.read(|db| db.license_by_number("KEY-TWO")).expect("read");
        assert!(found.is_none());
    }
}
