//! The newest message as a toast: a result or an error pops up at the bottom right over the
//! view for a few seconds (errors longer, with Dismiss), then settles into the status line.
//! One message is in one place at a time, so a screen reader (and a test) finds it once.

use std::time::{Duration, Instant};

use super::status::Status;
use super::theme::Tokens;

/// How long a result, and an error, stays up.
const RESULT_FOR: Duration = Duration::from_secs(4);
const ERROR_FOR: Duration = Duration::from_secs(10);

/// The message shown as a toast, and since when.
#[derive(Default)]
pub struct Toasts {
    seen: Status,
    up_since: Option<Instant>,
}

impl Toasts {
    /// Follows the status: a new message goes up as a toast.
    fn follow(&mut self, status: &Status) {
        if *status != self.seen {
            self.seen = status.clone();
            self.up_since = (!matches!(status, Status::Empty)).then(Instant::now);
        }
    }

    /// Whether `status` is up as a toast (the status line then leaves it out).
    pub fn showing(&self, status: &Status) -> bool {
        self.up_since.is_some() && *status == self.seen
    }

    /// The toast, while up; Dismiss (of an error) empties the status.
    pub fn ui(&mut self, ctx: &egui::Context, status: &mut Status) {
        self.follow(status);
        let Some(since) = self.up_since else { return };
        let (text, error) = match status {
            Status::Empty => return,
            Status::Info(text) => (text.clone(), false),
            Status::Error(text) | Status::SignedOut(text) => (text.clone(), true),
        };
        let lasts = if error { ERROR_FOR } else { RESULT_FOR };
        let left = lasts.saturating_sub(since.elapsed());
        if left.is_zero() {
            self.up_since = None;
            return;
        }
        ctx.request_repaint_after(left);
        let mut dismissed = false;
        egui::Area::new(egui::Id::unique("toast"))
            .order(egui::Order::Foreground)
            .anchor(egui::Align2::RIGHT_BOTTOM, egui::vec2(-Tokens::GAP * 2.0, -Tokens::GAP * 5.0))
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(420.0);
                    ui.horizontal(|ui| {
                        if error {
                            ui.colored_label(Tokens::ERROR, &text);
                        } else {
                            ui.label(&text);
                        }
                        dismissed = ui.small_button(if error { "Dismiss" } else { "Hide" }).clicked();
                    });
                });
            });
        if dismissed {
            self.up_since = None;
            if error {
                *status = Status::Empty;
            }
        }
    }
}
