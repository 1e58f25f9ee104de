//! kill -9 in the middle of work, with the real binary: a million-key stock job, a CSV
//! import, queued assignments being run by `keydesk serve`. After each, the file opens,
//! SQLite's integrity check passes, and the work is all or nothing, never done twice.

#[path = "../support/process.rs"]
mod process;
#[path = "../support/smtp.rs"]
mod smtp;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use process::{KillOnDrop, keydesk, serve};

fn admin(db: &Path, args: &[&str]) -> String {
    let output = keydesk().args(["admin", "--db"]).arg(db).args(args).output().expect("admin");
    assert!(output.status.success(), "admin {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Starts `keydesk admin ARGS`; kills it with SIGKILL once a line of its output passes `ready`.
fn kill_when(db: &Path, args: &[&str], ready: impl Fn(&str) -> bool) -> bool {
    let mut child: Child = keydesk()
        .args(["admin", "--db"])
        .arg(db)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut killed = false;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if ready(&line) {
            child.kill().expect("SIGKILL");
            killed = true;
            break;
        }
    }
    let _ = child.wait();
    killed
}

/// SQLite's integrity check of the file, and a count.
fn after_the_crash(db: &Path, count: &str) -> i64 {
    let raw = rusqlite::Connection::open(db).expect("the file opens");
    let integrity: String = raw.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(integrity, "ok");
    raw.query_row(count, [], |r| r.get(0)).expect("count")
}

fn with_product(db: &Path) {
    admin(db, &["product", "add", "Suite", "--description", "crash tests"]);
    admin(db, &["generator", "--product", "1", "--chunks", "5", "--chunk-length", "5"]);
}

#[test]
fn a_million_key_stock_job_killed_midway_leaves_no_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("stock.sqlite");
    with_product(&db);
    let killed = kill_when(&db, &["stock", "--product", "1", "--count", "1000000"], |line| {
        line.split(' ').next().and_then(|n| n.parse::<u64>().ok()).is_some_and(|made| made >= 200_000)
    });
    assert!(killed, "the job was killed while it ran");
    assert_eq!(after_the_crash(&db, "SELECT count(*) FROM licenses"), 0, "all or nothing: nothing");
    // The file goes on working: a smaller job completes.
    admin(&db, &["stock", "--product", "1", "--count", "20000"]);
    assert_eq!(after_the_crash(&db, "SELECT count(*) FROM licenses"), 20_000);
}

#[test]
fn a_csv_import_killed_midway_keeps_whole_batches_and_a_rerun_adds_no_duplicate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("import.sqlite");
    admin(&db, &["distributor", "add", "ACME", "--name", "Acme"]);
    let csv = dir.path().join("users.csv");
    let mut text = String::from("username,email\n");
    for n in 0..40_000 {
        text.push_str(&format!("imported{n:05},imported{n:05}@example.com\n"));
    }
    std::fs::write(&csv, text).expect("csv");
    let file = csv.display().to_string();
    let killed =
        kill_when(&db, &["import-users", &file, "--distributor", "ACME"], |line| line.ends_with("records read"));
    assert!(killed, "the import was killed while it ran");
    let kept = after_the_crash(&db, "SELECT count(*) FROM users");
    assert!(kept < 40_000 && kept % 5_000 == 0, "whole batches only: {kept}");
    let rerun = admin(&db, &["import-users", &file, "--distributor", "ACME"]);
    assert!(rerun.contains(&format!("imported {} user(s); refused {kept}", 40_000 - kept)), "{rerun}");
    assert_eq!(after_the_crash(&db, "SELECT count(*) FROM users"), 40_000, "no user twice");
}

/// A webhook receiver on 127.0.0.1: the bodies by the `identifier` they answer.
async fn receiver() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                let parsed: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let id = parsed["original"]["response"]["identifier"].as_str().unwrap_or_default().to_owned();
                kept.lock().expect("lock").push((id, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn queued_assignments_survive_a_killed_server_and_run_exactly_once() {
    const JOBS: usize = 120;
    const EACH: i64 = 20;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("queued.sqlite");
    with_product(&db);
    let created = admin(&db, &["api-key", "create", "--label", "shop"]);
    let key =
        created.lines().find_map(|l| l.strip_prefix("key (shown once, keep it secret): ")).expect("key").to_owned();
    let (hook, seen) = receiver().await;

    let (child, _log, address) = serve(&db, &["--allow-private-webhooks"]);
    let mut server = KillOnDrop(child);
    let http = reqwest::Client::new();
    for n in 0..JOBS {
        let id = format!("order-{n}");
        let form = [
            ("api_key", key.as_str()),
            ("product_id", "1"),
            ("quantity", "20"),
            ("generate", "1"),
            ("webhook_url", hook.as_str()),
            ("identifier", id.as_str()),
        ];
        let queued = http.post(format!("http://{address}/api/v1/random-assign-license-keys-queued")).form(&form);
        let answer: serde_json::Value = queued.send().await.expect("queued").json().await.expect("json");
        assert_eq!(answer["response"]["code"], 807, "{answer}");
    }
    // Killed as soon as the first deliveries arrive, while the rest are being run.
    let started = Instant::now();
    while seen.lock().expect("lock").is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "no delivery within 30 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();
    let delivered_before = seen.lock().expect("lock").len();

    // Started again, the server finishes every job.
    let (child, _log, _address) = serve(&db, &["--allow-private-webhooks"]);
    let server = KillOnDrop(child);
    let started = Instant::now();
    loop {
        let ids: std::collections::BTreeSet<String> =
            seen.lock().expect("lock").iter().map(|(id, _)| id.clone()).collect();
        if ids.len() == JOBS {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{} of {JOBS} jobs delivered after the restart",
            ids.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(server);
    // A job delivered twice (killed between the post and its record) sent the same answer.
    let seen = seen.lock().expect("lock").clone();
    for (id, body) in &seen {
        assert!(seen.iter().filter(|(other, _)| other == id).all(|(_, again)| again == body), "{id} sent two answers");
    }
    assert!(delivered_before < JOBS, "the kill came while jobs were left");
    let assigned = after_the_crash(&db, "SELECT count(*) FROM licenses WHERE key_state = 'assigned'");
    assert_eq!(assigned, JOBS as i64 * EACH, "every job assigned its keys once");
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_delivery_killed_midway_sends_no_mail_twice() {
    const MAILS: usize = 40;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("mail.sqlite");
    with_product(&db);
    let mut add = keydesk()
        .args(["admin", "--db"])
        .arg(&db)
        .args(["reseller", "add", "--email", "shop@example.com", "--name", "Shop", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("reseller");
    std::io::Write::write_all(add.stdin.as_mut().expect("stdin"), b"shop-secret-1\n").expect("password");
    assert!(add.wait().expect("reseller").success());
    admin(
        &db,
        &["pool", "add", "--reseller", "shop@example.com", "--edition", "pro", "--product", "1", "--quantity", "500"],
    );
    let (port, received) = smtp::smtp_sink().await;
    let relay = format!("smtp://127.0.0.1:{port}");

    // Orders first, on a server without a relay, so every mail is queued when delivery starts.
    let (child, _log, address) = serve(&db, &[]);
    let server = KillOnDrop(child);
    let http = reqwest::Client::new();
    for n in 0..MAILS {
        let email = format!("customer{n}@example.com");
        let form = [
            ("reselleremail", "shop@example.com"),
            ("pwd", "shop-secret-1"),
            ("firstName", "Ada"),
            ("lastName", "Lovelace"),
            ("email", email.as_str()),
        ];
        let answer = http.post(format!("http://{address}/keygen")).form(&form).send().await.expect("order");
        assert!(!answer.text().await.expect("text").starts_with("ERR_"));
    }
    drop(server);

    // Delivering, and killed after the first mail reached the relay.
    let (child, _log, _address) = serve(&db, &["--smtp-url", &relay]);
    let mut server = KillOnDrop(child);
    let started = Instant::now();
    while received.lock().expect("lock").is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "no mail within 30 s");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.0.kill().expect("SIGKILL");
    let _ = server.0.wait();

    // Started again, it delivers the rest.
    let (child, _log, _address) = serve(&db, &["--smtp-url", &relay]);
    let server = KillOnDrop(child);
    let started = Instant::now();
    while after_the_crash(&db, "SELECT count(*) FROM outbox WHERE state = 'queued'") > 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "mails still queued after 60 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(server);
    let received = received.lock().expect("lock").clone();
    for n in 0..MAILS {
        let to = format!("customer{n}@example.com");
        let copies = received.iter().filter(|m| m.contains(&format!("To: {to}"))).count();
        assert!(copies <= 1, "{to} got {copies} copies");
    }
    let sent = after_the_crash(&db, "SELECT count(*) FROM outbox WHERE state = 'sent'");
    let interrupted =
        after_the_crash(&db, "SELECT count(*) FROM outbox WHERE state = 'failed' AND last_error LIKE 'interrupted%'");
    assert_eq!((sent + interrupted) as usize, MAILS, "the rest is marked interrupted, for a person to resend");
    // Every mail marked sent reached the relay; the one being handed over when the process died
    // may have too: that is why it is marked interrupted rather than sent again.
    let (sent, interrupted) = (sent as usize, interrupted as usize);
    assert!(sent <= received.len() && received.len() <= sent + interrupted, "{sent} sent, {} received", received.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_job_of_a_huge_quantity_left_by_an_older_keydesk_fails_and_the_server_stays_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("huge.sqlite");
    with_product(&db);
    let created = admin(&db, &["api-key", "create", "--label", "old"]);
    let id: i64 = created
        .lines()
        .find_map(|l| l.strip_prefix("created API key ")?.split(' ').next()?.parse().ok())
        .expect("the key's id");
    // What an older keydesk accepted and queued: four billion keys.
    let payload = serde_json::json!({
        "product_id": 1, "owner_name": "M", "owner_email": "m@example.com", "quantity": 4_294_967_295u32,
        "generate": true, "webhook_url": "http://127.0.0.1:9/hook", "identifier": "huge", "api_key": id,
    });
    let raw = rusqlite::Connection::open(&db).expect("raw");
    raw.execute("INSERT INTO jobs (kind, payload, created_at) VALUES ('random-assign', ?1, 0)", [payload.to_string()])
        .expect("job");
    drop(raw);
    for _start in 0..2 {
        let (child, _log, address) = serve(&db, &["--allow-private-webhooks"]);
        let server = KillOnDrop(child);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let alive = reqwest::get(format!("http://{address}/api/v1/public-key")).await.expect("answered");
        assert!(alive.status().is_success(), "the server answers with the job in its queue");
        drop(server);
    }
    let attempts = after_the_crash(&db, "SELECT attempts FROM jobs WHERE payload LIKE '%huge%'");
    assert!(attempts >= 1, "the job was tried");
    assert_eq!(after_the_crash(&db, "SELECT count(*) FROM licenses"), 0, "nothing was drawn for it");
}
