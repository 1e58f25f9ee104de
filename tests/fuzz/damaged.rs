//! A damaged database file: bytes flipped, pages zeroed, the file cut short. Opening it
//! (which checks and migrates) either works or says why; it never panics.

use keydesk::store::{DataKey, Store};
use proptest::prelude::*;

/// A real keydesk file with a distributor, a user and a product in it, checkpointed so all
/// of it is in the main file.
fn original(dir: &std::path::Path, key: &DataKey) -> Vec<u8> {
    use std::sync::Arc;
    let path = dir.join("original.sqlite");
    {
        let store = Store::open(&path, key).expect("store");
        let service = keydesk::service::Service::new(Arc::new(store), Arc::new(keydesk::service::SystemClock));
        let owner = &keydesk::service::Actor::Owner;
        let code = keydesk::domain::distributor::DistributorCode::parse("DMGD").expect("code");
        let settings =
            keydesk::domain::distributor::DistributorSettings { activation_without_email: true, ..Default::default() };
        let (distributor, _) = service.create_distributor(owner, code, "Damaged", true, settings).expect("d");
        let registration = keydesk::domain::user::Registration {
            username: "alice".into(),
            email: "alice@example.com".into(),
            password: "a long password".into(),
            ..Default::default()
        };
        service.register_user(owner, distributor.id, &registration).expect("user");
        service.create_product(owner, &keydesk::store::ProductFields::named("P", "d")).expect("product");
    }
    let raw = rusqlite::Connection::open(&path).expect("raw");
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").expect("checkpoint");
    drop(raw);
    std::fs::read(&path).expect("read")
}

/// Damage: (offset, new byte) pairs, and where to cut the file (or not).
fn damage() -> impl Strategy<Value = (Vec<(usize, u8)>, Option<usize>)> {
    (proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16), proptest::option::of(any::<usize>()))
}

#[test]
fn a_damaged_file_is_refused_or_opened_never_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = DataKey::generate();
    let pristine = original(dir.path(), &key);
    let path = dir.path().join("damaged.sqlite");
    crate::fuzz("damaged-file", 48, &damage(), |(flips, cut)| {
        let mut bytes = pristine.clone();
        for (offset, value) in flips {
            let at = offset % bytes.len();
            bytes[at] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (bytes.len() + 1));
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        std::fs::write(&path, &bytes).expect("write");
        if let Ok(store) = Store::open(&path, &key) {
            let _ = store.check();
        }
        Ok(())
    });
}
