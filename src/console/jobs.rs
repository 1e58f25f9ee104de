//! Backend calls off the UI thread: each runs on the tokio blocking pool, and its result
//! waits in a [`Task`] that the view polls each frame. A finished call asks for a repaint,
//! so the frame that shows the result comes at once.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The console's runtime for backend calls.
pub struct Jobs {
    runtime: tokio::runtime::Runtime,
    running: Arc<AtomicUsize>,
}

/// A call in flight; `take` yields its result once.
pub struct Task<T> {
    slot: Arc<Mutex<Option<T>>>,
}

impl<T> Task<T> {
    /// A task and the other end that fills it, for a call run elsewhere.
    pub fn pending() -> (Self, Answer<T>) {
        let slot = Arc::new(Mutex::new(None));
        (Self { slot: slot.clone() }, Answer { slot })
    }

    /// The result, when the call has finished (only the first time).
    pub fn take(&self) -> Option<T> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Where a call run elsewhere leaves its result for its [`Task`].
pub struct Answer<T> {
    slot: Arc<Mutex<Option<T>>>,
}

impl<T> Answer<T> {
    pub fn fill(self, value: T) {
        *self.slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
    }
}

/// Progress of a long job, and its cancel switch, shared with the job.
#[derive(Clone, Default)]
pub struct Progress {
    done: Arc<AtomicU64>,
    cancelled: Arc<AtomicBool>,
}

impl Progress {
    pub fn set(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

impl Jobs {
    pub fn new() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("keydesk-console")
            .enable_all()
            .build()?;
        Ok(Self { runtime, running: Arc::default() })
    }

    /// Runs `call` off the UI thread.
    pub fn run<T: Send + 'static>(&self, ctx: &egui::Context, call: impl FnOnce() -> T + Send + 'static) -> Task<T> {
        self.spawn(ctx, call, Some(self.running.clone()))
    }

    /// Runs `call` off the UI thread without counting it in [`Jobs::busy`]: the console's own
    /// housekeeping (the change feed), which no view waits for.
    pub fn run_in_background<T: Send + 'static>(
        &self,
        ctx: &egui::Context,
        call: impl FnOnce() -> T + Send + 'static,
    ) -> Task<T> {
        self.spawn(ctx, call, None)
    }

    /// Runs `call` on the blocking pool, counted in `running` when given: the count drops
    /// only once the result is in its task, so `busy` never reads false before it is.
    fn spawn<T: Send + 'static>(
        &self,
        ctx: &egui::Context,
        call: impl FnOnce() -> T + Send + 'static,
        running: Option<Arc<AtomicUsize>>,
    ) -> Task<T> {
        let (task, answer) = Task::pending();
        let ctx = ctx.clone();
        if let Some(running) = &running {
            running.fetch_add(1, Ordering::SeqCst);
        }
        self.runtime.spawn_blocking(move || {
            answer.fill(call());
            if let Some(running) = running {
                running.fetch_sub(1, Ordering::SeqCst);
            }
            ctx.request_repaint();
        });
        task
    }

    /// Awaits `future` on the runtime (a dialog: no thread is held while it is open), then
    /// hands its output to `done`. Not counted in [`Jobs::busy`]: a dialog waits for a person,
    /// not for the backend.
    pub fn wait<T: Send + 'static>(
        &self,
        ctx: &egui::Context,
        future: impl std::future::Future<Output = T> + Send + 'static,
        done: impl FnOnce(T) + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let ctx = ctx.clone();
        self.runtime.spawn(async move {
            done(future.await);
            ctx.request_repaint();
        })
    }

    /// Whether any call is still running (tests wait for this before they look).
    pub fn busy(&self) -> bool {
        self.running() > 0
    }

    /// How many backend calls are running now (the status bar).
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }

    /// The runtime, for the work of a remote backend.
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }
}
