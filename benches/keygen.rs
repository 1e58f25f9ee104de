//! Generating and committing 1,000,000 license keys, against a plain SQLite insert of the
//! same number of rows into the same table (same schema and indexes, same SQL, random
//! bytes instead of real key work). Run: `cargo bench --bench keygen`.
//!
//! Each side runs three times on a fresh database file; the medians are reported.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, GeneratorFields, ProductFields, Store};
use rand::RngCore;

const KEYS: u64 = 1_000_000;

fn fresh() -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("dir");
    let store = Store::open(&dir.path().join("keys.sqlite"), &DataKey::generate()).expect("store");
    (dir, Service::new(Arc::new(store), Arc::new(SystemClock)))
}

/// keydesk: draw, hash, seal and store `KEYS` keys through the service.
fn keydesk_run() -> Duration {
    let (_dir, service) = fresh();
    let fields = ProductFields::named("Bench", "keys");
    let product = service.create_product(&Actor::Owner, &fields).expect("product").id;
    let generator = GeneratorFields {
        product,
        method: "chunk-system".into(),
        prefix: String::new(),
        suffix: String::new(),
        function_name: String::new(),
        number_of_chunks: 4,
        chunk_length: 5,
        charset: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".into(),
        activation_limit: 1,
        validity_days: 365,
        active: true,
    };
    service.create_generator(&Actor::Owner, &generator).expect("generator");
    let started = Instant::now();
    let stored = service.generate_stock(&Actor::Owner, product, KEYS, |_| true).expect("generate");
    let elapsed = started.elapsed();
    assert_eq!(stored, KEYS);
    elapsed
}

/// Plain SQLite: the same rows (random 32-byte lookups, 63-byte blobs like a sealed key)
/// into the same table with the same statement, in one transaction.
fn plain_run() -> Duration {
    let (dir, service) = fresh();
    drop(service);
    let mut conn = rusqlite::Connection::open(dir.path().join("keys.sqlite")).expect("open");
    conn.pragma_update(None, "synchronous", "NORMAL").expect("pragma");
    // The same page cache as keydesk's writer.
    conn.pragma_update(None, "cache_size", -64 * 1024).expect("pragma");
    conn.execute("INSERT INTO products (name, created_at, updated_at) VALUES ('Bench', 0, 0)", []).expect("product");
    let mut rng = rand::rngs::OsRng;
    let rows: Vec<(i64, [u8; 63])> = (0..KEYS)
        .map(|_| {
            let mut sealed = [0u8; 63];
            rng.fill_bytes(&mut sealed);
            (rng.next_u64() as i64, sealed)
        })
        .collect();
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO licenses (key_tag, key_sealed, product_id, seat_limit, validity_days, key_state, created_by, \
                 created_at, updated_at, distributor_id) VALUES (?1, ?2, 1, 1, 365, 'available', 'bench', 0, 0, NULL) \
                 ON CONFLICT (key_tag) DO NOTHING",
            )
            .expect("prepare");
        for (tag, sealed) in &rows {
            stmt.execute(rusqlite::params![tag, &sealed[..]]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    started.elapsed()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let plain = median((0..3).map(|_| plain_run()).collect());
    let keydesk = median((0..3).map(|_| keydesk_run()).collect());
    let rate = |d: Duration| KEYS as f64 / d.as_secs_f64();
    println!("plain SQLite insert of {KEYS} rows: {:.2} s ({:.0} rows/s)", plain.as_secs_f64(), rate(plain));
    println!("keydesk generate and commit {KEYS} keys: {:.2} s ({:.0} keys/s)", keydesk.as_secs_f64(), rate(keydesk));
    println!("keydesk rate / plain rate: {:.2}", rate(keydesk) / rate(plain));
}
