//! Contracts and the Contracts API.

use keydesk::service::Actor;

use crate::world::{World, assert_code};

pub fn contract_form<'a>(key: &'a str, product: &'a str, quantity: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("contract_key", key),
        ("contract_name", "Reseller pool"),
        ("contract_information", "Pro edition pool"),
        ("product_id", product),
        ("license_keys_quantity", quantity),
        ("status", "active"),
        ("can_get_info", "1"),
        ("can_generate", "1"),
        ("can_destroy", "1"),
        ("can_destroy_all", "1"),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn contract_crud() {
    let w = World::start().await;
    let product = w.product("Pooled").0.to_string();
    let created = w.post("create-contract", &contract_form("pool-1", &product, "65")).await;
    assert_code(&created, 841, "contract created");
    let contract = &created.response["contract"];
    assert_eq!(
        (contract["product_id"].as_str(), contract["license_keys_quantity"].as_str()),
        (Some(product.as_str()), Some("65"))
    );
    assert_eq!(contract["license_keys_count"], 0);
    let id = contract["id"].as_i64().expect("id").to_string();

    let empty = w
        .post(
            "create-contract",
            &[
                ("license_keys_quantity", "0"),
                ("status", "test"),
                ("can_get_info", "15"),
                ("can_generate", "15"),
                ("can_destroy", "15"),
                ("can_destroy_all", "15"),
            ],
        )
        .await;
    assert_code(&empty, 825, "Incorrect data found");
    assert_eq!(
        empty.signed_json.split(r#""errors":"#).nth(1).and_then(|s| s.split(r#","timestamp""#).next()),
        Some(concat!(
            r#"{"contract_key":"Contract key is required and must be unique.","contract_name":"Contract name is required.","#,
            r#""contract_information":"Contract information is required.","product_id":"Product Id must be a valid product Id.","#,
            r#""license_keys_quantity":"License keys quantity must be 1 or more.","status":"Status must be active or inactive","#,
            r#""can_get_info":"Can get info must be 1 for true or 0 for false","can_generate":"Can generate must be 1 for true or 0 for false","#,
            r#""can_destroy":"Can destroy must be 1 for true or 0 for false","can_destroy_all":"Can destroy all must be 1 for true or 0 for false"}"#
        ))
    );
    let duplicate = w.post("create-contract", &contract_form("pool-1", &product, "5")).await;
    assert_code(&duplicate, 825, "Incorrect data found");
    assert_eq!(duplicate.response["errors"]["contract_key"], "Contract key is required and must be unique.");

    let mut update = contract_form("pool-1", &product, "70");
    update.push(("contract_id", &id));
    let updated = w.post("update-contract", &update).await;
    assert_code(&updated, 842, "contract updated");
    assert_eq!(updated.response["contract"]["license_keys_quantity"], "70");
    let mut missing = contract_form("pool-x", &product, "70");
    missing.push(("contract_id", "999"));
    assert_code(&w.post("update-contract", &missing).await, 844, "Contract not found");

    let listed = w.get("get-all-contracts", &[]).await;
    assert_code(&listed, 846, "All contracts");
    assert_eq!(listed.response["contracts"][0]["license_keys_quantity"], 70);
    assert_code(&w.post("delete-contract", &[("contract_id", &id)]).await, 843, "contract deleted");
    assert_code(&w.post("delete-contract", &[("contract_id", &id)]).await, 844, "Contract not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_contracts_api() {
    let w = World::start().await;
    let product_id = w.product("Drawn");
    let product = product_id.0.to_string();
    assert_code(&w.post("create-contract", &contract_form("holder-key", &product, "3")).await, 841, "contract created");
    let holder = [("contract_key", "holder-key")];
    assert_code(&w.get("contracts/get-info", &[("contract_key", "nope")]).await, 1200, "Contract not found");
    assert_code(&w.get("contracts/get-info", &holder).await, 1203, "Generator not found");
    w.generator(product_id, "chunk-system", "ABCDEFGH", 4, 4);
    let info = w.get("contracts/get-info", &holder).await;
    assert_code(&info, 1204, "Contract found");
    assert_eq!(info.response["license_keys"].as_array().map(Vec::len), Some(0));

    let generate = |quantity: &'static str| [("contract_key", "holder-key"), ("quantity", quantity)];
    assert_code(&w.post("contracts/generate", &generate("4")).await, 1206, "Cannot generate this quantity");
    let made = w
        .post(
            "contracts/generate",
            &[
                ("contract_uuid", "holder-key"),
                ("quantity", "2"),
                ("owner_name", "C"),
                ("owner_email", "c@example.com"),
            ],
        )
        .await;
    assert_code(&made, 1300, "Contract license keys generated");
    let keys = made.response["license_keys"].as_array().expect("keys").clone();
    assert_eq!((keys.len(), keys[0]["status"].as_str()), (2, Some("assigned")));
    assert_code(&w.post("contracts/generate", &generate("2")).await, 1206, "Cannot generate this quantity");
    assert_code(&w.post("contracts/generate", &generate("1")).await, 1300, "Contract license keys generated");
    assert_code(&w.post("contracts/generate", &generate("1")).await, 1205, "License keys limit reached");

    let first = keys[0]["license_key"].as_str().expect("key").to_owned();
    assert_code(
        &w.post("contracts/destroy", &[("contract_key", "holder-key"), ("license_key", &first)]).await,
        1400,
        "License key deleted",
    );
    assert_code(
        &w.post("contracts/destroy", &[("contract_key", "holder-key"), ("license_key", &first)]).await,
        1401,
        "License key not found",
    );
    assert_code(&w.post("contracts/destroy-all", &holder).await, 1500, "License keys deleted");
    assert_code(&w.post("contracts/destroy-all", &holder).await, 1501, "No license keys not found");

    // A right the contract lacks: 102, as an API key lacking a capability.
    let mut narrow = contract_form("narrow-key", &product, "3");
    narrow.retain(|(k, _)| *k != "can_generate");
    narrow.push(("can_generate", "0"));
    assert_code(&w.post("create-contract", &narrow).await, 841, "contract created");
    let refused = w.post("contracts/generate", &[("contract_key", "narrow-key"), ("quantity", "1")]).await;
    assert_code(&refused, 102, "The used API key doesn't have the required capability to access this endpoint");

    // The product gone inactive: 1202.
    let fields = keydesk::store::ProductFields {
        name: "Drawn".into(),
        description: "off".into(),
        source: keydesk::domain::product::ProductSource::Internal,
        external_reference: String::new(),
        active: false,
        require_non_expired: false,
        post_url: String::new(),
        distributor: None,
    };
    w.service.update_product(&Actor::Owner, product_id, &fields).expect("deactivate");
    assert_code(&w.get("contracts/get-info", &holder).await, 1202, "Product not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_generation_never_passes_the_quantity() {
    let w = World::start().await;
    let product_id = w.product("Contended");
    w.generator(product_id, "uuid", "", 0, 0);
    let product = product_id.0.to_string();
    assert_code(
        &w.post("create-contract", &contract_form("contended", &product, "100")).await,
        841,
        "contract created",
    );
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let client = w.client.clone();
        tasks.push(tokio::spawn(async move {
            let envelope = client
                .post("contracts/generate", &[("contract_key", "contended"), ("quantity", "7")])
                .await
                .expect("env");
            (envelope.code(), envelope.response["license_keys"].as_array().map_or(0, Vec::len))
        }));
    }
    let mut issued = 0;
    for task in tasks {
        let (code, count) = task.await.expect("join");
        assert!(matches!(code, 1300 | 1205 | 1206), "{code}");
        issued += count;
    }
    assert_eq!(issued, 98, "14 calls of 7 fit in 100; no call issued more");
    let info = w.get("contracts/get-info", &[("contract_key", "contended")]).await;
    assert_eq!(info.response["contract"]["license_keys_count"], 98);
}
