//! The real OS keyring: a private D-Bus session with GNOME Keyring's Secret Service in it
//! (packages dbus and gnome-keyring, which .ci/run installs), and keydesk's secrets and data
//! keys stored there and read back by a new reader. Its own test binary with one test,
//! because it points this process's D-Bus address at the private session.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use keydesk::console::profile::{KeySource, data_key};
use keydesk::console::secrets::{Kept, Secrets};

/// The daemons of the private session; stopped when dropped.
struct Session {
    daemons: Vec<Child>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for daemon in &mut self.daemons {
            let _ = daemon.kill();
            let _ = daemon.wait();
        }
    }
}

fn installed(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

/// Starts a session bus and an unlocked keyring in it, with `home` as the keyring's home.
fn session(home: &std::path::Path) -> Session {
    let mut bus = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().expect("stdout")).read_line(&mut address).expect("the bus address");
    let address = address.trim().to_owned();
    // SAFETY: this binary's only test sets the variable before any thread that could read it
    // (the keyring client) exists.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &address) };
    let runtime_dir = home.join("run");
    std::fs::create_dir_all(&runtime_dir).expect("runtime dir");
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--unlock", "--components=secrets"])
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon");
    // --unlock reads the new login keyring's password from standard input, up to its end.
    keyring.stdin.take().expect("stdin").write_all(b"keydesk-test").expect("password");
    // The daemon takes a moment to claim its name on the bus.
    std::thread::sleep(std::time::Duration::from_millis(800));
    Session { daemons: vec![keyring, bus] }
}

#[test]
fn secrets_and_data_keys_live_in_the_secret_service_and_a_new_reader_finds_them() {
    if !installed("dbus-daemon") || !installed("gnome-keyring-daemon") {
        eprintln!("skipped: install dbus and gnome-keyring (.ci/run does) to test the real keyring");
        return;
    }
    let home = tempfile::tempdir().expect("home");
    let _session = session(home.path());

    let account = "session mara@https://keys.example.com";
    let kept = Secrets::os_keyring().set(account, "t0ken-in-the-keyring");
    assert_eq!(kept, Kept::Keyring, "the Secret Service takes the token");
    assert_eq!(Secrets::os_keyring().get(account).as_deref(), Some("t0ken-in-the-keyring"), "a new reader finds it");
    Secrets::os_keyring().delete(account);
    assert_eq!(Secrets::os_keyring().get(account), None, "and it can be forgotten");

    let db = home.path().join("keyring.sqlite");
    let (first, source) = data_key(&db).expect("a new database's key");
    assert_eq!(source, KeySource::Keyring, "no key file: the key went to the keyring");
    assert!(!keydesk::store::keyfile::default_key_path(&db).exists());
    let backend = keydesk::backend::LocalBackend::open(&db, &first).expect("created");
    drop(backend);
    let (again, source) = data_key(&db).expect("the existing database's key");
    assert_eq!((again.to_hex(), source), (first.to_hex(), KeySource::Keyring));
}
