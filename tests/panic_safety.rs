//! Panics in user code during writes, panicking destructors, and re-entrant writes.
//!
//! For every write method and every kind of user code it runs (`Clone`, `Hash`, `Eq`,
//! `Ord`, closures), a panic at each reachable point must leave the previous version
//! published (same contents, same version number), the write lock released (the next
//! write succeeds on this thread and on another one), and every element dropped exactly
//! once by the end. A write re-entering the same collection must panic with a message,
//! never deadlock.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

mod common;

use std::cell::{Cell, RefCell};
use std::sync::mpsc;
use std::sync::{Arc, Weak};
use std::thread;
use std::time::Duration;

use common::{catch, expect_panic, ids, scaled, with_timeout, Dummy, Op, Tracker, PLANNED};
use cow_collections::{CowBTreeMap, CowBTreeSet, CowCell, CowMap, CowSet, CowVec};

// ---------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------

/// What the harness observes of a collection of dummies.
trait Observed: Send + Sync + 'static {
    /// The contents as ids, in order (maps: key, value, key, value, ...).
    fn ids(&self) -> Vec<u64>;
    fn version(&self) -> u64;
    /// A write that publishes (one version), proving the lock is free.
    fn touch(&self);
    /// The writer's `reclaim`: frees the retired versions nobody holds.
    fn reclaim(&self);
}

impl Observed for CowCell<Vec<Dummy>> {
    fn ids(&self) -> Vec<u64> {
        ids(self.read().iter())
    }
    fn version(&self) -> u64 {
        CowCell::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

impl Observed for CowVec<Dummy> {
    fn ids(&self) -> Vec<u64> {
        ids(self.read().iter())
    }
    fn version(&self) -> u64 {
        CowVec::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

impl Observed for CowSet<Dummy> {
    fn ids(&self) -> Vec<u64> {
        ids(self.read().iter())
    }
    fn version(&self) -> u64 {
        CowSet::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

impl Observed for CowMap<Dummy, Dummy> {
    fn ids(&self) -> Vec<u64> {
        self.read()
            .iter()
            .flat_map(|(k, v)| [k.id(), v.id()])
            .collect()
    }
    fn version(&self) -> u64 {
        CowMap::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

impl Observed for CowBTreeSet<Dummy> {
    fn ids(&self) -> Vec<u64> {
        ids(self.read().iter())
    }
    fn version(&self) -> u64 {
        CowBTreeSet::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

impl Observed for CowBTreeMap<Dummy, Dummy> {
    fn ids(&self) -> Vec<u64> {
        self.read()
            .iter()
            .flat_map(|(k, v)| [k.id(), v.id()])
            .collect()
    }
    fn version(&self) -> u64 {
        CowBTreeMap::version(self)
    }
    fn touch(&self) {
        self.update(|_| ());
    }
    fn reclaim(&self) {
        Self::reclaim(self);
    }
}

/// Asserts that the write lock is free: a write succeeds on this thread, then on another
/// thread (which fails the test after a timeout instead of hanging if the lock leaked).
#[track_caller]
fn assert_writable<C: Observed>(c: &Arc<C>) {
    let version = c.version();
    c.touch();
    let other = Arc::clone(c);
    with_timeout(move || other.touch());
    assert_eq!(c.version(), version + 2, "both follow-up writes published");
}

/// Runs `write` on a fresh collection once per reachable call of `op` (the first call,
/// the second, ...), making that call panic, until `write` runs to completion without
/// reaching the armed call. After each panic: nothing published, lock released. At the
/// end: every element dropped exactly once. Returns the number of panic points.
#[track_caller]
fn at_every_panic_point<C: Observed>(
    op: Op,
    make: impl Fn(&Tracker) -> C,
    write: impl Fn(&C, &Tracker),
) -> usize {
    let t = Tracker::new();
    let mut point = 0;
    loop {
        assert!(point < 10_000, "{op:?}: runaway panic-point loop");
        let c = Arc::new(make(&t));
        let before = (c.ids(), c.version());
        t.arm(op, point);
        let result = catch(|| write(&c, &t));
        if t.disarm(op) {
            // The armed call was never reached: the write ran to completion.
            if let Err(message) = result {
                panic!("{op:?}: unplanned panic: {message}");
            }
            break;
        }
        let message = result.expect_err("the fuse fired but the write returned normally");
        assert!(message.contains(PLANNED), "unexpected panic: {message}");
        assert_eq!(
            (c.ids(), c.version()),
            before,
            "a panic at {op:?} call #{point} changed the published version"
        );
        assert_writable(&c);
        point += 1;
    }
    assert!(
        point > 0,
        "the write never called {op:?}: nothing was tested"
    );
    t.assert_balanced();
    point
}

fn cell4(t: &Tracker) -> CowCell<Vec<Dummy>> {
    CowCell::new(t.dummies(0..4))
}

fn vec4(t: &Tracker) -> CowVec<Dummy> {
    CowVec::from(t.dummies(0..4))
}

fn vec_unsorted(t: &Tracker) -> CowVec<Dummy> {
    CowVec::from(t.dummies([3, 1, 2, 0]))
}

fn vec_dups(t: &Tracker) -> CowVec<Dummy> {
    CowVec::from(t.dummies([1, 1, 2, 3, 3]))
}

fn set4(t: &Tracker) -> CowSet<Dummy> {
    t.dummies(0..4).into_iter().collect()
}

fn map4(t: &Tracker) -> CowMap<Dummy, Dummy> {
    (0..4).map(|i| (t.dummy(i), t.dummy(100 + i))).collect()
}

/// 40 entries: more than one leaf (16), so writes copy a path of two nodes and can
/// split, steal or merge. Under Miri, 17: still two leaves under a root, with fewer
/// panic points to walk through (each point rebuilds the map).
fn bmap40(t: &Tracker) -> CowBTreeMap<Dummy, Dummy> {
    (0..scaled(40, 17) as u64)
        .map(|i| (t.dummy(i), t.dummy(100 + i)))
        .collect()
}

fn bset40(t: &Tracker) -> CowBTreeSet<Dummy> {
    t.dummies(0..scaled(40, 17) as u64).into_iter().collect()
}

/// One test per (write method, kind of user code that panics). `#[attr]`s before a name
/// go on its test. `cargo test` runs them all. Under Miri (several seconds per flat test,
/// about 25 s per B+tree test even at 17 entries) a representative subset runs: every
/// `CowCell` case (the engine: update, try_update, the write guard); for each flat
/// collection one case per kind of user code that panics (`Clone`, `Hash`, `Eq`, `Ord`
/// or a closure) on its main write paths; for the B+tree one per kind of write path
/// (insert, remove with rebalancing, retain's rebuild, compute's closure, a
/// transaction). The rest run the same engine code and the same library clones (`Vec`,
/// `IndexSet`, `IndexMap`) on other elements; Miri adds nothing there that the subset and
/// the native run do not already check. The sets and the maps share one implementation
/// of every operation (`src/collections/ops.rs`) and an `IndexSet` is an `IndexMap`
/// inside, so the set keeps one case under Miri and the maps' cases cover the rest; the
/// B+tree set is the B+tree map with `()` values, so the map's cases cover it.
macro_rules! panic_point_tests {
    ($($(#[$attr:meta])* $name:ident: $op:expr, $make:expr, $write:expr;)*) => {$(
        #[test]
        $(#[$attr])*
        fn $name() {
            at_every_panic_point($op, $make, $write);
        }
    )*};
}

// ---------------------------------------------------------------------------------------
// A panic at each point publishes nothing and releases the lock
// ---------------------------------------------------------------------------------------

panic_point_tests! {
    cell_update_panicking_clone: Op::Clone, cell4, |c, t| c.update(|v| v.push(t.dummy(9)));
    cell_update_panicking_closure: Op::Callback, cell4, |c, t| c.update(|v| {
        v.clear();
        t.callback();
    });
    cell_try_update_panicking_clone: Op::Clone, cell4,
        |c, _| c.try_update(|v| v.pop().map(drop).ok_or(())).unwrap();
    cell_try_update_panicking_closure: Op::Callback, cell4, |c, t| {
        let _ = c.try_update(|v| {
            v.pop();
            t.callback();
            Ok::<(), ()>(())
        });
    };
    cell_write_guard_panicking_clone: Op::Clone, cell4, |c, t| c.write().push(t.dummy(9));
    cell_write_guard_panic_while_held: Op::Callback, cell4, |c, t| {
        let mut w = c.write();
        w.push(t.dummy(9));
        t.callback();
    };

    vec_push_panicking_clone: Op::Clone, vec4, |c, t| c.push(t.dummy(9));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_pop_panicking_clone: Op::Clone, vec4, |c, _| drop(c.pop());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_insert_panicking_clone: Op::Clone, vec4, |c, t| c.insert(2, t.dummy(9));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_insert_all_panicking_clone: Op::Clone, vec4, |c, t| c.insert_all(1, t.dummies(8..10));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_set_panicking_clone: Op::Clone, vec4, |c, t| drop(c.set(1, t.dummy(9)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_remove_panicking_clone: Op::Clone, vec4, |c, _| drop(c.remove(1));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_retain_panicking_clone: Op::Clone, vec4, |c, _| c.retain(|d| d.id() != 2);
    vec_retain_panicking_predicate: Op::Callback, vec4, |c, t| c.retain(|d| {
        t.callback();
        d.id() != 2
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_truncate_panicking_clone: Op::Clone, vec4, |c, _| c.truncate(2);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_sort_panicking_clone: Op::Clone, vec_unsorted, |c, _| c.sort();
    vec_sort_panicking_ord: Op::Cmp, vec_unsorted, |c, _| c.sort();
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_sort_by_panicking_comparator: Op::Callback, vec_unsorted, |c, t| c.sort_by(|a, b| {
        t.callback();
        b.id().cmp(&a.id())
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_sort_by_key_panicking_key: Op::Callback, vec_unsorted, |c, t| c.sort_by_key(|d| {
        t.callback();
        d.id()
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_extend_panicking_clone: Op::Clone, vec4, |c, t| c.extend(t.dummies(8..10));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_remove_item_panicking_eq: Op::Eq, vec4, |c, t| assert!(c.remove_item(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_remove_item_panicking_clone: Op::Clone, vec4, |c, t| assert!(c.remove_item(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_push_if_absent_panicking_eq: Op::Eq, vec4, |c, t| assert!(c.push_if_absent(t.dummy(9)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_push_if_absent_panicking_clone: Op::Clone, vec4, |c, t| assert!(c.push_if_absent(t.dummy(9)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_extend_if_absent_panicking_eq: Op::Eq, vec4,
        |c, t| assert_eq!(c.extend_if_absent(t.dummies([9, 1, 9, 8])), 2);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_extend_if_absent_panicking_clone: Op::Clone, vec4,
        |c, t| assert_eq!(c.extend_if_absent(t.dummies([9, 1, 9, 8])), 2);
    vec_dedup_panicking_eq: Op::Eq, vec_dups, |c, _| c.dedup();
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_dedup_panicking_clone: Op::Clone, vec_dups, |c, _| c.dedup();
    #[cfg_attr(miri, ignore = "subset under Miri")]
    vec_update_panicking_closure: Op::Callback, vec4, |c, t| c.update(|v| {
        v.reverse();
        t.callback();
    });

    set_insert_panicking_hash: Op::Hash, set4, |c, t| assert!(c.insert(t.dummy(9)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_insert_panicking_eq: Op::Eq, set4, |c, t| assert!(!c.insert(t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_insert_panicking_clone: Op::Clone, set4, |c, t| assert!(c.insert(t.dummy(9)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_remove_panicking_hash: Op::Hash, set4, |c, t| assert!(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_remove_panicking_eq: Op::Eq, set4, |c, t| assert!(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_remove_panicking_clone: Op::Clone, set4, |c, t| assert!(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_retain_panicking_hash: Op::Hash, set4, |c, _| c.retain(|d| d.id() != 1);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_retain_panicking_clone: Op::Clone, set4, |c, _| c.retain(|d| d.id() != 1);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_retain_panicking_predicate: Op::Callback, set4, |c, t| c.retain(|d| {
        t.callback();
        d.id() != 1
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_extend_panicking_hash: Op::Hash, set4, |c, t| c.extend(t.dummies([1, 8, 9]));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_extend_panicking_eq: Op::Eq, set4, |c, t| c.extend(t.dummies([1, 8, 2]));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_extend_panicking_clone: Op::Clone, set4, |c, t| c.extend(t.dummies([1, 8, 9]));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_update_panicking_closure: Op::Callback, set4, |c, t| c.update(|s| {
        s.insert(t.dummy(9));
        t.callback();
    });

    map_insert_panicking_hash: Op::Hash, map4, |c, t| drop(c.insert(t.dummy(9), t.dummy(109)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_insert_panicking_eq: Op::Eq, map4, |c, t| drop(c.insert(t.dummy(2), t.dummy(202)));
    map_insert_panicking_clone: Op::Clone, map4, |c, t| drop(c.insert(t.dummy(9), t.dummy(109)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_panicking_hash: Op::Hash, map4, |c, t| drop(c.remove(&t.dummy(2)));
    map_remove_panicking_eq: Op::Eq, map4, |c, t| drop(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_panicking_clone: Op::Clone, map4, |c, t| drop(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_retain_panicking_hash: Op::Hash, map4, |c, _| c.retain(|k, _| k.id() != 1);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_retain_panicking_clone: Op::Clone, map4, |c, _| c.retain(|k, _| k.id() != 1);
    map_retain_panicking_predicate: Op::Callback, map4, |c, t| c.retain(|_, v| {
        t.callback();
        v.id() != 101
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_extend_panicking_hash: Op::Hash, map4,
        |c, t| c.extend([(t.dummy(1), t.dummy(201)), (t.dummy(9), t.dummy(109))]);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_extend_panicking_clone: Op::Clone, map4,
        |c, t| c.extend([(t.dummy(1), t.dummy(201)), (t.dummy(9), t.dummy(109))]);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_insert_if_absent_panicking_hash: Op::Hash, map4,
        |c, t| assert!(c.insert_if_absent(t.dummy(9), t.dummy(109)).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_insert_if_absent_panicking_eq: Op::Eq, map4,
        |c, t| assert!(c.insert_if_absent(t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_insert_if_absent_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.insert_if_absent(t.dummy(9), t.dummy(109)).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_insert_if_absent_present_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.insert_if_absent(t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_replace_panicking_hash: Op::Hash, map4,
        |c, t| assert!(c.replace(&t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_replace_panicking_eq: Op::Eq, map4,
        |c, t| assert!(c.replace(&t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_replace_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.replace(&t.dummy(1), t.dummy(201)).is_some());
    map_replace_if_eq_panicking_eq: Op::Eq, map4,
        |c, t| assert!(c.replace_if_eq(&t.dummy(1), &t.dummy(101), t.dummy(201)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_replace_if_eq_panicking_hash: Op::Hash, map4,
        |c, t| assert!(c.replace_if_eq(&t.dummy(1), &t.dummy(101), t.dummy(201)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_replace_if_eq_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.replace_if_eq(&t.dummy(1), &t.dummy(101), t.dummy(201)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_if_eq_panicking_eq: Op::Eq, map4,
        |c, t| assert!(c.remove_if_eq(&t.dummy(1), &t.dummy(101)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_if_eq_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.remove_if_eq(&t.dummy(1), &t.dummy(101)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_panicking_hash: Op::Hash, map4, |c, t| drop(c.compute(t.dummy(1), |_| None));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_panicking_clone: Op::Clone, map4,
        |c, t| drop(c.compute(t.dummy(1), |_| Some(t.dummy(201))));
    map_compute_present_to_some_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.compute(t.dummy(1), |old| {
            assert_eq!(old.map(Dummy::id), Some(101));
            t.callback();
            Some(t.dummy(201))
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_present_to_none_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.compute(t.dummy(1), |_| {
            t.callback();
            None
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_absent_to_some_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.compute(t.dummy(9), |old| {
            assert!(old.is_none());
            t.callback();
            Some(t.dummy(109))
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_entry_panicking_hash: Op::Hash, map4, |c, t| assert!(c.remove_entry(&t.dummy(2)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_remove_entry_panicking_clone: Op::Clone, map4, |c, t| assert!(c.remove_entry(&t.dummy(2)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_get_or_insert_with_panicking_hash: Op::Hash, map4,
        |c, t| assert_eq!(c.get_or_insert_with(t.dummy(9), || t.dummy(109)).id(), 109);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_get_or_insert_with_panicking_clone: Op::Clone, map4,
        |c, t| assert_eq!(c.get_or_insert_with(t.dummy(9), || t.dummy(109)).id(), 109);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_get_or_insert_with_present_panicking_clone: Op::Clone, map4,
        |c, t| assert_eq!(c.get_or_insert_with(t.dummy(1), || unreachable!()).id(), 101);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_get_or_insert_with_panicking_closure: Op::Callback, map4,
        |c, t| assert_eq!(c.get_or_insert_with(t.dummy(9), || {
            t.callback();
            t.dummy(109)
        }).id(), 109);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_if_present_panicking_eq: Op::Eq, map4,
        |c, t| assert!(c.compute_if_present(&t.dummy(1), |_| Some(t.dummy(201))).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_if_present_to_none_panicking_clone: Op::Clone, map4,
        |c, t| assert!(c.compute_if_present(&t.dummy(1), |_| None).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_if_present_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.compute_if_present(&t.dummy(1), |old| {
            t.callback();
            Some(t.dummy(old.id() + 100))
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_merge_panicking_hash: Op::Hash, map4,
        |c, t| drop(c.merge(t.dummy(1), t.dummy(201), |_, new| Some(new)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_merge_absent_panicking_clone: Op::Clone, map4,
        |c, t| drop(c.merge(t.dummy(9), t.dummy(109), |_, _| unreachable!()));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_merge_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.merge(t.dummy(1), t.dummy(201), |old, new| {
            t.callback();
            drop(new);
            Some(t.dummy(old.id() + 200))
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_pop_panicking_clone: Op::Clone, map4, |c, _| assert!(c.pop().is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    set_pop_panicking_clone: Op::Clone, set4, |c, _| assert!(c.pop().is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_remove_entry_panicking_ord: Op::Cmp, bmap40,
        |c, t| assert!(c.remove_entry(&t.dummy(7)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_get_or_insert_with_panicking_ord: Op::Cmp, bmap40,
        |c, t| assert_eq!(c.get_or_insert_with(t.dummy(50), || t.dummy(150)).id(), 150);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_get_or_insert_with_panicking_closure: Op::Callback, bmap40,
        |c, t| drop(c.get_or_insert_with(t.dummy(50), || {
            t.callback();
            t.dummy(150)
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_compute_if_present_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.compute_if_present(&t.dummy(7), |_| None).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_merge_panicking_closure: Op::Callback, bmap40,
        |c, t| drop(c.merge(t.dummy(7), t.dummy(207), |_, new| {
            t.callback();
            Some(new)
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_insert_panicking_ord: Op::Cmp, bmap40, |c, t| drop(c.insert(t.dummy(50), t.dummy(150)));
    btree_map_insert_panicking_clone: Op::Clone, bmap40, |c, t| drop(c.insert(t.dummy(50), t.dummy(150)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_insert_existing_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.insert(t.dummy(7), t.dummy(207)).is_some());
    btree_map_remove_panicking_ord: Op::Cmp, bmap40, |c, t| assert!(c.remove(&t.dummy(7)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_remove_panicking_clone: Op::Clone, bmap40, |c, t| assert!(c.remove(&t.dummy(7)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_retain_few_panicking_clone: Op::Clone, bmap40, |c, _| c.retain(|k, _| k.id() != 1);
    btree_map_retain_many_panicking_clone: Op::Clone, bmap40, |c, _| c.retain(|k, _| k.id() < 5);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_retain_panicking_ord: Op::Cmp, bmap40, |c, _| c.retain(|k, _| k.id() != 1);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_retain_panicking_predicate: Op::Callback, bmap40, |c, t| c.retain(|k, _| {
        t.callback();
        k.id() != 1
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_extend_panicking_ord: Op::Cmp, bmap40,
        |c, t| c.extend([(t.dummy(1), t.dummy(201)), (t.dummy(59), t.dummy(159))]);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_extend_panicking_clone: Op::Clone, bmap40,
        |c, t| c.extend([(t.dummy(1), t.dummy(201)), (t.dummy(59), t.dummy(159))]);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_insert_if_absent_panicking_ord: Op::Cmp, bmap40,
        |c, t| assert!(c.insert_if_absent(t.dummy(50), t.dummy(150)).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_insert_if_absent_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.insert_if_absent(t.dummy(50), t.dummy(150)).is_none());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_insert_if_absent_present_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.insert_if_absent(t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_replace_panicking_ord: Op::Cmp, bmap40,
        |c, t| assert!(c.replace(&t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_replace_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.replace(&t.dummy(1), t.dummy(201)).is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_replace_if_eq_panicking_eq: Op::Eq, bmap40,
        |c, t| assert!(c.replace_if_eq(&t.dummy(1), &t.dummy(101), t.dummy(201)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_replace_if_eq_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.replace_if_eq(&t.dummy(1), &t.dummy(101), t.dummy(201)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_remove_if_eq_panicking_eq: Op::Eq, bmap40,
        |c, t| assert!(c.remove_if_eq(&t.dummy(1), &t.dummy(101)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_remove_if_eq_panicking_clone: Op::Clone, bmap40,
        |c, t| assert!(c.remove_if_eq(&t.dummy(1), &t.dummy(101)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_compute_panicking_ord: Op::Cmp, bmap40, |c, t| drop(c.compute(t.dummy(1), |_| None));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_compute_panicking_clone: Op::Clone, bmap40,
        |c, t| drop(c.compute(t.dummy(1), |_| Some(t.dummy(201))));
    btree_map_compute_panicking_closure: Op::Callback, bmap40,
        |c, t| drop(c.compute(t.dummy(9), |old| {
            t.callback();
            old.map(|_| t.dummy(209))
        }));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_pop_first_panicking_clone: Op::Clone, bmap40, |c, _| assert!(c.pop_first().is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_map_pop_last_panicking_clone: Op::Clone, bmap40, |c, _| assert!(c.pop_last().is_some());
    btree_map_update_panicking_closure: Op::Callback, bmap40, |c, t| c.update(|m| {
        m.insert(t.dummy(50), t.dummy(150));
        m.remove(&t.dummy(3));
        t.callback();
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_insert_panicking_ord: Op::Cmp, bset40, |c, t| assert!(c.insert(t.dummy(50)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_insert_panicking_clone: Op::Clone, bset40, |c, t| assert!(c.insert(t.dummy(50)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_remove_panicking_ord: Op::Cmp, bset40, |c, t| assert!(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_remove_panicking_clone: Op::Clone, bset40, |c, t| assert!(c.remove(&t.dummy(2)));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_retain_panicking_clone: Op::Clone, bset40, |c, _| c.retain(|d| d.id() % 2 == 0);
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_retain_panicking_predicate: Op::Callback, bset40, |c, t| c.retain(|d| {
        t.callback();
        d.id() != 1
    });
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_extend_panicking_ord: Op::Cmp, bset40, |c, t| c.extend(t.dummies([1, 58, 59]));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_extend_panicking_clone: Op::Clone, bset40, |c, t| c.extend(t.dummies([1, 58, 59]));
    #[cfg_attr(miri, ignore = "subset under Miri")]
    btree_set_pop_first_panicking_clone: Op::Clone, bset40, |c, _| assert!(c.pop_first().is_some());
    #[cfg_attr(miri, ignore = "subset under Miri")]
    map_compute_absent_to_none_panicking_closure: Op::Callback, map4,
        |c, t| drop(c.compute(t.dummy(9), |_| {
            t.callback();
            None
        }));
}

#[test]
#[cfg_attr(miri, ignore = "checks this file's harness, not the library")]
fn panic_points_are_reached_as_often_as_the_write_calls_user_code() {
    // Guards the harness itself: a 4-element copy has exactly 4 clone points, and a
    // push adds none (the pushed value is moved, not cloned).
    assert_eq!(
        at_every_panic_point(Op::Clone, vec4, |c, t| c.push(t.dummy(9))),
        4
    );
    assert_eq!(
        at_every_panic_point(Op::Clone, cell4, |c, _| c.update(|_| ())),
        4
    );
}

// ---------------------------------------------------------------------------------------
// Panicking destructors
// ---------------------------------------------------------------------------------------

/// Arms the drop of element `id`, runs `write`, and checks where the panic landed:
/// `published: Some(ids)` means the write published those contents first (the panic came
/// from freeing the retired version, which the writer's `reclaim` does outside the
/// lock); `None` means it came from under the lock and nothing was published. Either way the collection stays writable and
/// every element is dropped exactly once.
#[track_caller]
fn drop_panic_during_write<C: Observed>(
    make: impl Fn(&Tracker) -> C,
    id: u64,
    write: impl FnOnce(&C, &Tracker),
    published: Option<&[u64]>,
) {
    let t = Tracker::new();
    let c = Arc::new(make(&t));
    let (before_ids, before_version) = (c.ids(), c.version());
    t.arm_id(Op::Drop, id);
    // A retired version is freed by a writer's scan (here `reclaim`, on this thread,
    // after the write's lock is released), never by the write's readers.
    let message = expect_panic(&[PLANNED, "Drop"], || {
        write(&c, &t);
        c.reclaim();
    });
    assert!(
        !t.disarm(Op::Drop),
        "the planned drop panic fired ({message})"
    );
    match published {
        Some(expected) => {
            assert_eq!(c.ids(), expected);
            assert_eq!(c.version(), before_version + 1);
        }
        None => {
            assert_eq!(c.ids(), before_ids);
            assert_eq!(c.version(), before_version);
        }
    }
    assert_writable(&c);
    drop(c);
    t.assert_balanced();
}

#[test]
fn vec_remove_with_panicking_drop_of_the_retired_element_stays_writable() {
    drop_panic_during_write(vec4, 1, |c, _| drop(c.remove(1)), Some(&[0, 2, 3]));
}

#[test]
fn vec_clear_with_panicking_drop_still_drops_the_other_retired_elements() {
    drop_panic_during_write(vec4, 1, |c, _| c.clear(), Some(&[]));
}

#[test]
fn vec_set_with_panicking_drop_of_the_replaced_element_stays_writable() {
    drop_panic_during_write(
        vec4,
        1,
        |c, t| drop(c.set(1, t.dummy(9))),
        Some(&[0, 9, 2, 3]),
    );
}

#[test]
fn vec_truncate_and_retain_with_panicking_drop_stay_writable() {
    drop_panic_during_write(vec4, 3, |c, _| c.truncate(1), Some(&[0]));
    drop_panic_during_write(vec4, 1, |c, _| c.retain(|d| d.id() % 2 == 0), Some(&[0, 2]));
}

#[test]
fn set_and_map_removals_with_panicking_drop_stay_writable() {
    // `retain` clones only the kept elements: #1 is dropped with the retired version.
    drop_panic_during_write(set4, 1, |c, _| c.retain(|d| d.id() != 1), Some(&[0, 2, 3]));
    // `remove` drops the removed copy of #1 under the lock: nothing is published.
    drop_panic_during_write(set4, 1, |c, t| assert!(c.remove(&t.dummy(1))), None);
    // The map hands the removed value's copy back; the original goes with the retired
    // version.
    drop_panic_during_write(
        map4,
        101,
        |c, t| assert!(c.remove(&t.dummy(1)).is_some()),
        Some(&[0, 100, 2, 102, 3, 103]),
    );
}

#[test]
fn cell_store_then_drop_of_previous_with_panicking_drop_stays_writable() {
    // `store` hands the old version back; once the caller drops it, the writer frees it
    // (the panic comes from there).
    drop_panic_during_write(cell4, 2, |c, t| drop(c.store(t.dummies([7]))), Some(&[7]));
}

#[test]
fn panicking_drop_under_the_lock_publishes_nothing() {
    // These writes drop element copies while building the next version.
    drop_panic_during_write(cell4, 2, |c, _| c.update(|v| v.clear()), None);
    drop_panic_during_write(vec_dups, 1, |c, _| c.dedup(), None);
    drop_panic_during_write(map4, 1, |c, _| c.update(|m| m.clear()), None);
    // Not `CowMap::insert` of an existing key, although it drops the passed-in key under
    // the lock too: that drop happens inside indexmap after the old value was moved into
    // its return value, which rustc then leaks on unwind (rust-lang/rust#47949, not ours).
}

#[test]
fn panicking_drop_of_a_retired_version_fires_in_the_writer_after_its_last_snapshot_goes() {
    let t = Tracker::new();
    let c = Arc::new(vec4(&t));
    let snap = c.snapshot();
    let second = snap.clone();
    t.arm_id(Op::Drop, 2);
    c.clear(); // retired, but still held: nothing is dropped here
    assert_eq!(t.total_alive(), 4);
    drop(second);
    assert_eq!(t.total_alive(), 4);
    drop(snap); // the reader lets go; it never runs the destructor
    assert_eq!(t.total_alive(), 4);
    expect_panic(&[PLANNED, "Drop of #2"], || c.reclaim());
    assert_eq!(t.total_alive(), 0, "the other elements were still dropped");
    assert_eq!((c.ids(), c.version()), (vec![], 1));
    assert_writable(&c);
    drop(c);
    t.assert_balanced();
}

/// An element whose drop (if armed) tries a write on the collection registered in
/// `PROBE_TARGET` from the same thread, and records whether it got the write lock. Its
/// clones are unarmed.
struct LockProbe {
    armed: bool,
}

thread_local! {
    static PROBE_TARGET: RefCell<Weak<CowVec<LockProbe>>> = const { RefCell::new(Weak::new()) };
    /// `Some(true)`: the armed probe's drop could write (the lock was free).
    static PROBE_SAW_FREE_LOCK: Cell<Option<bool>> = const { Cell::new(None) };
}

impl Clone for LockProbe {
    fn clone(&self) -> Self {
        Self { armed: false }
    }
}

impl Drop for LockProbe {
    fn drop(&mut self) {
        if let Some(target) = self
            .armed
            .then(|| PROBE_TARGET.with(|t| t.borrow().upgrade()))
            .flatten()
        {
            // Under the lock this is a re-entrant write and panics (caught here).
            let free = catch(|| target.update(|_| ())).is_ok();
            PROBE_SAW_FREE_LOCK.with(|s| s.set(Some(free)));
        }
    }
}

#[test]
fn retired_versions_are_dropped_after_the_write_lock_is_released() {
    // What makes a panicking (or slow, or writing) destructor of an old element harmless:
    // it runs once the lock is free. An armed probe's drop writes to its own collection.
    type ProbeWrite = (&'static str, fn(&CowVec<LockProbe>));
    let writes: [ProbeWrite; 8] = [
        ("remove", |v| drop(v.remove(0))),
        ("pop", |v| drop(v.pop())),
        ("set", |v| drop(v.set(0, LockProbe { armed: false }))),
        ("clear", |v| v.clear()),
        ("truncate", |v| v.truncate(0)),
        ("retain", |v| v.retain(|_| false)),
        ("update", |v| v.update(|inner| inner.clear())),
        ("write guard", |v| v.write().clear()),
    ];
    with_timeout(move || {
        for (name, write) in writes {
            let v = Arc::new(CowVec::from(vec![LockProbe { armed: true }]));
            PROBE_TARGET.with(|t| *t.borrow_mut() = Arc::downgrade(&v));
            PROBE_SAW_FREE_LOCK.with(|s| s.set(None));
            write(&v);
            // The writer frees retired versions in its scans, after unlocking.
            v.reclaim();
            let saw = PROBE_SAW_FREE_LOCK.with(Cell::get);
            assert_eq!(
                saw,
                Some(true),
                "{name}: the retired version was dropped under the lock"
            );
            assert_eq!(v.version(), 2, "{name}: the write, then the probe's write");
        }
    });
}

// ---------------------------------------------------------------------------------------
// Re-entrancy
// ---------------------------------------------------------------------------------------

/// A named write on a collection, for the re-entrancy tables.
type Write<C> = (&'static str, fn(&C));

/// For every write in `writes`, on a fresh collection from `make`: calling it inside the
/// collection's own `update` closure and while its `write()` guard is alive panics with
/// "re-entrant" and the call's name, and the collection stays usable. Runs on a thread
/// with a timeout, so a deadlock fails the test instead of hanging it.
///
/// Under Miri only the first and the last write of the table run: the check and the
/// panic happen in the engine, when the write asks for the lock and before any
/// collection code runs, so every write takes the same path there; the other writes'
/// names are checked by `cargo test`.
fn assert_reentrant_writes_panic<C>(make: fn() -> C, mut writes: Vec<Write<C>>)
where
    C: Observed + OuterWrite,
{
    if cfg!(miri) && writes.len() > 2 {
        writes.drain(1..writes.len() - 1);
    }
    with_timeout(move || {
        for (name, write) in writes {
            let c = make();
            // The name in backticks, so that "CowVec::sort" does not match "CowVec::sort_by".
            let quoted = format!("`{name}`");
            let needles = ["re-entrant", quoted.as_str()];

            // Inside update; the panic unwinds through it: nothing published.
            let v0 = c.version();
            expect_panic(&needles, || c.outer_update(&mut || write(&c)));
            assert_eq!(c.version(), v0, "{name}: the outer update published");

            // Inside update, caught there: the outer update still completes.
            c.outer_update(&mut || {
                expect_panic(&needles, || write(&c));
            });
            assert_eq!(c.version(), v0 + 1, "{name}");

            // While a write guard is alive on this thread; the guard then publishes.
            c.outer_write_guard(&mut || {
                expect_panic(&needles, || write(&c));
            });
            assert_eq!(c.version(), v0 + 2, "{name}");

            // Still usable, from this thread and another.
            write(&c);
            assert_writable(&Arc::new(c));
        }
        // Every element made on this thread (see `d`) was dropped exactly once.
        T.with(Tracker::assert_balanced);
    });
}

/// The two ways to hold a collection's write lock on this thread.
trait OuterWrite {
    fn outer_update(&self, f: &mut dyn FnMut());
    fn outer_write_guard(&self, f: &mut dyn FnMut());
}

macro_rules! outer_write {
    ($($ty:ty),*) => {$(
        impl OuterWrite for $ty {
            fn outer_update(&self, f: &mut dyn FnMut()) {
                self.update(|_| f());
            }
            fn outer_write_guard(&self, f: &mut dyn FnMut()) {
                let guard = self.write();
                f();
                drop(guard);
            }
        }
    )*};
}

outer_write!(CowCell<Vec<Dummy>>, CowVec<Dummy>, CowSet<Dummy>, CowMap<Dummy, Dummy>);

// The tables build their elements from a tracker stored in a thread-local, so that the
// writes can be plain `fn` pointers (one tracker per test thread).
thread_local! {
    static T: Tracker = Tracker::new();
}

fn d(id: u64) -> Dummy {
    T.with(|t| t.dummy(id))
}

#[test]
fn reentrant_cell_writes_panic_instead_of_deadlocking() {
    assert_reentrant_writes_panic::<CowCell<Vec<Dummy>>>(
        || CowCell::new(vec![d(0), d(1)]),
        vec![
            ("CowCell::update", |c| c.update(|v| v.push(d(5)))),
            ("CowCell::try_update", |c| {
                c.try_update(|v| v.pop().map(drop).ok_or(())).unwrap()
            }),
            ("CowCell::store", |c| drop(c.store(vec![d(7)]))),
            ("CowCell::write", |c| c.write().push(d(6))),
        ],
    );
}

#[test]
fn reentrant_vec_writes_panic_instead_of_deadlocking() {
    assert_reentrant_writes_panic::<CowVec<Dummy>>(
        || CowVec::from(vec![d(2), d(1), d(1)]),
        vec![
            ("CowVec::push", |c| c.push(d(5))),
            ("CowVec::pop", |c| drop(c.pop())),
            ("CowVec::insert", |c| c.insert(0, d(5))),
            ("CowVec::insert_all", |c| c.insert_all(0, [d(5)])),
            ("CowVec::set", |c| drop(c.set(0, d(5)))),
            ("CowVec::remove", |c| drop(c.remove(0))),
            ("CowVec::retain", |c| c.retain(|x| x.id() != 2)),
            ("CowVec::truncate", |c| c.truncate(1)),
            ("CowVec::sort", |c| c.sort()),
            ("CowVec::sort_by", |c| c.sort_by(|a, b| b.cmp(a))),
            ("CowVec::sort_by_key", |c| c.sort_by_key(Dummy::id)),
            ("CowVec::extend", |c| c.extend([d(5)])),
            ("CowVec::clear", |c| c.clear()),
            ("CowVec::remove_item", |c| {
                c.remove_item(&d(1));
            }),
            ("CowVec::push_if_absent", |c| {
                c.push_if_absent(d(5));
            }),
            ("CowVec::extend_if_absent", |c| {
                c.extend_if_absent([d(5)]);
            }),
            ("CowVec::dedup", |c| c.dedup()),
            ("CowCell::update", |c| c.update(|v| v.push(d(5)))),
            ("CowCell::try_update", |c| {
                c.try_update(|_| Ok::<(), ()>(())).unwrap()
            }),
            ("CowCell::store", |c| drop(c.store(vec![d(5)]))),
            ("CowCell::write", |c| c.write().push(d(5))),
        ],
    );
}

#[test]
fn reentrant_set_writes_panic_instead_of_deadlocking() {
    assert_reentrant_writes_panic::<CowSet<Dummy>>(
        || [d(0), d(1)].into_iter().collect::<CowSet<_>>(),
        vec![
            ("CowSet::insert", |c| {
                c.insert(d(5));
            }),
            ("CowSet::remove", |c| {
                c.remove(&d(0));
            }),
            ("CowSet::retain", |c| c.retain(|x| x.id() != 0)),
            ("CowSet::clear", |c| c.clear()),
            ("CowSet::extend", |c| c.extend([d(5)])),
            ("CowSet::pop", |c| drop(c.pop())),
            ("CowCell::update", |c| {
                c.update(|s| s.insert(d(5)));
            }),
            ("CowCell::try_update", |c| {
                c.try_update(|_| Ok::<(), ()>(())).unwrap()
            }),
            ("CowCell::store", |c| drop(c.store(Default::default()))),
            ("CowCell::write", |c| {
                c.write().insert(d(5));
            }),
        ],
    );
}

#[test]
fn reentrant_map_writes_panic_instead_of_deadlocking() {
    assert_reentrant_writes_panic::<CowMap<Dummy, Dummy>>(
        || {
            [(d(0), d(100)), (d(1), d(101))]
                .into_iter()
                .collect::<CowMap<_, _>>()
        },
        vec![
            ("CowMap::insert", |c| drop(c.insert(d(5), d(105)))),
            ("CowMap::remove", |c| drop(c.remove(&d(0)))),
            ("CowMap::retain", |c| c.retain(|k, _| k.id() != 0)),
            ("CowMap::clear", |c| c.clear()),
            ("CowMap::extend", |c| c.extend([(d(5), d(105))])),
            ("CowMap::insert_if_absent", |c| {
                drop(c.insert_if_absent(d(5), d(105)))
            }),
            ("CowMap::replace", |c| drop(c.replace(&d(1), d(201)))),
            ("CowMap::replace_if_eq", |c| {
                c.replace_if_eq(&d(1), &d(101), d(201));
            }),
            ("CowMap::remove_if_eq", |c| {
                c.remove_if_eq(&d(1), &d(101));
            }),
            ("CowMap::compute", |c| drop(c.compute(d(1), |_| None))),
            ("CowMap::remove_entry", |c| drop(c.remove_entry(&d(0)))),
            ("CowMap::get_or_insert_with", |c| {
                drop(c.get_or_insert_with(d(5), || d(105)))
            }),
            ("CowMap::compute_if_present", |c| {
                drop(c.compute_if_present(&d(1), |_| None))
            }),
            ("CowMap::merge", |c| {
                drop(c.merge(d(1), d(201), |_, new| Some(new)))
            }),
            ("CowMap::pop", |c| drop(c.pop())),
            ("CowCell::update", |c| {
                drop(c.update(|m| m.insert(d(5), d(105))))
            }),
            ("CowCell::try_update", |c| {
                c.try_update(|_| Ok::<(), ()>(())).unwrap()
            }),
            ("CowCell::store", |c| drop(c.store(Default::default()))),
            ("CowCell::write", |c| drop(c.write().insert(d(5), d(105)))),
        ],
    );
}

#[test]
fn reads_inside_a_write_see_the_published_version_and_do_not_panic() {
    let v = CowVec::from(vec![1, 2]);
    let seen = v.update(|copy| {
        copy.push(3);
        (v.len(), v.to_vec(), v.snapshot().version(), v.contains(&3))
    });
    assert_eq!(seen, (2, vec![1, 2], 0, false));
    let mut w = v.write();
    w.clear();
    assert_eq!((v.len(), v.read().version()), (3, 1));
    let mut reader = v.reader();
    assert_eq!(reader.read().len(), 3);
    drop(w);
    assert_eq!(reader.read().len(), 0);
}

#[test]
fn writes_to_a_different_collection_inside_an_update_are_not_reentrant() {
    with_timeout(|| {
        let a = CowVec::from(vec![1]);
        let b = CowVec::from(vec![10]);
        let a_clone = a.clone(); // an independent collection with its own lock
        a.update(|v| {
            v.push(2);
            b.push(11);
            a_clone.push(3);
            b.update(|w| w.push(12));
        });
        {
            let _guard = a.write();
            b.push(13);
            let _other_guard = b.write();
        }
        assert_eq!(a.to_vec(), [1, 2]);
        assert_eq!(a_clone.to_vec(), [1, 3]);
        assert_eq!(b.to_vec(), [10, 11, 12, 13]);
        assert_eq!((a.version(), b.version()), (2, 4));
    });
}

#[test]
fn a_writer_on_another_thread_waits_for_the_guard_instead_of_panicking() {
    with_timeout(|| {
        let v = Arc::new(CowVec::from(vec![0]));
        let guard = v.write();
        let (started_tx, started_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let writer = {
            let v = Arc::clone(&v);
            thread::spawn(move || {
                started_tx.send(()).unwrap();
                v.push(1); // blocks until the guard is dropped
                done_tx.send(()).unwrap();
            })
        };
        started_rx.recv().unwrap();
        thread::sleep(Duration::from_millis(20));
        assert!(
            done_rx.try_recv().is_err(),
            "the push did not wait for the guard"
        );
        drop(guard);
        writer.join().expect("the waiting writer must not panic");
        done_rx.recv().unwrap();
        assert_eq!(v.to_vec(), [0, 1]);
        assert_eq!(v.version(), 2);
    });
}

#[test]
fn two_threads_writing_concurrently_never_trip_the_reentrancy_check() {
    with_timeout(|| {
        let v = Arc::new(CowVec::new());
        let per_thread = common::scaled(300, 10);
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let v = Arc::clone(&v);
                thread::spawn(move || {
                    for n in 0..per_thread {
                        match n % 3 {
                            0 => v.push(i),
                            1 => v.update(|w| w.push(i)),
                            _ => v.write().push(i),
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().expect("no re-entrancy panic between threads");
        }
        assert_eq!(v.len(), 2 * per_thread);
        assert_eq!(v.version(), 2 * per_thread as u64);
    });
}

#[test]
fn reentrant_sort_names_sort_not_sort_by() {
    // Regression: `sort` delegated to `sort_by`, so its re-entrancy panic named
    // `CowVec::sort_by`, a call the user never made.
    with_timeout(|| {
        let v = CowVec::from(vec![2, 1]);
        let message = v.update(|_| expect_panic(&["re-entrant"], || v.sort()));
        assert!(message.contains("`CowVec::sort`"), "{message}");
        v.sort();
        assert_eq!(v.to_vec(), [1, 2]);
    });
}
