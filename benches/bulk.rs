//! A bulk change over 1,000,000 licenses: select all matching + the preview of "extend by 6
//! months", the change applied step by step (with the progress it reports), its undo, and
//! the console's frame time with the million rows sorted by a column. Run:
//! `cargo bench --bench bulk` (it builds its database in target/tmp/bench-data/ once).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use keydesk::backend::{Backend, LocalBackend};
use keydesk::console::{Prefs, View};
use keydesk::domain::bulk::{BulkChange, ShiftUnit};
use keydesk::service::Actor;
use keydesk::store::{DataKey, GeneratorFields, LicenseQuery, ProductFields};

#[path = "support/frames.rs"]
mod frames;

const LICENSES: u64 = 1_000_000;
const FRAMES: usize = 300;

fn backend() -> LocalBackend {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let (db, key_path) = (dir.join("bulk-1000000.sqlite"), dir.join("bulk-1000000.key"));
    if !db.exists() {
        let key = DataKey::generate();
        std::fs::write(&key_path, key.to_hex()).expect("key");
        let backend = LocalBackend::open(&db, &key).expect("open");
        let service = backend.service();
        let product = service.create_product(&Actor::Owner, &ProductFields::named("Bench Suite", "")).expect("product");
        let generator = GeneratorFields {
            validity_days: 365,
            ..GeneratorFields::chunks(product.id, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 4, 5)
        };
        service.create_generator(&Actor::Owner, &generator).expect("generator");
        service.generate_stock(&Actor::Owner, product.id, LICENSES, |_| true).expect("keys");
    }
    let key = DataKey::from_hex(&std::fs::read_to_string(&key_path).expect("key")).expect("key");
    LocalBackend::open(&db, &key).expect("open")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn bulk(backend: &LocalBackend) {
    let all = LicenseQuery::default();
    let six = BulkChange::Extend { amount: 6, unit: ShiftUnit::Months };
    let mut previewed = 0;
    for run in 1..=3 {
        let started = Instant::now();
        let preview = backend.bulk_preview(&all, six).expect("preview");
        println!(
            "preview {run}: {} licenses selected, {} changing, in {:.0} ms ({})",
            preview.selected,
            preview.changing,
            ms(started.elapsed()),
            preview.lines.first().map(ToString::to_string).unwrap_or_default()
        );
        previewed = preview.selected;
    }
    let started = Instant::now();
    let mut reports = 0;
    let batch = backend
        .bulk_apply(&all, six, previewed, &mut |_| {
            reports += 1;
            true
        })
        .expect("apply");
    println!(
        "apply: {} licenses changed in {:.2} s, progress reported {reports} times",
        batch.changed,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let undone = backend.bulk_undo(batch.id).expect("undo");
    println!("undo: {} put back in {:.2} s", undone.restored, started.elapsed().as_secs_f64());
}

fn frames(backend: LocalBackend) {
    let mut harness = frames::harness(Arc::new(backend), Prefs { view: View::Licenses, ..Prefs::default() });
    frames::settle(&mut harness);
    harness.get_by_label("State").click();
    frames::settle(&mut harness);
    assert!(harness.query_by_label("State ^").is_some(), "sorted by the key state");
    harness.get_by_label("Select all 1000000 matching").click();
    frames::settle(&mut harness);
    let times = frames::frame_times(&mut harness, FRAMES);
    println!(
        "Licenses frame CPU, 1,000,000 rows sorted by state, all selected, over {FRAMES} frames: median {:.2} ms, p99 {:.2} ms",
        frames::percentile_ms(&times, 0.5),
        frames::percentile_ms(&times, 0.99)
    );
}

fn main() {
    let backend = backend();
    bulk(&backend);
    frames(backend);
}
