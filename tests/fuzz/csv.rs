//! The CSV importers: any file, read by header names, and what reads is imported.

use std::sync::Arc;

use keydesk::backend::{Backend, BackendError, LocalBackend};
use keydesk::console::csv_files::{read_keys, read_users};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, Store};
use proptest::prelude::*;

use crate::inputs::{NASTY, bytes};

/// A users file: a header of known and stray columns, rows of nasty and arbitrary cells,
/// quoting as it comes; or raw bytes.
fn file() -> impl Strategy<Value = Vec<u8>> {
    let columns = ["username", "email", "reference", "department", "language", "status", "key", "x"];
    let header = proptest::collection::vec(proptest::sample::select(columns.to_vec()), 0..8);
    let cell = prop_oneof![proptest::sample::select(NASTY).prop_map(str::to_owned), "[^\n]{0,24}"];
    let rows = proptest::collection::vec(proptest::collection::vec(cell, 0..9), 0..20);
    let text = (header, rows).prop_map(|(header, rows)| {
        let mut out = header.join(",");
        for row in rows {
            out.push('\n');
            out.push_str(&row.join(","));
        }
        out.into_bytes()
    });
    prop_oneof![4 => text, 1 => bytes(4096)]
}

#[test]
fn csv_files_never_panic_and_their_records_import_without_failing_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("fuzz-csv.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    let code = DistributorCode::parse("CSVF").expect("code");
    let (distributor, _) =
        service.create_distributor(&Actor::Owner, code, "Csv", true, DistributorSettings::default()).expect("d");
    let backend = LocalBackend::new(service);
    let path = dir.path().join("input.csv");
    crate::fuzz("csv-import", 128, &file(), |bytes| {
        std::fs::write(&path, &bytes).expect("write");
        let _ = read_keys(&path);
        if let Ok(records) = read_users(&path) {
            let imported = backend.import_users(distributor.id, &records);
            prop_assert!(!matches!(imported, Err(BackendError::Failed(_))), "{imported:?}");
        }
        Ok(())
    });
}
