//! Telemetry from installed products: always saved, flagged when malformed or suspicious.

use serde_json::json;

use super::{Actor, Service, ServiceError};
use crate::domain::license::LicenseStatus;
use crate::domain::product::ProductId;
use crate::domain::telemetry::{DataType, TelemetryFlags, TelemetryRecord};
use crate::domain::validation::{FieldErrors, Problem};
use crate::store::TelemetryFilter;

/// A record as sent: every field is text, and any may be missing.
#[derive(Debug, Clone, Default)]
pub struct TelemetryInput {
    pub data_type: Option<String>,
    pub numeric_single: Option<String>,
    pub numeric_x: Option<String>,
    pub numeric_y: Option<String>,
    pub text: Option<String>,
    pub data_group: Option<String>,
    pub product_id: Option<String>,
    pub user_identifier: Option<String>,
    pub license_key: Option<String>,
    pub activation_identifier: Option<String>,
    pub product_version: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn number(value: &Option<String>, field: &'static str, errors: &mut FieldErrors) -> serde_json::Value {
    match present(value) {
        None => {
            errors.add(field, Problem::Required);
            serde_json::Value::Null
        }
        Some(text) => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => serde_json::from_str(text).unwrap_or(json!(n)),
            _ => {
                errors.add(field, Problem::Numeric);
                json!(text)
            }
        },
    }
}

/// The most characters of `text_data` a telemetry record keeps.
pub const MAX_TELEMETRY_TEXT: usize = 4096;
const TEXT_TOO_LONG: &str = "The text data may be at most 4096 characters.";

impl Service {
    /// send-telemetry-data: saves the record whatever it holds, and returns it with the
    /// format errors found (none: code 830; some: 831).
    pub fn record_telemetry(
        &self,
        _actor: &Actor,
        input: &TelemetryInput,
    ) -> Result<(TelemetryRecord, FieldErrors), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let mut errors = FieldErrors::default();
            let product_id: Option<i64> = present(&input.product_id).and_then(|p| p.parse().ok());
            let product = product_id.map(|p| db.product(ProductId(p))).transpose()?.flatten();
            if product.is_none() {
                errors.add("product_id", Problem::Invalid);
            }
            for (value, field) in [
                (&input.user_identifier, "user_identifier"),
                (&input.license_key, "license_key"),
                (&input.activation_identifier, "activation_identifier"),
                (&input.product_version, "product_version"),
            ] {
                if present(value).is_none() {
                    errors.add(field, Problem::Required);
                }
            }
            let data_type = match present(&input.data_type) {
                None => {
                    errors.add("data_type", Problem::Required);
                    None
                }
                Some(text) => DataType::parse(text).or_else(|| {
                    errors.add("data_type", Problem::Invalid);
                    None
                }),
            };
            if present(&input.data_group).is_none() {
                errors.add("data_group", Problem::Required);
            }
            let data = match data_type {
                Some(DataType::NumericSingle) => {
                    number(&input.numeric_single, "numeric_data_single_value", &mut errors);
                    present(&input.numeric_single).unwrap_or_default().to_owned()
                }
                Some(DataType::NumericXy) => {
                    let x = number(&input.numeric_x, "numeric_data_x", &mut errors);
                    let y = number(&input.numeric_y, "numeric_data_y", &mut errors);
                    json!({"x": x, "y": y}).to_string()
                }
                Some(DataType::Text) => {
                    if present(&input.text).is_none() {
                        errors.add("text_data", Problem::Required);
                    }
                    let text = input.text.as_deref().unwrap_or_default();
                    // Kept, as every record is, but cut to size and flagged: an API key in
                    // every installed copy must not be able to store megabytes per call.
                    if text.chars().count() > MAX_TELEMETRY_TEXT {
                        errors.add("text_data", Problem::Message(TEXT_TOO_LONG));
                    }
                    text.chars().take(MAX_TELEMETRY_TEXT).collect()
                }
                None => String::new(),
            };

            let key = present(&input.license_key).unwrap_or_default();
            let license = if key.is_empty() {
                None
            } else {
                db.license_by_number(key)?.filter(|l| l.status != LicenseStatus::Deleted)
            };
            let version = present(&input.product_version).unwrap_or_default();
            let version_exists = match (&product, version) {
                (Some(p), v) if !v.is_empty() => db.product_version_exists(p.id.0, v)?,
                _ => false,
            };
            // An unknown version is suspicious only for a product that publishes its releases.
            let releases = match &product {
                Some(p) => db.product_has_releases(p.id.0)?,
                None => false,
            };
            let activation = present(&input.activation_identifier).unwrap_or_default();
            let not_activated = match (&license, activation) {
                (Some(l), a) if !a.is_empty() => !db.has_activation(l.id, a)?,
                _ => false,
            };
            let wrong_product = matches!((&license, &product), (Some(l), Some(p)) if l.product_id != Some(p.id));
            let flags = TelemetryFlags {
                correct_format: errors.is_empty(),
                license_key_exists: license.is_some(),
                product_exists: product.is_some(),
                product_version_exists: version_exists,
                red_flags: (!key.is_empty() && license.is_none())
                    || (product_id.is_some() && product.is_none())
                    || (releases && !version.is_empty() && !version_exists)
                    || not_activated
                    || wrong_product,
            };
            let mut record = TelemetryRecord {
                id: 0,
                product_id,
                license_key: key.to_owned(),
                user_identifier: present(&input.user_identifier).unwrap_or_default().to_owned(),
                activation_identifier: activation.to_owned(),
                product_version: version.to_owned(),
                data_type: present(&input.data_type).unwrap_or_default().to_owned(),
                data_group: present(&input.data_group).unwrap_or_default().to_owned(),
                data,
                flags,
                created_at: now,
            };
            record.id = db.insert_telemetry(&record, now)?;
            Ok((record, errors))
        })
    }

    /// get-telemetry-data.
    pub fn telemetry(&self, filter: &TelemetryFilter) -> Result<Vec<TelemetryRecord>, ServiceError> {
        self.store.read(|db| Ok(db.telemetry(filter)?))
    }
}
