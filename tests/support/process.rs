//! The real `keydesk` binary, as an operator runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// `keydesk` with a clean environment for the data key and an info log.
pub fn keydesk() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_keydesk"));
    command.env_remove("KEYDESK_DATA_KEY").env("RUST_LOG", "info");
    command
}

/// Starts `keydesk serve` on a free port; the child, its log lines, and its address.
pub fn serve(db: &std::path::Path, extra: &[&str]) -> (std::process::Child, std::sync::mpsc::Receiver<String>, String) {
    let mut child = keydesk()
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve");
    // Read the log on a thread, so that a server that never starts fails the test instead of hanging it.
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait = std::time::Duration::from_secs(30);
    let address = loop {
        let line = rx.recv_timeout(wait).expect("the server logs its address within 30 s");
        if let Some(rest) = line.split("address=").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    (child, rx, address)
}

/// A child process killed when this drops, so that a failing test leaves no server behind
/// (one would hold the test's output open).
#[allow(dead_code)]
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
