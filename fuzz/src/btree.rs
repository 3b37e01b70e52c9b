//! Differential model of `PersistentBTreeMap` and `PersistentBTreeSet` against std's
//! `BTreeMap` and `BTreeSet`: every operation runs on both, results must agree, the
//! tree's invariants are checked after every operation, and clones taken along the way
//! must still equal their std copies at the end (persistence).
//!
//! Keys are `String`s (`"k0042"`) so that ranges can also be given as borrowed `&str`
//! bounds; their order is the order of the numbers. Bulk operations (`InsertRange`,
//! `RemoveRange`, `FromSorted`) reach trees of several levels within a few steps, so
//! that splits, steals and merges at every level are exercised.
//!
//! Shared, unchanged, by the fuzz target `btree_ops` (through `fuzz/src/lib.rs`) and the
//! root crate's proptests (`tests/btree_model.rs` includes this file by path). Only the
//! input generators differ: `Arbitrary` in `fuzz/src/generate.rs`, proptest strategies
//! in the test file.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Bound;

use cow_collections::{PersistentBTreeMap, PersistentBTreeSet};

use crate::trap;

/// Keys are taken modulo this: enough for trees of three levels or more.
pub const KEYS: u16 = 4000;
/// The longest run of keys a bulk operation touches.
pub const MAX_RUN: u16 = 400;

/// The key for number `k`.
pub fn key(k: u16) -> String {
    format!("k{:04}", k % KEYS)
}

/// One end of a range.
#[derive(Clone, Copy, Debug)]
pub enum End {
    /// `Bound::Included`.
    Included(u16),
    /// `Bound::Excluded`.
    Excluded(u16),
    /// `Bound::Unbounded`.
    Unbounded,
}

impl End {
    fn owned(self) -> Bound<String> {
        match self {
            End::Included(k) => Bound::Included(key(k)),
            End::Excluded(k) => Bound::Excluded(key(k)),
            End::Unbounded => Bound::Unbounded,
        }
    }
}

fn borrowed_bound(b: &Bound<String>) -> Bound<&str> {
    match b {
        Bound::Included(s) => Bound::Included(s.as_str()),
        Bound::Excluded(s) => Bound::Excluded(s.as_str()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A range query: its bounds, whether they are passed as `&str` (borrowed form) or as
/// `String`, and the walk: `true` takes from the back, `false` from the front.
#[derive(Clone, Debug)]
pub struct RangeQuery {
    /// The start bound.
    pub start: End,
    /// The end bound.
    pub end: End,
    /// Pass `(Bound<&str>, Bound<&str>)` instead of `(Bound<String>, Bound<String>)`.
    pub borrowed: bool,
    /// `next` (`false`) or `next_back` (`true`), one per step; the rest is drained
    /// from the front.
    pub walk: Vec<bool>,
}

/// An operation on a map (and, for most of them, on a set: see [`run_set`]).
#[derive(Clone, Debug)]
pub enum Op {
    /// `insert(k, v)`.
    Insert(u16, u16),
    /// `insert` of every key in `k..k + len` with value `v`.
    InsertRange(u16, u16, u16),
    /// `remove(k)`, and `remove_entry` on odd keys.
    Remove(u16),
    /// `remove` of every key in `k..k + len`.
    RemoveRange(u16, u16),
    /// `get`, `get_key_value`, `contains_key` and `Index` (when present).
    Get(u16),
    /// `*get_mut(k) = v`.
    GetMut(u16, u16),
    /// `pop_first`.
    PopFirst,
    /// `pop_last`.
    PopLast,
    /// `first_key_value`, `last_key_value`, `len`, `is_empty`.
    Peek,
    /// `range` with a walk from both ends.
    Range(RangeQuery),
    /// `iter` (and `keys`, `values`) with a walk from both ends, checking `len()`.
    Iter(Vec<bool>),
    /// `retain`: drops keys divisible by `m` (at least 1), adds 1 to the other values.
    Retain(u16),
    /// `extend`.
    Extend(Vec<(u16, u16)>),
    /// Replaces the map with one collected from these entries (unsorted input).
    FromIter(Vec<(u16, u16)>),
    /// Replaces the map with one collected from the sorted run `k..k + len` (bottom-up).
    FromSorted(u16, u16),
    /// `clear`.
    Clear,
    /// Keeps a clone, checked against its std copy now and at the end.
    Snapshot,
    /// Compares with the last snapshot: `==`, `cmp`, `ptr_eq` consistency, `Hash`.
    Compare,
    /// `into_iter` of a clone, walked from both ends.
    IntoIter(Vec<bool>),
}

/// Runs `f`, catching a panic silently; returns its message.
fn quietly<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    trap::install_quiet_hook();
    trap::quietly(f).map_err(|payload| trap::message(&*payload))
}

/// [`check_range`] for `$ours.range(..)` (bounds passed owned or borrowed) against
/// `$model.range(..)`.
macro_rules! range_op {
    ($q:expr, $ours:expr, $model:expr) => {
        check_range(
            $q,
            |s, e, borrowed| -> Box<dyn DoubleEndedIterator<Item = _>> {
                if borrowed {
                    Box::new($ours.range::<str, _>((borrowed_bound(s), borrowed_bound(e))))
                } else {
                    Box::new($ours.range((s.clone(), e.clone())))
                }
            },
            |s, e| $model.range((s.clone(), e.clone())),
        )
    };
}

/// Checks a range query: the same panic as std's, or the same entries under the same
/// walk. `ours` and `theirs` make the two iterators from the bounds (`ours` also told
/// whether to pass them borrowed).
fn check_range<T, I, J>(
    q: &RangeQuery,
    ours: impl Fn(&Bound<String>, &Bound<String>, bool) -> I,
    theirs: impl Fn(&Bound<String>, &Bound<String>) -> J,
) where
    T: PartialEq + Debug,
    I: DoubleEndedIterator<Item = T>,
    J: DoubleEndedIterator<Item = T>,
{
    let (start, end) = (q.start.owned(), q.end.owned());
    let expected = quietly(|| theirs(&start, &end).count());
    let got = quietly(|| ours(&start, &end, q.borrowed).count());
    assert_eq!(got, expected, "range {q:?}");
    if expected.is_ok() {
        walk(
            ours(&start, &end, q.borrowed),
            theirs(&start, &end),
            &q.walk,
            "range",
        );
    }
}

/// Walks two double-ended iterators the same way and asserts they agree at each step;
/// `len` reports their remaining lengths where they are exact-size.
fn walk<T: PartialEq + Debug>(
    mut ours: impl DoubleEndedIterator<Item = T>,
    mut theirs: impl DoubleEndedIterator<Item = T>,
    steps: &[bool],
    what: &str,
) {
    for (i, &back) in steps.iter().enumerate() {
        let (a, b) = if back {
            (ours.next_back(), theirs.next_back())
        } else {
            (ours.next(), theirs.next())
        };
        assert_eq!(a, b, "{what}: step {i} (back: {back})");
    }
    let rest: Vec<T> = ours.collect();
    let expected: Vec<T> = theirs.collect();
    assert_eq!(rest, expected, "{what}: the rest");
}

fn hash_of<T: Hash>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

fn run_count(k: u16, len: u16) -> impl Iterator<Item = u16> {
    (0..len % (MAX_RUN + 1)).map(move |i| k.wrapping_add(i) % KEYS)
}

/// Runs `ops` on a `PersistentBTreeMap<String, u16>` and a `BTreeMap<String, u16>`,
/// asserting that every result agrees, checking the tree's invariants after every
/// step and the snapshots at the end.
pub fn run_map(ops: &[Op]) {
    let mut ours: PersistentBTreeMap<String, u16> = PersistentBTreeMap::new();
    let mut model: BTreeMap<String, u16> = BTreeMap::new();
    let mut snapshots: Vec<(PersistentBTreeMap<String, u16>, BTreeMap<String, u16>)> = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        match op {
            Op::Insert(k, v) => assert_eq!(ours.insert(key(*k), *v), model.insert(key(*k), *v)),
            Op::InsertRange(k, len, v) => {
                for k in run_count(*k, *len) {
                    assert_eq!(ours.insert(key(k), *v), model.insert(key(k), *v));
                }
            }
            Op::Remove(k) => {
                if k % 2 == 1 {
                    assert_eq!(ours.remove_entry(&key(*k)), model.remove_entry(&key(*k)));
                } else {
                    assert_eq!(
                        ours.remove(key(*k).as_str()),
                        model.remove(key(*k).as_str())
                    );
                }
            }
            Op::RemoveRange(k, len) => {
                for k in run_count(*k, *len) {
                    assert_eq!(ours.remove(&key(k)), model.remove(&key(k)));
                }
            }
            Op::Get(k) => {
                let k = key(*k);
                assert_eq!(ours.get(k.as_str()), model.get(k.as_str()));
                assert_eq!(ours.get_key_value(&k), model.get_key_value(&k));
                assert_eq!(ours.contains_key(&k), model.contains_key(&k));
                match model.get(&k) {
                    Some(v) => assert_eq!(&ours[k.as_str()], v),
                    None => {
                        let message = quietly(|| ours[k.as_str()]).unwrap_err();
                        assert_eq!(message, quietly(|| model[k.as_str()]).unwrap_err());
                    }
                }
            }
            Op::GetMut(k, v) => {
                let k = key(*k);
                let a = ours.get_mut(&k).map(|x| std::mem::replace(x, *v));
                let b = model.get_mut(&k).map(|x| std::mem::replace(x, *v));
                assert_eq!(a, b);
            }
            Op::PopFirst => assert_eq!(ours.pop_first(), model.pop_first()),
            Op::PopLast => assert_eq!(ours.pop_last(), model.pop_last()),
            Op::Peek => {
                assert_eq!(ours.first_key_value(), model.first_key_value());
                assert_eq!(ours.last_key_value(), model.last_key_value());
                assert_eq!(ours.len(), model.len());
                assert_eq!(ours.is_empty(), model.is_empty());
            }
            Op::Range(q) => range_op!(q, ours, model),
            Op::Iter(steps) => {
                let mut it = ours.iter();
                let mut theirs = model.iter();
                for &back in steps {
                    assert_eq!(it.len(), theirs.len());
                    if back {
                        assert_eq!(it.next_back(), theirs.next_back());
                    } else {
                        assert_eq!(it.next(), theirs.next());
                    }
                }
                assert_eq!(it.len(), theirs.len());
                walk(it, theirs, &[], "iter");
                walk(ours.keys(), model.keys(), steps, "keys");
                walk(ours.values(), model.values(), steps, "values");
                walk(IntoIterator::into_iter(&ours), model.iter(), steps, "&map");
            }
            Op::Retain(m) => {
                let m = (*m).max(1);
                let f = |k: &String, v: &mut u16| {
                    *v = v.wrapping_add(1);
                    k[1..].parse::<u16>().expect("a number") % m != 0
                };
                ours.retain(f);
                model.retain(f);
            }
            Op::Extend(entries) => {
                let entries: Vec<(String, u16)> =
                    entries.iter().map(|&(k, v)| (key(k), v)).collect();
                ours.extend(entries.clone());
                model.extend(entries);
            }
            Op::FromIter(entries) => {
                let entries: Vec<(String, u16)> =
                    entries.iter().map(|&(k, v)| (key(k), v)).collect();
                ours = entries.iter().cloned().collect();
                model = entries.into_iter().collect();
            }
            Op::FromSorted(k, len) => {
                let start = *k % KEYS;
                let end = (start + len % (MAX_RUN * 4)).min(KEYS);
                let entries: Vec<(String, u16)> = (start..end).map(|k| (key(k), k)).collect();
                ours = entries.iter().cloned().collect();
                model = entries.into_iter().collect();
            }
            Op::Clear => {
                ours.clear();
                model.clear();
            }
            Op::Snapshot => snapshots.push((ours.clone(), model.clone())),
            Op::Compare => {
                if let Some((snap, snap_model)) = snapshots.last() {
                    assert_eq!(ours == *snap, model == *snap_model);
                    assert_eq!(ours.cmp(snap), model.cmp(snap_model));
                    assert_eq!(ours.partial_cmp(snap), model.partial_cmp(snap_model));
                    if ours.ptr_eq(snap) {
                        assert!(ours == *snap);
                    }
                }
                assert_eq!(hash_of(&ours), hash_of(&model), "Hash");
                assert_eq!(format!("{ours:?}"), format!("{model:?}"), "Debug");
            }
            Op::IntoIter(steps) => {
                walk(
                    ours.clone().into_iter(),
                    model.clone().into_iter(),
                    steps,
                    "into_iter",
                );
            }
        }
        ours.check_invariants();
        assert_eq!(ours.len(), model.len(), "len after step {step}: {op:?}");
    }
    assert!(ours.iter().eq(model.iter()), "final contents");
    for (snap, snap_model) in &snapshots {
        snap.check_invariants();
        assert_eq!(snap.len(), snap_model.len(), "snapshot length");
        assert!(snap.iter().eq(snap_model.iter()), "a snapshot changed");
    }
}

/// Runs `ops` on a `PersistentBTreeSet<String>` and a `BTreeSet<String>` (values are
/// ignored; `GetMut` is a `take`), with the same checks as [`run_map`], plus
/// `is_subset`, `is_superset` and `is_disjoint` against the last snapshot.
pub fn run_set(ops: &[Op]) {
    let mut ours: PersistentBTreeSet<String> = PersistentBTreeSet::new();
    let mut model: BTreeSet<String> = BTreeSet::new();
    let mut snapshots: Vec<(PersistentBTreeSet<String>, BTreeSet<String>)> = Vec::new();
    for op in ops {
        match op {
            Op::Insert(k, _) => assert_eq!(ours.insert(key(*k)), model.insert(key(*k))),
            Op::InsertRange(k, len, _) => {
                for k in run_count(*k, *len) {
                    assert_eq!(ours.insert(key(k)), model.insert(key(k)));
                }
            }
            Op::Remove(k) => assert_eq!(
                ours.remove(key(*k).as_str()),
                model.remove(key(*k).as_str())
            ),
            Op::RemoveRange(k, len) => {
                for k in run_count(*k, *len) {
                    assert_eq!(ours.remove(&key(k)), model.remove(&key(k)));
                }
            }
            Op::Get(k) => {
                let k = key(*k);
                assert_eq!(ours.get(k.as_str()), model.get(k.as_str()));
                assert_eq!(ours.contains(&k), model.contains(&k));
            }
            Op::GetMut(k, _) => assert_eq!(ours.take(&key(*k)), model.take(&key(*k))),
            Op::PopFirst => assert_eq!(ours.pop_first(), model.pop_first()),
            Op::PopLast => assert_eq!(ours.pop_last(), model.pop_last()),
            Op::Peek => {
                assert_eq!(ours.first(), model.first());
                assert_eq!(ours.last(), model.last());
                assert_eq!(ours.len(), model.len());
                assert_eq!(ours.is_empty(), model.is_empty());
            }
            Op::Range(q) => range_op!(q, ours, model),
            Op::Iter(steps) => {
                assert_eq!(ours.iter().len(), model.len());
                walk(ours.iter(), model.iter(), steps, "set iter");
            }
            Op::Retain(m) => {
                let m = (*m).max(1);
                let f = |k: &String| k[1..].parse::<u16>().expect("a number") % m != 0;
                ours.retain(f);
                model.retain(f);
            }
            Op::Extend(entries) => {
                let keys: Vec<String> = entries.iter().map(|&(k, _)| key(k)).collect();
                ours.extend(keys.clone());
                model.extend(keys);
            }
            Op::FromIter(entries) => {
                let keys: Vec<String> = entries.iter().map(|&(k, _)| key(k)).collect();
                ours = keys.iter().cloned().collect();
                model = keys.into_iter().collect();
            }
            Op::FromSorted(k, len) => {
                let start = *k % KEYS;
                let end = (start + len % (MAX_RUN * 4)).min(KEYS);
                ours = (start..end).map(key).collect();
                model = (start..end).map(key).collect();
            }
            Op::Clear => {
                ours.clear();
                model.clear();
            }
            Op::Snapshot => snapshots.push((ours.clone(), model.clone())),
            Op::Compare => {
                if let Some((snap, snap_model)) = snapshots.last() {
                    assert_eq!(ours == *snap, model == *snap_model);
                    assert_eq!(ours.cmp(snap), model.cmp(snap_model));
                    assert_eq!(ours.is_subset(snap), model.is_subset(snap_model));
                    assert_eq!(ours.is_superset(snap), model.is_superset(snap_model));
                    assert_eq!(ours.is_disjoint(snap), model.is_disjoint(snap_model));
                }
                assert_eq!(hash_of(&ours), hash_of(&model), "Hash");
                assert_eq!(format!("{ours:?}"), format!("{model:?}"), "Debug");
            }
            Op::IntoIter(steps) => {
                walk(
                    ours.clone().into_iter(),
                    model.clone().into_iter(),
                    steps,
                    "set into_iter",
                );
            }
        }
        ours.check_invariants();
        assert_eq!(ours.len(), model.len());
    }
    assert!(ours.iter().eq(model.iter()), "final contents");
    for (snap, snap_model) in &snapshots {
        snap.check_invariants();
        assert!(snap.iter().eq(snap_model.iter()), "a snapshot changed");
    }
}
