//! Telemetry: saved even when malformed, flagged, and read back with filters.

use keydesk::domain::license::KeyState;

use crate::world::{World, assert_code};

#[tokio::test(flavor = "multi_thread")]
async fn malformed_records_are_saved_and_flagged() {
    let w = World::start().await;
    let empty = w.post("send-telemetry-date", &[]).await;
    assert_code(&empty, 831, "Incorrect format data saved");
    assert_eq!(
        empty.signed_json.split(r#""errors":"#).nth(1).and_then(|s| s.split(r#","timestamp""#).next()),
        Some(concat!(
            r#"{"product_id":["The selected product id is invalid."],"user_identifier":["The user identifier field is required."],"#,
            r#""license_key":["The license key field is required."],"activation_identifier":["The activation identifier field is required."],"#,
            r#""product_version":["The product version field is required."],"data_type":["The data type field is required."],"#,
            r#""data_group":["The data group field is required."]}"#
        ))
    );
    let bad_number = w
        .post(
            "send-telemetry-data",
            &[("data_type", "numeric-single-value"), ("numeric_data_single_value", "lots"), ("data_group", "g")],
        )
        .await;
    assert_code(&bad_number, 831, "Incorrect format data saved");
    assert_eq!(
        bad_number.response["errors"]["numeric_data_single_value"][0],
        "The numeric data single value field must be a number."
    );
    let records = w.get("get-telemetry-data", &[("is_correct_format", "0")]).await;
    assert_code(&records, 970, "Telemetry data found");
    assert_eq!(records.response["data"].as_array().map(Vec::len), Some(2), "both malformed records were kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn correct_records_from_genuine_and_pirated_copies() {
    let w = World::start().await;
    let product = w.product("Telemetered");
    w.keys(product, &["TELE-1"], KeyState::Assigned, 0);
    w.post("activate", &[("license_key", "TELE-1"), ("identifier", "install-1")]).await;
    let id = product.0.to_string();
    let base = |key: &'static str, activation: &'static str| {
        vec![
            ("data_type", "numeric-single-value"),
            ("numeric_data_single_value", "50"),
            ("user_identifier", "554dddsqfqs4dqd5qsd74q"),
            ("license_key", key),
            ("activation_identifier", activation),
            ("product_version", "5.2.5"),
            ("data_group", "test_group"),
        ]
    };
    let mut genuine = base("TELE-1", "install-1");
    genuine.push(("product_id", &id));
    let saved = w.post("send-telemetry", &genuine).await;
    assert_code(&saved, 830, "Correct format data saved");
    assert!(saved.signed_json.contains(r#""errors":[]"#), "an empty array, as the original sends");
    let mut pirated = base("STOLEN-KEY", "install-9");
    pirated.push(("product_id", &id));
    assert_code(&w.post("send-telemetry-date", &pirated).await, 830, "Correct format data saved");
    let xy = [
        ("data_type", "numeric-xy-axis"),
        ("numeric_data_x", "1"),
        ("numeric_data_y", "2.5"),
        ("data_group", "points"),
    ];
    w.post("send-telemetry-data", &xy).await;

    let flagged = w.get("get-telemetry-date", &[("has_red_flags", "1"), ("data_group", "test_group")]).await;
    assert_code(&flagged, 970, "Telemetry data found");
    let list = flagged.response["data"].as_array().expect("list");
    assert!(list.iter().any(|r| r["license_key"] == "STOLEN-KEY" && r["license_key_exists"] == 0));
    let by_key = w.get("get-telemetry-data", &[("license_key", "TELE-1")]).await;
    let record = &by_key.response["data"][0];
    assert_eq!(record["has_red_flags"], 0, "a genuine copy of a product without published releases is not flagged");
    assert_eq!(
        (record["data"].as_str(), record["license_key_exists"].as_u64(), record["product_exists"].as_u64()),
        (Some("50"), Some(1), Some(1))
    );
    let points = w.get("get-telemetry-data", &[("data_group", "points")]).await;
    assert_eq!(points.response["data"][0]["data"], r#"{"x":1,"y":2.5}"#);
}
