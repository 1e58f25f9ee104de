//! Keyboard navigation of a table: Up and Down (Page Up, Page Down, Home, End) move the
//! highlighted row, Enter opens it, Esc closes what is open. Only while no text field has
//! the keys and no modal is up, so typing is never taken for navigation.

/// Rows Page Up and Page Down move by.
const PAGE: u64 = 20;

/// What the keys of this frame ask of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKey {
    /// Open the highlighted row (Enter).
    Open(u64),
    /// Close the open row (Esc).
    Close,
}

/// The highlighted row of a table, and whether the keys moved it this frame (the table then
/// scrolls to it).
#[derive(Debug, Default)]
pub struct Cursor {
    pub row: Option<u64>,
    pub moved: bool,
}

impl Cursor {
    /// The table, scrolled to the highlighted row when the keys moved it this frame.
    pub fn scroll<'a>(&self, table: egui_extras::TableBuilder<'a>) -> egui_extras::TableBuilder<'a> {
        match self.row {
            Some(row) if self.moved => table.scroll_to_row(row as usize, None),
            _ => table,
        }
    }

    /// Reads this frame's keys for a table of `total` rows.
    pub fn keys(&mut self, ui: &egui::Ui, total: u64) -> Option<TableKey> {
        self.moved = false;
        if total == 0 || ui.ctx().egui_wants_keyboard_input() || ui.memory(|m| m.top_modal_layer().is_some()) {
            return None;
        }
        let last = total - 1;
        let (step, open, close) = ui.input_mut(|i| {
            let mut step: Option<i64> = None;
            let plain = egui::Modifiers::NONE;
            for (key, by) in [
                (egui::Key::ArrowDown, 1),
                (egui::Key::ArrowUp, -1),
                (egui::Key::PageDown, PAGE as i64),
                (egui::Key::PageUp, -(PAGE as i64)),
                (egui::Key::End, i64::MAX / 2),
                (egui::Key::Home, i64::MIN / 2),
            ] {
                if i.consume_key(plain, key) {
                    step = Some(step.unwrap_or(0).saturating_add(by));
                }
            }
            (step, i.consume_key(plain, egui::Key::Enter), i.consume_key(plain, egui::Key::Escape))
        });
        if let Some(step) = step {
            // The first key press lands on the first row (or the last, going up).
            let from = self.row.map_or(if step < 0 { total as i64 } else { -1 }, |r| r.min(last) as i64);
            self.row = Some(from.saturating_add(step).clamp(0, last as i64) as u64);
            self.moved = true;
        }
        if open && let Some(row) = self.row {
            return Some(TableKey::Open(row.min(last)));
        }
        close.then_some(TableKey::Close)
    }
}
