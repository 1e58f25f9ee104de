//! One frame of the console's Users and Licenses views with 1,000,000 users and 1,000,000
//! license keys in the database, and the time from opening the database to the first
//! frame. Run: `cargo bench --bench console_frame` (after `cargo bench --bench searchuser`
//! has built the million-user database in target/tmp/bench-data/).
//!
//! Frames run headless through egui_kittest: what is measured is the CPU work of a frame
//! (the views, layout and tessellation input), not the GPU's drawing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use egui_kittest::Harness;
use keydesk::backend::{Backend, LocalBackend};
use keydesk::console::app::Command;
use keydesk::console::{ConsoleApp, Prefs, View};
use keydesk::service::Actor;
use keydesk::store::{DataKey, GeneratorFields, ProductFields};

#[path = "support/frames.rs"]
mod frames;

const KEYS: u64 = 1_000_000;
const FRAMES: usize = 300;

fn database() -> (PathBuf, DataKey) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    let (users, users_key) = (dir.join("users-1000000.sqlite"), dir.join("users-1000000.key"));
    let (db, key_path) = (dir.join("console-1000000.sqlite"), dir.join("console-1000000.key"));
    if !db.exists() {
        assert!(users.exists(), "run `cargo bench --bench searchuser` first: it builds {}", users.display());
        // VACUUM INTO copies what the WAL holds too; a file copy would not.
        let source = rusqlite::Connection::open(&users).expect("open the users database");
        source.execute("VACUUM INTO ?1", [db.display().to_string()]).expect("copy the users database");
        std::fs::copy(&users_key, &key_path).expect("copy its key");
    }
    let key = DataKey::from_hex(&std::fs::read_to_string(&key_path).expect("key")).expect("key");
    (db, key)
}

fn add_keys(backend: &LocalBackend) {
    let service = backend.service();
    if !service.products().expect("products").is_empty() {
        return;
    }
    let fields = ProductFields::named("Bench Suite", "");
    let product = service.create_product(&Actor::Owner, &fields).expect("product").id;
    let generator = GeneratorFields::chunks(product, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 4, 5);
    service.create_generator(&Actor::Owner, &generator).expect("generator");
    service.generate_stock(&Actor::Owner, product, KEYS, |_| true).expect("keys");
}

fn measure(harness: &mut Harness<'_, ConsoleApp>, view: View) {
    harness.state_mut().apply(Command::Show(view));
    frames::settle(harness);
    let times = frames::frame_times(harness, FRAMES);
    println!(
        "{:<9} frame CPU over {FRAMES} frames: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        view.title(),
        frames::percentile_ms(&times, 0.5),
        frames::percentile_ms(&times, 0.99),
        frames::percentile_ms(&times, 1.0),
    );
}

fn main() {
    let (db, key) = database();
    add_keys(&LocalBackend::open(&db, &key).expect("open"));
    for run in 1..=3 {
        let started = Instant::now();
        let backend: Arc<dyn Backend> = Arc::new(LocalBackend::open(&db, &key).expect("open"));
        let mut harness = frames::harness(backend, Prefs::default());
        harness.run_steps(1);
        let first = started.elapsed();
        frames::settle(&mut harness);
        let filled = started.elapsed();
        println!(
            "run {run}: open to first frame {:.0} ms; to the first page of 1,000,000 users on screen {:.0} ms",
            first.as_secs_f64() * 1e3,
            filled.as_secs_f64() * 1e3
        );
        if run == 3 {
            measure(&mut harness, View::Users);
            measure(&mut harness, View::Licenses);
        }
    }
}
