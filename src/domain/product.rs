//! Products of the license key face, and their metadata.

use chrono::{DateTime, Utc};

/// Database identity of a product.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductId(pub i64);

/// Where a product is sold.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductSource {
    Internal,
    Envato,
}

impl ProductSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Envato => "envato",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "internal" => Some(Self::Internal),
            "envato" => Some(Self::Envato),
            _ => None,
        }
    }
}

/// A key/value pair attached to a product or a license key.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub id: i64,
    pub key: String,
    pub value: String,
}

/// A product.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub name: String,
    pub description: String,
    pub source: ProductSource,
    pub external_reference: String,
    pub active: bool,
    /// Expired keys lose access to downloads.
    pub require_non_expired: bool,
    pub post_url: String,
    /// Whether the product signs its responses with its own key.
    pub has_signing_key: bool,
    /// The distributor whose product this is; its keys are that distributor's licenses.
    pub distributor: Option<super::distributor::DistributorId>,
    pub meta: Vec<Meta>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
