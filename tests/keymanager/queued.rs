//! random-assign-license-keys-queued: 807 at once, the keys later at the webhook.

use std::sync::{Arc, Mutex};

use keydesk::domain::license::KeyState;
use keydesk::domain::webhook::WebhookReach;
use serde_json::Value;

use crate::world::{World, assert_code};

/// Posts webhooks to 127.0.0.1 too, where the tests' receivers listen.
fn local_hooks() -> keydesk::server::Webhooks {
    keydesk::server::Webhooks::new(WebhookReach::AnyAddress).expect("client")
}

/// Queues an assignment of three generated keys of product `id` to the webhook `url`.
async fn queue_three(w: &World, id: &str, url: &str, identifier: &str) {
    let request =
        [("product_id", id), ("quantity", "3"), ("generate", "1"), ("webhook_url", url), ("identifier", identifier)];
    assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
}

/// A webhook receiver on 127.0.0.1 that keeps every body it is sent.
async fn receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                kept.lock().expect("lock").push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook?getKeyManager-webhook=secret", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, bodies)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_assignment_is_queued_then_posted_to_the_webhook() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Queued");
    w.generator(product, "uuid", "", 0, 0);
    w.keys(product, &["Q-1"], KeyState::Available, 1);
    let (url, bodies) = receiver().await;
    let id = product.0.to_string();
    let request = [
        ("product_id", id.as_str()),
        ("owner_name", "Test User"),
        ("owner_email", "buyer@example.com"),
        ("quantity", "7"),
        ("generate", "1"),
        ("webhook_url", url.as_str()),
        ("identifier", "31"),
    ];
    assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
    assert!(bodies.lock().expect("lock").is_empty(), "nothing is sent before the job runs");

    let http = local_hooks();
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &http).await, 1);
    let received = bodies.lock().expect("lock").clone();
    assert_eq!(received.len(), 1);
    let body: Value = serde_json::from_str(&received[0]).expect("json");
    let response = &body["original"]["response"];
    assert_eq!((response["code"].as_u64(), response["identifier"].as_str()), (Some(803), Some("31")));
    let keys = response["license_keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 7);
    assert!(keys.iter().any(|k| k["license_key"] == "Q-1"), "stock first, then generated keys");
    let fields: Vec<&str> = keys[0].as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        [
            "product_id",
            "license_key",
            "activation_limit",
            "validity",
            "status",
            "owner_name",
            "owner_email",
            "assigned_at",
            "contract_id",
            "updated_at",
            "created_at",
            "id",
            "meta_data"
        ]
    );
    let global = w.client.public_key(None).await.expect("fetch").expect("key");
    let original = &body["original"];
    let encoded = original["response_base64"].as_str().expect("base64");
    let signed_json =
        String::from_utf8(base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded).expect("decode"))
            .expect("utf8");
    let envelope = keydesk::client::keymanager::Envelope {
        status: 200,
        response: original["response"].clone(),
        signed_json,
        private_key_used: original["private_key_used"].as_str().unwrap_or_default().to_owned(),
        signature: original["signature"].as_str().unwrap_or_default().to_owned(),
    };
    assert!(envelope.verify(&global), "the webhook's answer is signed like any response");
    // Done: a second round sends nothing.
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &http).await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_assignment_reaches_the_webhook_with_its_code() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Empty");
    let (url, bodies) = receiver().await;
    let id = product.0.to_string();
    let request = [("product_id", id.as_str()), ("quantity", "2"), ("webhook_url", url.as_str()), ("identifier", "77")];
    assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
    keydesk::server::run_jobs_once(&w.service, &local_hooks()).await;
    let body: Value = serde_json::from_str(&bodies.lock().expect("lock")[0]).expect("json");
    let response = &body["original"]["response"];
    assert_eq!(
        (response["code"].as_u64(), response["available_quantity"].as_u64(), response["identifier"].as_str()),
        (Some(802), Some(0), Some("77"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_request_needs_a_webhook_url() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Nowhere").0.to_string();
    let refused = w
        .post("random-assign-license-keys-queued", &[("product_id", product.as_str()), ("webhook_url", "ftp://x")])
        .await;
    assert_code(&refused, 901, "Incorrect data found");
    assert_eq!(refused.response["errors"]["webhook_url"][0], "The webhook url field must be a valid URL.");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_delivery_sends_the_same_keys_and_assigns_no_more() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Retried");
    w.generator(product, "uuid", "", 0, 0);
    // A receiver that fails its first request.
    let bodies = Arc::new(Mutex::new(Vec::<String>::new()));
    let kept = bodies.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                let mut kept = kept.lock().expect("lock");
                kept.push(body);
                if kept.len() == 1 { axum::http::StatusCode::SERVICE_UNAVAILABLE } else { axum::http::StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let id = product.0.to_string();
    queue_three(&w, &id, &url, "9").await;
    let http = local_hooks();
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &http).await, 0, "the first delivery fails");
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &http).await, 0, "not retried before its time");
    w.clock.advance(chrono::Duration::seconds(3));
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &http).await, 1);
    let bodies = bodies.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "the retry sends the very same answer");
    let assigned = w.get("get-license-keys", &[("product_id", &id), ("status", "assigned")]).await;
    assert_eq!(assigned.response["license_keys"].as_array().map(Vec::len), Some(3), "no keys beyond the three");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_to_a_private_address_is_refused_when_asked_and_when_posted() {
    let w = World::start().await;
    let product = w.product("Inside");
    w.generator(product, "uuid", "", 0, 0);
    let (url, bodies) = receiver().await;
    let id = product.0.to_string();
    for hook in [url.as_str(), "http://localhost:9/hook", "http://169.254.169.254/latest", "http://[::1]/x"] {
        let request = [("product_id", id.as_str()), ("quantity", "1"), ("generate", "1"), ("webhook_url", hook)];
        let refused = w.post("random-assign-license-keys-queued", &request).await;
        assert_code(&refused, 901, "Incorrect data found");
        assert_eq!(refused.response["errors"]["webhook_url"][0], "The webhook url must point to a public address.");
    }
    // A job that names one anyway (queued before this rule, or through a name that resolves
    // to loopback) is not posted, and assigns nothing.
    let queued = keydesk::service::jobs::QueuedAssign {
        product_id: Some(product.0),
        owner_name: "Mallory".into(),
        owner_email: "m@example.com".into(),
        quantity: Some(2),
        generate: true,
        webhook_url: url.clone(),
        identifier: "1".into(),
        api_key: w.service.api_keys().expect("keys")[0].id,
    };
    w.service.queue_assign(&keydesk::service::Actor::Owner, &queued).expect("queued");
    let public_only = keydesk::server::Webhooks::new(WebhookReach::PublicOnly).expect("client");
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &public_only).await, 0);
    assert!(bodies.lock().expect("lock").is_empty(), "nothing reached 127.0.0.1");
    let assigned = w.get("get-license-keys", &[("product_id", &id), ("status", "assigned")]).await;
    assert_eq!(assigned.response["license_keys"].as_array().map(Vec::len), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signing_failure_after_the_assignment_undoes_it_so_the_retry_assigns_once() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Signed once");
    w.generator(product, "uuid", "", 0, 0);
    let (url, bodies) = receiver().await;
    let id = product.0.to_string();
    queue_three(&w, &id, &url, "5").await;
    // The signing key becomes unreadable between the request and the job.
    let raw = rusqlite::Connection::open(&w.db_path).expect("open");
    raw.execute_batch(
        "UPDATE meta SET value = X'00' WHERE key = 'signing_key'; \
         UPDATE meta SET value = value + 1 WHERE key = 'signing_keys_version';",
    )
    .expect("break the key");
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &local_hooks()).await, 0, "nothing to sign with");
    let count = |state: &str| {
        raw.query_row(
            "SELECT count(*) FROM licenses WHERE product_id = ?1 AND key_state = ?2",
            rusqlite::params![product.0, state],
            |r| r.get::<_, i64>(0),
        )
        .expect("count")
    };
    assert_eq!(count("assigned"), 0, "the assignment went back with the failed signature");
    // A readable key again: the retry assigns the three, once, and later rounds add none.
    w.service.create_signing_key(&keydesk::service::Actor::Owner, None).expect("new key");
    w.clock.advance(chrono::Duration::seconds(3));
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &local_hooks()).await, 1);
    w.clock.advance(chrono::Duration::seconds(60));
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &local_hooks()).await, 0);
    assert_eq!(count("assigned"), 3);
    assert_eq!(bodies.lock().expect("lock").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_webhook_holds_up_no_other_delivery() {
    let w = World::with_local_webhooks().await;
    let product = w.product("Side by side");
    w.generator(product, "uuid", "", 0, 0);
    // One receiver answers after 3 s, the other at once; each notes when it was reached.
    let reached = Arc::new(Mutex::new(Vec::<(String, std::time::Instant)>::new()));
    let noted = reached.clone();
    let app = axum::Router::new().route(
        "/{which}",
        axum::routing::post(move |axum::extract::Path(which): axum::extract::Path<String>| {
            let noted = noted.clone();
            async move {
                noted.lock().expect("lock").push((which.clone(), std::time::Instant::now()));
                if which == "slow" {
                    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                }
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let id = product.0.to_string();
    for which in ["slow", "fast"] {
        let hook = format!("{base}/{which}");
        let request = [("product_id", id.as_str()), ("generate", "1"), ("webhook_url", hook.as_str())];
        assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
    }
    let started = std::time::Instant::now();
    assert_eq!(keydesk::server::run_jobs_once(&w.service, &local_hooks()).await, 2);
    let reached = reached.lock().expect("lock").clone();
    let fast = reached.iter().find(|(which, _)| which == "fast").expect("the fast hook was posted").1;
    assert!(fast - started < std::time::Duration::from_secs(2), "the fast hook waited {:?}", fast - started);
}
