#!/usr/bin/env bash
# Runs every example with a short setting; each asserts its own invariants and exits
# non-zero on a violation. (`compare` runs from .ci/run with --quick.)
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/common.sh
run cargo run --quiet --example listeners -- --events 2000
run cargo run --quiet --example config_reload -- --reloads 10 --interval-ms 10
