//! What the console benches share: the console headless in an egui_kittest harness, waiting
//! until its backend calls are done, and timing its frames.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use keydesk::backend::Backend;
use keydesk::console::{ConsoleApp, Prefs};

/// The console on `backend`, 1400 × 900 points, as if `prefs` were remembered.
pub fn harness(backend: Arc<dyn Backend>, prefs: Prefs) -> Harness<'static, ConsoleApp> {
    let app = ConsoleApp::new(backend, prefs).expect("console");
    Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app)
}

/// Runs frames until no backend call has run for four of them.
pub fn settle(harness: &mut Harness<'_, ConsoleApp>) {
    let mut quiet = 0;
    while quiet < 4 {
        harness.run_steps(1);
        if harness.state().busy() {
            quiet = 0;
            std::thread::sleep(Duration::from_millis(2));
        } else {
            quiet += 1;
        }
    }
}

/// The CPU time of `frames` frames, shortest first.
pub fn frame_times(harness: &mut Harness<'_, ConsoleApp>, frames: usize) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..frames)
        .map(|_| {
            let started = Instant::now();
            harness.step();
            started.elapsed()
        })
        .collect();
    times.sort();
    times
}

/// The `p` quantile of times sorted shortest first, in milliseconds.
pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}
