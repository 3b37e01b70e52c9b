#!/usr/bin/env bash
# loom models of the writer protocol (tests/loom.rs), in release mode.
#
# Under `--cfg loom`, src/engine/sync.rs takes atomics, fences and thread-locals from loom
# and swaps parking_lot's mutex for loom's; everything else in the crate (the
# publication cell, hazard slots, reclamation, the writer protocol) runs unchanged
# inside the models. Each model
# sets its own preemption bound (3, or 2 for models too slow at 3); export
# LOOM_MAX_PREEMPTIONS to override it for all. Exits non-zero if any model fails
# (a failing model panics, the test binary exits 101, and `set -e` stops here).
#
# Usage (from the repository root): ci/loom.sh [extra `cargo test` args, e.g. a model name]
set -euo pipefail

cd "$(dirname "$0")/.."
source ci/common.sh
export RUSTFLAGS="${RUSTFLAGS:-} --cfg loom"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/loom"
start=$SECONDS

echo "RUSTFLAGS=\"$RUSTFLAGS\"" >&2

# Only tests/loom.rs: the unit tests, doctests and other integration tests use loom
# types outside a model (or are `#![cfg(not(loom))]`).
run cargo test --release --test loom --no-run
# --nocapture: each model prints how many executions loom explored and its bound.
run cargo test --release --test loom "$@" -- --nocapture

echo "loom: all models passed in $((SECONDS - start)) s" >&2
