#!/usr/bin/env bash
# The long fuzz pass: every harness of tests/fuzz with up to 10,000,000 inputs per target,
# each target bounded in time (default 20 minutes; FUZZ_SECONDS to change it). Prints one
# line per target: how many inputs it took and how long. A failure prints the smallest
# failing input proptest found and exits non-zero. The figures go in docs/reliability.md.
#
#   scripts/fuzz.sh                  # 10,000,000 inputs or 20 min per target
#   FUZZ_CASES=100000 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export KEYDESK_FUZZ_CASES="${FUZZ_CASES:-10000000}"
export KEYDESK_FUZZ_SECONDS="${FUZZ_SECONDS:-1200}"
echo "fuzz: up to $KEYDESK_FUZZ_CASES inputs or $KEYDESK_FUZZ_SECONDS s per target, $(nproc) cores, $(date -u +%F)"
# The test profile (what `cargo test` built), so the pass needs no second build.
cargo test --test fuzz -- --test-threads 1 --nocapture 2>&1 | grep -oE 'fuzz [a-z-]+: .*|panicked.*|minimal failing.*|test result.*'
