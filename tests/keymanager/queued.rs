//! random-assign-license-keys-queued: 807 at once, the keys later at the webhook.

use std::sync::{Arc, Mutex};

use keydesk::domain::license::KeyState;
use serde_json::Value;

use crate::world::{World, assert_code};

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
    let w = World::start().await;
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

    let http = reqwest::Client::new();
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
    let w = World::start().await;
    let product = w.product("Empty");
    let (url, bodies) = receiver().await;
    let id = product.0.to_string();
    let request = [("product_id", id.as_str()), ("quantity", "2"), ("webhook_url", url.as_str()), ("identifier", "77")];
    assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
    keydesk::server::run_jobs_once(&w.service, &reqwest::Client::new()).await;
    let body: Value = serde_json::from_str(&bodies.lock().expect("lock")[0]).expect("json");
    let response = &body["original"]["response"];
    assert_eq!(
        (response["code"].as_u64(), response["available_quantity"].as_u64(), response["identifier"].as_str()),
        (Some(802), Some(0), Some("77"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queued_request_needs_a_webhook_url() {
    let w = World::start().await;
    let product = w.product("Nowhere").0.to_string();
    let refused = w
        .post("random-assign-license-keys-queued", &[("product_id", product.as_str()), ("webhook_url", "ftp://x")])
        .await;
    assert_code(&refused, 901, "Incorrect data found");
    assert_eq!(refused.response["errors"]["webhook_url"][0], "The webhook url field must be a valid URL.");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retried_delivery_sends_the_same_keys_and_assigns_no_more() {
    let w = World::start().await;
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
    let request = [
        ("product_id", id.as_str()),
        ("quantity", "3"),
        ("generate", "1"),
        ("webhook_url", url.as_str()),
        ("identifier", "9"),
    ];
    assert_code(&w.post("random-assign-license-keys-queued", &request).await, 807, "Request Queued");
    let http = reqwest::Client::new();
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
