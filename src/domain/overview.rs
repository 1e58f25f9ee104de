//! The business at a glance, for the signed-in scope: what the Overview view shows.

use chrono::NaiveDate;

use super::license::{KeyState, LicenseStatus};
use super::reseller::Pool;

/// Licenses counted by their status and by their key's state.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseCounts {
    pub active: u64,
    pub deactivated: u64,
    pub available: u64,
    pub assigned: u64,
    pub reserved: u64,
    pub blocked: u64,
}

impl LicenseCounts {
    pub fn of_status(&self, status: LicenseStatus) -> u64 {
        match status {
            LicenseStatus::Active => self.active,
            LicenseStatus::Deactivated => self.deactivated,
            // Deleted licenses are no one's any more: never counted.
            LicenseStatus::Deleted => 0,
        }
    }

    pub fn of_key_state(&self, state: KeyState) -> u64 {
        match state {
            KeyState::Available => self.available,
            KeyState::Assigned => self.assigned,
            KeyState::Reserved => self.reserved,
            KeyState::Blocked => self.blocked,
        }
    }
}

/// How many of something happened on one day (UTC).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub count: u64,
}

/// The outbox's mails that need an eye: waiting, and given up on.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailCounts {
    pub queued: u64,
    pub failed: u64,
}

/// One line of the activity log, as the overview lists the newest.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RecentChange {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
}

/// The business at a glance. What a role may not see is `None` (or empty): a distributor's
/// staff see their own users and licenses only, a reseller's staff their pools only.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    /// The window the per-day series cover, in days up to today.
    pub days: u32,
    pub users: Option<u64>,
    pub licenses: Option<LicenseCounts>,
    pub expiring_in_7_days: Option<u64>,
    pub expiring_in_30_days: Option<u64>,
    /// One entry per day of the window, oldest first, days without any included.
    pub activations_per_day: Vec<DayCount>,
    pub pools: Vec<PoolUse>,
    pub mail: Option<MailCounts>,
    /// Telemetry records with red flags within the window.
    pub red_flags: Option<u64>,
    pub recent: Vec<RecentChange>,
}

/// A reseller's pool: how much of it is issued and what is left.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    pub reseller: String,
    pub pool: Pool,
}

/// The longest window the overview's series may cover.
pub const MAX_OVERVIEW_DAYS: u32 = 366;

/// The window an overview covers when `days` are asked for: 1 to [`MAX_OVERVIEW_DAYS`].
pub fn window(days: u32) -> u32 {
    days.clamp(1, MAX_OVERVIEW_DAYS)
}

/// `counts` (day, count) spread over every day of the `days` up to `today`, zeros included.
pub fn every_day(today: NaiveDate, days: u32, counts: &[(NaiveDate, u64)]) -> Vec<DayCount> {
    (0..window(days))
        .rev()
        .filter_map(|back| today.checked_sub_days(chrono::Days::new(u64::from(back))))
        .map(|day| DayCount { day, count: counts.iter().filter(|(d, _)| *d == day).map(|(_, n)| n).sum() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_the_window_is_there_oldest_first() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 2).expect("date");
        let feb_28 = NaiveDate::from_ymd_opt(2026, 2, 28).expect("date");
        let series = every_day(today, 4, &[(today, 3), (feb_28, 2)]);
        let counts: Vec<(String, u64)> = series.iter().map(|d| (d.day.to_string(), d.count)).collect();
        let expected = [("2026-02-27", 0), ("2026-02-28", 2), ("2026-03-01", 0), ("2026-03-02", 3)];
        assert_eq!(counts, expected.map(|(d, n)| (d.to_owned(), n)));
        assert_eq!(every_day(today, 0, &[]).len(), 1, "at least today");
        assert_eq!(every_day(today, u32::MAX, &[]).len(), MAX_OVERVIEW_DAYS as usize);
    }
}
