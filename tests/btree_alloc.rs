//! Memory of `PersistentBTreeMap` writes, counted by a global allocator: an insert into
//! a shared tree allocates only its path (bounded from the depth and the node sizes),
//! and a clone held across many inserts keeps only the nodes they replaced.
//!
//! The counters are per thread (each test runs on its own thread and frees on it), so
//! tests running in parallel do not see each other's allocations.

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::BTreeMap;

use cow_collections::btree_map::TreeShape;
use cow_collections::PersistentBTreeMap;

struct Counting;

thread_local! {
    /// Bytes allocated and freed by this thread.
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
    static FREED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// const-initialized thread-locals, which neither allocate nor re-enter the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|a| a.set(a.get() + layout.size()));
        // SAFETY: forwarded with the caller's layout, which meets `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = FREED.try_with(|f| f.set(f.get() + layout.size()));
        // SAFETY: `ptr` was allocated by `System` (through `alloc`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (bytes allocated, bytes freed) by this thread so far.
fn counters() -> (usize, usize) {
    (ALLOCATED.get(), FREED.get())
}

/// Bytes allocated and bytes live (allocated minus freed) while `f` runs.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, isize) {
    let (a0, f0) = counters();
    let r = f();
    let (a1, f1) = counters();
    (r, a1 - a0, (a1 - a0) as isize - (f1 - f0) as isize)
}

const N: usize = if cfg!(miri) { 1_200 } else { 100_000 };

/// Keys of 16 bytes: one 16-byte heap allocation each.
fn key(i: usize) -> String {
    format!("service-{i:08}")
}

/// A map of `N` entries with even-numbered keys, built by inserts in a scattered order.
fn sample() -> PersistentBTreeMap<String, u64> {
    let mut m = PersistentBTreeMap::new();
    for i in 0..N {
        let k = (i * 7919) % N;
        m.insert(key(2 * k), k as u64);
    }
    m
}

/// The most one insert may allocate on a tree of this shape whose every node is
/// shared: a copy of each node on the path (the leaf with its keys' heap bytes, and
/// each internal node), the new key's own allocation, and, if the path splits all the
/// way up, a new node per level, a copy of each separator array and one cloned key per
/// level, plus a new root.
fn one_insert_bound(s: &TreeShape, key_heap: usize) -> usize {
    let leaf = s.leaf_bytes + 16 + s.leaf_capacity * key_heap;
    let internal = s.internal_bytes + 16;
    let separators = s.separators_bytes + 16 + (s.branch_capacity - 1) * key_heap;
    let path_copy = leaf + s.height * internal;
    let splits = leaf + s.height * (internal + 2 * separators + key_heap) + internal + separators;
    path_copy + key_heap + splits
}

#[test]
fn one_insert_allocates_its_path() {
    let m = sample();
    let shape = m.shape();
    assert!(shape.height >= 2, "a tree of several levels: {shape:?}");
    let bound = one_insert_bound(&shape, 16);
    let mut worst = 0;
    for i in 0..if cfg!(miri) { 4 } else { 200 } {
        let mut copy = m.clone();
        let new_key = key(2 * ((i * 104_729) % N) + 1);
        let ((), allocated, _) = measure(|| {
            copy.insert(new_key, 0);
        });
        worst = worst.max(allocated);
        assert!(
            allocated <= bound,
            "insert {i} allocated {allocated} bytes, bound {bound} ({shape:?})"
        );
    }
    // Without a split the copy is the path: a leaf and `height` internal nodes.
    let path = shape.leaf_bytes
        + 16
        + shape.leaf_capacity * 16
        + shape.height * (shape.internal_bytes + 16);
    println!("one insert into {N}: worst {worst} bytes, path {path}, bound {bound}, {shape:?}");
    assert!(worst <= bound && worst > 0);
    assert!(
        worst <= path + 16 + bound / 2,
        "the typical insert copies about one path: worst {worst}, path {path}"
    );
    // The tree is O(n): an insert allocates a vanishing fraction of it (at the full
    // size; Miri's 1,200 entries make a shallower tree).
    let total = N * (16 + 8);
    assert!(
        cfg!(miri) || bound * 100 < total,
        "bound {bound} against {total} bytes of entries"
    );
}

#[test]
fn a_held_clone_keeps_only_replaced_nodes() {
    let inserts = if cfg!(miri) { 20 } else { 1_000 };
    let (kept, _, base_live) = measure(|| {
        let mut m = sample();
        let shape = m.shape();
        let ((), _, tree_live) = measure(|| drop(m.clone()));
        assert_eq!(tree_live, 0, "a clone allocates nothing");

        let snapshot = m.clone();
        let ((), _, extra) = measure(|| {
            for i in 0..inserts {
                m.insert(key(2 * ((i * 104_729) % N) + 1), 0);
            }
        });
        // Each insert replaces at most one leaf (with its keys' heap bytes) and the
        // internal nodes above it, and adds its own key; the snapshot holds the
        // replaced nodes, nothing else. Copies of internal nodes are bounded by the
        // number of internal nodes (each is copied once, then changed in place).
        let leaf = shape.leaf_bytes + 16 + shape.leaf_capacity * 16;
        let internal = shape.internal_bytes + 16;
        let separators = shape.separators_bytes + 16 + (shape.branch_capacity - 1) * 16;
        let bound =
            inserts * (2 * leaf + 16 + 16) + (shape.internals + inserts) * (internal + separators);
        assert!(
            extra > 0 && (extra as usize) <= bound,
            "{inserts} inserts kept {extra} extra bytes live; bound {bound} ({shape:?})"
        );
        let full_copy = N * (16 + 24 + 8);
        assert!(
            (extra as usize) < full_copy / 2,
            "{extra} bytes is not much less than a full copy ({full_copy})"
        );
        // Dropping the snapshot frees exactly the nodes only it held.
        let ((), _, released) = measure(|| drop(snapshot));
        assert!(released < 0);
        assert!(
            (-released as usize) <= bound,
            "dropping the snapshot freed {released} bytes"
        );
        assert_eq!(m.len(), N + inserts);
        (extra, bound)
    });
    assert_eq!(base_live, 0, "everything was freed");
    // Printed outside the measurement: the test harness's output capture allocates.
    println!("{inserts} inserts with a clone held: (kept, bound) = {kept:?} bytes");
}

/// The memory of a 1,000,000-entry map (`String` keys of 16 bytes, `u64` values) next
/// to std's `BTreeMap`, built by inserts in a scattered order: run with
/// `cargo test --release --test btree_alloc -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement for the notes (1,000,000 entries)"]
fn memory_of_a_million_entries() {
    let n = 1_000_000;
    let order = |i: usize| (i * 7919) % n;
    let (ours, _, ours_live) = measure(|| {
        let mut m = PersistentBTreeMap::new();
        for i in 0..n {
            m.insert(key(order(i)), i as u64);
        }
        m
    });
    let (bulk, _, bulk_live) = measure(|| {
        (0..n)
            .map(|i| (key(i), i as u64))
            .collect::<PersistentBTreeMap<_, _>>()
    });
    let (std, _, std_live) = measure(|| {
        let mut m = BTreeMap::new();
        for i in 0..n {
            m.insert(key(order(i)), i as u64);
        }
        m
    });
    println!(
        "1M entries (String keys with 16 heap bytes each, u64 values), live bytes: \
         ours {ours_live} ({:.1} per entry; {:?}), ours from sorted {bulk_live}, std {std_live} \
         ({:.1} per entry); the keys' own heap: {}",
        ours_live as f64 / n as f64,
        ours.shape(),
        std_live as f64 / n as f64,
        n * 16,
    );
    drop((ours, bulk, std));
}
