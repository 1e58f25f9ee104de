//! The real `keydesk serve` process under bodies sent without credentials: what it costs.

use super::binary;

/// The resident memory of a process, from /proc (Linux), in KiB.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number")
}

#[tokio::test(flavor = "multi_thread")]
async fn large_bodies_without_credentials_cost_the_server_no_memory_to_speak_of() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (child, _log, address) = binary::serve(&dir.path().join("k.sqlite"), &[]);
    let child = binary::KillOnDrop(child);
    let base = format!("http://{address}");
    let http = reqwest::Client::new();
    // Warm up: the first requests allocate the pools and caches every server has.
    for _ in 0..5 {
        let _ = http.get(format!("{base}/console/v1/version")).send().await;
    }
    let before = resident_kib(child.0.id());
    let body = vec![b'a'; 4 * 1024 * 1024];
    let targets = [
        "/api/v1/verify",
        "/api/v1/create-license-keys",
        "/keygen",
        "/console/v1/users/import",
        "/console/v1/login",
        "/pbas/td2api/api/api.htm?checksum=0",
    ];
    let mut refused = 0;
    for round in 0..5 {
        let sends: Vec<_> = targets
            .iter()
            .map(|path| {
                let request = http
                    .post(format!("{base}{path}"))
                    .header("content-type", if round % 2 == 0 { "application/json" } else { "text/xml" })
                    .body(body.clone());
                tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
            })
            .collect();
        for send in sends {
            // The server may close before the client has sent it all: that is a refusal too.
            match send.await.expect("sent") {
                Ok(status) => {
                    // Refused for its size, its type, or its missing credentials; never served.
                    assert!(
                        matches!(status, 400 | 401 | 403 | 413 | 415),
                        "a large body without credentials answered {status}"
                    );
                    refused += 1;
                }
                Err(_) => refused += 1,
            }
        }
    }
    let after = resident_kib(child.0.id());
    let alive = http.get(format!("{base}/console/v1/version")).send().await.map(|r| r.status().as_u16());
    drop(child);
    assert_eq!(refused, 30);
    assert_eq!(alive.ok(), Some(200), "the server answers after it");
    // 30 bodies of 4 MiB (120 MiB) were sent; the server kept none of them.
    let grown = after.saturating_sub(before);
    assert!(grown < 24 * 1024, "resident memory grew by {grown} KiB ({before} KiB → {after} KiB)");
}
