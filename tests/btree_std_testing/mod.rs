//! std's B-tree test helpers, ported for `tests/btree_std_map.rs` and
//! `tests/btree_std_set.rs`: the crash-test dummy (`library/alloctests/testing/
//! crash_test.rs`), the deterministic RNG (`testing/rng.rs`) and the cyclic `Ord`
//! (`testing/ord_chaos.rs`), as in Rust 1.95. Unchanged but for the visibility and the
//! `Clone` bounds our writes need (the dummy's instances were already `Clone`).

#![allow(dead_code, unreachable_pub)]

use std::cmp::Ordering;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::SeqCst;

use cow_collections::PersistentBTreeMap;

/// A blueprint for crash test dummy instances that monitor particular events. Some
/// instances may be configured to panic at some point. Events are `clone`, `drop` or
/// some anonymous `query`. Crash test dummies are identified and ordered by an id, so
/// they can be used as keys in a map.
#[derive(Debug)]
pub struct CrashTestDummy {
    pub id: usize,
    cloned: AtomicUsize,
    dropped: AtomicUsize,
    queried: AtomicUsize,
}

impl CrashTestDummy {
    /// Creates a crash test dummy design. The `id` determines order and equality of
    /// instances.
    pub fn new(id: usize) -> CrashTestDummy {
        CrashTestDummy {
            id,
            cloned: AtomicUsize::new(0),
            dropped: AtomicUsize::new(0),
            queried: AtomicUsize::new(0),
        }
    }

    /// Creates an instance of a crash test dummy that records what events it
    /// experiences and optionally panics.
    pub fn spawn(&self, panic: Panic) -> Instance<'_> {
        Instance {
            origin: self,
            panic,
        }
    }

    /// How many times instances of the dummy have been cloned.
    pub fn cloned(&self) -> usize {
        self.cloned.load(SeqCst)
    }

    /// How many times instances of the dummy have been dropped.
    pub fn dropped(&self) -> usize {
        self.dropped.load(SeqCst)
    }

    /// How many times instances of the dummy have had their `query` member invoked.
    pub fn queried(&self) -> usize {
        self.queried.load(SeqCst)
    }
}

#[derive(Debug)]
pub struct Instance<'a> {
    origin: &'a CrashTestDummy,
    panic: Panic,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Panic {
    Never,
    InClone,
    InDrop,
    InQuery,
}

impl Instance<'_> {
    pub fn id(&self) -> usize {
        self.origin.id
    }

    /// Some anonymous query, the result of which is already given.
    pub fn query<R>(&self, result: R) -> R {
        self.origin.queried.fetch_add(1, SeqCst);
        if self.panic == Panic::InQuery {
            panic!("panic in `query`");
        }
        result
    }
}

impl Clone for Instance<'_> {
    fn clone(&self) -> Self {
        self.origin.cloned.fetch_add(1, SeqCst);
        if self.panic == Panic::InClone {
            panic!("panic in `clone`");
        }
        Self {
            origin: self.origin,
            panic: Panic::Never,
        }
    }
}

impl Drop for Instance<'_> {
    fn drop(&mut self) {
        self.origin.dropped.fetch_add(1, SeqCst);
        if self.panic == Panic::InDrop {
            panic!("panic in `drop`");
        }
    }
}

impl PartialOrd for Instance<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Instance<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.id().cmp(&other.id())
    }
}

impl PartialEq for Instance<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.id().eq(&other.id())
    }
}

impl Eq for Instance<'_> {}

/// XorShiftRng.
pub struct DeterministicRng {
    count: usize,
    x: u32,
    y: u32,
    z: u32,
    w: u32,
}

impl DeterministicRng {
    pub fn new() -> Self {
        DeterministicRng {
            count: 0,
            x: 0x193a6754,
            y: 0xa8a7d469,
            z: 0x97830e05,
            w: 0x113ba7bb,
        }
    }

    /// Guarantees that each returned number is unique.
    pub fn next(&mut self) -> u32 {
        self.count += 1;
        assert!(self.count <= 70029);
        let x = self.x;
        let t = x ^ (x << 11);
        self.x = self.y;
        self.y = self.z;
        self.z = self.w;
        let w_ = self.w;
        self.w = w_ ^ (w_ >> 19) ^ (t ^ (t >> 8));
        self.w
    }
}

/// Minimal type with an `Ord` implementation violating transitivity.
#[derive(Clone, Debug)]
pub enum Cyclic3 {
    A,
    B,
    C,
}

impl PartialOrd for Cyclic3 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cyclic3 {
    fn cmp(&self, other: &Self) -> Ordering {
        use Cyclic3::*;
        use Ordering::*;
        match (self, other) {
            (A, A) | (B, B) | (C, C) => Equal,
            (A, B) | (B, C) | (C, A) => Less,
            (A, C) | (B, A) | (C, B) => Greater,
        }
    }
}

impl PartialEq for Cyclic3 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cyclic3 {}

/// The leaf capacity: std's `node::CAPACITY` (11) is ours (16) here.
pub fn node_capacity() -> usize {
    PersistentBTreeMap::<u8, u8>::new().shape().leaf_capacity
}

/// std's `map.height()`: `None` while the map has no root node, else the internal
/// levels above the leaves.
pub fn height<K, V>(map: &PersistentBTreeMap<K, V>) -> Option<usize> {
    let shape = map.shape();
    (shape.leaves > 0).then_some(shape.height)
}

/// std's `MIN_INSERTS_HEIGHT_1`: the fewest entries to insert to get a root with leaf
/// children (one more than a leaf holds, as in std).
pub fn min_inserts_height_1() -> usize {
    node_capacity() + 1
}

/// std's `MIN_INSERTS_HEIGHT_2` (89 for std's nodes, a constant there): the entries to
/// insert in ascending order until the tree has three levels. Measured here, as std's
/// `test_levels` does, because it depends on the node sizes and the split point.
pub fn min_inserts_height_2() -> usize {
    let mut map = PersistentBTreeMap::new();
    let mut n = 0;
    while height(&map) != Some(2) {
        map.insert(n, ());
        n += 1;
    }
    n
}
