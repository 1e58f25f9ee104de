//! License keys: verify, activate, deactivate, details, assign, create, update, delete, list.

use chrono::Duration;
use keydesk::domain::license::KeyState;
use keydesk::service::Actor;
use keydesk::service::keys::KeyTerms;

use crate::world::{World, assert_code};

fn with(key: &'static str, identifier: &'static str) -> [(&'static str, &'static str); 2] {
    [("license_key", key), ("identifier", identifier)]
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_follows_the_documented_order() {
    let w = World::start().await;
    let product = w.product("Ordered");
    w.keys(product, &["AVAILABLE-1"], KeyState::Available, 1);
    w.keys(product, &["RESERVED-1"], KeyState::Reserved, 1);
    w.keys(product, &["BLOCKED-1"], KeyState::Blocked, 1);
    w.keys(product, &["GOOD-1"], KeyState::Assigned, 1);
    assert_code(&w.post("verify", &with("NOPE", "site.example")).await, 210, "Invalid license key");
    assert_code(&w.post("verify", &with("AVAILABLE-1", "site.example")).await, 201, "This license key is not assigned");
    assert_code(&w.post("verify", &with("RESERVED-1", "site.example")).await, 201, "This license key is not assigned");
    assert_code(&w.post("verify", &with("BLOCKED-1", "site.example")).await, 204, "License key blocked");
    assert_code(&w.post("verify", &[("license_key", "GOOD-1")]).await, 215, "Identifier is required");
    assert_code(
        &w.post("verify", &with("GOOD-1", "site.example")).await,
        202,
        "No activation found for this license key/identifier combination",
    );
    assert_code(&w.post("activate", &with("GOOD-1", "site.example")).await, 300, "License key activated");
    assert_code(&w.post("verify", &with("GOOD-1", "site.example")).await, 200, "Valid license key");

    let inactive = w.product("Retired");
    w.keys(inactive, &["RETIRED-1"], KeyState::Assigned, 1);
    let fields = keydesk::store::ProductFields {
        name: "Retired".into(),
        description: "gone".into(),
        source: keydesk::domain::product::ProductSource::Internal,
        external_reference: String::new(),
        active: false,
        require_non_expired: false,
        post_url: String::new(),
        distributor: None,
    };
    w.service.update_product(&Actor::Owner, inactive, &fields).expect("deactivate product");
    assert_code(
        &w.post("verify", &with("RETIRED-1", "site.example")).await,
        203,
        "The product associated with this license key is not active or doesn't exist",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_expire_validity_days_after_assignment() {
    let w = World::start().await;
    let product = w.product("Timed");
    let terms = KeyTerms {
        product,
        owner_name: "A".into(),
        owner_email: "a@example.com".into(),
        activation_limit: 1,
        validity_days: 30,
        state: KeyState::Assigned,
        assigned_at: None,
    };
    w.service.create_keys(&Actor::Owner, &["TIMED-1".to_owned()], &terms).expect("key");
    assert_code(&w.post("activate", &with("TIMED-1", "pc-1")).await, 300, "License key activated");
    w.clock.advance(Duration::days(31));
    assert_code(&w.post("verify", &with("TIMED-1", "pc-1")).await, 205, "License key expired");
    assert_code(&w.post("activate", &with("TIMED-1", "pc-2")).await, 205, "License key expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn activate_and_deactivate_within_the_limit() {
    let w = World::start().await;
    let product = w.product("Seats");
    w.keys(product, &["TWO-SEATS"], KeyState::Assigned, 2);
    w.keys(product, &["UNLIMITED"], KeyState::Assigned, 0);
    let url = ("post_url", "https://shop.example/receiver.php?x=1");
    assert_code(
        &w.post("activate", &[("license_key", "TWO-SEATS"), ("identifier", "a"), url]).await,
        300,
        "License key activated",
    );
    assert_code(&w.post("activate", &with("TWO-SEATS", "a")).await, 301, "License key already active");
    assert_code(&w.post("activate", &with("TWO-SEATS", "b")).await, 300, "License key activated");
    assert_code(&w.post("activate", &with("TWO-SEATS", "c")).await, 302, "License key reached activation limit");
    assert_code(&w.post("activate", &[("license_key", "TWO-SEATS")]).await, 215, "Identifier is required");
    let deactivated = w.post("deactivate", &with("TWO-SEATS", "a")).await;
    assert_code(&deactivated, 400, "License key deactivated");
    assert_eq!(deactivated.response["code"], "400", "the original server sends this code as a string");
    assert!(deactivated.signed_json.starts_with(r#"{"code":"400""#));
    assert_code(&w.post("deactivate", &with("TWO-SEATS", "a")).await, 401, "License key already inactive");
    assert_code(&w.post("activate", &with("TWO-SEATS", "c")).await, 300, "License key activated");
    for n in 0..20 {
        let identifier = format!("machine-{n}");
        let envelope =
            w.client.post("activate", &[("license_key", "UNLIMITED"), ("identifier", &identifier)]).await.expect("env");
        assert_code(&envelope, 300, "License key activated");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_activations_never_pass_the_limit() {
    let w = World::start().await;
    let product = w.product("Race");
    w.keys(product, &["RACE-5"], KeyState::Assigned, 5);
    let mut tasks = Vec::new();
    for n in 0..64 {
        let client = w.client.clone();
        tasks.push(tokio::spawn(async move {
            let identifier = format!("racer-{n}");
            client
                .post("activate", &[("license_key", "RACE-5"), ("identifier", &identifier)])
                .await
                .expect("env")
                .code()
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.push(task.await.expect("join"));
    }
    assert_eq!(codes.iter().filter(|c| **c == 300).count(), 5);
    assert_eq!(codes.iter().filter(|c| **c == 302).count(), 59);
}

#[tokio::test(flavor = "multi_thread")]
async fn license_key_details_show_the_key_meta_and_product() {
    let w = World::start().await;
    let product = w.product("Detailed");
    w.keys(product, &["DETAIL-1"], KeyState::Assigned, 0);
    w.service.create_product_meta(&Actor::Owner, product, "test-key", "test value x").expect("meta");
    assert_code(
        &w.post("get-license-key-details", &with("DETAIL-1", "d.example")).await,
        202,
        "No activation found for this license key/identifier combination",
    );
    w.post("activate", &with("DETAIL-1", "d.example")).await;
    w.post(
        "create-license-key-meta",
        &[("license_key", "DETAIL-1"), ("identifier", "d.example"), ("key", "seat"), ("value", "A1")],
    )
    .await;
    let details = w.post("get-license-key-details", &with("DETAIL-1", "d.example")).await;
    assert_code(&details, 500, "Active license key found");
    let key = &details.response["licenseKey"];
    assert_eq!(key["license_key"], "DETAIL-1");
    assert_eq!(key["expires_at"], false);
    assert_eq!(key["meta_data"][0]["key"], "seat");
    assert_eq!(details.response["product"]["name"], "Detailed");
    assert_eq!(details.response["product"]["meta_data"][0]["value"], "test value x");
    let order: Vec<&str> = details.response.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(order, ["code", "message", "licenseKey", "product", "timestamp"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn assign_license_key_and_assign_and_activate() {
    let w = World::start().await;
    let product = w.product("Assignable");
    w.keys(product, &["FREE-1", "FREE-2"], KeyState::Available, 1);
    let assign = [("license_key", "FREE-1"), ("owner_name", "Ann"), ("email", "ann@example.com")];
    assert_code(&w.post("assign-license-key", &assign).await, 800, "License key assigned");
    assert_code(&w.post("assign-license-key", &assign).await, 801, "Invalid or already assigned license key");
    assert_code(
        &w.post("assign-license-key", &[("license_key", "NOPE")]).await,
        801,
        "Invalid or already assigned license key",
    );
    let both =
        [("license_key", "FREE-2"), ("identifier", "pc"), ("owner_name", "Bo"), ("owner_email", "bo@example.com")];
    assert_code(&w.post("assign-and-activate-license-key", &both).await, 300, "License key activated");
    assert_code(&w.post("verify", &with("FREE-2", "pc")).await, 200, "Valid license key");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_update_and_delete_license_keys() {
    let w = World::start().await;
    let product = w.product("Bulk");
    let product_id = product.0.to_string();
    let create = |keys: &'static str| {
        vec![
            ("license_keys", keys),
            ("activation_limit", "0"),
            ("validity", "0"),
            ("status", "available"),
            ("owner_name", "Test User"),
            ("assigned_at", "2024-01-08 00:00:00"),
        ]
    };
    let mut fields = create(r#"["K-1","K-2","K-3", "K-1"]"#);
    fields.push(("product_id", &product_id));
    let created = w.post("create-license-keys", &fields).await;
    assert_code(&created, 900, "License keys creation result");
    assert_eq!((created.response["created"].as_u64(), created.response["duplicate"].as_u64()), (Some(3), Some(1)));
    assert_code(&w.post("create-license-keys", &fields).await, 902, "No license keys created");

    let mut bad = create("not json");
    bad.push(("product_id", &product_id));
    let refused = w.post("create-license-keys", &bad).await;
    assert_code(&refused, 901, "Incorrect data found");
    assert_eq!(refused.response["errors"]["license_keys"][0], "The license keys field must be a valid JSON string.");
    let mut unknown = create(r#"["K-9"]"#);
    unknown.push(("product_id", "999"));
    let refused = w.post("create-license-keys", &unknown).await;
    assert_code(&refused, 901, "Incorrect data found");
    assert_eq!(refused.response["errors"]["product_id"][0], "The selected product id is invalid.");

    let update = |key: &'static str, status: &'static str| {
        vec![
            ("license_key", key),
            ("activation_limit", "3"),
            ("validity", "10"),
            ("status", status),
            ("owner_email", "new@example.com"),
        ]
    };
    let mut fields = update("K-1", "assigned");
    fields.push(("product_id", &product_id));
    assert_code(&w.post("update-license-key", &fields).await, 950, "License keys updated");
    let mut fields = update("K-404", "assigned");
    fields.push(("product_id", &product_id));
    assert_code(&w.post("update-license-key", &fields).await, 952, "License key not found");
    let mut fields = update("K-1", "sold");
    fields.push(("product_id", &product_id));
    let refused = w.post("update-license-key", &fields).await;
    assert_code(&refused, 951, "Incorrect data found");
    assert_eq!(refused.response["errors"]["status"][0], "The selected status is invalid.");

    assert_code(&w.post("delete-license-key", &[("license_key", "K-2")]).await, 850, "License key deleted");
    assert_code(&w.post("delete-license-key", &[("license_key", "K-2")]).await, 851, "License key not found");

    let listed = w
        .get(
            "get-license-keys",
            &[("product_id", &product_id), ("status", "available"), ("page", "1"), ("items_per_page", "5")],
        )
        .await;
    assert_code(&listed, 730, "License keys");
    let keys = listed.response["license_keys"].as_array().expect("list");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["license_key"], "K-3");
    assert_eq!(keys[0]["owner_email"], serde_json::Value::Null);
    let count = w.get("get-available-license-keys-count", &[("product_id", &product_id)]).await;
    assert_code(&count, 741, "Available license keys count");
    assert_eq!(count.response["count"], 1);
    assert_code(
        &w.get("get-available-license-keys-count", &[("product_id", "999")]).await,
        740,
        "Product doesn't exist",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn random_assignment_draws_from_stock_or_the_generator() {
    let w = World::start().await;
    let product = w.product("Stocked");
    let id = product.0.to_string();
    w.keys(product, &["S-1", "S-2"], KeyState::Available, 1);
    let ask = |quantity: &'static str, generate: &'static str| {
        vec![
            ("owner_name", "Test User"),
            ("owner_email", "buyer@example.com"),
            ("quantity", quantity),
            ("generate", generate),
        ]
    };
    let mut fields = ask("3", "0");
    fields.push(("product_id", &id));
    let short = w.post("random-assign-license-keys", &fields).await;
    assert_code(&short, 802, "Insufficient license keys");
    assert_eq!(short.response["available_quantity"], 2);
    let mut fields = ask("3", "1");
    fields.push(("product_id", &id));
    assert_code(&w.post("random-assign-license-keys", &fields).await, 806, "Generator not found");
    w.generator(product, "uuid", "", 0, 0);
    let assigned = w.post("random-assign-license-keys", &fields).await;
    assert_code(&assigned, 803, "License keys assigned");
    let keys = assigned.response["license_keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k["status"] == "assigned" && k["owner_email"] == "buyer@example.com"));
    let mut fields = ask("1", "0");
    fields.push(("product_id", "999"));
    assert_code(&w.post("random-assign-license-keys", &fields).await, 805, "Product not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_database_file_holds_no_plaintext_key() {
    let w = World::start().await;
    let product = w.product("Secret");
    w.keys(product, &["SECRET-KEY-4242-ZX"], KeyState::Assigned, 1);
    w.post("activate", &with("SECRET-KEY-4242-ZX", "pc")).await;
    let mut bytes = std::fs::read(&w.db_path).expect("db");
    let wal = w.db_path.with_extension("sqlite-wal");
    bytes.extend(std::fs::read(&wal).unwrap_or_default());
    let needle = b"SECRET-KEY-4242";
    assert!(!bytes.windows(needle.len()).any(|window| window == needle), "a plaintext key is in the file");
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_generation_stores_unique_keys_or_nothing_when_cancelled() {
    let w = World::start().await;
    let product = w.product("Stock");
    w.generator(product, "chunk-system", "ABCDEFGH", 2, 4);
    let stored = w.service.generate_stock(&Actor::Owner, product, 10_000, |_| true).expect("generate");
    assert_eq!(stored, 10_000);
    assert_eq!(w.service.available_keys(product).expect("count"), 10_000);
    let listed = w
        .service
        .keys(&keydesk::store::KeyFilter { product: Some(product), page: 1, per_page: 1000, ..Default::default() })
        .expect("keys");
    let mut keys: Vec<&str> = listed.iter().map(|k| k.number.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 1000, "keys are unique");

    let mut seen = 0;
    let cancelled = w.service.generate_stock(&Actor::Owner, product, 50_000, |so_far| {
        seen = so_far;
        so_far < 8_000
    });
    assert!(matches!(cancelled, Err(keydesk::service::ServiceError::Cancelled)));
    assert!(seen >= 8_000);
    assert_eq!(w.service.available_keys(product).expect("count"), 10_000, "a cancelled batch leaves nothing behind");
    // More than one stock job may make (domain::limits::MAX_STOCK) is refused before
    // anything is made, as is more than the format can make (8^8 = 16,777,216 keys here).
    let too_many = w.service.generate_stock(&Actor::Owner, product, 20_000_000, |_| true);
    assert!(matches!(too_many, Err(keydesk::service::ServiceError::TooMany(10_000_000))));
    let tiny = w.product("Tiny keyspace");
    w.generator(tiny, "chunk-system", "AB", 1, 2);
    let beyond = w.service.generate_stock(&Actor::Owner, tiny, 5, |_| true);
    assert!(matches!(beyond, Err(keydesk::service::ServiceError::KeyspaceTooSmall)), "{beyond:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn assign_and_activate_is_all_or_nothing() {
    let w = World::start().await;
    let product = w.product("Atomic");
    w.keys(product, &["ATOM-1"], KeyState::Available, 1);
    let no_identifier = [("license_key", "ATOM-1"), ("owner_name", "A"), ("owner_email", "a@example.com")];
    assert_code(&w.post("assign-and-activate-license-key", &no_identifier).await, 215, "Identifier is required");
    let assign = [("license_key", "ATOM-1"), ("owner_name", "B"), ("email", "b@example.com")];
    assert_code(&w.post("assign-license-key", &assign).await, 800, "License key assigned");
}

#[tokio::test(flavor = "multi_thread")]
async fn updating_a_key_to_assigned_starts_its_validity() {
    let w = World::start().await;
    let product = w.product("Clocked");
    w.keys(product, &["CLOCK-1"], KeyState::Available, 1);
    let id = product.0.to_string();
    let update = [
        ("license_key", "CLOCK-1"),
        ("product_id", id.as_str()),
        ("activation_limit", "1"),
        ("validity", "5"),
        ("status", "assigned"),
    ];
    assert_code(&w.post("update-license-key", &update).await, 950, "License keys updated");
    w.clock.advance(Duration::days(6));
    assert_code(&w.post("activate", &with("CLOCK-1", "pc")).await, 205, "License key expired");
}
