//! The server as an attacker meets it: slow and silent sockets (plain and TLS), bodies too
//! large for any call and sent without credentials, staff passwords guessed from behind a
//! trusted proxy, and what the file keeps of mails. Each test runs the real server on
//! 127.0.0.1 and talks to it over TCP. (Forged forwarding headers: `server/client_addr.rs`.)

mod at_rest;
mod connections;
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
