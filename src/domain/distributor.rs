//! Distributors (TeamDrive calls them providers): the tenants of the registration face.

use std::fmt;
use std::net::IpAddr;

/// A distributor's 4-character code: upper-case letters and digits, e.g. `TMDR`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistributorCode(String);

/// Why a text is not a distributor code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a distributor code is exactly 4 characters A-Z or 0-9, got {0:?}")]
pub struct BadDistributorCode(pub String);

impl DistributorCode {
    /// Parses a code, accepting lower case and normalising it to upper case.
    pub fn parse(text: &str) -> Result<Self, BadDistributorCode> {
        let upper = text.trim().to_ascii_uppercase();
        let valid = upper.len() == 4 && upper.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid { Ok(Self(upper)) } else { Err(BadDistributorCode(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DistributorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which usernames `registeruser` accepts (TeamDrive's `RegNameComplexity`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsernameCharset {
    /// Any printable characters except white space and `*` (the search wildcard).
    #[default]
    Printable,
    /// ASCII letters, digits and `. _ - @`.
    Simple,
}

impl UsernameCharset {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Printable => "printable",
            Self::Simple => "simple",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "printable" => Some(Self::Printable),
            "simple" => Some(Self::Simple),
            _ => None,
        }
    }

    fn allows(self, c: char) -> bool {
        match self {
            Self::Printable => !c.is_whitespace() && !c.is_control() && c != '*',
            Self::Simple => c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'),
        }
    }
}

/// The rules a new username must meet.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct UsernameRules {
    pub min_length: u32,
    pub charset: UsernameCharset,
}

impl Default for UsernameRules {
    fn default() -> Self {
        // TeamDrive documents a default minimum username length of 5.
        Self { min_length: 5, charset: UsernameCharset::Printable }
    }
}

impl UsernameRules {
    /// Whether `name` may be registered. Names starting with `$` are reserved for
    /// generated ("magic") usernames.
    pub fn allows(&self, name: &str) -> bool {
        let length = name.chars().count();
        length > 0
            && length >= self.min_length as usize
            && length <= 255
            && !name.starts_with('$')
            && name.chars().all(|c| self.charset.allows(c))
    }
}

/// A distributor's API settings, as TeamDrive's provider settings describe them.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct DistributorSettings {
    /// The caller addresses that identify this distributor (`API_IP_ACCESS`).
    pub allowed_ips: Vec<IpAddr>,
    /// Whether another caller may act for this distributor with `<distributor>`
    /// (`APIAllowSettingDistributor`).
    pub allow_select: bool,
    /// Returned with -30004 when one of this distributor's users logs in elsewhere.
    pub redirect_url: Option<String>,
    /// Whether a default license is created for users who have none.
    pub create_default_license: bool,
    /// `ClientPasswordLength`.
    pub min_password_length: u32,
    pub username_rules: UsernameRules,
    /// `UseEmailAsReference`: usernames are generated, and the e-mail stands for the username.
    pub email_as_reference: bool,
    /// `AllowActivationWithoutEmail`: new users are active at once and get no activation mail.
    pub activation_without_email: bool,
    /// Whether an e-mail address may belong to one user only within this distributor.
    pub unique_email: bool,
    /// The depot server returned by `gethostfordepot`.
    pub depot_host_url: Option<String>,
    /// Largest accepted distance, in seconds, between `<requesttime>` and now; 0 turns the check off.
    pub request_window_secs: u32,
}

impl Default for DistributorSettings {
    fn default() -> Self {
        Self {
            allowed_ips: Vec::new(),
            allow_select: false,
            redirect_url: None,
            create_default_license: true,
            min_password_length: 8,
            username_rules: UsernameRules::default(),
            email_as_reference: false,
            activation_without_email: false,
            unique_email: true,
            depot_host_url: None,
            request_window_secs: 0,
        }
    }
}

/// Database identity of a distributor.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DistributorId(pub i64);

/// A distributor with its settings. The checksum salt is kept apart (see `secret`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Distributor {
    pub id: DistributorId,
    pub code: DistributorCode,
    pub name: String,
    /// The default distributor manages all others (TeamDrive's `DefaultProvider`).
    pub is_default: bool,
    pub settings: DistributorSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_four_upper_case_alphanumerics() {
        assert_eq!(DistributorCode::parse("tmdr").map(|c| c.to_string()), Ok("TMDR".to_owned()));
        for bad in ["TMD", "TMDRS", "TM-R", ""] {
            assert!(DistributorCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn username_rules_reserve_magic_names_and_wildcards() {
        let rules = UsernameRules::default();
        assert!(rules.allows("alice"));
        assert!(!rules.allows("ali"));
        assert!(!rules.allows("$TMDR-1"));
        assert!(!rules.allows("ali*ce"));
        assert!(!rules.allows("ali ce"));
        let simple = UsernameRules { min_length: 1, charset: UsernameCharset::Simple };
        assert!(simple.allows("a.b_c-d@e"));
        assert!(!simple.allows("jürgen"));
    }
}
