//! API keys (100-103), the blocklist (150), and the signed envelope.

use keydesk::client::keymanager::KeyClient;
use keydesk::domain::endpoint::{Capabilities, Endpoint};
use keydesk::domain::license::KeyState;
use keydesk::service::Actor;
use keydesk::store::BlockKind;

use crate::world::{World, assert_code};

#[tokio::test(flavor = "multi_thread")]
async fn api_key_codes_100_to_103() {
    let w = World::start().await;
    let wrong = KeyClient::new(&w.base, "2964c3c9-0b5d-4d89-b3ac-4668f30bc492X").expect("client");
    assert_code(
        &wrong.post("verify", &[("license_key", "x"), ("identifier", "a.b")]).await.expect("env"),
        100,
        "Invalid API Key",
    );
    let missing = KeyClient::new(&w.base, "").expect("client");
    assert_code(&missing.get("get-all-products", &[]).await.expect("env"), 100, "Invalid API Key");

    let (record, key) = w.service.create_api_key(&Actor::Owner, "off", Capabilities::All, &[]).expect("key");
    w.service.set_api_key_active(&Actor::Owner, record.id, false).expect("disable");
    let inactive = KeyClient::new(&w.base, key).expect("client");
    assert_code(&inactive.post("verify", &[]).await.expect("env"), 101, "Inactive API Key");

    let (_, key) = w
        .service
        .create_api_key(&Actor::Owner, "verify only", Capabilities::Only(vec![Endpoint::Verify]), &[])
        .expect("key");
    let narrow = KeyClient::new(&w.base, key).expect("client");
    let refused = narrow.post("activate", &[("license_key", "x"), ("identifier", "a")]).await.expect("env");
    assert_code(&refused, 102, "The used API key doesn't have the required capability to access this endpoint");
    assert_code(
        &narrow.post("verify", &[("license_key", "x"), ("identifier", "a")]).await.expect("env"),
        210,
        "Invalid license key",
    );

    let (_, key) = w
        .service
        .create_api_key(&Actor::Owner, "elsewhere", Capabilities::All, &["192.0.2.1".parse().expect("ip")])
        .expect("key");
    let elsewhere = KeyClient::new(&w.base, key).expect("client");
    assert_code(&elsewhere.post("verify", &[]).await.expect("env"), 103, "API key can't be used from this IP address");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_may_come_as_a_bearer_token() {
    let w = World::start().await;
    let (_, key) = w.service.create_api_key(&Actor::Owner, "bearer", Capabilities::All, &[]).expect("key");
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/get-all-products", w.base))
        .bearer_auth(key)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = serde_json::from_str(&response.text().await.expect("body")).expect("json");
    assert_eq!(body["response"]["code"], 810);
}

#[tokio::test(flavor = "multi_thread")]
async fn blocked_addresses_identifiers_and_domains_get_150() {
    let w = World::start().await;
    let product = w.product("Blocky");
    w.keys(product, &["BLOCK-1"], KeyState::Assigned, 0);
    w.service.block(&Actor::Owner, BlockKind::Identifier, "pirate-machine").expect("block");
    w.service.block(&Actor::Owner, BlockKind::Domain, "warez.example").expect("block");
    let activate = |identifier: &'static str| [("license_key", "BLOCK-1"), ("identifier", identifier)];
    assert_code(&w.post("activate", &activate("pirate-machine")).await, 150, "Access denied");
    assert_code(&w.post("activate", &activate("shop.warez.example")).await, 150, "Access denied");
    assert_code(&w.post("activate", &activate("https://warez.example/shop")).await, 150, "Access denied");
    assert_code(&w.post("activate", &activate("honest.example")).await, 300, "License key activated");
    w.service.block(&Actor::Owner, BlockKind::Ip, "127.0.0.1").expect("block");
    assert_code(&w.get("get-all-products", &[]).await, 150, "Access denied");
}

#[tokio::test(flavor = "multi_thread")]
async fn responses_are_signed_with_the_global_or_the_products_key() {
    let w = World::start().await;
    let global = w.client.public_key(None).await.expect("fetch").expect("a global key");
    assert!(global.starts_with("-----BEGIN PUBLIC KEY-----"));
    let envelope = w.post("verify", &[("license_key", "nope"), ("identifier", "a.b/c")]).await;
    assert_code(&envelope, 210, "Invalid license key");
    assert_eq!(envelope.private_key_used, "global");
    assert!(envelope.verify(&global), "the signature verifies with the published key");
    assert_eq!(envelope.signature.len(), 344, "base64 of 256 bytes");

    let product = w.product("Own Key");
    let pem = w.product_key(product);
    w.keys(product, &["OWN-1"], KeyState::Available, 1);
    let envelope = w.post("verify", &[("license_key", "OWN-1"), ("identifier", "x")]).await;
    assert_code(&envelope, 201, "This license key is not assigned");
    assert_eq!(envelope.private_key_used, "product");
    assert!(envelope.verify(&pem) && !envelope.verify(&global));
    assert_eq!(w.client.public_key(Some(product.0)).await.expect("fetch"), Some(pem));

    // PHP's json_encode escapes '/': the signed bytes carry "key\/identifier".
    let envelope = w.post("get-license-key-details", &[("license_key", "missing"), ("identifier", "x")]).await;
    assert!(envelope.signed_json.contains(r#""Invalid license key""#));
    let assigned = w.product("Slashes");
    w.keys(assigned, &["SLASH-1"], KeyState::Assigned, 1);
    let envelope = w.post("verify", &[("license_key", "SLASH-1"), ("identifier", "x")]).await;
    assert!(envelope.signed_json.contains(r"license key\/identifier combination"), "{}", envelope.signed_json);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_key_the_signature_says_so() {
    let w = World::unsigned().await;
    let envelope = w.get("get-all-products", &[]).await;
    assert_code(&envelope, 810, "All products");
    assert_eq!((envelope.private_key_used.as_str(), envelope.signature.as_str()), ("global", "Private key not set"));
    assert_eq!(w.client.public_key(None).await.expect("fetch"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_are_404_and_other_methods_405() {
    let w = World::start().await;
    let http = reqwest::Client::new();
    let response = http.post(format!("{}/api/v1/drop-tables", w.base)).send().await.expect("send");
    assert_eq!(response.status().as_u16(), 404);
    let response = http.delete(format!("{}/api/v1/verify", w.base)).send().await.expect("send");
    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_made_by_another_process_signs_from_then_on() {
    let w = World::unsigned().await;
    assert_eq!(w.get("get-all-products", &[]).await.signature, "Private key not set");
    // As `keydesk admin signing-key` does from another process: straight into the store.
    let (key, der) = keydesk::service::signing::SigningKey::generate().expect("key");
    w.service.store().write(|db| db.set_global_signing_key(&der)).expect("store");
    let envelope = w.client.get("get-all-products", &[]).await.expect("envelope");
    assert!(envelope.verify(key.public_key_pem()), "{:?}", envelope.signature);
    assert_eq!(w.client.public_key(None).await.expect("fetch").as_deref(), Some(key.public_key_pem()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_confined_to_a_product_touches_nothing_else() {
    let w = World::start().await;
    let ours = w.product("Ours");
    let theirs = w.product("Theirs");
    w.keys(ours, &["OURS-1"], KeyState::Assigned, 0);
    w.keys(theirs, &["THEIRS-1"], KeyState::Assigned, 0);
    let owner = &keydesk::service::Actor::Owner;
    let (record, key) =
        w.service.create_api_key(owner, "our app", keydesk::domain::endpoint::Capabilities::All, &[]).expect("key");
    w.service.set_api_key_products(owner, record.id, &[ours]).expect("scope");
    let app = keydesk::client::keymanager::KeyClient::new(&w.base, key).expect("client");
    let post = |endpoint: &'static str, fields: Vec<(&'static str, String)>| {
        let app = app.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post(endpoint, &fields).await.expect("an envelope").code()
        }
    };
    let activate = |k: &str| vec![("license_key", k.to_owned()), ("identifier", "pc".to_owned())];
    assert_eq!(post("activate", activate("OURS-1")).await, 300, "its own product's keys work");
    assert_eq!(post("activate", activate("THEIRS-1")).await, 210, "another product's key is unknown to it");
    assert_eq!(post("get-license-key-details", activate("THEIRS-1")).await, 210);
    let product = |p: keydesk::domain::product::ProductId| vec![("product_id", p.0.to_string())];
    assert_eq!(post("get-available-license-keys-count", product(ours)).await, 741);
    assert_eq!(post("get-available-license-keys-count", product(theirs)).await, 150, "another product is refused");
    assert_eq!(post("create-product", vec![("name", "New".into()), ("description", "x".into())]).await, 150);
    let listed = app.get("get-all-products", &[]).await.expect("an envelope");
    assert_eq!(listed.code(), 150, "a listing spans products: refused");
    // The unconfined key still sees everything.
    assert_eq!(w.post("activate", &[("license_key", "THEIRS-1"), ("identifier", "pc")]).await.code(), 300);
}
