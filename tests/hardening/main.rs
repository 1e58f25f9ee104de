//! The server as an attacker meets it: slow and silent sockets (plain and TLS), bodies too
//! large for any call and sent without credentials, staff passwords guessed from behind a
//! trusted proxy, what the file keeps of mails, and a full or read-only disk. Each test runs the real server on
//! 127.0.0.1 and talks to it over TCP. (Forged forwarding headers: `server/client_addr.rs`.)

mod at_rest;
#[path = "../support/process.rs"]
mod binary;
mod connections;
mod disk;
mod logins;
mod process;
#[path = "../support/server.rs"]
mod server;

use std::sync::Arc;

use keydesk::service::{Service, SystemClock};
use keydesk::store::{DataKey, Store};

/// A fresh database behind a service, kept with its folder.
pub struct Fresh {
    pub service: Service,
    _dir: tempfile::TempDir,
}

pub fn fresh() -> Fresh {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("hardening.sqlite"), &DataKey::generate()).expect("store");
    Fresh { service: Service::new(Arc::new(store), Arc::new(SystemClock)), _dir: dir }
}
