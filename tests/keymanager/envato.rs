//! Envato purchase codes (206): an unknown key that Envato sold as the item of an Envato
//! product is imported, owned by its buyer.

use keydesk::client::envato::EnvatoClient;
use keydesk::domain::product::ProductSource;
use keydesk::service::Actor;
use keydesk::store::ProductFields;

use crate::world::{World, assert_code};

/// A stand-in for Envato's Market API on 127.0.0.1: one known purchase code, for item 4242.
async fn fake_envato() -> String {
    let app = axum::Router::new().route(
        "/v3/market/author/sale",
        axum::routing::get(
            |query: axum::extract::Query<std::collections::HashMap<String, String>>, headers: axum::http::HeaderMap| async move {
                let authorised = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer author-token");
                match (authorised, query.get("code").map(String::as_str)) {
                    (false, _) => (axum::http::StatusCode::UNAUTHORIZED, String::new()),
                    (true, Some("86781236-23d0-4b3c-7dfa-c1c147e0dece")) => (
                        axum::http::StatusCode::OK,
                        r#"{"amount":"19.84","sold_at":"2024-01-08T00:00:00+11:00","license":"Regular License","item":{"id":4242,"name":"Theme"},"buyer":"buyer_username","purchase_count":1}"#.to_owned(),
                    ),
                    (true, _) => (axum::http::StatusCode::NOT_FOUND, r#"{"error":404}"#.to_owned()),
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_purchase_code_of_an_envato_product_is_added() {
    let envato = EnvatoClient::new(fake_envato().await, "author-token").expect("client");
    let w = World::signed_with(keydesk::server::Options { envato: Some(envato), ..Default::default() }).await;
    let fields = ProductFields {
        name: "Theme".into(),
        description: "sold on Envato".into(),
        source: ProductSource::Envato,
        external_reference: "4242".into(),
        active: true,
        require_non_expired: false,
        post_url: String::new(),
        distributor: None,
    };
    w.service.create_product(&Actor::Owner, &fields).expect("product");
    let code = "86781236-23d0-4b3c-7dfa-c1c147e0dece";
    let verify = [("license_key", code), ("identifier", "shop.example"), ("email", "buyer@example.com")];
    assert_code(&w.post("verify", &verify).await, 206, "Envato purchase code added");
    // From now on it is an ordinary assigned key.
    assert_code(
        &w.post("verify", &verify).await,
        202,
        "No activation found for this license key/identifier combination",
    );
    assert_code(&w.post("activate", &verify).await, 300, "License key activated");
    let listed = w.get("get-license-keys", &[("status", "assigned")]).await;
    let key = &listed.response["license_keys"][0];
    assert_eq!(
        (key["owner_email"].as_str(), key["owner_name"].as_str()),
        (Some("buyer@example.com"), Some("buyer_username"))
    );
    // Codes Envato does not know stay invalid.
    assert_code(
        &w.post("verify", &[("license_key", "00000000-0000-4000-8000-000000000000"), ("identifier", "x")]).await,
        210,
        "Invalid license key",
    );
}
