//! The crate's dependencies must not add trait impls to std's types that change type
//! inference in its users' code (issue 16: `arrayvec`'s `PartialOrd<ArrayString<CAP>>
//! for str` broke `self.0.partial_cmp(&other.0)` on `&str` fields in every crate that
//! depended on us).
//!
//! The test builds `tests/downstream/`, a binary crate whose only dependency is this one
//! (by path) and which holds the snippet that broke, with `cargo check --offline` in a
//! scratch directory under `target/`: the manifest is `tests/downstream/Cargo.toml.in`
//! with the repository's path filled in, and the root `Cargo.lock` is copied next to it,
//! so the dependencies resolve to the versions `cargo test` has already fetched and no
//! network is needed. Its own target directory keeps it off the lock of the `cargo test`
//! that runs it (the first run checks the dependencies once, later runs are incremental).

// Loom runs only tests/loom.rs; Miri cannot start processes.
#![cfg(not(loom))]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The scratch directory: `$CARGO_TARGET_DIR/downstream-inference`, or `target/` in the
/// repository.
fn scratch_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_relative() {
                root.join(dir)
            } else {
                dir
            }
        })
        .unwrap_or_else(|| root.join("target"));
    target.join("downstream-inference")
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot run cargo")]
fn a_dependent_crate_keeps_its_type_inference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("tests/downstream");
    let dir = scratch_dir(root);
    fs::create_dir_all(dir.join("src")).expect("create the scratch crate");
    let manifest = fs::read_to_string(source.join("Cargo.toml.in"))
        .expect("read tests/downstream/Cargo.toml.in")
        .replace("@ROOT@", &root.display().to_string().replace('\\', "/"));
    fs::write(dir.join("Cargo.toml"), manifest).expect("write the manifest");
    fs::copy(source.join("src/main.rs"), dir.join("src/main.rs")).expect("copy main.rs");
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--message-format=short"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        // The outer build's flags (coverage, sanitizers) are not the user's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the downstream crate does not compile:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
