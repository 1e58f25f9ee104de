//! What a remote profile costs: the console's reads on the demo database (10,000 users,
//! about 8,000 licenses and 3,400 keys), locally and through the console API of a real
//! server on 127.0.0.1 with a logged-in `RemoteBackend`. Run: `cargo bench --bench console_api`.
//!
//! A plain program: each call is timed on its own, 300 times after 20 warm-up calls, and
//! the median and 99th percentile are printed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk::backend::{Backend, LocalBackend};
use keydesk::client::remote::{RemoteBackend, RemoteServer};
use keydesk::domain::staff::Role;
use keydesk::service::Actor;
use keydesk::store::{DataKey, LicenseQuery, UserOrder};

const RUNS: usize = 300;

/// A named call to time.
type Call = (&'static str, Box<dyn Fn()>);

fn time(mut call: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..20 {
        call();
    }
    let mut all: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            call();
            start.elapsed()
        })
        .collect();
    all.sort();
    (all[RUNS / 2], all[RUNS * 99 / 100])
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let local = LocalBackend::open(&dir.path().join("demo.sqlite"), &DataKey::generate()).expect("backend");
    keydesk::demo::seed(local.service(), &mut |_| {}).expect("demo data");
    local.service().add_staff(&Actor::Owner, "bench", "bench's long password", Role::Owner).expect("staff");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = local.service().clone();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    runtime.spawn(keydesk::server::serve(listener, server, std::future::pending()));
    let profile = RemoteServer { url: base, username: "bench".into(), ca_file: None };
    let remote = RemoteBackend::log_in(&profile, "bench's long password").expect("login");
    let backends: [(&str, Arc<dyn Backend>); 2] = [("local", Arc::new(local)), ("remote", Arc::new(remote))];
    println!("{:<38} {:>8} {:>12} {:>12}", "call", "backend", "median", "p99");
    for (name, backend) in &backends {
        let calls: [Call; 4] = [
            ("users window (400 rows by name)", {
                let b = backend.clone();
                Box::new(move || drop(b.users(UserOrder::Username, false, 5_000, 400).expect("users")))
            }),
            ("search users (anna.*, up to 400)", {
                let b = backend.clone();
                Box::new(move || drop(b.search_users("anna.*", "", 400).expect("search")))
            }),
            ("licenses window (400 rows)", {
                let b = backend.clone();
                Box::new(move || drop(b.licenses(&LicenseQuery::default(), 0, 400).expect("licenses")))
            }),
            ("user overview", {
                let b = backend.clone();
                let id = b.users(UserOrder::Username, false, 0, 1).expect("one").rows[0].id;
                Box::new(move || drop(b.user(id).expect("overview")))
            }),
        ];
        for (call_name, call) in &calls {
            let (median, p99) = time(call);
            println!("{call_name:<38} {name:>8} {:>9.3} ms {:>9.3} ms", ms(median), ms(p99));
        }
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
