//! Users of the registration face, with their devices and depots.

use chrono::{DateTime, Utc};

use super::distributor::{DistributorCode, DistributorId};

/// Database identity of a user; also the `userid` searchuser pages by.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// Account state, with the names searchuser replies with.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// Registered, activation mail not yet answered.
    Inactive,
    Activated,
    Disabled,
    /// The user asked for deletion (`deleteuser`) and has not confirmed yet.
    ToDelete,
}

impl UserStatus {
    pub const ALL: [Self; 4] = [Self::Inactive, Self::Activated, Self::Disabled, Self::ToDelete];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inactive => "inactive",
            Self::Activated => "activated",
            Self::Disabled => "disabled",
            Self::ToDelete => "todelete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The lower-cased form that usernames and e-mail addresses are compared and searched in.
pub fn fold_key(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Whether `text` looks like an e-mail address: one `@`, something before it,
/// and a domain with a dot that neither starts nor ends it, no white space.
pub fn is_valid_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
        && text.len() <= 254
}

/// A registered user.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub distributor: DistributorId,
    pub distributor_code: DistributorCode,
    pub username: String,
    pub email: String,
    pub status: UserStatus,
    pub language: String,
    pub reference: String,
    pub department: String,
    /// E-mail address waiting for confirmation by `confirmnewemail`.
    pub pending_email: Option<String>,
    /// The user who invited this one (referral program).
    pub invited_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// Database identity of a device (a client installation).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub i64);

/// One installation of the client software that belongs to a user.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub user: UserId,
    pub name: String,
    pub platform: String,
    pub version: String,
    pub created_at: DateTime<Utc>,
}

impl Device {
    /// The activation identifier under which a license held by this device is counted.
    pub fn activation_identifier(id: DeviceId) -> String {
        format!("device:{}", id.0)
    }
}

/// A storage depot on a host server, as handed to a user.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Depot {
    pub id: i64,
    pub user: UserId,
    /// The depot's id on its host server.
    pub depot_id: String,
    pub host_url: String,
    pub is_default: bool,
    /// The depot file the host server issued, kept as sent. Never on the console API's wire:
    /// it may carry the depot's credentials, and the Registration Server face never returns it either.
    #[serde(skip)]
    pub raw: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_needs_an_at_and_a_dotted_domain() {
        assert!(is_valid_email("a@example.com"));
        for bad in ["", "a", "a@b", "@b.c", "a@.bc", "a@bc.", "a b@c.d", "a@b@c.d"] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for status in UserStatus::ALL {
            assert_eq!(UserStatus::parse(status.as_str()), Some(status));
        }
    }
}

/// A new account as registeruser describes it.
#[derive(serde::Serialize, serde::Deserialize, Clone, Default)]
pub struct Registration {
    pub username: String,
    pub email: String,
    pub password: String,
    pub language: Option<String>,
    pub reference: String,
    pub department: String,
}

/// By hand: the password never reaches a log or a panic message.
impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("username", &self.username)
            .field("email", &self.email)
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}
