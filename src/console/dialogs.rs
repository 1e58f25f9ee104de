//! File dialogs off the UI thread. A view asks the desk for a file; the app awaits the
//! dialog on its runtime while frames go on, and the path arrives in the view's task. The
//! dialogs are a trait so that the tests can hold one open as long as they like.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Which file a view asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChoice {
    /// A CSV file to read (or one to write, typed or chosen: the dialog opens existing files).
    Csv,
    /// A keydesk database, existing or to create.
    Database,
}

impl FileChoice {
    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::Csv => ("CSV", &["csv"]),
            Self::Database => ("SQLite", &["sqlite", "db"]),
        }
    }
}

/// A dialog's answer: the chosen path, or `None` when it was cancelled or there is no dialog.
pub type Chosen = Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// What shows file dialogs.
pub trait Dialogs: Send + Sync {
    fn choose(&self, choice: FileChoice) -> Chosen;
}

/// The system's dialogs (rfd: the XDG portal on Linux). Where there is no portal the dialog
/// answers `None`, and the typed path beside every Browse button still works.
pub struct SystemDialogs;

impl Dialogs for SystemDialogs {
    fn choose(&self, choice: FileChoice) -> Chosen {
        let (name, extensions) = choice.filter();
        let dialog = rfd::AsyncFileDialog::new().add_filter(name, extensions);
        Box::pin(async move {
            let handle = match choice {
                FileChoice::Csv => dialog.pick_file().await,
                // A database may be new: a save dialog lets the person name one.
                FileChoice::Database => dialog.save_file().await,
            };
            handle.map(|h| h.path().to_owned())
        })
    }
}
