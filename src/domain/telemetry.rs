//! Telemetry records sent by installed products: numbers, points or text, grouped, with
//! flags that say whether the record looks genuine.

use chrono::{DateTime, Utc};

/// The kinds of value a record carries.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    NumericSingle,
    NumericXy,
    Text,
}

impl DataType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NumericSingle => "numeric-single-value",
            Self::NumericXy => "numeric-xy-axis",
            Self::Text => "text",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::NumericSingle, Self::NumericXy, Self::Text].into_iter().find(|t| t.as_str() == text.trim())
    }
}

/// What a record says about itself: each flag as the API reports it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TelemetryFlags {
    pub correct_format: bool,
    pub license_key_exists: bool,
    pub product_exists: bool,
    pub product_version_exists: bool,
    /// Presumed to come from a tampered or pirated copy: a key, product or version named
    /// but unknown, or a key not activated for the installation that sent it.
    pub red_flags: bool,
}

/// A stored record.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct TelemetryRecord {
    pub id: i64,
    pub product_id: Option<i64>,
    pub license_key: String,
    pub user_identifier: String,
    pub activation_identifier: String,
    pub product_version: String,
    /// As sent: a type name, or what the sender wrote when it was not one.
    pub data_type: String,
    pub data_group: String,
    /// The value: the number as sent, `{"x":…,"y":…}` for points, or the text.
    pub data: String,
    pub flags: TelemetryFlags,
    pub created_at: DateTime<Utc>,
}
