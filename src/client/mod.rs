//! Clients for the faces, built on their `wire` halves only. They are how the console
//! reaches a remote server, and how the tests talk to a running one.

pub mod console;
pub mod envato;
pub mod keygen;
pub mod keymanager;
pub mod peers;
pub mod remote;
pub mod tdrs;

use crate::backend::{BackendError, BackendResult};

/// A small runtime of a backend's own. The console calls backends from plain threads, and
/// a backend that speaks async HTTP drives each call on it (`block_on`), from any thread.
pub(crate) fn blocking_runtime(name: &str) -> BackendResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(|e| BackendError::Failed(format!("no runtime for {name}: {e}")))
}
