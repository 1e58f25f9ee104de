//! Licenses: one row seen by the Registration Server face (number, product, type,
//! features, limit, used) and by the license key face (key, owner, activation limit).

use std::fmt;

use chrono::{DateTime, Months, NaiveDate, Utc};

use super::distributor::DistributorId;
use super::user::UserId;

/// Database identity of a license.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenseId(pub i64);

/// The Registration Server's product: the client (1) or the server (2).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductKind {
    Client,
    Server,
}

impl ProductKind {
    pub fn id(self) -> u8 {
        match self {
            Self::Client => 1,
            Self::Server => 2,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Server => "server",
        }
    }

    /// Accepts the names and the numeric ids.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "client" | "1" => Some(Self::Client),
            "server" | "2" => Some(Self::Server),
            _ => None,
        }
    }

    pub fn from_id(id: i64) -> Option<Self> {
        match id {
            1 => Some(Self::Client),
            2 => Some(Self::Server),
            _ => None,
        }
    }
}

/// How a license is paid, with the numeric codes of getlicensedata.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseType {
    Permanent,
    Monthly,
    NotForResale,
    Yearly,
}

impl LicenseType {
    pub fn code(self) -> u8 {
        match self {
            Self::Permanent => 0,
            Self::Monthly => 1,
            Self::NotForResale => 2,
            Self::Yearly => 3,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Permanent),
            1 => Some(Self::Monthly),
            2 => Some(Self::NotForResale),
            3 => Some(Self::Yearly),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Monthly => "monthly",
            Self::NotForResale => "notforresale",
            Self::Yearly => "yearly",
        }
    }

    /// Accepts the documented names, `nfr`/`notforresale`, and the numeric codes.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace([' ', '-', '_'], "").as_str() {
            "permanent" | "0" => Some(Self::Permanent),
            "monthly" | "1" => Some(Self::Monthly),
            "notforresale" | "nfr" | "2" => Some(Self::NotForResale),
            "yearly" | "3" => Some(Self::Yearly),
            _ => None,
        }
    }

    /// The end of the first paid period when no explicit date is given.
    pub fn default_valid_until(self, created: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Monthly => created.checked_add_months(Months::new(1)),
            Self::Yearly => created.checked_add_months(Months::new(12)),
            Self::Permanent | Self::NotForResale => None,
        }
    }
}

/// One feature bit of a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    Banner,
    WebDavs,
    Personal,
    Professional,
    Enterprise,
}

impl Feature {
    pub const ALL: [Self; 5] = [Self::Banner, Self::WebDavs, Self::Personal, Self::Professional, Self::Enterprise];

    pub fn bit(self) -> u32 {
        match self {
            Self::Banner => 1,
            Self::WebDavs => 2,
            Self::Personal => 4,
            Self::Professional => 8,
            Self::Enterprise => 16,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Banner => "banner",
            Self::WebDavs => "webdavs",
            Self::Personal => "personal",
            Self::Professional => "professional",
            Self::Enterprise => "enterprise",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Banner => "Banner",
            Self::WebDavs => "WebDAVs",
            Self::Personal => "Personal",
            Self::Professional => "Professional",
            Self::Enterprise => "Enterprise",
        }
    }

    /// The edition tier; add-ons (banner, webdavs) have none.
    fn tier(self) -> Option<u8> {
        match self {
            Self::Personal => Some(1),
            Self::Professional => Some(2),
            Self::Enterprise => Some(3),
            Self::Banner | Self::WebDavs => None,
        }
    }
}

/// The feature bits of a license (`featurevalue`).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Features(u32);

/// Why a feature value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown feature value")]
pub struct UnknownFeature;

impl Features {
    pub const ALL_BITS: u32 = 31;

    pub fn from_bits(bits: u32) -> Option<Self> {
        (bits <= Self::ALL_BITS).then_some(Self(bits))
    }

    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn contains(self, feature: Feature) -> bool {
        self.0 & feature.bit() != 0
    }

    pub fn with(self, feature: Feature) -> Self {
        Self(self.0 | feature.bit())
    }

    /// Accepts a feature name, a comma-separated list of names, or the numeric sum.
    pub fn parse(text: &str) -> Result<Self, UnknownFeature> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UnknownFeature);
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            let bits: u32 = text.parse().map_err(|_| UnknownFeature)?;
            return Self::from_bits(bits).filter(|f| f.0 != 0).ok_or(UnknownFeature);
        }
        text.split(',').try_fold(Self::default(), |acc, part| {
            let name = part.trim().to_ascii_lowercase();
            Feature::ALL.into_iter().find(|f| f.name() == name).map(|f| acc.with(f)).ok_or(UnknownFeature)
        })
    }

    /// `featuretext`: the names of the set bits, comma separated.
    pub fn text(self) -> String {
        Feature::ALL.into_iter().filter(|f| self.contains(*f)).map(Feature::title).collect::<Vec<_>>().join(",")
    }

    fn tier(self) -> u8 {
        Feature::ALL.into_iter().filter(|f| self.contains(*f)).filter_map(Feature::tier).max().unwrap_or(0)
    }

    fn addons(self) -> u32 {
        self.0 & (Feature::Banner.bit() | Feature::WebDavs.bit())
    }

    fn tier_bits(self) -> u32 {
        self.0 & !(Feature::Banner.bit() | Feature::WebDavs.bit())
    }

    /// The features after upgrading with `requested`: a higher or equal edition replaces
    /// the current one, add-ons are added. `None` when `requested` is a lower edition.
    pub fn upgraded(self, requested: Self) -> Option<Self> {
        if requested.tier_bits() != 0 && requested.tier() < self.tier() {
            return None;
        }
        let tier = if requested.tier_bits() != 0 { requested.tier_bits() } else { self.tier_bits() };
        Some(Self(tier | self.addons() | requested.addons()))
    }

    /// The features after downgrading to `requested`: an edition (with add-ons) is the
    /// target set, keeping only the add-ons it names and that the license had; a request of
    /// add-ons only removes exactly those. `None` when `requested` is a higher edition.
    pub fn downgraded(self, requested: Self) -> Option<Self> {
        if requested.tier_bits() != 0 {
            if requested.tier() > self.tier() {
                return None;
            }
            return Some(Self(requested.tier_bits() | (self.addons() & requested.addons())));
        }
        Some(Self(self.0 & !requested.addons()))
    }
}

/// Registration Server license state; `Deleted` rows are never returned.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LicenseStatus {
    Active,
    Deactivated,
    Deleted,
}

impl LicenseStatus {
    pub fn code(self) -> u8 {
        match self {
            Self::Active => 0,
            Self::Deactivated => 1,
            Self::Deleted => 2,
        }
    }

    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            0 => Some(Self::Active),
            1 => Some(Self::Deactivated),
            2 => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// License key state on the key manager face.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyState {
    Available,
    Assigned,
    Reserved,
    Blocked,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Assigned => "assigned",
            Self::Reserved => "reserved",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Available, Self::Assigned, Self::Reserved, Self::Blocked].into_iter().find(|s| s.as_str() == text)
    }
}

/// A seat count; 0 means unlimited.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SeatLimit(pub u32);

impl SeatLimit {
    pub fn is_unlimited(self) -> bool {
        self.0 == 0
    }

    /// Whether `used` seats leave room for `more`.
    pub fn admits(self, used: u32, more: u32) -> bool {
        self.is_unlimited() || used.saturating_add(more) <= self.0
    }
}

impl fmt::Display for SeatLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The terms a key is created or updated with.
#[derive(Debug, Clone)]
pub struct KeyTerms {
    pub product: super::product::ProductId,
    pub owner_name: String,
    pub owner_email: String,
    pub activation_limit: u32,
    pub validity_days: u32,
    pub state: KeyState,
    pub assigned_at: Option<DateTime<Utc>>,
}

/// A license as both faces see it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct License {
    pub id: LicenseId,
    /// The license number (Registration Server) which is also its key (key manager).
    pub number: String,
    pub distributor: Option<DistributorId>,
    pub owner: Option<UserId>,
    pub owner_username: Option<String>,
    pub product: ProductKind,
    pub license_type: LicenseType,
    pub features: Features,
    pub limit: SeatLimit,
    /// Active activations: devices and identifiers holding the license.
    pub used: u32,
    pub valid_until: Option<NaiveDate>,
    pub status: LicenseStatus,
    pub key_state: KeyState,
    pub is_default: bool,
    pub reference: String,
    pub contract_number: String,
    pub change_id: String,
    pub owner_name: String,
    pub owner_email: String,
    /// The key manager's product this key unlocks.
    pub product_id: Option<super::product::ProductId>,
    /// The contract (a reseller's pool) the key was drawn from.
    pub contract_id: Option<i64>,
    /// Days the key is valid from its assignment; 0: it never expires.
    pub validity_days: u32,
    pub assigned_at: Option<DateTime<Utc>>,
    /// A key made in test mode: it never counts against a pool.
    pub is_test: bool,
    /// Who made it: `owner`, `api-key:3`, `reseller:2 via keygen-url`, …
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl License {
    /// When the key stops working: `validity_days` after assignment; `None` when it never
    /// does. Checked: a stored validity or assignment date past the calendar's end (made by an
    /// older keydesk, or by hand) means "never", not a panic.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        let assigned = self.assigned_at?;
        let days = chrono::TimeDelta::try_days(i64::from(self.validity_days))?;
        (self.validity_days > 0).then(|| assigned.checked_add_signed(days)).flatten()
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at().is_some_and(|end| end < now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> Features {
        Features::parse(text).expect("valid features")
    }

    #[test]
    fn features_parse_names_lists_and_sums() {
        assert_eq!(f("enterprise").bits(), 16);
        assert_eq!(f("banner, webdavs").bits(), 3);
        assert_eq!(f("12").bits(), 12);
        assert_eq!(f("personal").text(), "Personal");
        assert_eq!(f("31").text(), "Banner,WebDAVs,Personal,Professional,Enterprise");
        for bad in ["", "gold", "32", "0", "personal,gold"] {
            assert!(Features::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn upgrade_raises_the_edition_and_keeps_addons() {
        assert_eq!(f("personal,webdavs").upgraded(f("enterprise")), Some(f("enterprise,webdavs")));
        assert_eq!(f("professional").upgraded(f("webdavs")), Some(f("professional,webdavs")));
        assert_eq!(f("enterprise").upgraded(f("personal")), None);
    }

    #[test]
    fn downgrade_lowers_the_edition_or_drops_addons() {
        assert_eq!(f("enterprise,webdavs").downgraded(f("personal")), Some(f("personal")));
        assert_eq!(f("enterprise,webdavs").downgraded(f("webdavs")), Some(f("enterprise")));
        assert_eq!(f("personal").downgraded(f("enterprise")), None);
    }

    #[test]
    fn periods_follow_the_type() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 31).expect("date");
        assert_eq!(LicenseType::Monthly.default_valid_until(day), NaiveDate::from_ymd_opt(2026, 2, 28));
        assert_eq!(LicenseType::Yearly.default_valid_until(day), NaiveDate::from_ymd_opt(2027, 1, 31));
        assert_eq!(LicenseType::Permanent.default_valid_until(day), None);
    }

    #[test]
    fn zero_limit_is_unlimited() {
        assert!(SeatLimit(0).admits(1000, 1));
        assert!(SeatLimit(2).admits(1, 1));
        assert!(!SeatLimit(2).admits(2, 1));
    }
}
