//! The `keydesk` binary as an operator uses it: `admin distributor add`, then `serve`,
//! a request over HTTP, and a clean stop on SIGTERM.

#[path = "support/process.rs"]
mod process;

use std::process::{Command, Stdio};

use process::{keydesk, serve};

use keydesk::client::console::{ClientOptions, ConsoleClient, ConsoleClientError};
use keydesk::client::tdrs::TdrsClient;
use keydesk::protocol::tdrs::reply::Reply;
use keydesk::protocol::tdrs::request::Request;

#[test]
fn help_explains_the_commands() {
    let output = keydesk().arg("--help").output().expect("run");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for word in ["serve", "admin", "Registration Server"] {
        assert!(text.contains(word), "--help lacks {word}: {text}");
    }
    let output = keydesk().args(["admin", "distributor", "add", "--help"]).output().expect("run");
    assert!(String::from_utf8_lossy(&output.stdout).contains("--ip"));
}

#[test]
fn a_bad_distributor_code_is_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite");
    let output = keydesk()
        .args(["admin", "--db"])
        .arg(&db)
        .args(["distributor", "add", "TOO-LONG", "--name", "X"])
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("exactly 4 characters"));
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_speaks_https_with_a_certificate_and_a_client_trusts_it_through_its_ca_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key) = (fixtures.join("server.pem"), fixtures.join("server.key"));
    let (mut child, _log, address) = serve(
        &dir.path().join("k.sqlite"),
        &["--tls-cert", &cert.display().to_string(), "--tls-key", &key.display().to_string()],
    );
    let base = format!("https://{address}");
    let options = ClientOptions { ca_file: Some(fixtures.join("ca.pem")), ..ClientOptions::default() };
    let trusted = ConsoleClient::with_options(&base, &options).expect("client");
    let version = trusted.check_version().await;
    let untrusted = ConsoleClient::new(&base).expect("client").check_version().await;
    let plain = ConsoleClient::new(&format!("http://{address}")).expect("client").check_version().await;
    // The keygen URL reads the caller's address (its login throttle): it works over TLS too.
    let ca = reqwest::Certificate::from_pem(&std::fs::read(fixtures.join("ca.pem")).expect("ca")).expect("pem");
    let http = reqwest::Client::builder().add_root_certificate(ca).build().expect("client");
    let keygen = http.get(format!("{base}/keygen?email=nobody@example.com&pwd=wrong")).send().await.expect("keygen");
    let keygen = (keygen.status().as_u16(), keygen.text().await.unwrap_or_default());
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        version.expect("the CA file makes the certificate trusted").api,
        keydesk::protocol::console::wire::API_VERSION
    );
    assert!(keygen.0 == 200 && keygen.1.starts_with("ERR_"), "{keygen:?}");
    let untrusted = untrusted.expect_err("an unknown issuer is refused");
    assert!(untrusted.to_string().contains("certificate"), "{untrusted}");
    assert!(matches!(plain, Err(ConsoleClientError::Unreachable { .. } | ConsoleClientError::NotConsoleApi { .. })));
}

#[test]
fn a_certificate_without_its_key_or_a_missing_file_is_explained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite");
    let half = keydesk().args(["serve", "--db"]).arg(&db).args(["--tls-cert", "server.pem"]).output().expect("run");
    assert!(!half.status.success());
    assert!(String::from_utf8_lossy(&half.stderr).contains("--tls-key"), "{}", String::from_utf8_lossy(&half.stderr));
    let missing = keydesk()
        .args(["serve", "--db"])
        .arg(&db)
        .args(["--listen", "127.0.0.1:0", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"])
        .output()
        .expect("run");
    assert!(!missing.status.success());
    let text = String::from_utf8_lossy(&missing.stderr);
    assert!(text.contains("cannot read the certificate chain /nonexistent/cert.pem"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_then_serve_then_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite");
    let output = keydesk()
        .args(["admin", "--db"])
        .arg(&db)
        .args(["distributor", "add", "ACME", "--name", "Acme", "--ip", "127.0.0.1", "--default"])
        .output()
        .expect("admin");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let salt =
        stdout.lines().find_map(|l| l.split(": ").nth(1).filter(|s| s.len() == 32)).expect("salt line").to_owned();
    assert!(dir.path().join("k.sqlite.key").exists(), "the data key file was created beside the database");

    let (mut child, rx, address) = serve(&db, &[]);
    let wait = std::time::Duration::from_secs(30);
    let client = TdrsClient::new(format!("http://{address}/pbas/td2api/api/api.htm"), &salt).expect("client");
    let request = Request::RegisterUser {
        username: "alice".into(),
        useremail: "alice@example.com".into(),
        password: "secret-password-1".into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    };
    let reply = client.call(request).await.expect("reply");
    assert!(matches!(reply, Reply::Success(_)), "{reply:?}");

    // SIGTERM: the server finishes and exits successfully.
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let mut log = String::new();
    while let Ok(line) = rx.recv_timeout(wait) {
        log.push_str(&line);
        log.push('\n');
    }
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert!(status.success(), "exit {status:?}\n{log}");
    assert!(log.contains("shutting down"), "{log}");
    assert!(log.contains("command=\"registeruser\"") || log.contains("command=registeruser"), "{log}");
    for secret in [salt.as_str(), "secret-password-1"] {
        assert!(!log.contains(secret), "a secret reached the log:\n{log}");
    }
}

#[test]
fn an_operator_sets_up_a_reseller_and_a_pool_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite");
    let admin = |args: &[&str], stdin: Option<&str>| {
        let mut command = keydesk();
        command.args(["admin", "--db"]).arg(&db).args(args).stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = command.stderr(Stdio::piped()).spawn().expect("run");
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write");
        }
        let output = child.wait_with_output().expect("wait");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    admin(&["product", "add", "FTP Synchronizer Professional", "--description", "pro"], None);
    admin(&["generator", "--product", "1", "--method", "uuid"], None);
    let added = admin(&["reseller", "add", "--email", "sales@shop.example", "--name", "Shop"], None);
    assert!(added.contains("password (shown once"), "{added}");
    admin(
        &["reseller", "add", "--email", "b@shop.example", "--name", "B", "--password-stdin"],
        Some("typed-secret-1\n"),
    );
    let pool = admin(
        &["pool", "add", "--reseller", "sales@shop.example", "--edition", "pro", "--product", "1", "--quantity", "5"],
        None,
    );
    assert!(pool.contains("5 Professional licenses"), "{pool}");
    let listed = admin(&["reseller", "list"], None);
    assert!(listed.contains("sales@shop.example\tShop\tpro 5/5 left"), "{listed}");
    assert!(listed.contains("b@shop.example\tB\tno pools"), "{listed}");
}

#[test]
fn backup_copies_a_served_database_and_verify_checks_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("k.sqlite");
    let admin = |args: &[&str]| keydesk().args(["admin", "--db"]).arg(&db).args(args).output().expect("admin");
    assert!(admin(&["distributor", "add", "ACME", "--name", "Acme", "--ip", "127.0.0.1"]).status.success());
    let (child, _log, _address) = serve(&db, &[]);
    let child = process::KillOnDrop(child);
    let copy = dir.path().join("copy.sqlite");
    let backup = admin(&["backup", &copy.display().to_string()]);
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let again = admin(&["backup", &copy.display().to_string()]);
    assert!(!again.status.success(), "an existing file is never overwritten");
    drop(child);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&copy).expect("copy").permissions().mode() & 0o777, 0o600);
    }
    let key = format!("{}.key", db.display());
    let verify = keydesk()
        .args(["admin", "--db"])
        .arg(&copy)
        .args(["--data-key-file", &key, "verify"])
        .output()
        .expect("verify");
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    assert!(String::from_utf8_lossy(&verify.stdout).contains("integrity and foreign keys ok"));
    let listed = keydesk()
        .args(["admin", "--db"])
        .arg(&copy)
        .args(["--data-key-file", &key, "distributor", "list"])
        .output()
        .expect("list");
    assert!(String::from_utf8_lossy(&listed.stdout).contains("ACME"), "the copy holds the served data");

    // A file that is no database is refused with a sentence, and left as it was.
    let bad = dir.path().join("bad.sqlite");
    std::fs::write(&bad, vec![0x5a; 8192]).expect("write");
    let refused =
        keydesk().args(["admin", "--db"]).arg(&bad).args(["--data-key-file", &key, "verify"]).output().expect("verify");
    assert!(!refused.status.success());
    let text = String::from_utf8_lossy(&refused.stderr);
    assert!(text.contains("not a database"), "{text}");
    assert_eq!(std::fs::read(&bad).expect("read"), vec![0x5a; 8192]);
}
