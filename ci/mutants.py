#!/usr/bin/env python3
"""Mutation runs of the engine under loom: weaken one ordering (or skip one check) of
src/engine/ at a time, run the loom models, and record which model fails first.

A mutation that no model catches is a gap in the verification (the README's
"Verification" section lists the table this prints and says what each gap means).

Usage (from the repository root; takes a while: one loom build and run per mutation):

    python3 ci/mutants.py                 # every mutation, the table as Markdown
    python3 ci/mutants.py swap-release    # only the named mutations

Each mutation is applied to a scratch copy of the repository (under
$CARGO_TARGET_DIR/mutants, default target/mutants), never to the working tree.
LOOM_MAX_PREEMPTIONS is left to each model's own bound unless set.
"""

import os
import shutil
import subprocess
import sys
import time

# (name, file, exact text, replacement, what it weakens)
MUTATIONS = [
    ("claim-relaxed", "src/engine/hazard.rs",
     ".find(|slot| slot.load(Ordering::Acquire).is_null())",
     ".find(|slot| slot.load(Ordering::Relaxed).is_null())",
     "a slot's claim reads null with Relaxed (no sync with a guard released elsewhere)"),
    ("slot-store-relaxed", "src/engine/hazard.rs",
     "slot.store(candidate.cast(), Ordering::Release);",
     "slot.store(candidate.cast(), Ordering::Relaxed);",
     "protect stores the slot with Relaxed"),
    ("no-light-fence", "src/engine/hazard.rs",
     "        sync::light_fence();\n",
     "",
     "protect skips the reader's fence between slot store and re-check"),
    ("recheck-relaxed", "src/engine/hazard.rs",
     "let current = source.load(Ordering::Acquire);",
     "let current = source.load(Ordering::Relaxed);",
     "protect's re-check loads with Relaxed (contents not acquired)"),
    ("no-recheck", "src/engine/hazard.rs",
     "        if current == candidate {\n            return current;",
     "        if true {\n            return candidate;",
     "protect returns its first load without re-checking"),
    ("slot-release-relaxed", "src/engine/hazard.rs",
     "slot.store(ptr::null_mut(), Ordering::Release);",
     "slot.store(ptr::null_mut(), Ordering::Relaxed);",
     "a guard releases its slot with Relaxed"),
    ("collect-relaxed", "src/engine/hazard.rs",
     "let value = slot.load(Ordering::Acquire);",
     "let value = slot.load(Ordering::Relaxed);",
     "the scan reads slots with Relaxed"),
    ("in-use-clear-relaxed", "src/engine/hazard.rs",
     "self.in_use.fetch_and(!self.bit, Ordering::Release);",
     "self.in_use.fetch_and(!self.bit, Ordering::Relaxed);",
     "a record's in-use bit is cleared with Relaxed (a scan that skips it does not sync with its guards)"),
    ("in-use-load-relaxed", "src/engine/hazard.rs",
     "let mut bits = chunk.in_use.load(Ordering::Acquire);",
     "let mut bits = chunk.in_use.load(Ordering::Relaxed);",
     "the scan reads the in-use bits with Relaxed"),
    ("is-clear-relaxed", "src/engine/hazard.rs",
     ".all(|slot| slot.load(Ordering::Acquire).is_null())",
     ".all(|slot| slot.load(Ordering::Relaxed).is_null())",
     "a thread giving its record back reads its slots with Relaxed"),
    ("in-use-always-cleared", "src/engine/hazard.rs",
     "        if self.record.is_clear() {\n            self.in_use",
     "        if true {\n            self.in_use",
     "a record's bit is cleared even while a guard that outlived its thread uses a slot"),
    ("swap-release-only", "src/engine/publish.rs",
     "self.current.swap(next.as_ptr(), Ordering::AcqRel)",
     "self.current.swap(next.as_ptr(), Ordering::Acquire)",
     "the publishing swap is not Release"),
    ("no-swap-fence", "src/engine/publish.rs",
     "        sync::fence(Ordering::SeqCst);\n        replaced",
     "        replaced",
     "the writer's fence after its swap (hazard slots and waiters both rely on it)"),
    ("scan-ignores-slots", "src/engine/publish.rs",
     "            if shown(version.as_ptr().cast()) {",
     "            if shown(version.as_ptr().cast()) && false {",
     "the scan frees versions a slot shows"),
    ("holder-dec-relaxed", "src/engine/version.rs",
     "if count.fetch_sub(1, Ordering::Release) != 1 {",
     "if count.fetch_sub(1, Ordering::Relaxed) != 1 {",
     "a holder's decrement is Relaxed"),
    ("unique-relaxed", "src/engine/version.rs",
     "    version.count.load(Ordering::Acquire) == OWNER\n",
     "    version.count.load(Ordering::Relaxed) == OWNER\n",
     "get_mut's uniqueness check is Relaxed"),
    ("release-owner-relaxed", "src/engine/version.rs",
     "let mut current = count.load(Ordering::Acquire);",
     "let mut current = count.load(Ordering::Relaxed);",
     "the owner's check of the holder count is Relaxed"),
    ("release-owner-ignores-holders", "src/engine/version.rs",
     "        if current & HOLDERS != 0 {\n            return Released::Held;",
     "        if current & HOLDERS != 0 && false {\n            return Released::Held;",
     "the owner frees a version that snapshots hold"),
    ("owner-dec-relaxed", "src/engine/version.rs",
     "if count.fetch_sub(OWNER, Ordering::Release) != OWNER {",
     "if count.fetch_sub(OWNER, Ordering::Relaxed) != OWNER {",
     "a dropped cell's decrement is Relaxed"),
    ("waiters-load-relaxed", "src/engine/cell.rs",
     "if self.waiters.load(Ordering::SeqCst) != 0 {",
     "if self.waiters.load(Ordering::Relaxed) != 0 {",
     "the writer's load of the waiter count is Relaxed"),
    ("no-listen-fence", "src/engine/cell.rs",
     "        self.waiters.fetch_add(1, Ordering::SeqCst);\n        sync::fence(Ordering::SeqCst);\n",
     "        self.waiters.fetch_add(1, Ordering::SeqCst);\n",
     "the waiter's fence between counting itself and the re-check"),
    ("listen-count-after-check", "src/engine/cell.rs",
     "            let (listener, _waiting) = self.listen();\n            if let Some(newer) = self.newer_than(since) {\n                return Some(newer);\n            }",
     "            if let Some(newer) = self.newer_than(since) {\n                return Some(newer);\n            }\n            let (listener, _waiting) = self.listen();",
     "wait_newer registers after its last check (a lost wake-up)"),
]

MODELS = [
    "concurrent_pushes_and_a_reader",
    "update_is_all_or_nothing",
    "snapshot_is_unchanged_by_later_writes",
    "versions_are_monotonic_and_match_contents",
    "retired_versions_are_freed",
    "get_mut_racing_a_snapshot_dropped_on_another_thread",
    "get_mut_racing_a_cloned_cell_read_on_another_thread",
    "wait_newer_is_woken_by_a_concurrent_publish",
    "changed_wakes_every_waiter_on_a_publish",
    "reader_against_writer_and_reclamation",
    "retired_version_is_freed_once_after_its_last_holder",
    "no_reader_thread_drops_a_version",
    "two_cells_reusing_each_others_addresses",
    "more_guards_than_hazard_slots_under_a_writer",
    "a_guard_dropped_on_another_thread_then_its_slot_reused",
    "a_version_shared_by_cells_dropped_on_two_threads",
]


def run(cmd, cwd, env, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or "") + (e.stderr or "")


def why(out):
    """The first panic message of a failed loom run (the line after "panicked at")."""
    if "SIGSEGV" in out:
        return "the test process crashed (SIGSEGV): a use after free"
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if "panicked at" in line and i + 1 < len(lines):
            return lines[i + 1].strip()[:140]
    return "failed"


def main():
    root = os.getcwd()
    wanted = set(sys.argv[1:])
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    scratch = os.path.join(target, "mutants", "tree")
    env = dict(os.environ)
    env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " --cfg loom").strip()
    env["CARGO_TARGET_DIR"] = os.path.join(target, "mutants", "build")
    rows = []
    for name, path, text, replacement, what in MUTATIONS:
        if wanted and name not in wanted:
            continue
        if os.path.exists(scratch):
            shutil.rmtree(scratch)
        shutil.copytree(root, scratch, ignore=shutil.ignore_patterns("target", ".git"))
        with open(os.path.join(scratch, path)) as f:
            source = f.read()
        if source.count(text) != 1:
            rows.append((name, what, f"not applied: the text occurs {source.count(text)} times"))
            continue
        with open(os.path.join(scratch, path), "w") as f:
            f.write(source.replace(text, replacement))
        start = time.time()
        code, out = run(["cargo", "test", "--release", "--test", "loom", "--no-run"],
                        scratch, env, 1800)
        if code != 0:
            rows.append((name, what, "does not build"))
            continue
        caught = None
        for model in MODELS:
            code, out = run(["cargo", "test", "--release", "--test", "loom", model, "--",
                             "--exact"], scratch, env, 900)
            if code is None:
                caught = f"{model} (timed out: a deadlock or a much larger state space)"
                break
            if code != 0:
                caught = f"{model}: {why(out)}"
                break
        verdict = caught or "NOT CAUGHT"
        rows.append((name, what, verdict))
        print(f"{name}: {verdict} ({time.time() - start:.0f} s)", file=sys.stderr, flush=True)
    print("| mutation | what it weakens | first model that fails |")
    print("|---|---|---|")
    for name, what, verdict in rows:
        print(f"| `{name}` | {what} | {verdict} |")


if __name__ == "__main__":
    main()
