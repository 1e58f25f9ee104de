//! Resellers: partners who buy pools of licenses per edition and turn them into keys for
//! their customers, by the keygen URL or by hand in the console.

use chrono::{DateTime, Utc};

use super::contract::Contract;
use super::distributor::DistributorId;

/// Database identity of a reseller.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResellerId(pub i64);

/// The editions a pool can be bought for, as the keygen URL names them.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Edition {
    Professional,
    Enterprise,
}

impl Edition {
    pub const ALL: [Self; 2] = [Self::Professional, Self::Enterprise];

    /// The keygen URL's value: `pro` or `ent`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Professional => "pro",
            Self::Enterprise => "ent",
        }
    }

    /// Exactly `pro` or `ent`, as documented (no other spelling).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Professional => "Professional",
            Self::Enterprise => "Enterprise",
        }
    }
}

/// A reseller as stored (never the password).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Reseller {
    pub id: ResellerId,
    pub email: String,
    pub name: String,
    /// The distributor whose mail templates the reseller's customers receive; `None`: the
    /// built-in templates.
    pub distributor: Option<DistributorId>,
    pub created_at: DateTime<Utc>,
    /// Switched off: its password generates no keys (`keydesk admin reseller disable`).
    #[serde(default)]
    pub disabled: bool,
}

/// One edition a reseller bought: a contract on that edition's product.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    pub reseller: ResellerId,
    pub edition: Edition,
    pub contract: Contract,
}

impl Pool {
    /// Licenses the reseller may still generate from this pool.
    pub fn left(&self) -> u32 {
        self.contract.remaining()
    }
}

/// A reseller to add from the console; keydesk draws its first password.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct NewResellerAccount {
    /// Its login for the keygen URL (`reselleremail`).
    pub email: String,
    /// As its customers' mails show it; blank: the e-mail.
    pub name: String,
    /// Whose mail templates its customers receive; `None`: the built-in ones.
    pub distributor: Option<DistributorId>,
}

/// What the console can do to a reseller.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResellerAction {
    /// Its password generates no keys, on the keygen URL or in a console.
    Disable,
    Enable,
    /// A new password drawn by keydesk, shown once.
    ResetPassword,
    /// Refused once keys were drawn from its pools (disable it then).
    Delete,
}

/// A pool to give a reseller: licenses of one edition, drawn from a product's generator.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PoolOrder {
    pub reseller: ResellerId,
    pub edition: Edition,
    pub product: super::product::ProductId,
    pub quantity: u32,
}

/// What the console can do to a pool.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolAction {
    /// The reseller bought this many more licenses.
    TopUp(u32),
    /// No more keys from it (those drawn keep working); the pool's history stays.
    Close,
    Reopen,
}

/// Which path keys were generated through; recorded with the keys and in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The automatic key generation URL.
    KeygenUrl,
    /// The console's Key generation view.
    Console,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeygenUrl => "keygen-url",
            Self::Console => "console",
        }
    }
}

/// A customer's order: who gets the keys, how many, of which edition.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct KeyOrder {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub quantity: u32,
    /// `None`: the only edition the reseller holds.
    pub edition: Option<Edition>,
    /// Test mode: the mail goes to the reseller, the pool is untouched, the keys are marked test.
    pub test_mode: bool,
}

impl KeyOrder {
    /// The owner name the keys carry.
    pub fn customer_name(&self) -> String {
        format!("{} {}", self.first_name.trim(), self.last_name.trim())
    }
}

/// What an order produced.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct IssuedKeys {
    pub keys: Vec<String>,
    pub edition: Edition,
    /// Licenses left in the pool afterwards.
    pub left: u32,
    /// Where the mail with the keys was queued to.
    pub mailed_to: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editions_are_exactly_pro_and_ent() {
        assert_eq!(Edition::from_code("pro"), Some(Edition::Professional));
        assert_eq!(Edition::from_code("ent"), Some(Edition::Enterprise));
        assert_eq!(Edition::from_code("PRO"), None);
        assert_eq!(Edition::from_code("enterprise"), None);
        assert!(Edition::ALL.iter().all(|e| Edition::from_code(e.code()) == Some(*e)));
    }
}
