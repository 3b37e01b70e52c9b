//! `CowVec<Elem>` against a `Vec<Elem>` model.

use std::cmp::Ordering;

use cow_collections::CowVec;

use crate::harness::{forward_facade, Expect, Ret, Subject};
use crate::trap::{armed, hit, Elem, Id, Kind, Mint};

/// `CowVec`'s own methods. Indices are raw and resolved by [`index`]; values are
/// reduced modulo [`VALUES`](crate::trap::VALUES).
#[derive(Clone, Debug)]
pub enum VecCall {
    /// `len`.
    Len,
    /// `is_empty`.
    IsEmpty,
    /// `get`.
    Get(u8),
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `to_vec`.
    ToVec,
    /// `contains`.
    Contains(u8),
    /// `index_of`.
    IndexOf(u8),
    /// `last_index_of`.
    LastIndexOf(u8),
    /// `==` against a `Vec`.
    EqVec(Vec<u8>),
    /// `push`.
    Push(u8),
    /// `pop`.
    Pop,
    /// `insert` (index, value).
    Insert(u8, u8),
    /// `insert_all` (index, values).
    InsertAll(u8, Vec<u8>),
    /// `set` (index, value).
    Set(u8, u8),
    /// `remove` (index).
    Remove(u8),
    /// `remove_item`.
    RemoveItem(u8),
    /// `push_if_absent`.
    PushIfAbsent(u8),
    /// `extend_if_absent`.
    ExtendIfAbsent(Vec<u8>),
    /// `extend`.
    Extend(Vec<u8>),
    /// `retain` with [`keep`].
    Retain(u8),
    /// `truncate` (raw length, resolved like an index).
    Truncate(u8),
    /// `sort`.
    Sort,
    /// `sort_by` with a descending comparator.
    SortBy,
    /// `sort_by_key` with [`key`].
    SortByKey(u8),
    /// `dedup`.
    Dedup,
    /// `clear`.
    Clear,
}

/// One change inside an `update`/`write`/`get_mut` closure. Never panics by itself
/// (indices are reduced into range), so every panic inside comes from a trap.
#[derive(Clone, Debug)]
pub enum VecChange {
    /// `Vec::push`.
    Push(u8),
    /// `Vec::pop`.
    Pop,
    /// `Vec::insert` (index modulo len + 1).
    Insert(u8, u8),
    /// `Vec::remove` (index modulo len; nothing if empty).
    Remove(u8),
    /// `slice::swap` (indices modulo len).
    Swap(u8, u8),
    /// `Vec::truncate` (modulo len + 1).
    Truncate(u8),
    /// `slice::reverse`.
    Reverse,
    /// `slice::sort`.
    Sort,
    /// `Vec::clear`.
    Clear,
}

/// A raw index resolved against `len`: usually in bounds, sometimes one or two past.
pub fn index(raw: u8, len: usize) -> usize {
    usize::from(raw) % (len + 2)
}

/// The `retain` predicate: drops values with `val % 4 == rule % 5` (rule 4 keeps all).
pub fn keep(x: &Elem, rule: u8) -> bool {
    hit(Kind::Closure);
    x.val % 4 != rule % 5
}

/// The `sort_by` comparator: descending by value.
pub fn descending(a: &Elem, b: &Elem) -> Ordering {
    hit(Kind::Closure);
    b.val.cmp(&a.val)
}

/// The `sort_by_key` key: `val % (m % 4 + 1)`, so that many keys tie.
pub fn key(x: &Elem, m: u8) -> u8 {
    hit(Kind::Closure);
    x.val % (m % 4 + 1)
}

fn out_of_bounds(call: &str, relation: &str, index: usize, len: usize) -> Expect {
    Expect::Panics(format!(
        "CowVec::{call}: index (is {index}) should be {relation} len (is {len})"
    ))
}

fn elem(value: Option<Elem>) -> Ret {
    Ret::Elem(value.as_ref().map(Elem::id))
}

impl Subject for CowVec<Elem> {
    type Inner = Vec<Elem>;
    type Call = VecCall;
    type Change = VecChange;

    fn ids(inner: &Vec<Elem>) -> Vec<Id> {
        inner.iter().map(Elem::id).collect()
    }

    fn count(inner: &Vec<Elem>) -> usize {
        inner.len()
    }

    fn change(v: &mut Vec<Elem>, change: &VecChange, mint: &mut Mint) {
        hit(Kind::Closure);
        let len = v.len();
        match *change {
            VecChange::Push(x) => v.push(mint.elem(x)),
            VecChange::Pop => drop(v.pop()),
            VecChange::Insert(i, x) => v.insert(usize::from(i) % (len + 1), mint.elem(x)),
            VecChange::Remove(i) if len > 0 => drop(v.remove(usize::from(i) % len)),
            VecChange::Swap(i, j) if len > 0 => v.swap(usize::from(i) % len, usize::from(j) % len),
            VecChange::Remove(_) | VecChange::Swap(..) => {}
            VecChange::Truncate(n) => v.truncate(usize::from(n) % (len + 1)),
            VecChange::Reverse => v.reverse(),
            VecChange::Sort => v.sort(),
            VecChange::Clear => v.clear(),
        }
    }

    fn call(&self, call: &VecCall, len: usize, mint: &mut Mint) -> Ret {
        match call {
            VecCall::Len => Ret::Len(armed(|| self.len())),
            VecCall::IsEmpty => Ret::Bool(armed(|| self.is_empty())),
            VecCall::Get(i) => elem(armed(|| self.get(index(*i, len)))),
            VecCall::First => elem(armed(|| self.first())),
            VecCall::Last => elem(armed(|| self.last())),
            VecCall::ToVec => Ret::Elems(Self::ids(&armed(|| self.to_vec()))),
            VecCall::Contains(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.contains(&e)))
            }
            VecCall::IndexOf(x) => {
                let e = mint.elem(*x);
                Ret::Index(armed(|| self.index_of(&e)))
            }
            VecCall::LastIndexOf(x) => {
                let e = mint.elem(*x);
                Ret::Index(armed(|| self.last_index_of(&e)))
            }
            VecCall::EqVec(xs) => {
                let other = mint.elems(xs);
                Ret::Bool(armed(|| *self == other))
            }
            VecCall::Push(x) => {
                let e = mint.elem(*x);
                armed(|| self.push(e));
                Ret::Unit
            }
            VecCall::Pop => elem(armed(|| self.pop())),
            VecCall::Insert(i, x) => {
                let e = mint.elem(*x);
                armed(|| self.insert(index(*i, len), e));
                Ret::Unit
            }
            VecCall::InsertAll(i, xs) => {
                let es = mint.elems(xs);
                armed(|| self.insert_all(index(*i, len), es));
                Ret::Unit
            }
            VecCall::Set(i, x) => {
                let e = mint.elem(*x);
                elem(Some(armed(|| self.set(index(*i, len), e))))
            }
            VecCall::Remove(i) => elem(Some(armed(|| self.remove(index(*i, len))))),
            VecCall::RemoveItem(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.remove_item(&e)))
            }
            VecCall::PushIfAbsent(x) => {
                let e = mint.elem(*x);
                Ret::Bool(armed(|| self.push_if_absent(e)))
            }
            VecCall::ExtendIfAbsent(xs) => {
                let es = mint.elems(xs);
                Ret::Len(armed(|| self.extend_if_absent(es)))
            }
            VecCall::Extend(xs) => {
                let es = mint.elems(xs);
                armed(|| CowVec::extend(self, es));
                Ret::Unit
            }
            VecCall::Retain(rule) => {
                armed(|| self.retain(|x| keep(x, *rule)));
                Ret::Unit
            }
            VecCall::Truncate(n) => {
                armed(|| self.truncate(index(*n, len)));
                Ret::Unit
            }
            VecCall::Sort => {
                armed(|| self.sort());
                Ret::Unit
            }
            VecCall::SortBy => {
                armed(|| self.sort_by(descending));
                Ret::Unit
            }
            VecCall::SortByKey(m) => {
                armed(|| self.sort_by_key(|x| key(x, *m)));
                Ret::Unit
            }
            VecCall::Dedup => {
                armed(|| self.dedup());
                Ret::Unit
            }
            VecCall::Clear => {
                armed(|| self.clear());
                Ret::Unit
            }
        }
    }

    fn model(v: &mut Vec<Elem>, call: &VecCall, mint: &mut Mint) -> Expect {
        let len = v.len();
        match call {
            VecCall::Len => Expect::read(Ret::Len(len)),
            VecCall::IsEmpty => Expect::read(Ret::Bool(len == 0)),
            VecCall::Get(i) => Expect::read(Ret::Elem(v.get(index(*i, len)).map(Elem::id))),
            VecCall::First => Expect::read(Ret::Elem(v.first().map(Elem::id))),
            VecCall::Last => Expect::read(Ret::Elem(v.last().map(Elem::id))),
            VecCall::ToVec => Expect::read(Ret::Elems(Self::ids(v))),
            VecCall::Contains(x) => {
                let e = mint.elem(*x);
                Expect::read(Ret::Bool(v.contains(&e)))
            }
            VecCall::IndexOf(x) => {
                let e = mint.elem(*x);
                Expect::read(Ret::Index(v.iter().position(|y| *y == e)))
            }
            VecCall::LastIndexOf(x) => {
                let e = mint.elem(*x);
                Expect::read(Ret::Index(v.iter().rposition(|y| *y == e)))
            }
            VecCall::EqVec(xs) => {
                let other = mint.elems(xs);
                Expect::read(Ret::Bool(*v == other))
            }
            VecCall::Push(x) => {
                v.push(mint.elem(*x));
                Expect::publish(Ret::Unit)
            }
            VecCall::Pop => match v.pop() {
                Some(last) => Expect::publish(Ret::Elem(Some(last.id()))),
                None => Expect::read(Ret::Elem(None)),
            },
            VecCall::Insert(i, x) => {
                let e = mint.elem(*x);
                let i = index(*i, len);
                if i > len {
                    return out_of_bounds("insert", "<=", i, len);
                }
                v.insert(i, e);
                Expect::publish(Ret::Unit)
            }
            VecCall::InsertAll(i, xs) => {
                let es = mint.elems(xs);
                let i = index(*i, len);
                if i > len {
                    return out_of_bounds("insert_all", "<=", i, len);
                }
                // Documented: an empty input publishes nothing (the index is still checked).
                let changed = !es.is_empty();
                v.splice(i..i, es);
                Expect::publish_if(changed, Ret::Unit)
            }
            VecCall::Set(i, x) => {
                let e = mint.elem(*x);
                let i = index(*i, len);
                if i >= len {
                    return out_of_bounds("set", "<", i, len);
                }
                let old = std::mem::replace(&mut v[i], e);
                Expect::publish(Ret::Elem(Some(old.id())))
            }
            VecCall::Remove(i) => {
                let i = index(*i, len);
                if i >= len {
                    return out_of_bounds("remove", "<", i, len);
                }
                Expect::publish(Ret::Elem(Some(v.remove(i).id())))
            }
            VecCall::RemoveItem(x) => {
                let e = mint.elem(*x);
                match v.iter().position(|y| *y == e) {
                    Some(at) => {
                        v.remove(at);
                        Expect::publish(Ret::Bool(true))
                    }
                    None => Expect::read(Ret::Bool(false)),
                }
            }
            VecCall::PushIfAbsent(x) => {
                let e = mint.elem(*x);
                if v.contains(&e) {
                    Expect::read(Ret::Bool(false))
                } else {
                    v.push(e);
                    Expect::publish(Ret::Bool(true))
                }
            }
            VecCall::ExtendIfAbsent(xs) => {
                let mut added: Vec<Elem> = Vec::new();
                for e in mint.elems(xs) {
                    if !v.contains(&e) && !added.contains(&e) {
                        added.push(e);
                    }
                }
                let count = added.len();
                v.extend(added);
                Expect::publish_if(count > 0, Ret::Len(count))
            }
            VecCall::Extend(xs) => {
                v.extend(mint.elems(xs));
                Expect::publish_if(!xs.is_empty(), Ret::Unit)
            }
            VecCall::Retain(rule) => {
                v.retain(|x| keep(x, *rule));
                Expect::publish_if(v.len() != len, Ret::Unit)
            }
            VecCall::Truncate(n) => {
                let n = index(*n, len);
                v.truncate(n);
                Expect::publish_if(n < len, Ret::Unit)
            }
            VecCall::Sort => {
                v.sort();
                Expect::publish(Ret::Unit)
            }
            VecCall::SortBy => {
                v.sort_by(descending);
                Expect::publish(Ret::Unit)
            }
            VecCall::SortByKey(m) => {
                v.sort_by_key(|x| key(x, *m));
                Expect::publish(Ret::Unit)
            }
            VecCall::Dedup => {
                v.dedup();
                Expect::publish_if(v.len() != len, Ret::Unit)
            }
            VecCall::Clear => {
                v.clear();
                Expect::publish_if(len > 0, Ret::Unit)
            }
        }
    }

    forward_facade!(CowVec<Elem>);
}
