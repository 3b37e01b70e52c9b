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
