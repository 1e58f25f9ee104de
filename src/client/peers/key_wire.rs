//! The license key API's wire values for the console: the envelope's code read as success
//! or refusal, the JSON records of the listings (products, generators, keys, contracts,
//! telemetry) read leniently because peers write numbers as strings and leave fields null,
//! and the forms the backend sends. None of it needs the server.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use crate::backend::{BackendError, BackendResult};
use crate::client::keymanager::Envelope;
use crate::domain::contract::{Contract, ContractId, ContractRights, ContractTerms};
use crate::domain::generator::{Generator, GeneratorId, KeyFormat};
use crate::domain::license::{
    Features, KeyState, License, LicenseId, LicenseStatus, LicenseType, ProductKind, SeatLimit,
};
use crate::domain::product::{Meta, Product, ProductId, ProductSource};
use crate::domain::telemetry::{TelemetryFlags, TelemetryRecord};
use crate::protocol::keymanager::codes::Code;
use crate::store::{LicenseQuery, ProductFields, TelemetryFilter};

const KEY_REFUSED: &str = "The license key server refused the API key.";
/// get-license-keys' largest page.
const PAGE: u32 = 1_000;

/// One form field or query parameter.
pub(super) type Field = (&'static str, String);

/// A form as the client takes it.
pub(super) fn pairs(form: &[Field]) -> Vec<(&str, &str)> {
    form.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

fn bit(on: bool) -> String {
    String::from(if on { "1" } else { "0" })
}

fn status(active: bool) -> String {
    String::from(if active { "active" } else { "inactive" })
}

/// The answer's `response` when its code is one of `success`; otherwise the refusal in the
/// server's words, with its code and any field errors. A key the server does not know or
/// has switched off means the profile's secret is wrong; a missing capability, a foreign
/// address or the blocklist do not, so they are `Forbidden`.
pub(super) fn response_of(envelope: Envelope, success: &[Code]) -> BackendResult<Value> {
    let code = envelope.code();
    if success.iter().any(|c| c.number() == code) {
        return Ok(envelope.response);
    }
    let is = |c: Code| c.number() == code;
    let text = format!("{} (code {code}){}", envelope.message(), errors_text(&envelope.response["errors"]));
    Err(if is(Code::InvalidApiKey) || is(Code::InactiveApiKey) {
        BackendError::Unauthorized(KEY_REFUSED.into())
    } else if is(Code::MissingCapability) || is(Code::WrongIp) || is(Code::AccessDenied) {
        BackendError::Forbidden(text)
    } else {
        BackendError::Refused(text)
    })
}

/// Validation errors (`{"name": ["…"]}`, or `{"name": "…"}` from the contract endpoints) as
/// `: name: …; status: …`.
fn errors_text(errors: &Value) -> String {
    let Some(fields) = errors.as_object().filter(|fields| !fields.is_empty()) else { return String::new() };
    let parts: Vec<String> = fields
        .iter()
        .map(|(field, messages)| match messages {
            Value::Array(list) => {
                format!("{field}: {}", list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "))
            }
            other => format!("{field}: {}", other.as_str().unwrap_or_default()),
        })
        .collect();
    format!(": {}", parts.join("; "))
}

pub(super) fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A field as text: strings as sent, numbers written out, null or absent as "".
fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A whole number, sent as a number, a boolean or (the contract echoes) a string; else 0.
pub(super) fn int(v: &Value, key: &str) -> i64 {
    match &v[key] {
        Value::Number(n) => n.as_i64().unwrap_or_default(),
        Value::String(s) => s.trim().parse().unwrap_or_default(),
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

pub(super) fn uint(v: &Value, key: &str) -> u32 {
    u32::try_from(int(v, key)).unwrap_or_default()
}

fn optional_int(v: &Value, key: &str) -> Option<i64> {
    (!v[key].is_null()).then(|| int(v, key))
}

pub(super) fn flag(v: &Value, key: &str) -> bool {
    int(v, key) == 1
}

/// A time as the server writes it: ISO (`2024-02-24T20:54:16.000000Z`) or `Y-m-d H:i:s`.
fn moment(v: &Value, key: &str) -> Option<DateTime<Utc>> {
    let text = v[key].as_str()?.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").map(|at| at.and_utc()))
        .ok()
}

fn time(v: &Value, key: &str) -> DateTime<Utc> {
    moment(v, key).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

pub(super) fn product_of(v: &Value) -> Product {
    let meta = list(v, "meta_data").iter().enumerate();
    Product {
        id: ProductId(int(v, "id")),
        name: text(v, "name"),
        description: text(v, "description"),
        source: ProductSource::parse(&text(v, "source").to_lowercase()).unwrap_or(ProductSource::Internal),
        external_reference: text(v, "external_reference"),
        active: text(v, "status") != "inactive",
        require_non_expired: flag(v, "require_non_expired"),
        post_url: text(v, "post_url"),
        // The listing does not say whether a product signs with a key of its own.
        has_signing_key: false,
        distributor: None,
        meta: meta.map(|(i, m)| Meta { id: i as i64 + 1, key: text(m, "key"), value: text(m, "value") }).collect(),
        created_at: time(v, "created_at"),
        updated_at: time(v, "updated_at"),
    }
}

/// A generator of the listing; `None` for a format keydesk cannot show (a server's own
/// PHP function under `custom`).
pub(super) fn generator_of(v: &Value) -> Option<Generator> {
    let (method, charset, function) = (text(v, "method"), text(v, "charset"), text(v, "function_name"));
    let (chunks, length) = (uint(v, "number_of_chunks"), uint(v, "chunk_length"));
    Some(Generator {
        id: GeneratorId(int(v, "id")),
        product: ProductId(int(v, "product_id")),
        format: KeyFormat::from_fields(&method, &charset, chunks, length, &function).ok()?,
        prefix: text(v, "prefix"),
        suffix: text(v, "suffix"),
        activation_limit: uint(v, "activation_limit"),
        validity_days: uint(v, "validity"),
        active: flag(v, "status"),
        created_at: time(v, "created_at"),
        updated_at: time(v, "updated_at"),
    })
}

/// A key of get-license-keys. The registration fields a key does not have keep neutral
/// values: a permanent client license, active, with no features.
pub(super) fn key_of(v: &Value) -> License {
    License {
        id: LicenseId(int(v, "id")),
        number: text(v, "license_key"),
        distributor: None,
        owner: None,
        owner_username: None,
        product: ProductKind::Client,
        license_type: LicenseType::Permanent,
        features: Features::default(),
        limit: SeatLimit(uint(v, "activation_limit")),
        // The listing does not count activations.
        used: 0,
        valid_until: None,
        status: LicenseStatus::Active,
        key_state: KeyState::parse(&text(v, "status")).unwrap_or(KeyState::Available),
        is_default: false,
        reference: String::new(),
        contract_number: String::new(),
        change_id: String::new(),
        owner_name: text(v, "owner_name"),
        owner_email: text(v, "owner_email"),
        product_id: optional_int(v, "product_id").map(ProductId),
        contract_id: None,
        validity_days: uint(v, "validity"),
        assigned_at: moment(v, "assigned_at"),
        is_test: false,
        created_by: String::new(),
        created_at: time(v, "created_at"),
        updated_at: time(v, "updated_at"),
    }
}

pub(super) fn contract_of(v: &Value) -> Contract {
    let rights = ContractRights {
        get_info: flag(v, "can_get_info"),
        generate: flag(v, "can_generate"),
        destroy: flag(v, "can_destroy"),
        destroy_all: flag(v, "can_destroy_all"),
    };
    Contract {
        id: ContractId(int(v, "id")),
        terms: ContractTerms {
            contract_key: text(v, "contract_key"),
            name: text(v, "name"),
            information: text(v, "information"),
            product: ProductId(int(v, "product_id")),
            quantity: uint(v, "license_keys_quantity"),
            active: text(v, "status") == "active",
            rights,
        },
        keys_count: uint(v, "license_keys_count"),
        created_at: time(v, "created_at"),
        updated_at: time(v, "updated_at"),
    }
}

/// get-telemetry-data's filters: the texts and the product as sent, the flags as 1 or 0.
pub(super) fn telemetry_query(filter: &TelemetryFilter) -> Vec<Field> {
    let texts = [
        ("data_type", &filter.data_type),
        ("data_group", &filter.data_group),
        ("user_identifier", &filter.user_identifier),
        ("license_key", &filter.license_key),
        ("activation_identifier", &filter.activation_identifier),
        ("product_version", &filter.product_version),
    ];
    let flags = [
        ("is_correct_format", filter.correct_format),
        ("license_key_exists", filter.license_key_exists),
        ("product_exists", filter.product_exists),
        ("product_version_exists", filter.product_version_exists),
        ("has_red_flags", filter.red_flags),
    ];
    let mut query: Vec<Field> = texts
        .into_iter()
        .filter_map(|(name, value)| {
            value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(|v| (name, v.to_owned()))
        })
        .collect();
    query.extend(filter.product_id.map(|id| ("product_id", id.to_string())));
    query.extend(flags.into_iter().filter_map(|(name, on)| on.map(|on| (name, bit(on)))));
    if filter.limit > 0 {
        query.push(("limit", filter.limit.to_string()));
    }
    query
}

pub(super) fn telemetry_of(v: &Value) -> TelemetryRecord {
    let flags = TelemetryFlags {
        correct_format: flag(v, "is_correct_format"),
        license_key_exists: flag(v, "license_key_exists"),
        product_exists: flag(v, "product_exists"),
        product_version_exists: flag(v, "product_version_exists"),
        red_flags: flag(v, "has_red_flags"),
    };
    TelemetryRecord {
        id: int(v, "id"),
        product_id: optional_int(v, "product_id"),
        license_key: text(v, "license_key"),
        user_identifier: text(v, "user_identifier"),
        activation_identifier: text(v, "activation_identifier"),
        product_version: text(v, "product_version"),
        data_type: text(v, "data_type"),
        data_group: text(v, "data_group"),
        data: text(v, "data"),
        flags,
        created_at: time(v, "created_at"),
    }
}

/// The terms stock keys get: the product's generator's limit and validity, or 1 and 0
/// without one (as keydesk's own import does).
#[derive(Debug, Clone, Copy)]
pub(super) struct StockTerms {
    activation_limit: u32,
    validity: u32,
}

impl StockTerms {
    pub(super) fn of(generator: Option<&Value>) -> Self {
        generator.map_or(Self { activation_limit: 1, validity: 0 }, |g| Self {
            activation_limit: uint(g, "activation_limit"),
            validity: uint(g, "validity"),
        })
    }
}

/// create-license-keys for `keys` as available stock of `product`.
pub(super) fn stock_form(product: ProductId, keys: &[String], terms: StockTerms) -> BackendResult<Vec<Field>> {
    let json = serde_json::to_string(keys).map_err(|e| BackendError::Failed(e.to_string()))?;
    Ok(vec![
        ("license_keys", json),
        ("product_id", product.0.to_string()),
        ("activation_limit", terms.activation_limit.to_string()),
        ("validity", terms.validity.to_string()),
        ("status", KeyState::Available.as_str().to_owned()),
    ])
}

/// update-license-key for `key` in `state`, with every other field as it is: the endpoint
/// replaces them all (an absent owner becomes empty).
pub(super) fn key_update_form(key: &License, state: KeyState) -> Vec<Field> {
    vec![
        ("license_key", key.number.clone()),
        ("product_id", key.product_id.map(|p| p.0.to_string()).unwrap_or_default()),
        ("owner_name", key.owner_name.clone()),
        ("owner_email", key.owner_email.clone()),
        ("activation_limit", key.limit.0.to_string()),
        ("validity", key.validity_days.to_string()),
        ("status", state.as_str().to_owned()),
    ]
}

/// get-license-keys for one page of the query's product and state (its only filters the
/// console has; the owner filters are exact there, a part of a name here).
pub(super) fn key_query(query: &LicenseQuery, page: u32) -> Vec<Field> {
    let mut form = vec![("items_per_page", PAGE.to_string()), ("page", page.to_string())];
    form.extend(query.product.map(|product| ("product_id", product.0.to_string())));
    form.extend(query.key_state.map(|state| ("status", state.as_str().to_owned())));
    form
}

pub(super) fn product_form(fields: &ProductFields) -> Vec<Field> {
    vec![
        ("name", fields.name.trim().to_owned()),
        ("description", fields.description.trim().to_owned()),
        ("source", fields.source.as_str().to_owned()),
        ("require_non_expired", bit(fields.require_non_expired)),
        ("status", status(fields.active)),
        ("external_reference", fields.external_reference.trim().to_owned()),
        ("post_url", fields.post_url.trim().to_owned()),
    ]
}

/// update-contract for `contract` with new rights and its other fields as they are: the
/// endpoint requires them all.
pub(super) fn contract_form(contract: &Contract, rights: ContractRights) -> Vec<Field> {
    let terms = &contract.terms;
    vec![
        ("contract_id", contract.id.0.to_string()),
        ("contract_key", terms.contract_key.clone()),
        ("contract_name", terms.name.clone()),
        ("contract_information", terms.information.clone()),
        ("product_id", terms.product.0.to_string()),
        ("license_keys_quantity", terms.quantity.to_string()),
        ("status", status(terms.active)),
        ("can_get_info", bit(rights.get_info)),
        ("can_generate", bit(rights.generate)),
        ("can_destroy", bit(rights.destroy)),
        ("can_destroy_all", bit(rights.destroy_all)),
    ]
}
