//! Contracts: a pool of license keys of one product that its holder (a reseller, a shop)
//! may draw from, up to a quantity.

use chrono::{DateTime, Utc};

use super::product::ProductId;

/// Database identity of a contract.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContractId(pub i64);

/// What the holder may do through the Contracts API.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContractRights {
    pub get_info: bool,
    pub generate: bool,
    pub destroy: bool,
    pub destroy_all: bool,
}

/// A contract's terms, as created and updated.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    /// The holder's secret handle on the contract; unique.
    pub contract_key: String,
    pub name: String,
    pub information: String,
    pub product: ProductId,
    /// Keys the holder may have at most.
    pub quantity: u32,
    pub active: bool,
    pub rights: ContractRights,
}

/// A contract with how many keys it holds now.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub id: ContractId,
    pub terms: ContractTerms,
    /// Keys drawn and not destroyed (test keys do not count).
    pub keys_count: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contract {
    /// Keys the holder may still draw.
    pub fn remaining(&self) -> u32 {
        self.terms.quantity.saturating_sub(self.keys_count)
    }
}
