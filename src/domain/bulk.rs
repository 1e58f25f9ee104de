//! One change made to many licenses at once: staged first (a preview that says what will
//! change, grouped: "312 licenses: valid until 2027-01-01 -> 2027-07-01"), then applied as a
//! batch in steps, and undone from the values the batch recorded before it wrote.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Months, NaiveDate, Utc};

use super::license::{KeyState, LicenseStatus, SeatLimit};
use super::limits::MAX_VALIDITY_DAYS;

/// Licenses one step of a batch changes, in one transaction: small enough that the single
/// writer is never held long (other requests wait at most one step), big enough that a
/// million licenses take a hundred steps.
pub const STEP: u32 = 10_000;

/// Licenses a selection may name one by one; more are selected as "all matching the filter".
pub const MAX_PICKED: usize = 10_000;

/// Kinds of change a preview lists one line each; the rest are summed up in one.
pub const PREVIEW_LINES: usize = 8;

/// Kinds of license left as they are that a preview lists after the changes.
pub const UNCHANGED_LINES: usize = 3;

/// The calendar unit of a validity shift.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShiftUnit {
    Days,
    Months,
}

impl ShiftUnit {
    pub fn name(self, amount: i32) -> &'static str {
        match (self, amount.unsigned_abs()) {
            (Self::Days, 1) => "day",
            (Self::Days, _) => "days",
            (Self::Months, 1) => "month",
            (Self::Months, _) => "months",
        }
    }

    /// `amount` of this unit in days, as a key's validity counts them (a month: 30 days).
    pub fn days(self, amount: i32) -> i64 {
        match self {
            Self::Days => i64::from(amount),
            Self::Months => i64::from(amount) * 30,
        }
    }
}

/// What a bulk action does to each selected license.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkChange {
    /// Moves the end of each license's validity by `amount` units (negative: earlier). A
    /// license that never ends is left as it is. A key's validity counts days from its
    /// activation, so there a month is 30 days; it never drops below one day.
    Extend {
        amount: i32,
        unit: ShiftUnit,
    },
    /// Sets the seat limit (0: unlimited). A license with more seats in use keeps its limit.
    SetLimit(u32),
    Activate,
    Deactivate,
    /// Blocks the key (the key API refuses it) and deactivates the license (so does the
    /// Registration Server).
    Revoke,
}

/// Why a bulk action was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BulkRefusal {
    #[error("nothing is selected")]
    NothingSelected,
    #[error("a shift of nothing changes nothing: give a number of days or months")]
    NoShift,
    #[error("a validity shift may move an end by at most 100 years")]
    ShiftTooLong,
    #[error("the selection changed since the preview ({previewed} then, {now} now): preview it again")]
    SelectionChanged { previewed: u64, now: u64 },
    #[error("a newer bulk change was made since: only the last one can be undone")]
    NotTheLast,
    #[error("this bulk change was undone already")]
    AlreadyUndone,
    #[error("no such bulk change of yours")]
    BatchUnknown,
}

impl BulkChange {
    /// Refuses a change that means nothing or goes past the calendar's sense.
    pub fn check(self) -> Result<(), BulkRefusal> {
        if let Self::Extend { amount, unit } = self {
            if amount == 0 {
                return Err(BulkRefusal::NoShift);
            }
            if unit.days(amount).unsigned_abs() > u64::from(MAX_VALIDITY_DAYS) {
                return Err(BulkRefusal::ShiftTooLong);
            }
        }
        Ok(())
    }

    /// The terms of a license after the change (the same terms when it does not apply).
    pub fn apply(self, terms: Terms) -> Terms {
        match self {
            Self::Extend { amount, unit } => Terms {
                valid_until: terms.valid_until.map(|date| shift(date, amount, unit)),
                validity_days: match terms.validity_days {
                    0 => 0,
                    days => (i64::from(days) + unit.days(amount)).clamp(1, i64::from(MAX_VALIDITY_DAYS)) as u32,
                },
                ..terms
            },
            Self::SetLimit(seats) => {
                let limit = SeatLimit(seats);
                if limit.admits(terms.used, 0) { Terms { limit, ..terms } } else { terms }
            }
            Self::Activate => Terms { status: LicenseStatus::Active, ..terms },
            Self::Deactivate => Terms { status: LicenseStatus::Deactivated, ..terms },
            Self::Revoke => Terms { status: LicenseStatus::Deactivated, key_state: KeyState::Blocked, ..terms },
        }
    }

    /// What of a license this change reads, in words ("valid until 2027-01-01").
    pub fn aspect(self, terms: &Terms) -> String {
        match self {
            Self::Extend { .. } => match (terms.valid_until, terms.validity_days) {
                (Some(date), _) => format!("valid until {date}"),
                (None, 0) => "no end date".into(),
                (None, days) => format!("{days} days from activation"),
            },
            Self::SetLimit(seats) => {
                let limit = match terms.limit.0 {
                    0 => "unlimited seats".to_owned(),
                    1 => "1 seat".to_owned(),
                    n => format!("{n} seats"),
                };
                if SeatLimit(seats).admits(terms.used, 0) { limit } else { format!("{limit}, {} in use", terms.used) }
            }
            Self::Activate | Self::Deactivate => status_word(terms.status).into(),
            Self::Revoke => format!("{}, key {}", status_word(terms.status), terms.key_state.as_str()),
        }
    }

    /// The change in a few words, for the batch's line in the audit log and the Undo button.
    pub fn describe(self) -> String {
        match self {
            Self::Extend { amount, unit } if amount >= 0 => format!("extend by {amount} {}", unit.name(amount)),
            Self::Extend { amount, unit } => format!("shorten by {} {}", amount.unsigned_abs(), unit.name(amount)),
            Self::SetLimit(0) => "set the seat limit to unlimited".into(),
            Self::SetLimit(seats) => format!("set the seat limit to {seats}"),
            Self::Activate => "activate".into(),
            Self::Deactivate => "deactivate".into(),
            Self::Revoke => "revoke".into(),
        }
    }

    /// Which terms tell licenses apart for this change: the preview groups by these alone.
    pub fn reads(self) -> Reads {
        match self {
            Self::Extend { .. } => Reads { validity: true, ..Reads::default() },
            Self::SetLimit(_) => Reads { seats: true, ..Reads::default() },
            Self::Activate | Self::Deactivate => Reads { status: true, ..Reads::default() },
            Self::Revoke => Reads { status: true, key_state: true, ..Reads::default() },
        }
    }
}

/// The terms a preview groups licenses by (the others read as their defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reads {
    /// `valid_until` and `validity_days`.
    pub validity: bool,
    /// The limit and the seats in use.
    pub seats: bool,
    pub status: bool,
    pub key_state: bool,
}

fn status_word(status: LicenseStatus) -> &'static str {
    match status {
        LicenseStatus::Active => "active",
        LicenseStatus::Deactivated => "deactivated",
        LicenseStatus::Deleted => "deleted",
    }
}

/// `date` moved by `amount` units; a month from the 31st lands on the month's last day, and
/// a date past the calendar's ends stays where it was.
fn shift(date: NaiveDate, amount: i32, unit: ShiftUnit) -> NaiveDate {
    let moved = match unit {
        ShiftUnit::Days => date.checked_add_signed(chrono::TimeDelta::days(i64::from(amount))),
        ShiftUnit::Months if amount >= 0 => date.checked_add_months(Months::new(amount.unsigned_abs())),
        ShiftUnit::Months => date.checked_sub_months(Months::new(amount.unsigned_abs())),
    };
    moved.unwrap_or(date)
}

/// What a bulk change reads and writes of one license.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Terms {
    /// A registration license's last day.
    pub valid_until: Option<NaiveDate>,
    /// A key's validity in days from activation (0: no end).
    pub validity_days: u32,
    pub limit: SeatLimit,
    /// Seats in use (read, never written).
    pub used: u32,
    pub status: LicenseStatus,
    pub key_state: KeyState,
}

impl Default for Terms {
    fn default() -> Self {
        Self {
            valid_until: None,
            validity_days: 0,
            limit: SeatLimit(1),
            used: 0,
            status: LicenseStatus::Active,
            key_state: KeyState::Assigned,
        }
    }
}

/// One kind of change a preview lists: this many licenses go from `before` to `after`
/// (`before == after`: they are left as they are).
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub count: u64,
    pub before: String,
    pub after: String,
}

impl PreviewLine {
    pub fn changes(&self) -> bool {
        self.before != self.after
    }
}

impl fmt::Display for PreviewLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.count == 1 { "license" } else { "licenses" };
        if self.changes() {
            write!(f, "{} {noun}: {} -> {}", self.count, self.before, self.after)
        } else {
            write!(f, "{} {noun}: {}, left as they are", self.count, self.before)
        }
    }
}

/// What applying a change to a selection would do, before anything is written.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BulkPreview {
    pub change: BulkChange,
    /// Licenses selected; apply refuses when this number has changed since.
    pub selected: u64,
    /// Of these, the ones the change alters.
    pub changing: u64,
    /// The largest kinds of change first, at most [`PREVIEW_LINES`], then at most
    /// [`UNCHANGED_LINES`] kinds left as they are.
    pub lines: Vec<PreviewLine>,
    /// Changing licenses in the kinds of change not listed.
    pub more: u64,
}

impl BulkPreview {
    /// The preview of `change` over licenses grouped by their terms (with each group's count).
    pub fn of(change: BulkChange, groups: impl IntoIterator<Item = (Terms, u64)>) -> Self {
        let mut kinds: HashMap<(String, String), u64> = HashMap::new();
        for (terms, count) in groups {
            let (before, after) = (change.aspect(&terms), change.aspect(&change.apply(terms)));
            *kinds.entry((before, after)).or_default() += count;
        }
        let mut lines: Vec<PreviewLine> =
            kinds.into_iter().map(|((before, after), count)| PreviewLine { count, before, after }).collect();
        // Changes before the unchanged, then the biggest first; ties by name, so the order holds.
        lines.sort_by(|a, b| (b.changes(), b.count).cmp(&(a.changes(), a.count)).then_with(|| a.before.cmp(&b.before)));
        let selected = lines.iter().map(|l| l.count).sum();
        let changing = lines.iter().filter(|l| l.changes()).map(|l| l.count).sum();
        // The biggest kinds of change, then the biggest kinds left alone.
        let (changed, alone): (Vec<_>, Vec<_>) = lines.into_iter().partition(PreviewLine::changes);
        let more = changed.iter().skip(PREVIEW_LINES).map(|l| l.count).sum();
        let lines = changed.into_iter().take(PREVIEW_LINES).chain(alone.into_iter().take(UNCHANGED_LINES)).collect();
        Self { change, selected, changing, lines, more }
    }
}

/// Identity of a bulk batch.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId(pub i64);

/// A bulk change being applied, or applied: how far it got, and whether it was undone.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct BulkBatch {
    pub id: BatchId,
    pub change: BulkChange,
    /// Licenses selected when it started.
    pub selected: u64,
    /// Licenses looked at so far (the progress).
    pub looked_at: u64,
    /// Licenses changed so far.
    pub changed: u64,
    pub finished: bool,
    pub undone: bool,
    pub at: DateTime<Utc>,
}

impl BulkBatch {
    /// "extend by 6 months: 312 licenses".
    pub fn summary(&self) -> String {
        let noun = if self.changed == 1 { "license" } else { "licenses" };
        format!("{}: {} {noun}", self.change.describe(), self.changed)
    }
}

/// What an undo put back.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct UndoReport {
    pub restored: u64,
    /// Licenses changed again since the batch (by anyone): their newer values are kept.
    pub kept: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn until(text: &str) -> Terms {
        Terms { valid_until: Some(date(text)), ..Terms::default() }
    }

    #[test]
    fn extending_by_months_keeps_the_end_of_the_month() {
        let six = BulkChange::Extend { amount: 6, unit: ShiftUnit::Months };
        assert_eq!(six.apply(until("2027-01-01")).valid_until, Some(date("2027-07-01")));
        let one = BulkChange::Extend { amount: 1, unit: ShiftUnit::Months };
        assert_eq!(one.apply(until("2027-01-31")).valid_until, Some(date("2027-02-28")));
        let back = BulkChange::Extend { amount: -10, unit: ShiftUnit::Days };
        assert_eq!(back.apply(until("2027-01-05")).valid_until, Some(date("2026-12-26")));
    }

    #[test]
    fn a_key_counts_months_as_thirty_days_and_keeps_a_day() {
        let key = Terms { validity_days: 365, ..Terms::default() };
        let two = BulkChange::Extend { amount: 2, unit: ShiftUnit::Months };
        assert_eq!(two.apply(key).validity_days, 425);
        let cut = BulkChange::Extend { amount: -400, unit: ShiftUnit::Days };
        assert_eq!(cut.apply(key).validity_days, 1);
        let forever = Terms::default();
        assert_eq!(two.apply(forever), forever, "a license without an end keeps none");
    }

    #[test]
    fn a_limit_below_the_seats_in_use_is_not_set() {
        let busy = Terms { limit: SeatLimit(5), used: 4, ..Terms::default() };
        assert_eq!(BulkChange::SetLimit(3).apply(busy), busy);
        assert_eq!(BulkChange::SetLimit(4).apply(busy).limit, SeatLimit(4));
        assert_eq!(BulkChange::SetLimit(0).apply(busy).limit, SeatLimit(0));
        assert_eq!(BulkChange::SetLimit(3).aspect(&busy), "5 seats, 4 in use");
    }

    #[test]
    fn the_preview_groups_by_what_changes_biggest_first() {
        let six = BulkChange::Extend { amount: 6, unit: ShiftUnit::Months };
        let preview =
            BulkPreview::of(six, [(until("2027-01-01"), 312), (Terms::default(), 40), (until("2027-03-01"), 5)]);
        assert_eq!((preview.selected, preview.changing, preview.more), (357, 317, 0));
        let lines: Vec<String> = preview.lines.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "312 licenses: valid until 2027-01-01 -> valid until 2027-07-01",
                "5 licenses: valid until 2027-03-01 -> valid until 2027-09-01",
                "40 licenses: no end date, left as they are",
            ]
        );
    }

    #[test]
    fn kinds_past_the_listed_ones_are_summed() {
        let groups = (1..=12u8).map(|day| (until(&format!("2027-01-{day:02}")), u64::from(day)));
        let preview = BulkPreview::of(BulkChange::Extend { amount: 1, unit: ShiftUnit::Days }, groups);
        assert_eq!(preview.lines.len(), PREVIEW_LINES);
        assert_eq!(preview.more, 1 + 2 + 3 + 4);
        assert_eq!(preview.lines[0].count, 12);
    }

    #[test]
    fn meaningless_shifts_are_refused() {
        let days = |amount| BulkChange::Extend { amount, unit: ShiftUnit::Days }.check();
        assert_eq!(days(0), Err(BulkRefusal::NoShift));
        assert_eq!(days(36_500), Ok(()));
        assert_eq!(days(-36_501), Err(BulkRefusal::ShiftTooLong));
        assert_eq!(
            BulkChange::Extend { amount: i32::MAX, unit: ShiftUnit::Months }.check(),
            Err(BulkRefusal::ShiftTooLong)
        );
    }
}
