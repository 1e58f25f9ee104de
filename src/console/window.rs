//! The rows a virtual table has loaded: a window of a large sorted table, refilled when the
//! visible rows leave it.

use std::ops::Range;

/// Rows `offset..offset + rows.len()` of a table of `total` rows.
pub struct RowWindow<T> {
    pub offset: u64,
    pub rows: Vec<T>,
    pub total: u64,
}

impl<T> Default for RowWindow<T> {
    fn default() -> Self {
        Self { offset: 0, rows: Vec::new(), total: 0 }
    }
}

/// Rows fetched around the visible ones, so that scrolling a little needs no new fetch.
pub const FETCH: u32 = 400;
const MARGIN: u64 = 100;

impl<T> RowWindow<T> {
    pub fn get(&self, index: u64) -> Option<&T> {
        index.checked_sub(self.offset).and_then(|i| self.rows.get(i as usize))
    }

    /// The offset to fetch from when `visible` is not loaded; `None` when it is.
    pub fn refill_for(&self, visible: Range<u64>) -> Option<u64> {
        let loaded = self.offset..self.offset + self.rows.len() as u64;
        let end = visible.end.min(self.total);
        let covered = visible.start >= loaded.start && end <= loaded.end;
        (!covered).then(|| visible.start.saturating_sub(MARGIN))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_refilled_only_when_the_visible_rows_leave_it() {
        let window = RowWindow { offset: 100, rows: vec![(); 400], total: 1_000_000 };
        assert_eq!(window.refill_for(150..180), None);
        assert_eq!(window.refill_for(480..520), Some(380));
        assert_eq!(window.refill_for(0..30), Some(0));
        assert!(window.get(99).is_none() && window.get(100).is_some() && window.get(500).is_none());
    }
}
