//! Differential model of `PersistentBTreeMap::diff` and `PersistentBTreeSet::diff`
//! against a naive diff that walks both versions whole.
//!
//! A history of edits runs on a map and a set (the map's keys) side by side with std
//! `BTreeMap`/`BTreeSet` copies. Versions are kept along the way; histories branch (an
//! edit of an older version), and some versions are rebuilt from scratch, so that the
//! versions diffed share anything from every node to none. Every diff is checked
//! against [`naive_diff`] of the std copies: the whole item sequence, a clone taken
//! part-way, and that the iterator stays fused.
//!
//! Values are taken modulo [`VALUES`], so that a write of a present key often writes
//! the value it already has: a leaf copied with equal values, which must diff to
//! nothing. Bulk runs reach trees of three levels, so that splits, steals and merges at
//! every level happen between the versions compared.
//!
//! Shared by the fuzz target `btree_diff` (through `fuzz/src/lib.rs`), the root crate's
//! proptests (`tests/btree_diff.rs` includes this file by path), and the `btree_ops`
//! model (`btree.rs`), which checks the diff of its snapshots through
//! [`check_map_diff`] and [`check_set_diff`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use cow_collections::{DiffItem, PersistentBTreeMap, PersistentBTreeSet, SetDiffItem};

/// Keys are taken modulo this: enough for trees of three levels.
pub const KEYS: u16 = 3000;
/// The longest run of keys a bulk operation touches.
pub const MAX_RUN: u16 = 300;
/// Values are taken modulo this.
pub const VALUES: u8 = 4;
/// Versions kept at most (older ones are dropped first).
pub const MAX_VERSIONS: usize = 12;

/// The key for number `k`.
pub fn key(k: u16) -> String {
    format!("k{:04}", k % KEYS)
}

/// The naive diff of two sequences of entries, each in strictly increasing key order:
/// both merged whole, `Changed` where a key is in both with unequal values.
pub fn naive_diff<'a, K: Ord + 'a, V: PartialEq + 'a>(
    older: impl IntoIterator<Item = (&'a K, &'a V)>,
    newer: impl IntoIterator<Item = (&'a K, &'a V)>,
) -> Vec<DiffItem<'a, K, V>> {
    let (mut a, mut b) = (older.into_iter().peekable(), newer.into_iter().peekable());
    let mut out = Vec::new();
    loop {
        let item = match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return out,
            (Some((k, v)), None) => {
                a.next();
                DiffItem::Removed(k, v)
            }
            (None, Some((k, v))) => {
                b.next();
                DiffItem::Added(k, v)
            }
            (Some((ka, va)), Some((kb, vb))) => match ka.cmp(kb) {
                std::cmp::Ordering::Less => {
                    a.next();
                    DiffItem::Removed(ka, va)
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                    DiffItem::Added(kb, vb)
                }
                std::cmp::Ordering::Equal => {
                    a.next();
                    b.next();
                    if va == vb {
                        continue;
                    }
                    DiffItem::Changed {
                        key: kb,
                        old: va,
                        new: vb,
                    }
                }
            },
        };
        out.push(item);
    }
}

/// The naive diff of two sets, each in increasing order.
pub fn naive_set_diff<'a, T: Ord + 'a>(
    older: impl IntoIterator<Item = &'a T>,
    newer: impl IntoIterator<Item = &'a T>,
) -> Vec<SetDiffItem<'a, T>> {
    let older = older.into_iter().map(|x| (x, &()));
    let newer = newer.into_iter().map(|x| (x, &()));
    naive_diff(older, newer)
        .into_iter()
        .map(|item| match item {
            DiffItem::Added(x, ()) => SetDiffItem::Added(x),
            DiffItem::Removed(x, ()) => SetDiffItem::Removed(x),
            DiffItem::Changed { .. } => unreachable!("() == ()"),
        })
        .collect()
}

/// Checks an iterator's items against `expected`, with a clone taken after `split`
/// items (it must yield the rest), and that it stays exhausted.
fn check_items<T: PartialEq + Debug>(
    mut iter: impl Iterator<Item = T> + Clone,
    expected: &[T],
    split: usize,
    what: &str,
) {
    let split = split % (expected.len() + 1);
    let head: Vec<T> = iter.by_ref().take(split).collect();
    assert_eq!(head, expected[..split], "{what}: the first {split} items");
    let rest: Vec<T> = iter.clone().collect();
    assert_eq!(
        rest,
        expected[split..],
        "{what}: a clone after {split} items"
    );
    let rest: Vec<T> = iter.by_ref().collect();
    assert_eq!(rest, expected[split..], "{what}: the rest");
    assert!(iter.next().is_none(), "{what}: not fused");
}

/// Checks `older.diff(newer)` against the naive diff of their std copies (which must
/// hold the same entries). `split`: where a clone of the iterator is taken.
pub fn check_map_diff<V: PartialEq + Debug>(
    older: (&PersistentBTreeMap<String, V>, &BTreeMap<String, V>),
    newer: (&PersistentBTreeMap<String, V>, &BTreeMap<String, V>),
    split: usize,
) {
    let expected = naive_diff(older.1, newer.1);
    check_items(older.0.diff(newer.0), &expected, split, "map diff");
}

/// Checks `older.diff(newer)` for sets against the naive diff of their std copies.
pub fn check_set_diff(
    older: (&PersistentBTreeSet<String>, &BTreeSet<String>),
    newer: (&PersistentBTreeSet<String>, &BTreeSet<String>),
    split: usize,
) {
    let expected = naive_set_diff(older.1, newer.1);
    check_items(older.0.diff(newer.0), &expected, split, "set diff");
}

/// An edit of the current version, or a step of the history.
#[derive(Clone, Debug)]
pub enum Op {
    /// `insert(k, v)` (the set: `insert(k)`).
    Insert(u16, u8),
    /// `insert` of a present key with the value it has (the set: `replace`): a copied
    /// leaf whose entries are all equal to the original's.
    Rewrite(u16),
    /// `insert` of every key in `k..k + len` with value `v`.
    InsertRange(u16, u16, u8),
    /// `remove(k)`.
    Remove(u16),
    /// `remove` of every key in `k..k + len`.
    RemoveRange(u16, u16),
    /// `retain`: drops the keys divisible by `m` (at least 1).
    Retain(u8),
    /// `values_mut`: adds `d` to every value (modulo [`VALUES`]); `d == 0` copies every
    /// leaf and changes nothing (the set: `retain(|_| true)`).
    TouchAll(u8),
    /// Keeps the current version.
    Keep,
    /// Replaces the current version by a copy built from its entries: equal content,
    /// no node shared.
    Rebuild,
    /// Continues from a kept version (by index, modulo their number): a branch.
    Branch(u8),
    /// Replaces the current version by one bulk-built from the run `k..k + len`,
    /// values `v`.
    FromSorted(u16, u16, u8),
    /// Diffs two kept versions (by index; one past the last is the current version),
    /// both ways; `split`: where a clone is taken.
    Diff(u8, u8, u8),
}

fn run_keys(k: u16, len: u16) -> impl Iterator<Item = u16> {
    (0..len % (MAX_RUN + 1)).map(move |i| k.wrapping_add(i) % KEYS)
}

fn number(k: &str) -> u16 {
    k[1..].parse().expect("a number")
}

/// One version of the map and of the set, with their std copies.
#[derive(Clone, Default)]
struct Version {
    map: PersistentBTreeMap<String, u8>,
    model: BTreeMap<String, u8>,
    set: PersistentBTreeSet<String>,
    set_model: BTreeSet<String>,
}

impl Version {
    fn check_diff(&self, newer: &Version, split: usize) {
        check_map_diff((&self.map, &self.model), (&newer.map, &newer.model), split);
        check_set_diff(
            (&self.set, &self.set_model),
            (&newer.set, &newer.set_model),
            split,
        );
    }

    fn check_contents(&self) {
        self.map.check_invariants();
        self.set.check_invariants();
        assert!(self.map.iter().eq(self.model.iter()), "map contents");
        assert!(self.set.iter().eq(self.set_model.iter()), "set contents");
    }
}

/// Runs `ops`, checking every diff asked for, then every kept version against the
/// current one (both ways) and each against the next.
pub fn run(ops: &[Op]) {
    let mut cur = Version::default();
    let mut kept: Vec<Version> = Vec::new();
    for op in ops {
        match *op {
            Op::Insert(k, v) => {
                let v = v % VALUES;
                assert_eq!(cur.map.insert(key(k), v), cur.model.insert(key(k), v));
                assert_eq!(cur.set.insert(key(k)), cur.set_model.insert(key(k)));
            }
            Op::Rewrite(k) => {
                if let Some(&v) = cur.model.get(&key(k)) {
                    assert_eq!(cur.map.insert(key(k), v), Some(v));
                }
                assert_eq!(cur.set.replace(key(k)), cur.set_model.replace(key(k)));
            }
            Op::InsertRange(k, len, v) => {
                let v = v % VALUES;
                for k in run_keys(k, len) {
                    cur.map.insert(key(k), v);
                    cur.model.insert(key(k), v);
                    cur.set.insert(key(k));
                    cur.set_model.insert(key(k));
                }
            }
            Op::Remove(k) => {
                assert_eq!(cur.map.remove(&key(k)), cur.model.remove(&key(k)));
                assert_eq!(cur.set.remove(&key(k)), cur.set_model.remove(&key(k)));
            }
            Op::RemoveRange(k, len) => {
                for k in run_keys(k, len) {
                    cur.map.remove(&key(k));
                    cur.model.remove(&key(k));
                    cur.set.remove(&key(k));
                    cur.set_model.remove(&key(k));
                }
            }
            Op::Retain(m) => {
                let m = u16::from(m.max(1));
                cur.map.retain(|k, _| number(k) % m != 0);
                cur.model.retain(|k, _| number(k) % m != 0);
                cur.set.retain(|k| number(k) % m != 0);
                cur.set_model.retain(|k| number(k) % m != 0);
            }
            Op::TouchAll(d) => {
                let bump = |v: &mut u8| *v = (*v + d % VALUES) % VALUES;
                cur.map.values_mut().for_each(bump);
                cur.model.values_mut().for_each(bump);
                cur.set.retain(|_| true);
            }
            Op::Keep => {
                if kept.len() == MAX_VERSIONS {
                    kept.remove(0);
                }
                kept.push(cur.clone());
            }
            Op::Rebuild => {
                let map: PersistentBTreeMap<String, u8> =
                    cur.map.iter().map(|(k, v)| (k.clone(), *v)).collect();
                let set: PersistentBTreeSet<String> = cur.set.iter().cloned().collect();
                assert!(cur.map.is_empty() || !map.ptr_eq(&cur.map));
                cur.map = map;
                cur.set = set;
            }
            Op::Branch(i) => {
                if !kept.is_empty() {
                    cur = kept[usize::from(i) % kept.len()].clone();
                }
            }
            Op::FromSorted(k, len, v) => {
                let v = v % VALUES;
                let start = k % KEYS;
                let end = (start + len % (MAX_RUN * 4)).min(KEYS);
                cur.map = (start..end).map(|k| (key(k), v)).collect();
                cur.model = (start..end).map(|k| (key(k), v)).collect();
                cur.set = (start..end).map(key).collect();
                cur.set_model = (start..end).map(key).collect();
            }
            Op::Diff(i, j, split) => {
                let pick = |i: u8| {
                    let i = usize::from(i) % (kept.len() + 1);
                    kept.get(i).unwrap_or(&cur)
                };
                let (a, b) = (pick(i), pick(j));
                a.check_diff(b, usize::from(split));
                b.check_diff(a, usize::from(split));
            }
        }
    }
    cur.check_contents();
    for (i, version) in kept.iter().enumerate() {
        version.check_contents();
        version.check_diff(&cur, i);
        cur.check_diff(version, i);
        if let Some(next) = kept.get(i + 1) {
            version.check_diff(next, i);
        }
    }
}
