//! The console API of `keydesk serve` over real HTTP: staff login, sessions, and the
//! errors a remote console tells apart.

use std::sync::Arc;

use axum::response::IntoResponse;

use keydesk::backend::ResellerPools;
use keydesk::client::console::{ConsoleClient, ConsoleClientError, Retry};
use keydesk::domain::staff::Role;
use keydesk::protocol::console::wire::{IssuedView, KeyRequest};
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, Store};
use reqwest::Method;
use tokio::sync::oneshot;

mod feed;
#[path = "../support/server.rs"]
mod server;
mod tenancy;

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

/// Two resellers with a pool each, staff of every role, and a client logged in as each.
async fn roles(w: &World) -> (ConsoleClient, ConsoleClient, ConsoleClient, i64, i64) {
    use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
    use keydesk::domain::reseller::Edition;
    use keydesk::store::{GeneratorFields, ProductFields};
    let owner = &Actor::Owner;
    let product = w.service.create_product(owner, &ProductFields::named("Suite", "")).expect("product").id;
    let charset = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    w.service.create_generator(owner, &GeneratorFields::chunks(product, charset, 4, 5)).expect("generator");
    let shop = w.service.add_reseller(owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("shop").id;
    let other = w.service.add_reseller(owner, "other@example.com", "Other", "other-secret", None).expect("other").id;
    w.service.add_pool(owner, shop, Edition::Professional, product, 10).expect("pool");
    w.service.add_pool(owner, other, Edition::Professional, product, 10).expect("pool");
    let code = DistributorCode::parse("ACME").expect("code");
    let (acme, _) =
        w.service.create_distributor(owner, code, "Acme", true, DistributorSettings::default()).expect("distributor");
    w.service.add_staff(owner, "rita", "rita's long password", Role::Reseller(shop)).expect("reseller staff");
    w.service.add_staff(owner, "dan", "dan's long password!", Role::Distributor(acme.id)).expect("distributor staff");
    let mut as_owner = ConsoleClient::new(&w.base).expect("client");
    as_owner.login("mara", "mara's long password").await.expect("owner login");
    let mut as_reseller = ConsoleClient::new(&w.base).expect("client");
    as_reseller.login("rita", "rita's long password").await.expect("reseller login");
    let mut as_distributor = ConsoleClient::new(&w.base).expect("client");
    as_distributor.login("dan", "dan's long password!").await.expect("distributor login");
    (as_owner, as_reseller, as_distributor, shop.0, other.0)
}

async fn resellers(client: &ConsoleClient) -> Result<Vec<ResellerPools>, ConsoleClientError> {
    client.call(Method::GET, "resellers", None::<&()>, Retry::Read).await
}

async fn issue(client: &ConsoleClient, order: &KeyRequest) -> Result<IssuedView, ConsoleClientError> {
    client.call(Method::POST, "keys", Some(order), Retry::Write).await
}

fn order(reseller: i64, quantity: u32) -> KeyRequest {
    KeyRequest {
        reseller,
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@customer.example".into(),
        quantity,
        edition: None,
        test_mode: false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_reaches_only_its_own_pools_and_key_generation() {
    let w = world().await;
    let (owner, reseller, distributor, shop, other) = roles(&w).await;
    assert_eq!(resellers(&owner).await.expect("owner").len(), 2, "the owner sees every reseller");
    let own = resellers(&reseller).await.expect("reseller staff");
    assert_eq!(
        own.iter().map(|r| r.reseller.id.0).collect::<Vec<_>>(),
        vec![shop],
        "reseller staff see their reseller only"
    );
    let issued = issue(&reseller, &order(shop, 3)).await.expect("own pool");
    assert_eq!((issued.keys.len(), issued.left), (3, 7));
    assert!(matches!(issue(&reseller, &order(other, 1)).await, Err(ConsoleClientError::Forbidden(_))));
    assert!(matches!(resellers(&distributor).await, Err(ConsoleClientError::Forbidden(_))));
    assert!(matches!(issue(&distributor, &order(shop, 1)).await, Err(ConsoleClientError::Forbidden(_))));
    let issued = issue(&owner, &order(other, 2)).await.expect("the owner issues for anyone");
    assert_eq!(issued.left, 8);
    assert!(matches!(issue(&owner, &order(other, 9)).await, Err(ConsoleClientError::Refused(_))), "pool too small");
    let anonymous = ConsoleClient::new(&w.base).expect("client");
    assert!(matches!(resellers(&anonymous).await, Err(ConsoleClientError::Unauthorized(_))));
    assert!(matches!(issue(&anonymous, &order(shop, 1)).await, Err(ConsoleClientError::Unauthorized(_))));
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_that_are_not_the_api_are_refused_with_a_problem() {
    let w = world().await;
    let (owner, _, _, shop, _) = roles(&w).await;
    let http = reqwest::Client::new();
    let login = http.post(format!("{}/console/v1/login", w.base)).body("username=mara").send().await.expect("send");
    assert_eq!(login.status().as_u16(), 400);
    let problem: keydesk::protocol::console::wire::Problem = login.json().await.expect("a problem");
    assert_eq!(problem.error, "refused");
    let mut gold = order(shop, 1);
    gold.edition = Some("gold".into());
    assert!(matches!(issue(&owner, &gold).await, Err(ConsoleClientError::Refused(m)) if m.contains("pro or ent")));
}

/// A keydesk of another console API version (a real HTTP server answering `version` as a
/// newer keydesk would): the client refuses it before sending the password.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_of_another_api_version_is_refused_before_the_login() {
    let logins = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = logins.clone();
    let newer = axum::Router::new()
        .route(
            "/console/v1/version",
            axum::routing::get(|| async { axum::Json(serde_json::json!({"api": 99, "keydesk": "9.0.0"})) }),
        )
        .route(
            "/console/v1/login",
            axum::routing::post(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async { axum::http::StatusCode::NO_CONTENT }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, newer).await });
    let mut client = ConsoleClient::new(&base).expect("client");
    let refused = client.login("mara", "mara's long password").await.expect_err("another version");
    assert!(matches!(refused, ConsoleClientError::Incompatible { server: 99 }), "{refused:?}");
    assert!(refused.to_string().contains("update one of them"), "{refused}");
    assert_eq!(logins.load(std::sync::atomic::Ordering::SeqCst), 0, "the password was never sent");
}

/// The database breaks under the running server: a call that needs the broken table answers
/// 500 `failed` with a plain sentence, and the detail stays in the server's log.
#[tokio::test(flavor = "multi_thread")]
async fn a_store_failure_answers_500_failed_without_its_detail() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    client.login("mara", "mara's long password").await.expect("login");
    let raw = rusqlite::Connection::open(w.service.store().path()).expect("open");
    raw.execute_batch("DROP TABLE telemetry").expect("drop");
    let answer: Result<serde_json::Value, _> =
        client.call(Method::POST, "telemetry", Some(&serde_json::json!({})), Retry::Read).await;
    match answer {
        Err(ConsoleClientError::Failed(message)) => {
            assert_eq!(message, "keydesk could not complete this.");
        }
        other => panic!("expected 500 failed, got {other:?}"),
    }
    assert!(client.whoami().await.is_ok(), "the rest of the server still answers");
}

/// Behind a proxy that answers 503 once per path: a read is sent again and succeeds, a
/// write is sent once and its 503 reported (a real HTTP server counting what arrives).
#[tokio::test(flavor = "multi_thread")]
async fn reads_are_retried_after_a_503_and_writes_never_are() {
    use std::collections::HashMap;
    use std::sync::Mutex;
    let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let counter = seen.clone();
    let flaky = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let counter = counter.clone();
        async move {
            let path = request.uri().path().to_owned();
            let count = {
                let mut all = counter.lock().expect("lock");
                let count = all.entry(path.clone()).or_insert(0);
                *count += 1;
                *count
            };
            if count == 1 {
                return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
            }
            let staff = serde_json::json!({"username": "mara", "role": "owner", "scope": null});
            axum::Json(staff).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, flaky).await });
    let client = ConsoleClient::new(&base).expect("client").with_token("t");
    assert_eq!(client.whoami().await.expect("the read is retried").username, "mara");
    let write: Result<serde_json::Value, _> =
        client.call(Method::POST, "users", Some(&serde_json::json!({})), Retry::Write).await;
    assert!(
        matches!(&write, Err(ConsoleClientError::Unreachable { detail, .. }) if detail.contains("503")),
        "{write:?}"
    );
    let counts = seen.lock().expect("lock").clone();
    assert_eq!(counts.get("/console/v1/whoami"), Some(&2), "one retry for the read");
    assert_eq!(counts.get("/console/v1/users"), Some(&1), "the write went once");
}

/// Bodies and queries that are not a call's, after the session is known: 413 for a body over
/// the limit, 415 for one that is not JSON, 400 for a query of the wrong shape, each a problem.
#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_non_json_bodies_and_bad_queries_are_told_apart() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    client.login("mara", "mara's long password").await.expect("login");
    let token = client.token().expect("token").to_owned();
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}/console/v1/{path}", w.base);
    let huge = format!("{{\"distributor\": 1, \"records\": [], \"pad\": \"{}\"}}", "x".repeat(9 * 1024 * 1024));
    let answers = [
        http.post(url("users/import")).bearer_auth(&token).header("content-type", "application/json").body(huge),
        http.post(url("users")).bearer_auth(&token).header("content-type", "text/plain").body("alice"),
        http.get(url("users?limit=many")).bearer_auth(&token),
    ];
    let mut statuses = Vec::new();
    for request in answers {
        // The server answers 413 once it has read its limit and closes the connection; a client
        // still writing the rest of 9 MiB may see its write fail before it reads the answer (the
        // usual race of an early answer over HTTP/1.1). Such a send is tried again, a few times.
        let mut response = None;
        for _ in 0..5 {
            match request.try_clone().expect("a clonable request").send().await {
                Ok(answer) => {
                    response = Some(answer);
                    break;
                }
                Err(error) if error.is_request() => continue,
                Err(error) => panic!("send: {error}"),
            }
        }
        let response = response.expect("an answer within five tries");
        statuses.push(response.status().as_u16());
        let problem: keydesk::protocol::console::wire::Problem = response.json().await.expect("a problem");
        assert_eq!(problem.error, "refused");
    }
    assert_eq!(statuses, vec![413, 415, 400]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_account_logs_in_no_more_and_its_sessions_end() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    client.login("mara", "mara's long password").await.expect("login");
    let owner = &Actor::Owner;
    // A second owner, so that mara is not the last one who can log in.
    w.service.add_staff(owner, "otto", "otto's long password", keydesk::domain::staff::Role::Owner).expect("otto");
    w.service.set_staff_disabled(owner, "mara", true).expect("disable");
    assert!(matches!(client.whoami().await, Err(ConsoleClientError::Unauthorized(_))), "the session ended");
    let mut again = ConsoleClient::new(&w.base).expect("client");
    assert!(matches!(again.login("mara", "mara's long password").await, Err(ConsoleClientError::Unauthorized(_))));
    w.service.set_staff_disabled(owner, "mara", false).expect("enable");
    again.login("mara", "mara's long password").await.expect("enabled again");
    // A new password ends the sessions, and only the new one logs in.
    w.service.set_staff_password(owner, "mara", "a brand new password").expect("password");
    assert!(matches!(again.whoami().await, Err(ConsoleClientError::Unauthorized(_))));
    assert!(again.login("mara", "mara's long password").await.is_err());
    again.login("mara", "a brand new password").await.expect("the new password");
    assert!(matches!(
        w.service.set_staff_password(owner, "mara", "short"),
        Err(keydesk::service::ServiceError::PasswordInvalid)
    ));
    w.service.delete_staff(owner, "mara").expect("delete");
    assert!(matches!(again.whoami().await, Err(ConsoleClientError::Unauthorized(_))));
    let left: Vec<String> = w.service.staff(owner).expect("staff").into_iter().map(|m| m.username).collect();
    assert_eq!(left, vec!["otto".to_owned()]);
}
