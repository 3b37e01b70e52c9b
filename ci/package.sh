#!/usr/bin/env bash
# Release gate: the crate packs (and `cargo package` builds the packed crate), the packed
# crate's tests compile on their own (no file they need was left out), every feature
# combination compiles, the docs without features are warning-free (.ci/run builds them
# with all features), and, with a nightly toolchain, they build as docs.rs builds them
# and pass the public-API docs audit. The test suite itself runs once, in .ci/run.
#
# Runnable alone from anywhere: `bash ci/package.sh`. Installs cargo-hack if missing
# (`cargo install cargo-hack --locked`, about 1-2 minutes once).
# A dirty git tree is packed with --allow-dirty and a notice (CI clones are clean).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target
step() { printf '\n== %s\n' "$*"; }
start=$SECONDS

step "cargo package"
allow_dirty=()
if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
    echo "note: git tree is dirty; packing with --allow-dirty"
    allow_dirty=(--allow-dirty)
fi
cargo package --locked "${allow_dirty[@]}"
version=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["packages"][0]["version"])')
crate="$target/package/cow-collections-$version.crate"
test -f "$crate"
echo "packed: $crate ($(du -k "$crate" | cut -f1) KiB)"
tar -tzf "$crate" | sed 's|^[^/]*/||' | sort > "$target/package/contents.txt"
for required in Cargo.toml Cargo.lock README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE src/lib.rs; do
    grep -qx "$required" "$target/package/contents.txt" || {
        echo "error: $required is missing from the package" >&2
        exit 1
    }
done
if grep -E '^(ci|\.ci|fuzz)/|^tests/(proptest_models|fuzz_regressions|btree_model)\.rs$' "$target/package/contents.txt"; then
    echo "error: the package includes files that Cargo.toml excludes" >&2
    exit 1
fi

step "the packed crate on its own: its tests compile (all features)"
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
tar -xzf "$crate" -C "$unpacked"
# Its own target dir: two builds of `cow_collections` from different sources in one deps
# directory once made its doctests see the wrong rlib. It starts as a copy of the main
# debug build when there is one (.ci/run has just built it with all features), minus
# this crate's own artifacts: the packed crate and its tests then compile from its own
# sources, against the same locked dependency builds, instead of compiling every
# dependency a second time (2-3 minutes on 2 cores).
packaged=$target/packaged
if [ -d "$target/debug/deps" ] && [ ! -d "$packaged/debug" ]; then
    mkdir -p "$packaged/debug/deps"
    cp -a "$target/debug/build" "$target/debug/.fingerprint" "$packaged/debug/"
    # The libraries (.rlib, .rmeta, .so, .d), not the test executables (no extension).
    find "$target/debug/deps" -maxdepth 1 -type f -name '*.*' ! -name '*cow_collections*' \
        -exec cp -a -t "$packaged/debug/deps" {} +
    rm -rf "$packaged"/debug/.fingerprint/cow-collections-*
fi
(
    cd "$unpacked/cow-collections-$version"
    export CARGO_TARGET_DIR=$packaged
    cargo test --locked --all-features --no-run
)

step "every feature combination: cargo hack --feature-powerset check --all-targets"
if ! command -v cargo-hack >/dev/null 2>&1; then
    cargo install cargo-hack --locked
fi
hack_start=$SECONDS
# With every feature on is what `cargo clippy --all-targets --all-features` checks in
# .ci/run (clippy type-checks all that `cargo check` does): CI sets
# ALL_FEATURES_CHECKED=1 and the powerset skips that one combination (--depth 1: no
# features, each feature alone). Run alone, this checks all four.
if [ "${ALL_FEATURES_CHECKED:-0}" = 1 ]; then
    cargo hack check --feature-powerset --depth 1 --all-targets --locked
else
    cargo hack check --feature-powerset --all-targets --locked
fi
echo "feature powerset: $((SECONDS - hack_start)) s"

step "docs without features: no warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps

if cargo +nightly --version >/dev/null 2>&1; then
    step "docs as docs.rs builds them (nightly, --cfg docsrs) and the public-API docs audit"
    # A separate target dir: nightly artifacts must not evict the stable ones.
    nightly_target="$target/nightly"
    CARGO_TARGET_DIR=$nightly_target RUSTDOCFLAGS="-D warnings --cfg docsrs" \
        cargo +nightly doc --locked --no-deps --all-features
    CARGO_TARGET_DIR=$nightly_target cargo +nightly rustdoc --locked --all-features -- \
        -Z unstable-options --output-format json
    python3 ci/docs_audit.py "$nightly_target/doc/cow_collections.json"
else
    echo "note: no nightly toolchain; skipping the docs.rs build and the docs audit"
fi

echo
echo "package.sh: all checks passed in $((SECONDS - start)) s"
