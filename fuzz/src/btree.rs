//! Differential model of `PersistentBTreeMap` and `PersistentBTreeSet` against std's
//! `BTreeMap` and `BTreeSet`: every operation runs on both, results must agree, the
//! tree's invariants are checked after every operation, and clones taken along the way
//! must still equal their std copies at the end (persistence), and diff against the
//! current version as the naive diff of their std copies does (`btree_diff.rs`).
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
use std::ops::{Bound, RangeBounds};

use cow_collections::{PersistentBTreeMap, PersistentBTreeSet};

use crate::btree_diff::{check_map_diff, check_set_diff};
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
    /// Compares with the last snapshot: `==`, `cmp`, `ptr_eq` consistency, `Hash`,
    /// `diff` both ways (against the naive diff of the std copies).
    Compare,
    /// `into_iter` of a clone, walked from both ends.
    IntoIter(Vec<bool>),
    /// `entry(k)` and one of the entry API's calls with value `v` (the set: `replace`).
    Entry(u16, u16, EntryCall),
    /// `first_entry` (`false`) or `last_entry` (`true`): set the value to `v`, or remove
    /// the entry when `v` is odd (the set: `first`/`last` and `pop_*`).
    EdgeEntry(bool, u16),
    /// `iter_mut` walked from both ends, each value visited set to `v` plus the step
    /// (the set: `iter`).
    IterMut(Vec<bool>, u16),
    /// `values_mut`, every value set to itself plus `v` (the set: `len`).
    ValuesMut(u16),
    /// `range_mut` with a walk from both ends, each value visited set to `v` (the set:
    /// `range`).
    RangeMut(RangeQuery, u16),
    /// `extract_if` over a range: extracts keys divisible by `m` (at least 1), adding 1
    /// to the value of every key visited, and stops after `take` extractions (dropping
    /// the iterator).
    ExtractIf(End, End, u16, u16),
    /// `append` of a map collected from these entries, or of a clone of the last
    /// snapshot (`true`, if there is one).
    Append(Vec<(u16, u16)>, bool),
    /// `split_off(k)`, keeping the left part (`false`) or the right one.
    SplitOff(u16, bool),
    /// `into_keys` and `into_values` of a clone, walked from both ends.
    IntoKeysValues(Vec<bool>),
    /// The set operations with the last snapshot, walked: `union`, `intersection`,
    /// `difference` both ways, `symmetric_difference`, the operators (the map:
    /// `extract_if(.., |_, _| false)`, which must change nothing).
    SetOps(Vec<bool>),
}

/// A call of the entry API, made on `entry(k)` with value `v`.
#[derive(Clone, Copy, Debug)]
pub enum EntryCall {
    /// `*or_insert(v) += 1`.
    OrInsert,
    /// `and_modify(|x| *x = v).or_insert_with(|| v / 2)`.
    AndModify,
    /// `Occupied(e) => e.remove_entry()`, `Vacant(e) => e.into_key()`.
    Remove,
    /// `insert_entry(v)`, then `get`, `key` and `insert(v + 1)` on the occupied entry.
    InsertEntry,
    /// `*or_default() += v`.
    OrDefault,
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

/// The number a key was made from.
fn number(k: &str) -> u16 {
    k[1..].parse().expect("a number")
}

/// A step of a mutable walk.
type Step<'a> = Option<(&'a String, &'a mut u16)>;

/// Sets both values of a step of two mutable walks to `v`, after checking that the
/// steps agree.
fn set_both(pair: (Step<'_>, Step<'_>), v: u16, what: &str) {
    match pair {
        (Some((ka, va)), Some((kb, vb))) => {
            assert_eq!((ka, &*va), (kb, &*vb), "{what}");
            (*va, *vb) = (v, v);
        }
        (a, b) => assert_eq!(a.is_none(), b.is_none(), "{what}: one side ended"),
    }
}

/// std's `BTreeMap::extract_if(range, pick).take(take).collect()` (std's is stable since
/// Rust 1.91, above the crate's MSRV): visits the keys in `range` in order, asks `pick`
/// about each (which may change the value), removes those it picks, and stops after
/// `take` of them.
fn std_extract_if<V>(
    model: &mut BTreeMap<String, V>,
    range: (Bound<String>, Bound<String>),
    take: usize,
    mut pick: impl FnMut(&String, &mut V) -> bool,
) -> Vec<(String, V)> {
    let mut out = Vec::new();
    if take == 0 {
        return out;
    }
    // Not `model.range(..)`: that panics on a start after the end, where `extract_if`
    // yields nothing.
    let keys: Vec<String> = model
        .keys()
        .filter(|k| range.contains(*k))
        .cloned()
        .collect();
    for k in keys {
        if pick(&k, model.get_mut(&k).expect("in the range")) {
            out.push(model.remove_entry(&k).expect("present"));
            if out.len() == take {
                break;
            }
        }
    }
    out
}

/// [`Op::Entry`] on both maps.
fn map_entry(
    ours: &mut PersistentBTreeMap<String, u16>,
    model: &mut BTreeMap<String, u16>,
    k: String,
    v: u16,
    call: EntryCall,
) {
    use cow_collections::btree_map::Entry as Ours;
    use std::collections::btree_map::Entry as Std;
    assert_eq!(ours.entry(k.clone()).key(), &k);
    match call {
        EntryCall::OrInsert => {
            let (a, b) = (
                ours.entry(k.clone()).or_insert(v),
                model.entry(k).or_insert(v),
            );
            assert_eq!(a, b);
            (*a, *b) = (a.wrapping_add(1), b.wrapping_add(1));
        }
        EntryCall::AndModify => {
            let a = *ours
                .entry(k.clone())
                .and_modify(|x| *x = v)
                .or_insert_with(|| v / 2);
            let b = *model
                .entry(k)
                .and_modify(|x| *x = v)
                .or_insert_with(|| v / 2);
            assert_eq!(a, b);
        }
        EntryCall::Remove => {
            let a = match ours.entry(k.clone()) {
                Ours::Occupied(e) => Some(e.remove_entry()),
                Ours::Vacant(e) => {
                    assert_eq!(e.into_key(), k);
                    None
                }
            };
            let b = match model.entry(k) {
                Std::Occupied(e) => Some(e.remove_entry()),
                Std::Vacant(_) => None,
            };
            assert_eq!(a, b);
        }
        EntryCall::InsertEntry => {
            let mut e = ours.entry(k.clone()).insert_entry(v);
            assert_eq!((e.key(), *e.get()), (&k, v));
            assert_eq!(e.insert(v.wrapping_add(1)), v);
            model.insert(k, v.wrapping_add(1));
        }
        EntryCall::OrDefault => {
            let (a, b) = (
                ours.entry(k.clone()).or_default(),
                model.entry(k).or_default(),
            );
            assert_eq!(a, b);
            (*a, *b) = (a.wrapping_add(v), b.wrapping_add(v));
        }
    }
}

/// The lazy set operations of `a` with `b` against std's, walked, and the operators.
fn set_ops(
    a: &PersistentBTreeSet<String>,
    sa: &BTreeSet<String>,
    b: &PersistentBTreeSet<String>,
    sb: &BTreeSet<String>,
    steps: &[bool],
) {
    walk_forward(a.union(b), sa.union(sb), steps, "union");
    walk_forward(
        a.intersection(b),
        sa.intersection(sb),
        steps,
        "intersection",
    );
    walk_forward(a.difference(b), sa.difference(sb), steps, "difference");
    walk_forward(
        a.symmetric_difference(b),
        sa.symmetric_difference(sb),
        steps,
        "symmetric_difference",
    );
    assert!((a | b).iter().eq(&(sa | sb)), "|");
    assert!((a & b).iter().eq(&(sa & sb)), "&");
    assert!((a - b).iter().eq(&(sa - sb)), "-");
    assert!((a ^ b).iter().eq(&(sa ^ sb)), "^");
}

/// [`walk`] for forward-only iterators: `steps` only sets how many `next` calls are
/// compared one by one, each after checking that `ours.size_hint()` bounds the number
/// of elements left, before the rest.
fn walk_forward<'a>(
    mut ours: impl Iterator<Item = &'a String>,
    mut theirs: impl Iterator<Item = &'a String> + Clone,
    steps: &[bool],
    what: &str,
) {
    for i in 0..steps.len() {
        let left = theirs.clone().count();
        let (lo, hi) = ours.size_hint();
        assert!(
            lo <= left && hi.is_none_or(|hi| hi >= left),
            "{what}: size_hint"
        );
        assert_eq!(ours.next(), theirs.next(), "{what}: step {i}");
    }
    assert!(ours.eq(theirs), "{what}: the rest");
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
                    check_map_diff((snap, snap_model), (&ours, &model), step);
                    check_map_diff((&ours, &model), (snap, snap_model), step);
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
            Op::Entry(k, v, call) => map_entry(&mut ours, &mut model, key(*k), *v, *call),
            Op::EdgeEntry(last, v) => {
                let (a, b) = if *last {
                    (ours.last_entry(), model.last_entry())
                } else {
                    (ours.first_entry(), model.first_entry())
                };
                match (a, b) {
                    (Some(mut a), Some(mut b)) => {
                        assert_eq!((a.key(), a.get()), (b.key(), b.get()));
                        if v % 2 == 1 {
                            assert_eq!(a.remove_entry(), b.remove_entry());
                        } else {
                            *a.get_mut() = *v;
                            *b.get_mut() = *v;
                        }
                    }
                    (a, b) => assert_eq!(a.is_none(), b.is_none(), "first/last entry"),
                }
            }
            Op::IterMut(steps, v) => {
                let (mut a, mut b) = (ours.iter_mut(), model.iter_mut());
                for (i, &back) in steps.iter().enumerate() {
                    assert_eq!(a.len(), b.len(), "iter_mut len");
                    let pair = if back {
                        (a.next_back(), b.next_back())
                    } else {
                        (a.next(), b.next())
                    };
                    set_both(pair, v.wrapping_add(i as u16), "iter_mut");
                }
                assert_eq!(a.len(), b.len(), "iter_mut len");
            }
            Op::ValuesMut(v) => {
                assert_eq!(ours.values_mut().len(), model.values_mut().len());
                ours.values_mut().for_each(|x| *x = x.wrapping_add(*v));
                model.values_mut().for_each(|x| *x = x.wrapping_add(*v));
            }
            Op::RangeMut(q, v) => {
                let (start, end) = (q.start.owned(), q.end.owned());
                let bounds = (start.clone(), end.clone());
                let expected = quietly(|| model.range_mut(bounds.clone()).count());
                let got = quietly(|| {
                    if q.borrowed {
                        let b = (borrowed_bound(&start), borrowed_bound(&end));
                        ours.range_mut::<str, _>(b).count()
                    } else {
                        ours.range_mut(bounds.clone()).count()
                    }
                });
                assert_eq!(got, expected, "range_mut {q:?}");
                if expected.is_ok() {
                    let (mut a, mut b) = (ours.range_mut(bounds.clone()), model.range_mut(bounds));
                    for (i, &back) in q.walk.iter().enumerate() {
                        let pair = if back {
                            (a.next_back(), b.next_back())
                        } else {
                            (a.next(), b.next())
                        };
                        set_both(pair, v.wrapping_add(i as u16), "range_mut");
                    }
                }
            }
            Op::ExtractIf(start, end, m, take) => {
                let m = (*m).max(1);
                let range = (start.owned(), end.owned());
                let pick = |k: &String, v: &mut u16| {
                    *v = v.wrapping_add(1);
                    number(k) % m == 0
                };
                let take = usize::from(*take);
                let a: Vec<_> = ours.extract_if(range.clone(), pick).take(take).collect();
                let b = std_extract_if(&mut model, range, take, pick);
                assert_eq!(a, b, "extract_if");
            }
            Op::Append(entries, from_snapshot) => {
                let (mut a, mut b): (PersistentBTreeMap<_, _>, BTreeMap<_, _>) =
                    match snapshots.last().filter(|_| *from_snapshot) {
                        Some((snap, snap_model)) => (snap.clone(), snap_model.clone()),
                        None => {
                            let entries = entries.iter().map(|&(k, v)| (key(k), v));
                            (entries.clone().collect(), entries.collect())
                        }
                    };
                ours.append(&mut a);
                model.append(&mut b);
                assert!(a.is_empty() && b.is_empty());
                a.check_invariants();
            }
            Op::SplitOff(k, keep_right) => {
                let (right, right_model) = (
                    ours.split_off(key(*k).as_str()),
                    model.split_off(key(*k).as_str()),
                );
                right.check_invariants();
                assert!(
                    right.iter().eq(right_model.iter()),
                    "split_off: the right part"
                );
                assert_eq!(right.len(), right_model.len());
                if *keep_right {
                    (ours, model) = (right, right_model);
                }
            }
            Op::IntoKeysValues(steps) => {
                walk(
                    ours.clone().into_keys(),
                    model.clone().into_keys(),
                    steps,
                    "into_keys",
                );
                walk(
                    ours.clone().into_values(),
                    model.clone().into_values(),
                    steps,
                    "into_values",
                );
            }
            Op::SetOps(_) => assert_eq!(ours.extract_if(.., |_, _| false).count(), 0),
        }
        ours.check_invariants();
        assert_eq!(ours.len(), model.len(), "len after step {step}: {op:?}");
    }
    assert!(ours.iter().eq(model.iter()), "final contents");
    for (i, (snap, snap_model)) in snapshots.iter().enumerate() {
        snap.check_invariants();
        assert_eq!(snap.len(), snap_model.len(), "snapshot length");
        assert!(snap.iter().eq(snap_model.iter()), "a snapshot changed");
        check_map_diff((snap, snap_model), (&ours, &model), i);
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
                    check_set_diff((snap, snap_model), (&ours, &model), 1);
                    check_set_diff((&ours, &model), (snap, snap_model), 1);
                }
                assert_eq!(hash_of(&ours), hash_of(&model), "Hash");
                assert_eq!(format!("{ours:?}"), format!("{model:?}"), "Debug");
            }
            Op::IntoIter(steps) | Op::IntoKeysValues(steps) => {
                walk(
                    ours.clone().into_iter(),
                    model.clone().into_iter(),
                    steps,
                    "set into_iter",
                );
            }
            Op::Entry(k, _, _) => assert_eq!(ours.replace(key(*k)), model.replace(key(*k))),
            Op::EdgeEntry(last, v) => match (*last, v % 2 == 1) {
                (false, true) => assert_eq!(ours.pop_first(), model.pop_first()),
                (true, true) => assert_eq!(ours.pop_last(), model.pop_last()),
                (false, false) => assert_eq!(ours.first(), model.first()),
                (true, false) => assert_eq!(ours.last(), model.last()),
            },
            Op::IterMut(steps, _) => walk(ours.iter(), model.iter(), steps, "set iter"),
            Op::ValuesMut(_) => assert_eq!(ours.iter().len(), model.len()),
            Op::RangeMut(q, _) => range_op!(q, ours, model),
            Op::ExtractIf(start, end, m, take) => {
                let m = (*m).max(1);
                let range = (start.owned(), end.owned());
                let pick = |k: &String| number(k) % m == 0;
                let take = usize::from(*take);
                let a: Vec<_> = ours.extract_if(range.clone(), pick).take(take).collect();
                // std's `BTreeSet::extract_if` (Rust 1.91), as `std_extract_if` does it.
                let keys: Vec<String> = model
                    .iter()
                    .filter(|k| range.contains(*k))
                    .cloned()
                    .collect();
                let b: Vec<String> = keys
                    .into_iter()
                    .filter(|k| pick(k))
                    .take(take)
                    .map(|k| model.take(&k).expect("present"))
                    .collect();
                assert_eq!(a, b, "set extract_if");
            }
            Op::Append(entries, from_snapshot) => {
                let (mut a, mut b): (PersistentBTreeSet<_>, BTreeSet<_>) =
                    match snapshots.last().filter(|_| *from_snapshot) {
                        Some((snap, snap_model)) => (snap.clone(), snap_model.clone()),
                        None => {
                            let keys = entries.iter().map(|&(k, _)| key(k));
                            (keys.clone().collect(), keys.collect())
                        }
                    };
                ours.append(&mut a);
                model.append(&mut b);
                assert!(a.is_empty() && b.is_empty());
            }
            Op::SplitOff(k, keep_right) => {
                let (right, right_model) = (
                    ours.split_off(key(*k).as_str()),
                    model.split_off(key(*k).as_str()),
                );
                right.check_invariants();
                assert!(right.iter().eq(right_model.iter()), "set split_off");
                if *keep_right {
                    (ours, model) = (right, right_model);
                }
            }
            Op::SetOps(steps) => {
                if let Some((snap, snap_model)) = snapshots.last() {
                    set_ops(&ours, &model, snap, snap_model, steps);
                    set_ops(snap, snap_model, &ours, &model, steps);
                }
            }
        }
        ours.check_invariants();
        assert_eq!(ours.len(), model.len());
    }
    assert!(ours.iter().eq(model.iter()), "final contents");
    for (i, (snap, snap_model)) in snapshots.iter().enumerate() {
        snap.check_invariants();
        assert!(snap.iter().eq(snap_model.iter()), "a snapshot changed");
        check_set_diff((snap, snap_model), (&ours, &model), i);
    }
}
