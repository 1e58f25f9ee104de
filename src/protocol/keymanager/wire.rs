//! The license key API's requests (form fields or query parameters) and the JSON records
//! its responses carry, in the field order and formats the original server writes.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::domain::contract::Contract;
use crate::domain::generator::Generator;
use crate::domain::license::License;
use crate::domain::product::{Meta, Product};
use crate::domain::telemetry::TelemetryRecord;
use crate::store::Downloadable;

pub use crate::protocol::form::Params;

/// Eloquent's timestamp form: `2024-02-24T20:54:16.000000Z`.
pub fn iso_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The database's form, as get-license-key-details shows `assigned_at`: `2024-02-27 03:05:31`.
pub fn db_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn nullable(text: &str) -> Value {
    if text.is_empty() { Value::Null } else { Value::from(text) }
}

fn meta_json(meta: &[Meta]) -> Value {
    Value::Array(meta.iter().map(|m| json!({"key": m.key, "value": m.value})).collect())
}

/// A key in get-license-keys.
pub fn key_listing(l: &License) -> Value {
    json!({
        "id": l.id.0,
        "product_id": l.product_id.map(|p| p.0),
        "license_key": l.number,
        "owner_name": nullable(&l.owner_name),
        "owner_email": nullable(&l.owner_email),
        "activation_limit": l.limit.0,
        "validity": l.validity_days,
        "assigned_at": l.assigned_at.map(iso_time),
        "status": l.key_state.as_str(),
        "created_at": iso_time(l.created_at),
        "updated_at": iso_time(l.updated_at),
    })
}

/// A key just assigned (random-assign-license-keys, 803).
pub fn key_assigned(l: &License) -> Value {
    json!({
        "product_id": l.product_id.map(|p| p.0),
        "license_key": l.number,
        "activation_limit": l.limit.0,
        "validity": l.validity_days,
        "status": l.key_state.as_str(),
        "owner_name": l.owner_name,
        "owner_email": l.owner_email,
        "assigned_at": l.assigned_at.map(iso_time),
        "contract_id": l.contract_id,
        "updated_at": iso_time(l.updated_at),
        "created_at": iso_time(l.created_at),
        "id": l.id.0,
        "meta_data": [],
    })
}

/// `licenseKey` of get-license-key-details (500).
pub fn key_details(l: &License, meta: &[Meta]) -> Value {
    json!({
        "id": l.id.0,
        "license_key": l.number,
        "owner_name": l.owner_name,
        "owner_email": l.owner_email,
        "activation_limit": l.limit.0,
        "validity": l.validity_days,
        "assigned_at": l.assigned_at.map(db_time),
        "meta_data": meta_json(meta),
        "expires_at": l.expires_at().map_or(Value::Bool(false), |at| Value::from(db_time(at))),
    })
}

/// `product` of get-license-key-details.
pub fn product_details(p: &Product) -> Value {
    json!({
        "id": p.id.0,
        "external_reference": p.external_reference,
        "source": p.source.as_str(),
        "name": p.name,
        "post_url": p.post_url,
        "description": p.description,
        "meta_data": meta_json(&p.meta),
    })
}

/// A product in get-all-products (810).
pub fn product_listing(p: &Product) -> Value {
    json!({
        "id": p.id.0,
        "external_reference": p.external_reference,
        "source": p.source.as_str(),
        "name": p.name,
        "post_url": p.post_url,
        "description": p.description,
        "status": if p.active { "active" } else { "inactive" },
        "require_non_expired": u8::from(p.require_non_expired),
        "created_at": iso_time(p.created_at),
        "updated_at": iso_time(p.updated_at),
        "meta_data": meta_json(&p.meta),
    })
}

/// A generator in get-all-generators (820; the list is under `products`, sic).
pub fn generator_listing(g: &Generator) -> Value {
    let (chunks, length, charset, function) = match &g.format {
        crate::domain::generator::KeyFormat::Chunks { charset, chunks, chunk_length } => {
            (*chunks, *chunk_length, charset.iter().collect::<String>(), String::new())
        }
        crate::domain::generator::KeyFormat::Custom(f) => (0, 0, String::new(), f.name().to_owned()),
        crate::domain::generator::KeyFormat::Uuid => (0, 0, String::new(), String::new()),
    };
    json!({
        "id": g.id.0,
        "product_id": g.product.0,
        "method": g.format.method(),
        "prefix": g.prefix,
        "suffix": g.suffix,
        "function_name": function,
        "number_of_chunks": chunks,
        "chunk_length": length,
        "activation_limit": g.activation_limit,
        "validity": g.validity_days,
        "status": u8::from(g.active),
        "charset": charset,
        "created_at": iso_time(g.created_at),
        "updated_at": iso_time(g.updated_at),
    })
}

/// A contract as create-contract and update-contract echo it: the form's values as strings.
pub fn contract_echo(c: &Contract) -> Value {
    let t = &c.terms;
    let flag = |on: bool| if on { "1" } else { "0" };
    json!({
        "contract_key": t.contract_key,
        "name": t.name,
        "information": t.information,
        "product_id": t.product.0.to_string(),
        "license_keys_quantity": t.quantity.to_string(),
        "status": if t.active { "active" } else { "inactive" },
        "can_get_info": flag(t.rights.get_info),
        "can_generate": flag(t.rights.generate),
        "can_destroy": flag(t.rights.destroy),
        "can_destroy_all": flag(t.rights.destroy_all),
        "updated_at": iso_time(c.updated_at),
        "created_at": iso_time(c.created_at),
        "id": c.id.0,
        "license_keys_count": c.keys_count,
    })
}

/// A contract in get-all-contracts (846), and in Contracts API get-info.
pub fn contract_listing(c: &Contract) -> Value {
    let t = &c.terms;
    json!({
        "id": c.id.0,
        "name": t.name,
        "information": t.information,
        "contract_key": t.contract_key,
        "license_keys_quantity": t.quantity,
        "product_id": t.product.0,
        "can_get_info": u8::from(t.rights.get_info),
        "can_generate": u8::from(t.rights.generate),
        "can_destroy": u8::from(t.rights.destroy),
        "can_destroy_all": u8::from(t.rights.destroy_all),
        "status": if t.active { "active" } else { "inactive" },
        "created_at": iso_time(c.created_at),
        "updated_at": iso_time(c.updated_at),
        "license_keys_count": c.keys_count,
    })
}

/// A record in get-telemetry-data (970).
pub fn telemetry_listing(t: &TelemetryRecord) -> Value {
    let f = t.flags;
    json!({
        "id": t.id,
        "user_identifier": t.user_identifier,
        "license_key": t.license_key,
        "activation_identifier": t.activation_identifier,
        "product_id": t.product_id,
        "product_version": t.product_version,
        "data_type": t.data_type,
        "data_group": t.data_group,
        "data": t.data,
        "is_correct_format": u8::from(f.correct_format),
        "license_key_exists": u8::from(f.license_key_exists),
        "product_exists": u8::from(f.product_exists),
        "product_version_exists": u8::from(f.product_version_exists),
        "has_red_flags": u8::from(f.red_flags),
        "created_at": iso_time(t.created_at),
        "updated_at": iso_time(t.created_at),
    })
}

/// Percent-encodes a path segment: everything but letters, digits and `-._~`.
pub fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The download link of a release, in the original's shape:
/// `{base}/api/v1/download/{api_key}/{license_key}/{urlencode(base64(identifier))}/{numeric_version}`.
pub fn download_url(base: &str, api_key: &str, key: &str, identifier: &str, numeric_version: u32) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(identifier.as_bytes());
    format!(
        "{base}/api/v1/download/{}/{}/{}/{numeric_version}",
        path_segment(api_key),
        path_segment(key),
        path_segment(&encoded)
    )
}

/// A release in access-downloadables (600).
pub fn downloadable_listing(d: &Downloadable, url: String) -> Value {
    json!({
        "id": d.id,
        "product_id": d.product.0,
        "numeric_version": d.numeric_version,
        "version": d.version,
        "update_summary": d.update_summary,
        "changelog": d.changelog,
        "published": u8::from(d.published),
        "release_date": db_time(d.release_date),
        "download_counter": d.download_counter,
        "url": url,
    })
}

/// A request's parameters: the query, then a form or (by its content type) a JSON body. A
/// JSON body is read one level deep, each value kept as the text it was sent as, so a body
/// of nested arrays costs its own bytes, not a tree of `Value`s forty times its size.
pub fn request_params(content_type: Option<&str>, query: Option<&str>, body: &[u8]) -> Params {
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if content_type.is_some_and(|v| v.starts_with("application/json")) {
        type Fields<'a> = std::collections::BTreeMap<String, &'a serde_json::value::RawValue>;
        if let Ok(map) = serde_json::from_slice::<Fields<'_>>(body) {
            for (k, v) in map {
                let text = match v.get().starts_with('"') {
                    true => serde_json::from_str::<String>(v.get()).unwrap_or_default(),
                    false => v.get().to_owned(),
                };
                pairs.push((k, text));
            }
        }
    } else {
        pairs.extend(form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    Params::new(pairs)
}
