#!/usr/bin/env bash
# Miri over the integration tests (not the doctests), then the unit tests,
# tests/stress.rs and tests/reclaim.rs under several scheduler seeds, then the engine's
# tests under Tree Borrows.
#
# Flags:
#   -Zmiri-permissive-provenance  parking_lot_core turns integers back into pointers
#                                 on its contended path (the word lock's queue of
#                                 parked threads); Miri warns about that by default and
#                                 stops under -Zmiri-strict-provenance.
#   -Zmiri-many-seeds=A..B        (second pass) one run per seed: different thread
#                                 interleavings and weak-memory outcomes each time;
#                                 Miri runs the seeds on as many threads as there are
#                                 cores.
#   -Zmiri-tree-borrows           (third pass) Tree Borrows instead of Stacked Borrows.
# Stacked Borrows stays on (Miri's default) and isolation stays on: the tests need no
# clock, file or environment access beyond what Miri emulates.
#
# Doctests are left out: each one is a separate crate compiled and interpreted on its
# own (minutes for ~150 of them), they are single-threaded API examples that the unit
# and integration tests cover. The engine's `unsafe` (src/engine/: hazard slots,
# reference counts, the publication cell, `get_mut`) runs in the unit tests of
# src/engine/ and in tests/cell.rs and tests/reclaim.rs, several of them across threads
# with no synchronization of their own beyond what the engine must provide (e.g.
# `get_mut_after_a_snapshot_is_dropped_on_another_thread`, the regression test of a data
# race Miri found in an earlier `get_mut`). Pass 2 runs the unit tests and
# tests/reclaim.rs under every seed.
#
# Usage (from the repository root): ci/miri.sh
#   MIRI_SEEDS=N   seeds for the second pass (default 8: seeds 0..7, the first being the
#                  one pass 1 would use); MIRIFLAGS is appended to.
set -euo pipefail

cd "$(dirname "$0")/.."
source ci/common.sh
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/miri"
seeds="${MIRI_SEEDS:-8}"
base_flags="${MIRIFLAGS:-} -Zmiri-permissive-provenance"
start=$SECONDS

ensure_nightly miri rust-src
run cargo +nightly miri setup

# Pass 1: every integration test file once, but tests/stress.rs and tests/reclaim.rs, whose concurrent tests
# pass 2 runs under every seed, the default one included (the unit tests likewise).
# Without cargo features: tests/rayon.rs and tests/serde.rs need theirs and are left
# out (no code of ours there that the other tests do not run). Not the examples' own
# tests either: they parse flags and write files, which isolation forbids, and hold no
# code of the crate's. Nor std's own B+tree API tests (tests/btree_std_map.rs and
# btree_std_set.rs, ~130 s under Miri): they check API semantics in safe code, and the
# B+tree's `unsafe` (src/btree/array.rs) runs under Miri in its unit tests and through
# every operation in btree_map, btree_model, btree_panic, btree_alloc and btree_diff.
# Miri interprets on one core, so the test files run in two lanes side by side, one per
# core; LANE_B was picked from measured times (Miri's clock under isolation counts
# interpreted work, 2026-12-02: btree_panic ~250 s, panic_safety ~150 s,
# proptest_models ~85 s, btree_diff, btree_map and btree_alloc ~55 s each, btree_set
# ~40 s, the others 20 s or less; lane A ~380 s, lane B ~390 s) and every other file,
# including a new one, goes to lane A. Each lane's output is printed whole when it ends.
export MIRIFLAGS="$base_flags"
echo "MIRIFLAGS=\"$MIRIFLAGS\"" >&2
LANE_B=(btree_alloc btree_panic proptest_models fuzz_regressions)
NEED_FEATURES=(rayon serde)
STD_API=(btree_std_map btree_std_set)
PASS_2=(stress reclaim)
lane_a=()
lane_b=()
for file in tests/*.rs; do
    name=$(basename "$file" .rs)
    if [[ " ${NEED_FEATURES[*]} ${PASS_2[*]} ${STD_API[*]} " == *" $name "* ]]; then
        continue
    elif [[ " ${LANE_B[*]} " == *" $name "* ]]; then
        lane_b+=(--test "$name")
    else
        lane_a+=(--test "$name")
    fi
done
run cargo +nightly miri test --lib "${lane_a[@]}" "${lane_b[@]}" --test stress --test reclaim --no-run
logs=$(mktemp -d)
lane() {
    local log="$logs/$1"
    shift
    run cargo +nightly miri test "$@" >"$log" 2>&1
}
lane a "${lane_a[@]}" &
pid_a=$!
lane b "${lane_b[@]}" &
pid_b=$!
status=0
wait "$pid_a" || status=1
wait "$pid_b" || status=1
for name in a b; do
    echo "--- lane $name" >&2
    cat "$logs/$name" >&2
done
rm -rf "$logs"
if [ "$status" -ne 0 ]; then
    echo "miri: pass 1 failed (see the lane output above)" >&2
    exit 1
fi

# Pass 2: the unit tests and the concurrent tests under several seeds.
export MIRIFLAGS="$base_flags -Zmiri-many-seeds=0..$seeds"
echo "MIRIFLAGS=\"$MIRIFLAGS\"" >&2
run cargo +nightly miri test --lib
run cargo +nightly miri test --test stress
run cargo +nightly miri test --test reclaim

# Pass 3: the engine's own tests (the publication cell, hazard slots, reference counts,
# reclamation) under Tree Borrows as well as Stacked Borrows (pass 1): the two aliasing
# models accept different programs, and the engine's `unsafe` must satisfy both.
export MIRIFLAGS="$base_flags -Zmiri-tree-borrows"
echo "MIRIFLAGS=\"$MIRIFLAGS\"" >&2
run cargo +nightly miri test --lib
run cargo +nightly miri test --test cell --test reclaim

echo "miri: passed in $((SECONDS - start)) s" >&2
