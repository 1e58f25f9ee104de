//! The views' one door to the backend. A view describes the call it wants, a read or a
//! change that names what it touches, and keeps the [`Task`] its answer will arrive in; the
//! app runs the calls off the UI thread once the view's frame is drawn, and when a change has
//! gone through it tells every view of the profile what changed, so each one that shows
//! those rows reads them again. A view holds neither the backend nor the runtime: it cannot
//! block a frame on one, and it cannot forget to refresh the others.

use std::sync::{Arc, Mutex, PoisonError};

use super::dialogs::FileChoice;
use super::jobs::{Answer, Task};
use super::navigation::Command;
use super::status::Status;
use crate::backend::{Area, Backend, BackendResult};

/// What a change touched: the views that show these rows read again once it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Users,
    Licenses,
    Products,
    /// Contracts, resellers and their pools.
    Contracts,
    Staff,
    Outbox,
    Settings,
    /// Anything: a change made elsewhere (the change feed), or one too wide to name.
    Everything,
}

impl Topic {
    /// Whether a view that shows `shown` must read again after a change of `self`.
    pub fn reaches(self, shown: &[Topic]) -> bool {
        self == Topic::Everything || shown.contains(&self)
    }
}

/// A call waiting for the app to run it.
pub(super) type Queued = Box<dyn FnOnce(&dyn Backend) + Send>;

/// What the views asked of the app in one frame; the app takes it once the frame is drawn.
#[derive(Default)]
pub(super) struct Asked {
    pub calls: Vec<Queued>,
    pub dialogs: Vec<(FileChoice, Answer<Option<std::path::PathBuf>>)>,
    pub commands: Vec<Command>,
}

/// The changes that went through since the app last looked, shared with the running calls.
#[derive(Clone, Default)]
pub(super) struct Changes(Arc<Mutex<Vec<Topic>>>);

impl Changes {
    fn note(&self, topics: &[Topic]) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(topics);
    }

    /// What changed since the last call, each topic once.
    pub(super) fn take(&self) -> Vec<Topic> {
        let taken = std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner));
        let mut once = Vec::with_capacity(taken.len());
        for topic in taken {
            if !once.contains(&topic) {
                once.push(topic);
            }
        }
        once
    }
}

/// What a view works with for one frame.
pub struct Desk<'a> {
    pub status: &'a mut Status,
    backend: &'a dyn Backend,
    asked: &'a mut Asked,
    changes: &'a Changes,
}

impl<'a> Desk<'a> {
    pub(super) fn new(
        status: &'a mut Status,
        backend: &'a dyn Backend,
        asked: &'a mut Asked,
        changes: &'a Changes,
    ) -> Self {
        Self { status, backend, asked, changes }
    }

    /// A read: `call` runs off the UI thread; its answer arrives in the task.
    pub fn read<T: Send + 'static>(&mut self, call: impl FnOnce(&dyn Backend) -> T + Send + 'static) -> Task<T> {
        let (task, answer) = Task::pending();
        self.asked.calls.push(Box::new(move |backend| answer.fill(call(backend))));
        task
    }

    /// A change of the `touched` rows: like [`Desk::read`], and once it has gone through,
    /// every view that shows those rows reads them again.
    pub fn change<T: Send + 'static>(
        &mut self,
        touched: &'static [Topic],
        call: impl FnOnce(&dyn Backend) -> BackendResult<T> + Send + 'static,
    ) -> Task<BackendResult<T>> {
        let changes = self.changes.clone();
        self.read(move |backend| {
            let result = call(backend);
            if result.is_ok() {
                changes.note(touched);
            }
            result
        })
    }

    /// Why the backend cannot serve `area`, in a sentence; `None` when it can.
    pub fn unavailable(&self, area: Area) -> Option<String> {
        self.backend.unavailable(area)
    }

    /// The backend as the top bar names it.
    pub fn label(&self) -> String {
        self.backend.label()
    }

    /// Asks the app for something beyond the view: another view, a profile, a refresh.
    pub fn emit(&mut self, command: Command) {
        self.asked.commands.push(command);
    }

    /// A file dialog, shown while frames go on; the path (or `None`, cancelled) arrives in
    /// the task.
    pub fn choose_file(&mut self, choice: FileChoice) -> Task<Option<std::path::PathBuf>> {
        let (task, answer) = Task::pending();
        self.asked.dialogs.push((choice, answer));
        task
    }
}

/// A view that reads its rows again on request (Ctrl+R) and after the changes that reach
/// what it shows.
pub trait Refresh {
    /// What the view shows, for the changes the app tells it of.
    const SHOWS: &'static [Topic];

    /// Reads again: at once if the view is shown, else when it is next shown.
    fn refresh(&mut self);

    /// Something changed: reads again if it is something this view shows.
    fn changed(&mut self, topic: Topic) {
        if topic.reaches(Self::SHOWS) {
            self.refresh();
        }
    }
}
