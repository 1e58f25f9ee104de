//! What a hostile caller tries with nothing but the documented endpoints: quantities no
//! allocation can hold, a signature under another product's key. Each answer is the
//! documented code, and the server answers the next request at once.

use keydesk::domain::license::KeyState;
use keydesk::domain::limits::{MAX_ASSIGN, MAX_CREATE_KEYS};

use crate::contracts::contract_form;
use crate::world::{World, assert_code};

/// The largest quantity a form can carry that still parses as a number.
const HUGE: &str = "4294967295";

async fn still_answers(w: &World) {
    let alive = w.post("verify", &[("license_key", "NO-SUCH-KEY"), ("identifier", "pc")]).await;
    assert_code(&alive, 210, "Invalid license key");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_random_assignment_is_refused_before_anything_is_drawn() {
    let w = World::start().await;
    let product = w.product("Hoarded");
    w.generator(product, "uuid", "", 0, 0);
    let id = product.0.to_string();
    for endpoint in ["random-assign-license-keys", "random-assign-license-keys-queued"] {
        for quantity in [HUGE, &(MAX_ASSIGN + 1).to_string()] {
            let fields = [
                ("product_id", id.as_str()),
                ("owner_name", "Mallory"),
                ("owner_email", "mallory@example.com"),
                ("quantity", quantity),
                ("generate", "1"),
                ("webhook_url", "https://hooks.example.com/assigned"),
            ];
            let refused = w.post(endpoint, &fields).await;
            assert_code(&refused, 802, "Insufficient license keys");
            assert_eq!(
                refused.response["available_quantity"], MAX_ASSIGN,
                "{endpoint} names the most one call may have"
            );
        }
    }
    still_answers(&w).await;
    assert_eq!(w.service.available_keys(product).expect("count"), 0, "nothing was drawn");
    // The ceiling itself is served.
    let fields = [
        ("product_id", id.as_str()),
        ("owner_name", "Bulk Buyer"),
        ("owner_email", "bulk@example.com"),
        ("quantity", &MAX_ASSIGN.to_string()),
        ("generate", "1"),
    ];
    let assigned = w.post("random-assign-license-keys", &fields).await;
    assert_code(&assigned, 803, "License keys assigned");
    assert_eq!(assigned.response["license_keys"].as_array().map(Vec::len), Some(MAX_ASSIGN as usize));
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_keys_in_one_create_call_are_incorrect_data() {
    let w = World::start().await;
    let product = w.product("Flooded").0.to_string();
    let keys: Vec<String> = (0..=MAX_CREATE_KEYS).map(|n| format!("FLOOD-{n}")).collect();
    let body = serde_json::to_string(&keys).expect("json");
    let fields = [
        ("license_keys", body.as_str()),
        ("product_id", product.as_str()),
        ("activation_limit", "1"),
        ("validity", "0"),
        ("status", "available"),
    ];
    let refused = w.post("create-license-keys", &fields).await;
    assert_code(&refused, 901, "Incorrect data found");
    assert!(refused.signed_json.contains("license_keys"), "the field is named: {}", refused.signed_json);
    still_answers(&w).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn contracts_refuse_quantities_beyond_their_ceilings() {
    let w = World::start().await;
    let product = w.product("Pooled");
    w.generator(product, "uuid", "", 0, 0);
    let id = product.0.to_string();
    let huge = w.post("create-contract", &contract_form("huge-pool", &id, "10000001")).await;
    assert_code(&huge, 825, "Incorrect data found");
    assert!(huge.signed_json.contains("license_keys_quantity"), "{}", huge.signed_json);
    assert_code(&w.post("create-contract", &contract_form("big-pool", &id, "10000000")).await, 841, "contract created");
    // One generate call is bounded whatever the contract holds.
    let generate = w
        .post(
            "contracts/generate",
            &[("contract_key", "big-pool"), ("quantity", HUGE), ("owner_name", "M"), ("owner_email", "m@example.com")],
        )
        .await;
    assert_code(&generate, 1206, "Cannot generate this quantity");
    still_answers(&w).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_answer_about_a_key_is_signed_with_its_own_products_key() {
    let w = World::start().await;
    let cheap = w.product("Cheap");
    let dear = w.product("Dear");
    let cheap_pem = w.product_key(cheap);
    let dear_pem = w.product_key(dear);
    w.keys(cheap, &["CHEAP-KEY-1"], KeyState::Assigned, 0);
    let activated = w.post("activate", &[("license_key", "CHEAP-KEY-1"), ("identifier", "pc")]).await;
    assert_code(&activated, 300, "License key activated");

    // Naming the dear product does not make a valid answer signed with its key.
    let dear_id = dear.0.to_string();
    for endpoint in ["verify", "activate", "deactivate", "get-license-key-details"] {
        let asked = [("license_key", "CHEAP-KEY-1"), ("identifier", "pc"), ("product_id", dear_id.as_str())];
        let refused = w.post(endpoint, &asked).await;
        assert_code(&refused, 210, "Invalid license key");
        assert!(!refused.verify(&dear_pem), "{endpoint}: a refusal is not signed with the named product's key");
    }
    let valid = w.post("verify", &[("license_key", "CHEAP-KEY-1"), ("identifier", "pc")]).await;
    assert_code(&valid, 200, "Valid license key");
    assert!(valid.verify(&cheap_pem), "signed with the key's own product's key");
    assert!(!valid.verify(&dear_pem));
    // Naming the key's own product is fine.
    let cheap_id = cheap.0.to_string();
    let named = [("license_key", "CHEAP-KEY-1"), ("identifier", "pc"), ("product_id", cheap_id.as_str())];
    let same = w.post("verify", &named).await;
    assert_code(&same, 200, "Valid license key");
    assert!(same.verify(&cheap_pem));
}
