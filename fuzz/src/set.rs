//! `CowSet<Elem>` against an `IndexSet<Elem>` model.

use cow_collections::CowSet;
use indexmap::IndexSet;

use crate::harness::{forward_facade, Expect, Ret, Subject};
use crate::trap::{armed, hit, Elem, Id, Kind, Mint};
use crate::vec::keep;

/// `CowSet`'s own methods. Values are reduced modulo [`VALUES`](crate::trap::VALUES).
#[derive(Clone, Debug)]
pub enum SetCall {
    /// `len`.
    Len,
    /// `is_empty`.
    IsEmpty,
    /// `contains`.
    Contains(u8),
    /// `is_subset` of an `IndexSet` of these values.
    IsSubset(Vec<u8>),
    /// `is_superset` of an `IndexSet` of these values.
    IsSuperset(Vec<u8>),
    /// `is_disjoint` from an `IndexSet` of these values.
    IsDisjoint(Vec<u8>),
    /// `==` against a `CowSet` of these values.
    EqSet(Vec<u8>),
    /// `insert`.
    Insert(u8),
    /// `remove`.
    Remove(u8),
    /// `retain` with [`keep`].
    Retain(u8),
    /// `clear`.
    Clear,
    /// `extend`.
    Extend(Vec<u8>),
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `pop`.
    Pop,
}

/// One change inside an `update`/`write`/`get_mut` closure.
#[derive(Clone, Debug)]
pub enum SetChange {
    /// `IndexSet::insert`.
    Insert(u8),
    /// `IndexSet::shift_remove`.
    ShiftRemove(u8),
    /// `IndexSet::swap_remove`.
    SwapRemove(u8),
    /// `IndexSet::clear`.
    Clear,
    /// `IndexSet::reverse`.
    Reverse,
    /// `IndexSet::sort`.
    Sort,
}

fn set_of(mint: &mut Mint, xs: &[u8]) -> IndexSet<Elem> {
    mint.elems(xs).into_iter().collect()
}

fn elem(value: Option<Elem>) -> Ret {
    Ret::Elem(value.as_ref().map(Elem::id))
}

impl Subject for CowSet<Elem> {
    type Inner = IndexSet<Elem>;
    type Call = SetCall;
    type Change = SetChange;

    fn ids(inner: &IndexSet<Elem>) -> Vec<Id> {
        inner.iter().map(Elem::id).collect()
    }

    fn count(inner: &IndexSet<Elem>) -> usize {
        inner.len()
    }

    fn change(s: &mut IndexSet<Elem>, change: &SetChange, mint: &mut Mint) {
        hit(Kind::Closure);
        match *change {
            SetChange::Insert(x) => drop(s.insert(mint.elem(x))),
            SetChange::ShiftRemove(x) => drop(s.shift_remove(&mint.elem(x))),
            SetChange::SwapRemove(x) => drop(s.swap_remove(&mint.elem(x))),
            SetChange::Clear => s.clear(),
            SetChange::Reverse => s.reverse(),
            SetChange::Sort => s.sort(),
        }
    }

    fn call(&self, call: &SetCall, _len: usize, mint: &mut Mint) -> Ret {
        match call {
            SetCall::Len => Ret::Len(armed(|| self.len())),
            SetCall::IsEmpty => Ret::Bool(armed(|| self.is_empty())),
            SetCall::Contains(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.contains(&e)))
            }
            SetCall::IsSubset(xs) => {
                let other = set_of(mint, xs);
                Ret::Bool(armed(|| self.is_subset(&other)))
            }
            SetCall::IsSuperset(xs) => {
                let other = set_of(mint, xs);
                Ret::Bool(armed(|| self.is_superset(&other)))
            }
            SetCall::IsDisjoint(xs) => {
                let other = set_of(mint, xs);
                Ret::Bool(armed(|| self.is_disjoint(&other)))
            }
            SetCall::EqSet(xs) => {
                let other = CowSet::from(set_of(mint, xs));
                Ret::Bool(armed(|| *self == other))
            }
            SetCall::Insert(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.insert(e)))
            }
            SetCall::Remove(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.remove(&e)))
            }
            SetCall::Retain(rule) => {
                armed(|| self.retain(|x| keep(x, *rule)));
                Ret::Unit
            }
            SetCall::Clear => {
                armed(|| self.clear());
                Ret::Unit
            }
            SetCall::Extend(xs) => {
                let es = mint.elems(xs);
                armed(|| CowSet::extend(self, es));
                Ret::Unit
            }
            SetCall::First => elem(armed(|| self.first())),
            SetCall::Last => elem(armed(|| self.last())),
            SetCall::Pop => elem(armed(|| self.pop())),
        }
    }

    fn model(s: &mut IndexSet<Elem>, call: &SetCall, mint: &mut Mint) -> Expect {
        let len = s.len();
        match call {
            SetCall::Len => Expect::read(Ret::Len(len)),
            SetCall::IsEmpty => Expect::read(Ret::Bool(len == 0)),
            SetCall::Contains(x) => Expect::read(Ret::Bool(s.contains(&mint.elem(*x)))),
            SetCall::IsSubset(xs) => Expect::read(Ret::Bool(s.is_subset(&set_of(mint, xs)))),
            SetCall::IsSuperset(xs) => Expect::read(Ret::Bool(s.is_superset(&set_of(mint, xs)))),
            SetCall::IsDisjoint(xs) => Expect::read(Ret::Bool(s.is_disjoint(&set_of(mint, xs)))),
            SetCall::EqSet(xs) => Expect::read(Ret::Bool(*s == set_of(mint, xs))),
            SetCall::Insert(x) => {
                let e = mint.elem(*x);
                if s.contains(&e) {
                    Expect::read(Ret::Bool(false))
                } else {
                    s.insert(e);
                    Expect::publish(Ret::Bool(true))
                }
            }
            SetCall::Remove(x) => {
                let removed = s.shift_remove(&mint.elem(*x));
                Expect::publish_if(removed, Ret::Bool(removed))
            }
            SetCall::Retain(rule) => {
                s.retain(|x| keep(x, *rule));
                Expect::publish_if(s.len() != len, Ret::Unit)
            }
            SetCall::Clear => {
                s.clear();
                Expect::publish_if(len > 0, Ret::Unit)
            }
            SetCall::Extend(xs) => {
                let es = mint.elems(xs);
                let changed = !es.iter().all(|e| s.contains(e));
                s.extend(es);
                Expect::publish_if(changed, Ret::Unit)
            }
            SetCall::First => Expect::read(Ret::Elem(s.first().map(Elem::id))),
            SetCall::Last => Expect::read(Ret::Elem(s.last().map(Elem::id))),
            SetCall::Pop => {
                let popped = s.pop();
                Expect::publish_if(popped.is_some(), elem(popped))
            }
        }
    }

    forward_facade!(CowSet<Elem>);
}
