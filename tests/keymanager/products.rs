//! Products, their meta, generators, generate, and license key meta.

use keydesk::domain::license::KeyState;

use crate::world::{World, assert_code};

#[tokio::test(flavor = "multi_thread")]
async fn create_update_and_delete_products() {
    let w = World::start().await;
    let fields = [
        ("source", "internal"),
        ("name", "API Create Product"),
        ("description", "API create product"),
        ("require_non_expired", "1"),
        ("external_reference", ""),
        ("status", "active"),
    ];
    let created = w.post("create-product", &fields).await;
    assert_code(&created, 750, "Product created");
    let id = created.response["product_id"].as_i64().expect("id").to_string();

    let empty = w.post("create-product", &[]).await;
    assert_code(&empty, 751, "Incorrect data found");
    assert_eq!(
        empty.signed_json.split(r#""errors":"#).nth(1).and_then(|s| s.split(r#","timestamp""#).next()),
        Some(r#"{"name":["The name field is required."],"description":["The description field is required."]}"#)
    );
    let bad_status = w.post("create-product", &[("name", "x"), ("description", "y"), ("status", "test")]).await;
    assert_code(&bad_status, 751, "Incorrect data found");
    assert_eq!(bad_status.response["errors"]["status"][0], "The selected status is invalid.");

    let update = |product: &str| {
        vec![
            ("product_id", product.to_owned()),
            ("name", "Renamed".into()),
            ("description", "Test Update".into()),
            ("status", "inactive".into()),
        ]
    };
    let to_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let fields = to_refs(&update(&id));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_code(&w.post("update-product", &fields).await, 650, "Product updated");
    let missing = to_refs(&update("999"));
    let missing: Vec<(&str, &str)> = missing.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = w.post("update-product", &missing).await;
    assert_code(&refused, 651, "Incorrect data found");
    assert_eq!(refused.response["errors"]["product_id"][0], "The selected product id is invalid.");

    let listed = w.get("get-all-products", &[]).await;
    assert_code(&listed, 810, "All products");
    let product = &listed.response["products"][0];
    assert_eq!(
        (product["name"].as_str(), product["status"].as_str(), product["require_non_expired"].as_u64()),
        (Some("Renamed"), Some("inactive"), Some(1))
    );

    assert_code(&w.post("delete-product", &[("product_id", &id)]).await, 550, "Product deleted");
    assert_code(&w.post("delete-product", &[("product_id", &id)]).await, 551, "Product not found");
}

#[tokio::test(flavor = "multi_thread")]
async fn product_meta_codes() {
    let w = World::start().await;
    let id = w.product("Meta").0.to_string();
    let p = id.as_str();
    assert_code(
        &w.post("create-product-meta", &[("product_id", p), ("key", ""), ("value", "v")]).await,
        270,
        "Meta key is required",
    );
    assert_code(
        &w.post("create-product-meta", &[("product_id", p), ("key", "k"), ("value", "")]).await,
        271,
        "Meta value is required",
    );
    assert_code(
        &w.post("create-product-meta", &[("product_id", p), ("key", "k"), ("value", "v")]).await,
        273,
        "Product meta created",
    );
    assert_code(
        &w.post("create-product-meta", &[("product_id", p), ("key", "k"), ("value", "v")]).await,
        272,
        "Meta key already exists",
    );
    assert_code(
        &w.post("create-product-meta", &[("product_id", "999"), ("key", "k"), ("value", "v")]).await,
        274,
        "Product not found",
    );
    assert_code(
        &w.post("update-product-meta", &[("product_id", p), ("key", ""), ("value", "v")]).await,
        370,
        "Meta key is required",
    );
    assert_code(
        &w.post("update-product-meta", &[("product_id", p), ("key", "k"), ("value", "")]).await,
        371,
        "Meta value is required",
    );
    assert_code(
        &w.post("update-product-meta", &[("product_id", p), ("key", "zz"), ("value", "v")]).await,
        372,
        "Meta key doesn't exists",
    );
    assert_code(
        &w.post("update-product-meta", &[("product_id", p), ("key", "k"), ("value", "w")]).await,
        373,
        "Product meta updated",
    );
    assert_code(
        &w.post("update-product-meta", &[("product_id", "999"), ("key", "k"), ("value", "v")]).await,
        374,
        "Product not found",
    );
    assert_code(&w.post("delete-product-meta", &[("product_id", p), ("key", "")]).await, 480, "Meta key is required");
    assert_code(
        &w.post("delete-product-meta", &[("product_id", p), ("key", "zz")]).await,
        481,
        "Meta key doesn't exists",
    );
    assert_code(&w.post("delete-product-meta", &[("product_id", "999"), ("key", "k")]).await, 483, "Product not found");
    assert_code(&w.post("delete-product-meta", &[("product_id", p), ("key", "k")]).await, 482, "Product meta deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn license_key_meta_codes() {
    let w = World::start().await;
    let product = w.product("Key Meta");
    w.keys(product, &["META-1"], KeyState::Assigned, 1);
    w.keys(product, &["META-FREE"], KeyState::Available, 1);
    let m = |key: &'static str, value: &'static str| {
        [("license_key", "META-1"), ("identifier", "x"), ("key", key), ("value", value)]
    };
    assert_code(&w.post("create-license-key-meta", &m("", "v")).await, 450, "Meta key is required");
    assert_code(&w.post("create-license-key-meta", &m("k", "")).await, 451, "Meta value is required");
    let created = w.post("create-license-key-meta", &m("k", "v")).await;
    assert_code(&created, 453, "Metadata created");
    assert!(created.response["meta_id"].is_i64());
    assert_code(&w.post("create-license-key-meta", &m("k", "v")).await, 452, "Meta key already exists");
    assert_code(
        &w.post("create-license-key-meta", &[("license_key", "META-FREE"), ("key", "k"), ("value", "v")]).await,
        201,
        "This license key is not assigned",
    );
    assert_code(&w.post("update-license-key-meta", &m("", "v")).await, 350, "Meta key is required");
    assert_code(&w.post("update-license-key-meta", &m("k", "")).await, 351, "Meta value is required");
    assert_code(&w.post("update-license-key-meta", &m("zz", "v")).await, 352, "Meta key doesn't exist");
    assert_code(&w.post("update-license-key-meta", &m("k", "w")).await, 353, "Metadata updated");
    assert_code(&w.post("delete-license-key-meta", &m("", "")).await, 250, "Meta key is required");
    assert_code(&w.post("delete-license-key-meta", &m("zz", "")).await, 251, "Meta key doesn't exist");
    assert_code(&w.post("delete-license-key-meta", &m("k", "")).await, 252, "Metadata deleted");
}

#[tokio::test(flavor = "multi_thread")]
async fn generators_list_and_generate() {
    let w = World::start().await;
    let product = w.product("Generated");
    let uuid = w.generator(product, "uuid", "", 0, 0).to_string();
    let tiny = w.generator(product, "chunk-system", "AB", 1, 2).to_string();
    let listed = w.get("get-all-generators", &[]).await;
    assert_code(&listed, 820, "All generators");
    assert_eq!(
        listed.response["products"][1]["method"], "chunk-system",
        "the list is under \"products\", as the original"
    );
    let made = w.post("generate", &[("generator_id", &uuid), ("quantity", "10")]).await;
    assert_code(&made, 815, "Generated license keys");
    let keys = made.response["licenseKeys"].as_array().expect("keys");
    assert_eq!(keys.len(), 10);
    assert!(keys.iter().all(|k| k.as_str().is_some_and(|k| k.len() == 36)));
    // AB in one chunk of 2 makes 4 keys at most.
    assert_code(
        &w.post("generate", &[("generator_id", &tiny), ("quantity", "4")]).await,
        815,
        "Generated license keys",
    );
    let refused = w.post("generate", &[("generator_id", &tiny), ("quantity", "5")]).await;
    assert_code(&refused, 901, "Incorrect data found");
    assert_code(&w.post("generate", &[("generator_id", "999"), ("quantity", "1")]).await, 806, "Generator not found");
}
