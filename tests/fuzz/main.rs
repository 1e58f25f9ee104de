//! Fuzzing on stable Rust: property harnesses (proptest) that feed each face's parsers and
//! handlers what an attacker could send, against a real database, and check the promise
//! of docs/reliability.md: no panic, and no internal error (a 500) for any input.
//!
//! `cargo test` runs a quick pass (KEYDESK_FUZZ_CASES, default 64 inputs per target, a few
//! seconds); `scripts/fuzz.sh` runs the long pass with millions, bounded in time.

mod csv;
mod damaged;
mod forms;
mod inputs;
mod json;
mod xml;

use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Inputs per target: KEYDESK_FUZZ_CASES, or `quick` for `cargo test`.
fn cases(quick: u64) -> u64 {
    std::env::var("KEYDESK_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(quick)
}

/// The time a target may take at most: KEYDESK_FUZZ_SECONDS, unbounded by default.
fn deadline() -> Duration {
    let seconds = std::env::var("KEYDESK_FUZZ_SECONDS").ok().and_then(|n| n.parse().ok()).unwrap_or(u64::MAX);
    Duration::from_secs(seconds)
}

/// Runs `test` on inputs from `strategy`: `quick` of them in `cargo test`, or as many as the
/// long pass asks, in rounds of 1,000 (each with a fresh random seed) until the count or
/// the deadline is reached. A failure is shrunk to its smallest input and fails the test;
/// nothing is written to disk. The long pass prints what each target took.
pub fn fuzz<S>(target: &str, quick: u64, strategy: &S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let (total, deadline, started) = (cases(quick), deadline(), Instant::now());
    let mut done = 0u64;
    while done < total && started.elapsed() < deadline {
        let round = (total - done).min(1_000);
        let config = Config {
            cases: u32::try_from(round).unwrap_or(u32::MAX),
            failure_persistence: None,
            max_shrink_iters: 256,
            ..Config::default()
        };
        if let Err(failure) = TestRunner::new(config).run(strategy, &test) {
            panic!("fuzz {target}: {failure}");
        }
        done += round;
    }
    if std::env::var_os("KEYDESK_FUZZ_CASES").is_some() {
        println!("fuzz {target}: {done} inputs in {:.1} s", started.elapsed().as_secs_f64());
    }
}
