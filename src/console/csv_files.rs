//! CSV files of users and keys: what the console imports and exports. The columns are
//! named in a header row; a file keydesk wrote reads back to the same records.

use std::path::Path;

use crate::service::import::UserRecord;
use crate::store::private_files::create_private;

/// The columns of a users file, in order.
pub const USER_COLUMNS: [&str; 6] = ["username", "email", "reference", "department", "language", "status"];

/// Why a file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}, record {record}: {detail}")]
    Format { path: String, record: usize, detail: String },
    #[error("{path}: the header must name the columns {expected}")]
    Header { path: String, expected: String },
}

impl From<CsvError> for crate::backend::BackendError {
    fn from(error: CsvError) -> Self {
        Self::Refused(error.to_string())
    }
}

/// What a spreadsheet takes for the start of a formula (and tab and CR, which some strip
/// first). A cell that starts with one is written behind a `'`, so opening an export in a
/// spreadsheet never runs what a customer typed as their name; reading strips it again.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A value as written to a cell.
fn cell(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) { format!("'{value}") } else { value.to_owned() }
}

/// A cell as read back: [`cell`] undone.
fn uncell(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => value,
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> CsvError + '_ {
    move |source| CsvError::Io { path: path.display().to_string(), source }
}

/// Reads a users file; columns are found by their header names, so their order is free
/// and only `username` and `email` are required.
pub fn read_users(path: &Path) -> Result<Vec<UserRecord>, CsvError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| CsvError::Format { path: shown.clone(), record: 0, detail: e.to_string() })?
        .clone();
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(username), Some(email)) = (column("username"), column("email")) else {
        return Err(CsvError::Header { path: shown, expected: USER_COLUMNS.join(",") });
    };
    let optional = [column("reference"), column("department"), column("language"), column("status")];
    let mut records = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let row =
            row.map_err(|e| CsvError::Format { path: shown.clone(), record: index + 1, detail: e.to_string() })?;
        let field = |at: Option<usize>| uncell(at.and_then(|i| row.get(i)).unwrap_or_default()).to_owned();
        records.push(UserRecord {
            username: field(Some(username)),
            email: field(Some(email)),
            reference: field(optional[0]),
            department: field(optional[1]),
            language: field(optional[2]),
            status: field(optional[3]),
        });
    }
    Ok(records)
}

/// Writes a users file with the header row.
pub fn write_users(path: &Path, records: &[UserRecord]) -> Result<(), CsvError> {
    let shown = path.display().to_string();
    let format = |e: csv::Error| CsvError::Format { path: shown.clone(), record: 0, detail: e.to_string() };
    let file = create_private(path).map_err(io(path))?;
    let mut writer = csv::Writer::from_writer(file);
    writer.write_record(USER_COLUMNS).map_err(format)?;
    for r in records {
        let row = [&r.username, &r.email, &r.reference, &r.department, &r.language, &r.status];
        writer.write_record(row.map(|value| cell(value))).map_err(format)?;
    }
    writer.flush().map_err(io(path))
}

/// Reads the `key` column of a keys file (or the first column when no header says `key`).
pub fn read_keys(path: &Path) -> Result<Vec<String>, CsvError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).has_headers(false).from_reader(file);
    let mut keys = Vec::new();
    let mut column = 0;
    for (index, row) in reader.records().enumerate() {
        let row =
            row.map_err(|e| CsvError::Format { path: shown.clone(), record: index + 1, detail: e.to_string() })?;
        if index == 0
            && let Some(at) = row.iter().position(|h| h.eq_ignore_ascii_case("key"))
        {
            column = at;
            continue;
        }
        if let Some(key) = row.get(column).map(uncell).filter(|k| !k.is_empty()) {
            keys.push(key.to_owned());
        }
    }
    Ok(keys)
}

/// Writes keys, one per row, with their owner and product.
pub fn write_keys(path: &Path, rows: &[[String; 4]]) -> Result<(), CsvError> {
    let shown = path.display().to_string();
    let format = |e: csv::Error| CsvError::Format { path: shown.clone(), record: 0, detail: e.to_string() };
    let file = create_private(path).map_err(io(path))?;
    let mut writer = csv::Writer::from_writer(file);
    writer.write_record(["key", "owner", "email", "product"]).map_err(format)?;
    for row in rows {
        writer.write_record(row.iter().map(|value| cell(value))).map_err(format)?;
    }
    writer.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_round_trip_and_columns_may_come_in_any_order() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("users.csv");
        let records = vec![UserRecord {
            username: "ada".into(),
            email: "ada@example.com".into(),
            reference: "R, 1".into(),
            department: String::new(),
            language: "en".into(),
            status: "activated".into(),
        }];
        write_users(&path, &records).expect("write");
        assert_eq!(read_users(&path).expect("read"), records);
        std::fs::write(&path, "email,username\nb@example.com,bea\n").expect("write");
        let read = read_users(&path).expect("read");
        assert_eq!((read[0].username.as_str(), read[0].email.as_str()), ("bea", "b@example.com"));
        std::fs::write(&path, "name,mail\nx,y\n").expect("write");
        assert!(matches!(read_users(&path), Err(CsvError::Header { .. })));
    }

    #[test]
    fn formulas_are_written_inert_and_read_back_as_typed() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("users.csv");
        let records = vec![UserRecord {
            username: "mallory".into(),
            email: "m@example.com".into(),
            reference: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
            department: "+1 555".into(),
            language: "@en".into(),
            status: "-".into(),
        }];
        write_users(&path, &records).expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"'=HYPERLINK(") && text.contains("'+1 555") && text.contains("'@en"), "{text}");
        assert_eq!(read_users(&path).expect("read"), records);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "an export is the owner's alone");
        }
    }
}
