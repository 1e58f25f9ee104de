//! One suite for the console's `Backend`, run twice with the same assertions: on the local
//! backend (the service on a SQLite file in this process) and on the remote backend (the
//! console API of a real `keydesk serve` on 127.0.0.1, logged in as the owner's staff).

mod suite;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use keydesk::backend::{Backend, LocalBackend};
use keydesk::client::remote::{RemoteBackend, RemoteServer};
use keydesk::domain::distributor::{DistributorCode, DistributorId, DistributorSettings};
use keydesk::domain::staff::Role;
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::DataKey;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[path = "../support/people.rs"]
mod people;
#[path = "../support/server.rs"]
mod server;

/// Which backend a suite run drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Local,
    Remote,
}

/// A real server on its own runtime; stops when dropped.
struct Serving {
    _stop: oneshot::Sender<()>,
    _runtime: tokio::runtime::Runtime,
}

/// A database with one distributor, and the backend under test on it.
pub struct Fixture {
    /// Declared first: dropped (and logged out of) before the server stops.
    pub backend: Box<dyn Backend>,
    pub service: Service,
    pub acme: DistributorId,
    pub clock: Arc<ManualClock>,
    _serving: Option<Serving>,
    _dir: TempDir,
}

impl Fixture {
    pub fn new(side: Side) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).single().expect("time")));
        let local =
            LocalBackend::open_with_clock(&dir.path().join("suite.sqlite"), &DataKey::generate(), clock.clone())
                .expect("backend");
        let service = local.service().clone();
        let code = DistributorCode::parse("ACME").expect("code");
        let (acme, _) = service
            .create_distributor(&Actor::Owner, code, "Acme Ltd", true, DistributorSettings::default())
            .expect("distributor");
        let (backend, serving): (Box<dyn Backend>, _) = match side {
            Side::Local => (Box::new(local), None),
            Side::Remote => {
                service.add_staff(&Actor::Owner, "mara", "mara's long password", Role::Owner).expect("staff");
                let runtime = tokio::runtime::Runtime::new().expect("runtime");
                let (base, stop) = runtime.block_on(server::start(&service));
                let remote = RemoteServer { url: base, username: "mara".into(), ca_file: None };
                let backend = RemoteBackend::log_in(&remote, "mara's long password").expect("login");
                (Box::new(backend), Some(Serving { _stop: stop, _runtime: runtime }))
            }
        };
        Fixture { backend, service, acme: acme.id, clock, _serving: serving, _dir: dir }
    }
}

/// Runs each named suite function on both backends.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod local {
            $( #[test] fn $name() { super::suite::$name(&super::Fixture::new(super::Side::Local)); } )*
        }
        mod remote {
            $( #[test] fn $name() { super::suite::$name(&super::Fixture::new(super::Side::Remote)); } )*
        }
    };
}

on_both!(
    users_are_registered_listed_searched_and_changed,
    users_are_imported_and_exported,
    licenses_are_made_filtered_changed_and_exported,
    products_generators_and_stock_keys,
    resellers_issue_keys_and_pool_rights_change,
    resellers_and_pools_are_added_topped_up_closed_and_switched_off,
    staff_accounts_are_added_reset_switched_off_and_the_last_owner_kept,
    mail_relay_activity_and_telemetry,
    refusals_read_the_same_on_both_sides,
    bulk_changes_are_previewed_applied_and_undone,
    bulk_refusals_read_the_same_on_both_sides,
);
