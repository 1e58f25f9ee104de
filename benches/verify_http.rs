//! verify requests per second over HTTP, with latency percentiles. The server and the load
//! generator share this machine (the load aims at 127.0.0.1 only, bounded in count and
//! time). Run: `cargo bench --bench verify_http`.
//!
//! Two runs: without a signing key ("Private key not set") and with the global RSA-2048
//! key, which signs every response.

use std::sync::Arc;
use std::time::{Duration, Instant};

use keydesk::domain::endpoint::Capabilities;
use keydesk::domain::license::KeyState;
use keydesk::service::keys::KeyTerms;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, ProductFields, Store};

/// Concurrent connections.
const CLIENTS: usize = 32;
/// Requests measured, at most; the run also stops after `LIMIT`.
const REQUESTS: usize = 50_000;
const WARM_UP: usize = 2_000;
const LIMIT: Duration = Duration::from_secs(30);

struct Figures {
    rps: f64,
    p50: Duration,
    p99: Duration,
    p999: Duration,
    requests: usize,
}

async fn run(signed: bool) -> Figures {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("dir");
    let store = Store::open(&dir.path().join("verify.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    if signed {
        service.create_signing_key(&Actor::Owner, None).expect("key");
    }
    let fields = ProductFields::named("Bench", "verify");
    let product = service.create_product(&Actor::Owner, &fields).expect("product").id;
    let terms = KeyTerms {
        product,
        owner_name: "Bench".into(),
        owner_email: "bench@example.com".into(),
        activation_limit: 0,
        validity_days: 0,
        state: KeyState::Assigned,
        assigned_at: None,
    };
    service.create_keys(&Actor::Owner, &["BENCH-VERIFY-KEY-0001".to_owned()], &terms).expect("key");
    service.activate_key(&Actor::Owner, "BENCH-VERIFY-KEY-0001", "bench-host", "").expect("activate");
    let (_, api_key) = service.create_api_key(&Actor::Owner, "bench", Capabilities::All, &[]).expect("api key");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/api/v1/verify", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(keydesk::server::serve(listener, service, async {
        let _ = stopped.await;
    }));
    let body = format!("api_key={api_key}&license_key=BENCH-VERIFY-KEY-0001&identifier=bench-host");
    let http = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build().expect("client");

    let send = |n: usize, record: bool| {
        let (http, url, body) = (http.clone(), url.clone(), body.clone());
        async move {
            let mut latencies = Vec::with_capacity(if record { n } else { 0 });
            let deadline = Instant::now() + LIMIT;
            for _ in 0..n {
                if Instant::now() > deadline {
                    break;
                }
                let started = Instant::now();
                let response = http
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("send");
                let text = response.text().await.expect("body");
                assert!(text.contains(r#""code":200"#), "{text}");
                if record {
                    latencies.push(started.elapsed());
                }
            }
            latencies
        }
    };
    let warm: Vec<_> = (0..CLIENTS).map(|_| tokio::spawn(send(WARM_UP / CLIENTS, false))).collect();
    for task in warm {
        task.await.expect("warm-up");
    }
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS).map(|_| tokio::spawn(send(REQUESTS / CLIENTS, true))).collect();
    let mut latencies = Vec::with_capacity(REQUESTS);
    for task in tasks {
        latencies.extend(task.await.expect("load"));
    }
    let elapsed = started.elapsed();
    let _ = stop.send(());
    let _ = server.await;
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Figures {
        rps: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
        requests: latencies.len(),
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    for signed in [false, true] {
        let f = runtime.block_on(run(signed));
        println!(
            "verify over HTTP, {} ({} requests, {CLIENTS} connections): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms",
            if signed { "signed with RSA-2048" } else { "unsigned" },
            f.requests,
            f.rps,
            f.p50.as_secs_f64() * 1000.0,
            f.p99.as_secs_f64() * 1000.0,
            f.p999.as_secs_f64() * 1000.0
        );
    }
}
