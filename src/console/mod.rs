//! The desktop console (eframe). It reaches the backend only through [`crate::backend`].

pub mod app;
pub mod csv_files;
pub mod desk;
pub mod dialogs;
pub mod hints;
pub mod jobs;
mod navigation;
mod palette;
pub mod prefs;
pub mod profile;
pub mod profiles;
mod screenshots;
pub mod secrets;
pub mod status;
pub mod switcher;
pub mod theme;
mod toasts;
pub mod views;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

pub use app::{ConsoleApp, Prefs, View};

use crate::backend::Backend;

/// How the window is opened.
#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// Show every view in turn, save `DIR/<view>.png`, and close.
    pub screenshots: Option<PathBuf>,
    /// The profile the backend is (a local file), remembered in the profile list.
    pub profile: Option<profiles::Profile>,
}

/// Opens the console window on a backend and runs until it is closed.
pub fn run(backend: Arc<dyn Backend>, options: WindowOptions) -> Result<(), eframe::Error> {
    let viewport = egui::ViewportBuilder::default()
        .with_title("keydesk")
        .with_app_id("keydesk")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([800.0, 500.0]);
    let native = eframe::NativeOptions {
        viewport,
        persist_window: options.screenshots.is_none(),
        ..eframe::NativeOptions::default()
    };
    eframe::run_native(
        "keydesk",
        native,
        Box::new(move |creation| {
            let prefs = match (&options.screenshots, creation.storage) {
                (None, Some(storage)) => eframe::get_value(storage, eframe::APP_KEY).unwrap_or_default(),
                _ => Prefs::default(),
            };
            let mut app = ConsoleApp::new(backend, prefs)?;
            if options.screenshots.is_some() {
                // A tour never reads or writes the OS keyring.
                app = app.with_secrets(Arc::new(secrets::Secrets::session_only()));
            }
            if let Some(profile) = options.profile {
                app = app.with_profile(profile);
            }
            Ok(match options.screenshots {
                Some(dir) => Box::new(screenshots::Tour::new(app, dir)) as Box<dyn eframe::App>,
                None => Box::new(app),
            })
        }),
    )
}
