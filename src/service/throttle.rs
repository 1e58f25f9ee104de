//! Slowing down password guessing: after a few wrong passwords for one account from one
//! address, each further attempt from that address waits longer. Other addresses are not
//! affected, so a guesser cannot lock the account's owner out.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Wrong passwords allowed before attempts are slowed down.
pub const FREE_FAILURES: u32 = 3;
/// The wait after the first failure beyond the free ones; it doubles with each further one.
pub const FIRST_DELAY: Duration = Duration::from_millis(250);
/// The longest wait.
pub const MAX_DELAY: Duration = Duration::from_secs(8);
/// Failures older than this are forgotten.
pub const FORGET_AFTER: chrono::Duration = chrono::Duration::minutes(15);
/// Entries kept at most; beyond it, forgotten entries are swept out.
const SWEEP_ABOVE: usize = 10_000;
/// Entries kept at all: past it (a flood of made-up names and addresses), the table starts
/// over rather than grow, and the sweep never scans more than this.
const HARD_CAP: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

/// Failed attempts per (account, address).
#[derive(Debug)]
pub struct Throttle<Account> {
    failures: Mutex<HashMap<(Account, IpAddr), Failures>>,
}

impl<Account> Default for Throttle<Account> {
    fn default() -> Self {
        Self { failures: Mutex::new(HashMap::new()) }
    }
}

/// The wait before an attempt after `count` recent failures.
pub fn delay_after(count: u32) -> Duration {
    match count.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(extra) => FIRST_DELAY.saturating_mul(1u32 << extra.min(16)).min(MAX_DELAY),
    }
}

/// The address a throttle counts: an IPv4 address as it is, an IPv6 address by its /64
/// (one subscriber's prefix, where rotating through addresses costs nothing).
fn network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
        v4 => v4,
    }
}

impl<Account: Copy + Eq + Hash> Throttle<Account> {
    /// How long an attempt for `account` from `ip` must wait now.
    pub fn delay(&self, account: Account, ip: IpAddr, now: DateTime<Utc>) -> Duration {
        let failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match failures.get(&(account, network(ip))) {
            Some(f) if now - f.last < FORGET_AFTER => delay_after(f.count),
            _ => Duration::ZERO,
        }
    }

    /// Starts an attempt: counts it as a failure at once (a right password clears it with
    /// [`Throttle::succeeded`]) and returns the wait owed for the failures before it. Counting
    /// up front is what makes guesses sent in parallel wait behind each other, where reading
    /// the count and recording the outcome later would let them all through at no wait.
    pub fn attempt(&self, account: Account, ip: IpAddr, now: DateTime<Utc>) -> Duration {
        delay_after(self.failed(account, ip, now) - 1)
    }

    /// Records a wrong password; returns the number of recent failures.
    pub fn failed(&self, account: Account, ip: IpAddr, now: DateTime<Utc>) -> u32 {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() > SWEEP_ABOVE {
            failures.retain(|_, f| now - f.last < FORGET_AFTER);
            if failures.len() > HARD_CAP {
                tracing::warn!(entries = failures.len(), "the login throttle is full; it starts over");
                failures.clear();
            }
        }
        let entry = failures.entry((account, network(ip))).or_insert(Failures { count: 0, last: now });
        if now - entry.last >= FORGET_AFTER {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = now;
        entry.count
    }

    /// A right password clears the address's failures for the account.
    pub fn succeeded(&self, account: Account, ip: IpAddr) {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&(account, network(ip)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + minutes * 60, 0).expect("time")
    }

    #[test]
    fn waits_grow_after_the_free_failures_and_stop_at_the_cap() {
        assert_eq!(delay_after(0), Duration::ZERO);
        assert_eq!(delay_after(FREE_FAILURES - 1), Duration::ZERO);
        assert_eq!(delay_after(FREE_FAILURES), FIRST_DELAY);
        assert_eq!(delay_after(FREE_FAILURES + 1), FIRST_DELAY * 2);
        assert_eq!(delay_after(1000), MAX_DELAY);
    }

    #[test]
    fn only_the_guessing_address_is_slowed_and_only_for_a_while() {
        let throttle = Throttle::<i64>::default();
        let (guesser, owner): (IpAddr, IpAddr) = ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"));
        for _ in 0..5 {
            throttle.failed(7, guesser, at(0));
        }
        assert!(throttle.delay(7, guesser, at(1)) > Duration::ZERO);
        assert_eq!(throttle.delay(7, owner, at(1)), Duration::ZERO);
        assert_eq!(throttle.delay(8, guesser, at(1)), Duration::ZERO);
        assert_eq!(throttle.delay(7, guesser, at(16)), Duration::ZERO);
        throttle.succeeded(7, guesser);
        assert_eq!(throttle.delay(7, guesser, at(1)), Duration::ZERO);
    }

    #[test]
    fn parallel_attempts_wait_behind_each_other_and_a_v6_prefix_counts_as_one() {
        let throttle = Throttle::<i64>::default();
        let waits: Vec<Duration> =
            (0..6).map(|n| throttle.attempt(7, format!("2001:db8::{n}").parse().expect("ip"), at(0))).collect();
        assert_eq!(&waits[..3], &[Duration::ZERO; 3]);
        assert_eq!(&waits[3..], &[FIRST_DELAY, FIRST_DELAY * 2, FIRST_DELAY * 4]);
        assert_eq!(throttle.delay(7, "2001:db8:0:1::1".parse().expect("ip"), at(0)), Duration::ZERO);
    }
}
