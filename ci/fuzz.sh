#!/usr/bin/env bash
# Fuzzes every cargo-fuzz target in fuzz/ for FUZZ_SECONDS (default 45) each, and fails
# if any of them finds a crash. Prints executions per second per target at the end.
#
# 45 s, not 60: the six targets run two at a time (three rounds), so each second per
# target costs three of CI's. A run starts from the committed seeds and executes 25%
# fewer inputs in 45 s than in 60 s; the edge coverage it reaches is within the noise
# between runs (map_ops, measured: 3,357 edges after 45 s, 3,339 after 60 s; both
# still found a new edge every few thousand inputs at the end). Long runs are a local
# job: FUZZ_SECONDS=3600 ci/fuzz.sh map_ops.
#
#   ci/fuzz.sh                      # all targets, 45 s each
#   FUZZ_SECONDS=10 ci/fuzz.sh      # shorter
#   ci/fuzz.sh vec_ops map_ops      # only these targets
#   FUZZ_JOBS=1 ci/fuzz.sh          # one target at a time (default: one per core)
#
# Needs nightly (cargo-fuzz builds with -Zsanitizer=address) and cargo-fuzz; installs
# either if missing. New corpus entries land in fuzz/corpus/<target>/ (git-ignored
# except the committed seed-* files); crashes in fuzz/artifacts/<target>/.
set -euo pipefail

cd "$(dirname "$0")/.."
source ci/common.sh
seconds="${FUZZ_SECONDS:-45}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
ensure_nightly

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

echo "fuzz.sh: building ${targets[*]}"
cargo +nightly fuzz build

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# fuzz_one TARGET: fuzzes one target, writes its log and its verdict under $logs.
fuzz_one() {
    local target="$1"
    local flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=10)
    if [ -f "fuzz/$target.dict" ]; then
        flags+=(-dict="fuzz/$target.dict")
    fi
    local asan_options="${ASAN_OPTIONS:-}"
    if [ "$target" != concurrent_ops ]; then
        # The model targets inject panics into `Drop`, and a panicking destructor may
        # leak by language rules (rust-lang/rust#47949; `Arc` and std's maps also skip
        # freeing when an element's `Drop` unwinds). Their harness counts live elements
        # itself (exactly, when no `Drop` panicked); LeakSanitizer stays on for
        # concurrent_ops.
        flags+=(-detect_leaks=0)
        asan_options="detect_leaks=0${asan_options:+:$asan_options}"
    fi
    mkdir -p "fuzz/corpus/$target"
    echo "fuzz.sh: $target for ${seconds}s"
    if ASAN_OPTIONS="$asan_options" \
        cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- "${flags[@]}" \
        >"$logs/$target.log" 2>&1; then
        echo "fuzz.sh: $target: no crash"
    else
        echo "fuzz.sh: $target: CRASH (log tail below; input in fuzz/artifacts/$target/)"
        tail -n 60 "$logs/$target.log"
        touch "$logs/$target.crashed"
    fi
}

# libFuzzer runs one process per target on one core: FUZZ_JOBS targets (default: the
# number of cores) run side by side.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n || true
    done
    fuzz_one "$target" &
done
wait
failed=()
for target in "${targets[@]}"; do
    if [ -e "$logs/$target.crashed" ]; then
        failed+=("$target")
    fi
done

echo
echo "fuzz.sh: executions per target (${seconds}s each)"
printf '%-16s %12s %10s\n' target executions exec/s
for target in "${targets[@]}"; do
    units="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$target.log" | tail -n 1)"
    printf '%-16s %12s %10s\n' "$target" "${units:-?}" "${rate:-?}"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz.sh: crashes in: ${failed[*]}"
    exit 1
fi
echo "fuzz.sh: no crashes"
