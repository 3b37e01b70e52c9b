//! `Arbitrary` for the operation types: how libFuzzer's bytes become a [`Case`].
//!
//! Mirrored by the proptest strategies in `tests/proptest_models.rs`; keep the two in
//! step when adding an operation.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::btree::{self, End, RangeQuery, KEYS, MAX_RUN};
use crate::btree_diff;
use crate::harness::{Case, Op, Step, Via};
use crate::map::{ComputeFn, MapCall, MapChange};
use crate::set::{SetCall, SetChange};
use crate::trap::{Trap, KINDS, VALUES};
use crate::vec::{VecCall, VecChange};

/// At most this many steps per case: long cases cost time, not coverage.
const MAX_STEPS: usize = 200;

fn val(u: &mut Unstructured<'_>) -> Result<u8> {
    u.int_in_range(0..=VALUES - 1)
}

fn list<'a, T>(
    u: &mut Unstructured<'a>,
    max: usize,
    mut item: impl FnMut(&mut Unstructured<'a>) -> Result<T>,
) -> Result<Vec<T>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| item(u)).collect()
}

fn vals(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    list(u, 6, val)
}

fn pairs(u: &mut Unstructured<'_>) -> Result<Vec<(u8, u8)>> {
    list(u, 6, |u| Ok((val(u)?, val(u)?)))
}

fn op<'a, Ca: Arbitrary<'a>, Ch: Arbitrary<'a>>(
    u: &mut Unstructured<'a>,
    depth: u8,
) -> Result<Op<Ca, Ch>> {
    let changes = |u: &mut Unstructured<'a>| list(u, 8, Ch::arbitrary);
    Ok(match u.int_in_range(0u8..=19)? {
        0 => Op::Update(changes(u)?),
        1 => Op::TryUpdate {
            changes: changes(u)?,
            ok: u.arbitrary()?,
        },
        2 => Op::Store(changes(u)?),
        3 => Op::Write {
            changes: changes(u)?,
            discard: u.ratio(1, 4)?,
        },
        4 => Op::GetMut(changes(u)?),
        5 => Op::Snapshot(*u.choose(&[Via::Cell, Via::ReadGuard, Via::Reader])?),
        6 if depth < 2 => Op::Observe(Box::new(op(u, depth + 1)?)),
        7 if depth < 2 => Op::Fork {
            via_snapshot: u.arbitrary()?,
            op: Box::new(op(u, depth + 1)?),
        },
        _ => Op::Call(Ca::arbitrary(u)?),
    })
}

impl<'a, Ca: Arbitrary<'a>, Ch: Arbitrary<'a>> Arbitrary<'a> for Step<Ca, Ch> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let trap = if u.ratio(1, 4)? {
            Some(Trap {
                kind: *u.choose(&KINDS)?,
                skip: u.int_in_range(0..=7)?,
            })
        } else {
            None
        };
        Ok(Step {
            op: op(u, 0)?,
            trap,
        })
    }
}

impl<'a, Ca: Arbitrary<'a>, Ch: Arbitrary<'a>> Arbitrary<'a> for Case<Ca, Ch> {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let initial = list(u, 8, Ch::arbitrary)?;
        let mut steps = Vec::new();
        while !u.is_empty() && steps.len() < MAX_STEPS {
            match Step::arbitrary(u) {
                Ok(step) => steps.push(step),
                Err(_) => break,
            }
        }
        Ok(Case { initial, steps })
    }
}

impl<'a> Arbitrary<'a> for VecCall {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=26)? {
            0 => VecCall::Len,
            1 => VecCall::IsEmpty,
            2 => VecCall::Get(u.arbitrary()?),
            3 => VecCall::First,
            4 => VecCall::Last,
            5 => VecCall::ToVec,
            6 => VecCall::Contains(val(u)?),
            7 => VecCall::IndexOf(val(u)?),
            8 => VecCall::LastIndexOf(val(u)?),
            9 => VecCall::EqVec(vals(u)?),
            10 => VecCall::Push(val(u)?),
            11 => VecCall::Pop,
            12 => VecCall::Insert(u.arbitrary()?, val(u)?),
            13 => VecCall::InsertAll(u.arbitrary()?, vals(u)?),
            14 => VecCall::Set(u.arbitrary()?, val(u)?),
            15 => VecCall::Remove(u.arbitrary()?),
            16 => VecCall::RemoveItem(val(u)?),
            17 => VecCall::PushIfAbsent(val(u)?),
            18 => VecCall::ExtendIfAbsent(vals(u)?),
            19 => VecCall::Extend(vals(u)?),
            20 => VecCall::Retain(u.arbitrary()?),
            21 => VecCall::Truncate(u.arbitrary()?),
            22 => VecCall::Sort,
            23 => VecCall::SortBy,
            24 => VecCall::SortByKey(u.arbitrary()?),
            25 => VecCall::Dedup,
            _ => VecCall::Clear,
        })
    }
}

impl<'a> Arbitrary<'a> for VecChange {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=8)? {
            0 => VecChange::Push(val(u)?),
            1 => VecChange::Pop,
            2 => VecChange::Insert(u.arbitrary()?, val(u)?),
            3 => VecChange::Remove(u.arbitrary()?),
            4 => VecChange::Swap(u.arbitrary()?, u.arbitrary()?),
            5 => VecChange::Truncate(u.arbitrary()?),
            6 => VecChange::Reverse,
            7 => VecChange::Sort,
            _ => VecChange::Clear,
        })
    }
}

impl<'a> Arbitrary<'a> for SetCall {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=14)? {
            0 => SetCall::Len,
            1 => SetCall::IsEmpty,
            2 => SetCall::Contains(val(u)?),
            3 => SetCall::IsSubset(vals(u)?),
            4 => SetCall::IsSuperset(vals(u)?),
            5 => SetCall::IsDisjoint(vals(u)?),
            6 => SetCall::EqSet(vals(u)?),
            7 => SetCall::Insert(val(u)?),
            8 => SetCall::Remove(val(u)?),
            9 => SetCall::Retain(u.arbitrary()?),
            10 => SetCall::Clear,
            11 => SetCall::Extend(vals(u)?),
            12 => SetCall::First,
            13 => SetCall::Last,
            _ => SetCall::Pop,
        })
    }
}

impl<'a> Arbitrary<'a> for SetChange {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=5)? {
            0 => SetChange::Insert(val(u)?),
            1 => SetChange::ShiftRemove(val(u)?),
            2 => SetChange::SwapRemove(val(u)?),
            3 => SetChange::Clear,
            4 => SetChange::Reverse,
            _ => SetChange::Sort,
        })
    }
}

impl<'a> Arbitrary<'a> for ComputeFn {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=2)? {
            0 => ComputeFn::Remove,
            1 => ComputeFn::Set(val(u)?),
            _ => ComputeFn::Bump(val(u)?),
        })
    }
}

impl<'a> Arbitrary<'a> for MapCall {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=21)? {
            0 => MapCall::Len,
            1 => MapCall::IsEmpty,
            2 => MapCall::Get(val(u)?),
            3 => MapCall::ContainsKey(val(u)?),
            4 => MapCall::EqMap(pairs(u)?),
            5 => MapCall::Insert(val(u)?, val(u)?),
            6 => MapCall::Remove(val(u)?),
            7 => MapCall::Retain(u.arbitrary()?),
            8 => MapCall::Clear,
            9 => MapCall::Extend(pairs(u)?),
            10 => MapCall::InsertIfAbsent(val(u)?, val(u)?),
            11 => MapCall::Replace(val(u)?, val(u)?),
            12 => MapCall::ReplaceIfEq {
                key: val(u)?,
                expected: val(u)?,
                new: val(u)?,
            },
            13 => MapCall::RemoveIfEq {
                key: val(u)?,
                expected: val(u)?,
            },
            14 => MapCall::Compute(val(u)?, ComputeFn::arbitrary(u)?),
            15 => MapCall::First,
            16 => MapCall::Last,
            17 => MapCall::Pop,
            18 => MapCall::RemoveEntry(val(u)?),
            19 => MapCall::GetOrInsertWith(val(u)?, val(u)?),
            20 => MapCall::ComputeIfPresent(val(u)?, ComputeFn::arbitrary(u)?),
            _ => MapCall::Merge(val(u)?, val(u)?, ComputeFn::arbitrary(u)?),
        })
    }
}

impl<'a> Arbitrary<'a> for MapChange {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0u8..=5)? {
            0 => MapChange::Insert(val(u)?, val(u)?),
            1 => MapChange::ShiftRemove(val(u)?),
            2 => MapChange::SwapRemove(val(u)?),
            3 => MapChange::Clear,
            4 => MapChange::Reverse,
            _ => MapChange::SortKeys,
        })
    }
}

/// A key near the others (so that operations meet existing keys), sometimes anywhere.
fn btree_key(u: &mut Unstructured<'_>) -> Result<u16> {
    if u.ratio(4, 5)? {
        u.int_in_range(0..=599)
    } else {
        u.int_in_range(0..=KEYS - 1)
    }
}

fn btree_run(u: &mut Unstructured<'_>) -> Result<u16> {
    u.int_in_range(0..=MAX_RUN)
}

fn btree_end(u: &mut Unstructured<'_>) -> Result<End> {
    Ok(match u.int_in_range(0u8..=2)? {
        0 => End::Included(btree_key(u)?),
        1 => End::Excluded(btree_key(u)?),
        _ => End::Unbounded,
    })
}

fn btree_walk(u: &mut Unstructured<'_>) -> Result<Vec<bool>> {
    list(u, 48, |u| u.arbitrary())
}

fn btree_entries(u: &mut Unstructured<'_>, max: usize) -> Result<Vec<(u16, u16)>> {
    list(u, max, |u| Ok((btree_key(u)?, u.arbitrary()?)))
}

impl<'a> Arbitrary<'a> for btree::Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        use btree::Op as B;
        Ok(match u.int_in_range(0u8..=29)? {
            0 => B::Insert(btree_key(u)?, u.arbitrary()?),
            1 => B::InsertRange(btree_key(u)?, btree_run(u)?, u.arbitrary()?),
            2 => B::Remove(btree_key(u)?),
            3 => B::RemoveRange(btree_key(u)?, btree_run(u)?),
            4 => B::Get(btree_key(u)?),
            5 => B::GetMut(btree_key(u)?, u.arbitrary()?),
            6 => B::PopFirst,
            7 => B::PopLast,
            8 => B::Peek,
            9 => B::Range(RangeQuery {
                start: btree_end(u)?,
                end: btree_end(u)?,
                borrowed: u.arbitrary()?,
                walk: btree_walk(u)?,
            }),
            10 => B::Iter(btree_walk(u)?),
            11 => B::Retain(u.int_in_range(0..=7)?),
            12 => B::Extend(btree_entries(u, 20)?),
            13 => B::FromIter(btree_entries(u, 80)?),
            14 => B::FromSorted(btree_key(u)?, u.int_in_range(0..=MAX_RUN * 4)?),
            15 => B::Clear,
            16 => B::Snapshot,
            17 => B::Compare,
            18 => B::IntoIter(btree_walk(u)?),
            19 | 20 => B::Entry(
                btree_key(u)?,
                u.arbitrary()?,
                *u.choose(&[
                    btree::EntryCall::OrInsert,
                    btree::EntryCall::AndModify,
                    btree::EntryCall::Remove,
                    btree::EntryCall::InsertEntry,
                    btree::EntryCall::OrDefault,
                ])?,
            ),
            21 => B::EdgeEntry(u.arbitrary()?, u.arbitrary()?),
            22 => B::IterMut(btree_walk(u)?, u.arbitrary()?),
            23 => B::ValuesMut(u.arbitrary()?),
            24 => B::RangeMut(
                RangeQuery {
                    start: btree_end(u)?,
                    end: btree_end(u)?,
                    borrowed: u.arbitrary()?,
                    walk: btree_walk(u)?,
                },
                u.arbitrary()?,
            ),
            25 => B::ExtractIf(
                btree_end(u)?,
                btree_end(u)?,
                u.int_in_range(0..=7)?,
                u.int_in_range(0..=60)?,
            ),
            26 => B::Append(btree_entries(u, 60)?, u.arbitrary()?),
            27 => B::SplitOff(btree_key(u)?, u.arbitrary()?),
            28 => B::IntoKeysValues(btree_walk(u)?),
            _ => B::SetOps(btree_walk(u)?),
        })
    }
}

/// A key of the diff model: near the others, sometimes anywhere.
fn diff_key(u: &mut Unstructured<'_>) -> Result<u16> {
    if u.ratio(4, 5)? {
        u.int_in_range(0..=599)
    } else {
        u.int_in_range(0..=btree_diff::KEYS - 1)
    }
}

impl<'a> Arbitrary<'a> for btree_diff::Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        use btree_diff::Op as D;
        let run = |u: &mut Unstructured<'a>| u.int_in_range(0..=btree_diff::MAX_RUN);
        Ok(match u.int_in_range(0u8..=17)? {
            0..=3 => D::Insert(diff_key(u)?, u.arbitrary()?),
            4 => D::Rewrite(diff_key(u)?),
            5 => D::InsertRange(diff_key(u)?, run(u)?, u.arbitrary()?),
            6 | 7 => D::Remove(diff_key(u)?),
            8 => D::RemoveRange(diff_key(u)?, run(u)?),
            9 => D::Retain(u.int_in_range(0..=7)?),
            10 => D::TouchAll(u.arbitrary()?),
            11 | 12 => D::Keep,
            13 => D::Rebuild,
            14 => D::Branch(u.arbitrary()?),
            15 => D::FromSorted(
                diff_key(u)?,
                u.int_in_range(0..=btree_diff::MAX_RUN * 4)?,
                u.arbitrary()?,
            ),
            _ => D::Diff(u.arbitrary()?, u.arbitrary()?, u.arbitrary()?),
        })
    }
}
