//! The console API of `keydesk serve` over real HTTP: staff login, sessions, and the
//! errors a remote console tells apart.

use std::sync::Arc;

use keydesk::client::console::{ConsoleClient, ConsoleClientError};
use keydesk::domain::staff::Role;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, Store};
use tokio::sync::oneshot;

#[path = "../support/server.rs"]
mod server;

struct World {
    service: Service,
    base: String,
    _dir: tempfile::TempDir,
    _stop: oneshot::Sender<()>,
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("api.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    service.add_staff(&Actor::Owner, "mara", "mara's long password", Role::Owner).expect("staff");
    let (base, stop) = server::start(&service).await;
    World { service, base, _dir: dir, _stop: stop }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_member_logs_in_uses_the_session_and_logs_out() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    let staff = client.login("mara", "mara's long password").await.expect("login");
    assert_eq!((staff.username.as_str(), staff.role.as_str(), staff.scope), ("mara", "owner", None));
    assert_eq!(client.whoami().await.expect("whoami").username, "mara");
    let token = client.token().expect("token").to_owned();
    assert_eq!(token.len(), 64);
    client.logout().await.expect("logout");
    let stale = ConsoleClient::new(&w.base).expect("client").with_token(&token);
    assert!(matches!(stale.whoami().await, Err(ConsoleClientError::Unauthorized(_))), "a logged-out token is dead");
    assert_eq!(w.service.staff(&Actor::Owner).expect("staff").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_missing_tokens_and_dead_servers_are_told_apart() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    assert!(matches!(client.login("mara", "wrong password").await, Err(ConsoleClientError::Unauthorized(_))));
    assert!(matches!(client.login("nobody", "mara's long password").await, Err(ConsoleClientError::Unauthorized(_))));
    assert!(matches!(client.whoami().await, Err(ConsoleClientError::Unauthorized(_))), "no token at all");
    let forged = ConsoleClient::new(&w.base).expect("client").with_token(&"0".repeat(64));
    assert!(matches!(forged.whoami().await, Err(ConsoleClientError::Unauthorized(_))));
    // A port where nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let mut nowhere = ConsoleClient::new(&format!("http://{closed}")).expect("client");
    assert!(matches!(nowhere.login("mara", "x").await, Err(ConsoleClientError::Unreachable { .. })));
    // Something that is not a keydesk console API (the license key API's 404).
    let mut other = ConsoleClient::new(&format!("{}/api/v1/nothing", w.base)).expect("client");
    assert!(matches!(other.login("mara", "x").await, Err(ConsoleClientError::NotConsoleApi { .. })));
    let version = client.check_version().await.expect("version");
    assert_eq!(version.api, keydesk::protocol::console::wire::API_VERSION);
}
