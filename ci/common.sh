# Shared by the ci/*.sh scripts (sourced, not run): a timed command runner and the
# nightly toolchain set-up that Miri, ThreadSanitizer and cargo-fuzz need.

# run CMD...: print the command, run it, print how long it took.
run() {
    echo "+ $*" >&2
    local t=$SECONDS
    "$@"
    echo "  ($((SECONDS - t)) s)" >&2
}

# ensure_nightly [COMPONENT...]: install the nightly toolchain if missing, then the
# named components (e.g. miri rust-src).
ensure_nightly() {
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        run rustup toolchain install nightly --profile minimal
    fi
    if [ "$#" -gt 0 ]; then
        run rustup component add "$@" --toolchain nightly
    fi
}
