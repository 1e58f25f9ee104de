//! Argon2id's own bounded share of the machine. Password work (logins, registrations,
//! password changes, the keygen URL's reseller check) takes a slot before it goes to the
//! blocking pool, and waits for one here, in async land, where a waiter costs a future
//! instead of a thread: so a flood of logins never takes the threads verify and activate
//! need, and past a few seconds' wait the caller gets a clear busy answer.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a request waits for a slot before it is answered busy.
const WAIT: Duration = Duration::from_secs(5);

/// Slots for password hashing: cores × 2 at once.
#[derive(Clone, Debug)]
pub struct PasswordSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl PasswordSlots {
    /// `slots` at once; a request waits at most `wait` for one.
    pub fn new(slots: usize, wait: Duration) -> Self {
        Self { slots: Arc::new(Semaphore::new(slots.max(1))), wait }
    }

    /// Two per core: Argon2id keeps a core busy, and a second slot covers the store
    /// round-trips around each hash.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()) * 2, WAIT)
    }

    /// A slot, held until the returned permit drops; `None` when none came free in time.
    pub async fn take(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(self.wait, self.slots.clone().acquire_owned()).await.ok()?.ok()
    }
}

impl Default for PasswordSlots {
    fn default() -> Self {
        Self::for_this_machine()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_slots_a_caller_waits_then_hears_busy() {
        let slots = PasswordSlots::new(2, Duration::from_millis(50));
        let (first, second) = (slots.take().await, slots.take().await);
        assert!(first.is_some() && second.is_some());
        assert!(slots.take().await.is_none(), "a third waits its time, then is told busy");
        drop(first);
        assert!(slots.take().await.is_some(), "a freed slot is taken at once");
    }
}
