//! Sockets that say too little, too slowly, or nothing at all.

use std::time::{Duration, Instant};

use keydesk::server::{Limits, Options};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{fresh, server};

fn address(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let read_all = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(within, read_all).await.ok()?;
    Some(String::from_utf8_lossy(&seen).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hundred_slow_sockets_do_not_keep_a_normal_client_waiting() {
    let world = fresh();
    let (base, _stop) = server::start(&world.service).await;
    let mut slow = Vec::new();
    for n in 0..300 {
        let mut stream = TcpStream::connect(address(&base)).await.expect("connect");
        // Half a request head, then silence (slowloris).
        let partial = format!("POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nX-Slow: {n}\r\n");
        stream.write_all(partial.as_bytes()).await.expect("write");
        slow.push(stream);
    }
    let started = Instant::now();
    let answer = reqwest::get(format!("{base}/console/v1/version")).await.expect("answered");
    let waited = started.elapsed();
    assert!(answer.status().is_success());
    assert!(waited < Duration::from_secs(1), "a normal request waited {waited:?} behind 300 slow sockets");
    drop(slow);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_head_an_idle_keep_alive_and_a_trickled_body_are_cut_off() {
    let world = fresh();
    let limits =
        Limits { header_read: Duration::from_millis(300), request: Duration::from_millis(800), ..Limits::default() };
    let (base, _stop) = server::start_with(&world.service, Options { limits, ..Options::default() }).await;

    // Connected, and never a byte: closed once the head is overdue.
    let mut silent = TcpStream::connect(address(&base)).await.expect("connect");
    assert!(until_closed(&mut silent, Duration::from_secs(3)).await.is_some(), "a silent socket stays open");

    // One request answered, then idle on keep-alive: closed too.
    let mut idle = TcpStream::connect(address(&base)).await.expect("connect");
    idle.write_all(b"GET /console/v1/version HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
    let seen = until_closed(&mut idle, Duration::from_secs(3)).await.expect("an idle keep-alive is closed");
    assert!(seen.starts_with("HTTP/1.1 200"), "{seen}");

    // A head, then a body a byte at a time: answered 408 and closed at the request limit.
    let mut trickle = TcpStream::connect(address(&base)).await.expect("connect");
    trickle
        .write_all(b"POST /keygen HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n")
        .await
        .expect("write");
    let feeding = tokio::spawn(async move {
        for _ in 0..40 {
            if trickle.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        trickle
    });
    let mut trickle = feeding.await.expect("fed");
    let seen = until_closed(&mut trickle, Duration::from_secs(3)).await.unwrap_or_default();
    assert!(seen.contains("408"), "a trickled body is cut off with 408: {seen:?}");

    // Nothing of it kept the server from answering.
    assert!(reqwest::get(format!("{base}/console/v1/version")).await.expect("answered").status().is_success());
}

/// The answer to a request the server refuses before reading all of its body. A client still
/// writing the rest may see its write fail before it reads the answer (the race of an early
/// answer over HTTP/1.1); such a send is tried again, a few times.
async fn early_answer(request: reqwest::RequestBuilder) -> reqwest::Response {
    for _ in 0..5 {
        match request.try_clone().expect("a clonable request").send().await {
            Ok(answer) => return answer,
            Err(error) if error.is_request() => continue,
            Err(error) => panic!("send: {error}"),
        }
    }
    panic!("no answer within five tries")
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_past_a_calls_need_are_refused_before_any_credential_is_looked_at() {
    let world = fresh();
    let (base, _stop) = server::start(&world.service).await;
    let http = reqwest::Client::new();
    let big = "license_key=".to_owned() + &"A".repeat(64 * 1024);
    // The license key API: verify needs kilobytes.
    let verify = early_answer(http.post(format!("{base}/api/v1/verify")).body(big.clone())).await;
    assert_eq!(verify.status().as_u16(), 413);
    assert_eq!(verify.text().await.expect("body"), r#"{"message":"Payload Too Large"}"#);
    // The keygen URL: a form of a few fields.
    let keygen = early_answer(http.post(format!("{base}/keygen")).body(big.clone())).await;
    assert_eq!(keygen.status().as_u16(), 413);
    // The console API: no session, no body read. The head announces 4 MiB and none of it is
    // sent: the answer (401) comes anyway, so the server never waited for the body.
    let mut stream = TcpStream::connect(address(&base)).await.expect("connect");
    let head = "POST /console/v1/licenses/window HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 4194304\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut answer)).await;
    let answer =
        String::from_utf8_lossy(&answer[..read.expect("answered before the body").expect("read")]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // Login: a username and a password, not megabytes.
    let login = early_answer(
        http.post(format!("{base}/console/v1/login"))
            .header("content-type", "application/json")
            .body(format!(r#"{{"username":"x","password":"{}"}}"#, "p".repeat(64 * 1024))),
    )
    .await;
    assert_eq!(login.status().as_u16(), 413);
}

#[tokio::test(flavor = "multi_thread")]
async fn three_hundred_silent_tls_handshakes_do_not_keep_a_normal_client_waiting() {
    let world = fresh();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let tls = keydesk::server::Tls::from_pem_files(&fixtures.join("server.pem"), &fixtures.join("server.key"))
        .expect("certificate");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let service = world.service.clone();
    tokio::spawn(async move {
        let _ =
            keydesk::server::serve_tls_with(listener, &tls, service, Options::default(), std::future::pending()).await;
    });
    // Connected, and never a ClientHello.
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(TcpStream::connect(("127.0.0.1", port)).await.expect("connect"));
    }
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixtures.join("ca.pem")).expect("ca")).expect("pem");
    let client = reqwest::Client::builder().add_root_certificate(ca).build().expect("client");
    let started = Instant::now();
    // The fixture's certificate names localhost.
    let answer = client.get(format!("https://localhost:{port}/console/v1/version")).send().await.expect("answered");
    let waited = started.elapsed();
    assert!(answer.status().is_success());
    assert!(waited < Duration::from_secs(1), "a TLS client waited {waited:?} behind 300 silent handshakes");
    drop(silent);
}
