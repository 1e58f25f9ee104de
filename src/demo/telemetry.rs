//! Telemetry from the keys in use, with a few malformed and flagged records.

use super::*;

/// Series of usage numbers from installations, and from some of them an error text and
/// records that raise the red flag.
pub(super) fn record_telemetry(service: &Service, active: &[ActiveKey], rng: &mut StdRng) -> Result<(), ServiceError> {
    for (n, key) in active.iter().take(TELEMETRY_KEYS).enumerate() {
        for _ in 0..5 {
            send(service, numeric(key, &format!("{:.1}", rng.gen_range(2.0..90.0))))?;
        }
        send(
            service,
            TelemetryInput {
                data_type: Some(DataType::NumericXy.as_str().into()),
                numeric_x: Some(rng.gen_range(10..5_000).to_string()),
                numeric_y: Some(rng.gen_range(1..600).to_string()),
                ..installation(key, "files-vs-seconds")
            },
        )?;
        if n < FLAGGED_KEYS {
            for record in oddities(key) {
                send(service, record)?;
            }
        }
    }
    Ok(())
}

/// An error text; an unknown key, an installation the key is not active on and an
/// unpublished version, each of which raises the red flag; and a malformed value.
fn oddities(key: &ActiveKey) -> [TelemetryInput; 5] {
    let text = Some("Connection reset by peer during upload".to_owned());
    [
        TelemetryInput { data_type: Some(DataType::Text.as_str().into()), text, ..installation(key, "errors") },
        TelemetryInput { license_key: Some(format!("{}-FORGED", key.key)), ..numeric(key, "12.5") },
        TelemetryInput { activation_identifier: Some("UNKNOWN-HOST".into()), ..numeric(key, "12.5") },
        TelemetryInput { product_version: Some("0.9.0-cracked".into()), ..numeric(key, "12.5") },
        numeric(key, "fast"),
    ]
}

/// A sync duration as the installation behind `key` reports it.
fn numeric(key: &ActiveKey, value: &str) -> TelemetryInput {
    TelemetryInput {
        data_type: Some(DataType::NumericSingle.as_str().into()),
        numeric_single: Some(value.into()),
        ..installation(key, "sync-duration-seconds")
    }
}

/// A record as the installation behind `key` sends it, before its value.
fn installation(key: &ActiveKey, group: &str) -> TelemetryInput {
    TelemetryInput {
        data_group: Some(group.into()),
        product_id: Some(key.product.0.to_string()),
        user_identifier: Some(key.owner.email.clone()),
        license_key: Some(key.key.clone()),
        activation_identifier: Some(key.identifier.clone()),
        product_version: Some(key.version.into()),
        ..TelemetryInput::default()
    }
}

fn send(service: &Service, input: TelemetryInput) -> Result<(), ServiceError> {
    service.record_telemetry(&Actor::Owner, &input).map(|_| ())
}
