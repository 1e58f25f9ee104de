//! Sorting of the small tables that hold all their rows (Activity, Outbox, Telemetry, Staff,
//! resellers, pools, a pool's ledger): a click on a column's title sorts by it, a second
//! turns it round. The choice is kept in egui's persisted memory, so it outlives a restart
//! like the column widths do.

/// A table's sort: the column (by its index) and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

/// What a cell sorts by: text case-blind, numbers and instants as such.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

impl SortKey {
    pub fn text(text: &str) -> Self {
        Self::Text(text.to_lowercase())
    }

    pub fn time(at: chrono::DateTime<chrono::Utc>) -> Self {
        Self::Number(at.timestamp_millis())
    }
}

impl Sort {
    /// Ascending by `column`: the default of a table read alphabetically.
    pub const fn by(column: usize) -> Self {
        Self { column, descending: false }
    }

    /// Descending by `column`: the default of a table read newest first.
    pub const fn newest(column: usize) -> Self {
        Self { column, descending: true }
    }

    fn id(table: &str) -> egui::Id {
        egui::Id::unique(("table-sort", table))
    }

    /// The sort remembered for `table`, or `default`.
    pub fn remembered(ui: &egui::Ui, table: &str, default: Self) -> Self {
        ui.data_mut(|d| *d.get_persisted_mut_or(Self::id(table), default))
    }

    /// The titles of a `Grid` as buttons that sort; an empty title is a column that does not.
    /// The new sort, when one was clicked (already remembered).
    pub fn header(self, ui: &mut egui::Ui, table: &str, titles: &[&str]) -> Option<Self> {
        let mut chosen = None;
        for (column, title) in titles.iter().enumerate() {
            if title.is_empty() {
                ui.label("");
                continue;
            }
            let arrow = match (self.column == column, self.descending) {
                (true, false) => " ^",
                (true, true) => " v",
                _ => "",
            };
            let button = egui::Button::new(egui::RichText::new(format!("{title}{arrow}")).strong()).frame(false);
            if ui.add(button).on_hover_text("Sort by this column; again to turn it round").clicked() {
                let descending = if self.column == column { !self.descending } else { false };
                chosen = Some(Self { column, descending });
            }
        }
        ui.end_row();
        if let Some(sort) = chosen {
            ui.data_mut(|d| d.insert_persisted(Self::id(table), sort));
        }
        chosen
    }

    /// Sorts `rows` by `key` of this sort's column, stably (equal keys keep their order).
    pub fn apply<T>(self, rows: &mut [T], key: impl Fn(&T, usize) -> SortKey) {
        if self.descending {
            rows.sort_by_cached_key(|row| std::cmp::Reverse(key(row, self.column)));
        } else {
            rows.sort_by_cached_key(|row| key(row, self.column));
        }
    }
}

/// Sorts a view's rows when they are new or the sort changed: `sorted` is the sort they
/// are in (`None`: just read). Returns the sort to draw the header with.
pub fn keep_sorted<T>(
    ui: &egui::Ui,
    table: &str,
    default: Sort,
    sorted: &mut Option<Sort>,
    rows: &mut [T],
    key: impl Fn(&T, usize) -> SortKey,
) -> Sort {
    let sort = Sort::remembered(ui, table, default);
    if *sorted != Some(sort) {
        sort.apply(rows, key);
        *sorted = Some(sort);
    }
    sort
}

/// The sort of a large table (its own order type), kept in egui's persisted memory: on the
/// first call (`read` false) what the last run left, if anything; after, `now` is kept.
pub fn remember<T>(ui: &egui::Ui, table: &str, read: &mut bool, now: T) -> Option<T>
where
    T: Clone + PartialEq + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let id = Sort::id(table);
    if !std::mem::replace(read, true) {
        return ui.data_mut(|d| d.get_persisted::<T>(id));
    }
    ui.data_mut(|d| {
        if d.get_persisted::<T>(id).as_ref() != Some(&now) {
            d.insert_persisted(id, now);
        }
    });
    None
}
