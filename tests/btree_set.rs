//! Unit tests of `PersistentBTreeSet`: std's `BTreeSet` behaviour, persistence, the set
//! relations and std's range panics (naming `BTreeSet`).

// Loom runs only tests/loom.rs: these tests use std primitives.
#![cfg(not(loom))]

mod common;

use std::collections::BTreeSet;

use common::{catch, expect_panic, scaled};
use cow_collections::PersistentBTreeSet;

type Set = PersistentBTreeSet<u32>;

#[test]
fn mirrors_std_through_inserts_and_removes() {
    let n = scaled(3_000, 80) as u32;
    let mut ours = Set::new();
    let mut std = BTreeSet::new();
    for i in 0..n {
        let x = (i * 7919) % (n / 2);
        assert_eq!(ours.insert(x), std.insert(x));
    }
    ours.check_invariants();
    assert!(ours.iter().eq(std.iter()));
    for i in 0..n {
        let x = (i * 104_729) % n;
        assert_eq!(ours.remove(&x), std.remove(&x));
        assert_eq!(ours.contains(&x), std.contains(&x));
    }
    ours.check_invariants();
    assert!(ours.is_empty() && std.is_empty());
}

#[test]
fn first_last_pop_take_get() {
    let mut s: Set = [5, 1, 9, 3].into_iter().collect();
    assert_eq!((s.first(), s.last()), (Some(&1), Some(&9)));
    assert_eq!(s.get(&3), Some(&3));
    assert_eq!(s.get(&4), None);
    assert_eq!(s.take(&3), Some(3));
    assert_eq!(s.take(&3), None);
    assert_eq!(s.pop_first(), Some(1));
    assert_eq!(s.pop_last(), Some(9));
    assert_eq!(s.iter().copied().collect::<Vec<_>>(), [5]);
}

#[test]
fn insert_keeps_the_present_element() {
    // Equal elements that differ in what `Ord` ignores: the first one stays.
    #[derive(Clone, Debug)]
    struct Tagged(u8, &'static str);
    impl PartialEq for Tagged {
        fn eq(&self, other: &Self) -> bool {
            self.0 == other.0
        }
    }
    impl Eq for Tagged {}
    impl PartialOrd for Tagged {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Tagged {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            self.0.cmp(&other.0)
        }
    }
    let mut s = PersistentBTreeSet::new();
    assert!(s.insert(Tagged(1, "first")));
    assert!(!s.insert(Tagged(1, "second")));
    assert_eq!(s.first().map(|t| t.1), Some("first"));
}

#[test]
fn relations() {
    let a: Set = (0..100).collect();
    let evens: Set = (0..100).step_by(2).collect();
    let odds: Set = (1..100).step_by(2).collect();
    let far: Set = (200..300).collect();
    assert!(evens.is_subset(&a) && a.is_superset(&evens));
    assert!(!a.is_subset(&evens));
    assert!(evens.is_disjoint(&odds) && a.is_disjoint(&far));
    assert!(!a.is_disjoint(&odds));
    assert!(a.is_subset(&a.clone()));
    assert!(Set::new().is_subset(&evens) && Set::new().is_disjoint(&Set::new()));
}

#[test]
fn ranges_and_their_panics() {
    let s: Set = (0..50).collect();
    let std: BTreeSet<u32> = (0..50).collect();
    assert!(s.range(10..20).eq(std.range(10..20)));
    assert!(s.range(..=5).rev().eq(std.range(..=5).rev()));
    #[allow(clippy::reversed_empty_ranges)]
    let theirs = catch(|| std.range(9..3).count()).unwrap_err();
    #[allow(clippy::reversed_empty_ranges)]
    let ours = expect_panic(
        &["range start is greater than range end in BTreeSet"],
        || s.range(9..3).count(),
    );
    assert_eq!(ours, theirs);
    use std::ops::Bound::Excluded;
    expect_panic(
        &["range start and end are equal and excluded in BTreeSet"],
        || s.range((Excluded(4), Excluded(4))).count(),
    );
}

#[test]
fn persistence_retain_extend_and_traits() {
    let mut s: Set = (0..1000).collect();
    let snapshot = s.clone();
    assert!(s.ptr_eq(&snapshot));
    s.retain(|x| x % 3 == 0);
    s.extend([1, 2]);
    s.extend(&[5000]);
    s.check_invariants();
    assert_eq!(snapshot.len(), 1000);
    assert_eq!(s.len(), 334 + 3);
    assert!(!s.ptr_eq(&snapshot));
    let std: BTreeSet<u32> = s.iter().copied().collect();
    assert_eq!(format!("{s:?}"), format!("{std:?}"));
    assert!(s.clone().into_iter().rev().eq(std.iter().rev().copied()));
    assert_eq!(s, s.clone());
    assert!(Set::from([1, 2]) < Set::from([1, 3]));
    assert_eq!(Set::default(), Set::new());
    s.clear();
    assert!(s.is_empty() && snapshot.len() == 1000);
}

/// A `u32` that counts its comparisons (per thread).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Counted(u32);

thread_local! {
    static COMPARISONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Ord for Counted {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        COMPARISONS.set(COMPARISONS.get() + 1);
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for Counted {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// `is_subset` and `is_disjoint` between versions that share nodes give std's answers,
/// and `is_subset` skips the shared subtrees: between two versions one write apart it
/// compares a few hundred elements, not all of them.
#[test]
fn set_relations_between_versions_skip_shared_subtrees() {
    let n = scaled(20_000, 600) as u32;
    let v1: PersistentBTreeSet<Counted> = (0..n).map(|x| Counted(2 * x)).collect();
    let mut v2 = v1.clone();
    v2.insert(Counted(n)); // an odd key in the middle: a new path
    let mut v3 = v1.clone();
    v3.remove(&Counted(2 * (n / 3)));
    let std1: BTreeSet<u32> = v1.iter().map(|c| c.0).collect();
    let std2: BTreeSet<u32> = v2.iter().map(|c| c.0).collect();
    let std3: BTreeSet<u32> = v3.iter().map(|c| c.0).collect();
    let versions = [(&v1, &std1), (&v2, &std2), (&v3, &std3)];
    for (a, sa) in versions {
        for (b, sb) in versions {
            assert_eq!(a.is_subset(b), sa.is_subset(sb));
            assert_eq!(a.is_superset(b), sa.is_superset(sb));
            assert_eq!(a.is_disjoint(b), sa.is_disjoint(sb));
        }
    }
    let before = COMPARISONS.get();
    assert!(v1.is_subset(&v2));
    let used = COMPARISONS.get() - before;
    assert!(
        used < 200,
        "{used} comparisons for versions one insert apart"
    );
    let before = COMPARISONS.get();
    assert!(v3.is_subset(&v1));
    assert!(!v1.is_subset(&v3));
    let used = COMPARISONS.get() - before;
    assert!(
        used < 400,
        "{used} comparisons for versions one removal apart"
    );
    // Unrelated sets with the same elements share nothing: a full walk, same answer.
    let rebuilt: PersistentBTreeSet<Counted> = v1.iter().copied().collect();
    let before = COMPARISONS.get();
    assert!(v1.is_subset(&rebuilt));
    assert!(COMPARISONS.get() - before >= n as usize);
}
