#!/usr/bin/env bash
# ThreadSanitizer over tests/stress.rs and tests/reclaim.rs (the publication cell, real
# parking_lot, real threads).
#
# The whole standard library is rebuilt with the sanitizer (-Zbuild-std), so std's
# atomics and Arc are instrumented too. No suppressions are needed. TSan does not model
# stand-alone fences: the engine's `SeqCst` fences (hazard slots, waiters) only rule out
# executions that never happen on real hardware, and every happens-before edge that
# protects data (a version published by a `Release` swap and read after an `Acquire`
# load; a slot or count released with `Release` and read with `Acquire` before a free)
# is an acquire/release pair TSan sees. Where std's `Arc` uses an acquire fence after
# its last decrement, the engine uses an acquire load, as std does under TSan. parking_lot_core has one `fence(Acquire)` on its
# contended queue path; TSan has reported nothing there in our runs, and should it
# ever, the entry belongs in ci/tsan-suppressions.txt with its reason.
#
# Usage (from the repository root): ci/tsan.sh   (TSAN_RUNS=N repeats the run, default 3)
set -euo pipefail

cd "$(dirname "$0")/.."
source ci/common.sh
if [[ ! -f tests/stress.rs ]]; then
    echo "tsan: tests/stress.rs is missing: nothing to run ThreadSanitizer on" >&2
    exit 1
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/tsan"
export RUSTFLAGS="${RUSTFLAGS:-} -Zsanitizer=thread"
export RUSTDOCFLAGS="${RUSTDOCFLAGS:-} -Zsanitizer=thread"
# halt_on_error: the first report fails the run (TSan otherwise only sets exit code 66
# at exit, and a report inside a test's panic could be lost).
export TSAN_OPTIONS="${TSAN_OPTIONS:-} halt_on_error=1 second_deadlock_stack=1"
if [[ -f ci/tsan-suppressions.txt ]]; then
    export TSAN_OPTIONS="$TSAN_OPTIONS suppressions=$PWD/ci/tsan-suppressions.txt"
fi
target="$(rustc -vV | sed -n 's/^host: //p')"
runs="${TSAN_RUNS:-3}"
start=$SECONDS

ensure_nightly rust-src

echo "RUSTFLAGS=\"$RUSTFLAGS\" TSAN_OPTIONS=\"$TSAN_OPTIONS\"" >&2
run cargo +nightly test -Zbuild-std --target "$target" --test stress --test reclaim --no-run
# TSan only sees the interleavings that happen: several runs see more of them.
for i in $(seq 1 "$runs"); do
    run cargo +nightly test -Zbuild-std --target "$target" --test stress --test reclaim
done

echo "tsan: $runs run(s) clean in $((SECONDS - start)) s" >&2
