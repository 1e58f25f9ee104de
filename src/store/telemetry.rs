//! Telemetry records and their filters.

use chrono::{DateTime, Utc};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::telemetry::{TelemetryFlags, TelemetryRecord};

/// get-telemetry-data filters; each present one must match.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default)]
#[serde(default)]
pub struct TelemetryFilter {
    pub data_type: Option<String>,
    pub data_group: Option<String>,
    pub product_id: Option<i64>,
    pub user_identifier: Option<String>,
    pub license_key: Option<String>,
    pub activation_identifier: Option<String>,
    pub product_version: Option<String>,
    pub correct_format: Option<bool>,
    pub license_key_exists: Option<bool>,
    pub product_exists: Option<bool>,
    pub product_version_exists: Option<bool>,
    pub red_flags: Option<bool>,
    pub limit: u32,
}

impl Db<'_> {
    pub fn insert_telemetry(&self, record: &TelemetryRecord, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let key = (!record.license_key.is_empty()).then_some(record.license_key.as_str());
        let f = record.flags;
        self.conn
            .prepare_cached(
                "INSERT INTO telemetry (product_id, license_key_lookup, license_key_sealed, user_identifier, \
                 activation_identifier, product_version, data_type, data_group, data, is_correct_format, \
                 license_key_exists, product_exists, product_version_exists, has_red_flags, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(rusqlite::params![
                record.product_id,
                key.map(|k| self.sealer.lookup(k).to_vec()),
                key.map(|k| self.sealer.seal(k)),
                record.user_identifier,
                record.activation_identifier,
                record.product_version,
                record.data_type,
                record.data_group,
                record.data,
                f.correct_format,
                f.license_key_exists,
                f.product_exists,
                f.product_version_exists,
                f.red_flags,
                to_millis(now),
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records matching every filter given, oldest first.
    pub fn telemetry(&self, filter: &TelemetryFilter) -> Result<Vec<TelemetryRecord>, StoreError> {
        let mut conditions = vec!["1".to_owned()];
        let mut args: Vec<Value> = Vec::new();
        let mut text = |column: &str, value: &Option<String>| {
            if let Some(v) = value {
                conditions.push(format!("{column} = ?"));
                args.push(Value::Text(v.clone()));
            }
        };
        text("data_type", &filter.data_type);
        text("data_group", &filter.data_group);
        text("user_identifier", &filter.user_identifier);
        text("activation_identifier", &filter.activation_identifier);
        text("product_version", &filter.product_version);
        if let Some(product) = filter.product_id {
            conditions.push("product_id = ?".into());
            args.push(Value::Integer(product));
        }
        if let Some(key) = &filter.license_key {
            conditions.push("license_key_lookup = ?".into());
            args.push(Value::Blob(self.sealer.lookup(key).to_vec()));
        }
        for (column, flag) in [
            ("is_correct_format", filter.correct_format),
            ("license_key_exists", filter.license_key_exists),
            ("product_exists", filter.product_exists),
            ("product_version_exists", filter.product_version_exists),
            ("has_red_flags", filter.red_flags),
        ] {
            if let Some(flag) = flag {
                conditions.push(format!("{column} = ?"));
                args.push(Value::Integer(i64::from(flag)));
            }
        }
        args.push(Value::Integer(i64::from(filter.limit.max(1))));
        let sql = format!(
            "SELECT id, product_id, license_key_sealed, user_identifier, activation_identifier, product_version, \
             data_type, data_group, data, is_correct_format, license_key_exists, product_exists, \
             product_version_exists, has_red_flags, created_at FROM telemetry WHERE {} ORDER BY id LIMIT ?",
            conditions.join(" AND ")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            let sealed: Option<Vec<u8>> = r.get(2)?;
            Ok((
                sealed,
                TelemetryRecord {
                    id: r.get(0)?,
                    product_id: r.get(1)?,
                    license_key: String::new(),
                    user_identifier: r.get(3)?,
                    activation_identifier: r.get(4)?,
                    product_version: r.get(5)?,
                    data_type: r.get(6)?,
                    data_group: r.get(7)?,
                    data: r.get(8)?,
                    flags: TelemetryFlags {
                        correct_format: r.get(9)?,
                        license_key_exists: r.get(10)?,
                        product_exists: r.get(11)?,
                        product_version_exists: r.get(12)?,
                        red_flags: r.get(13)?,
                    },
                    created_at: from_millis(r.get(14)?),
                },
            ))
        })?;
        rows.map(|row| {
            let (sealed, mut record) = row?;
            if let Some(sealed) = sealed {
                record.license_key = self.sealer.open(&sealed)?;
            }
            Ok(record)
        })
        .collect()
    }

    /// Whether a product publishes any release.
    pub fn product_has_releases(&self, product: i64) -> Result<bool, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM downloadables WHERE product_id = ?1 AND published = 1",
            [product],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }

    /// Whether a product has a published downloadable of this version.
    pub fn product_version_exists(&self, product: i64, version: &str) -> Result<bool, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM downloadables WHERE product_id = ?1 AND version = ?2 AND published = 1",
            rusqlite::params![product, version],
            |r| r.get(0),
        )?;
        Ok(count > 0)
    }
}
