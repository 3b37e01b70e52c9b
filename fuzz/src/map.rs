//! `CowMap<Elem, Elem>` against an `IndexMap<Elem, Elem>` model.

use cow_collections::CowMap;
use indexmap::IndexMap;

use crate::harness::{forward_facade, Expect, Ret, Subject};
use crate::trap::{armed, hit, Elem, Id, Kind, Mint};

/// What a `compute` closure does.
#[derive(Clone, Copy, Debug)]
pub enum ComputeFn {
    /// Returns `None`: removes the entry (or leaves the key absent).
    Remove,
    /// Returns this value.
    Set(u8),
    /// Returns the old value + 1, or this value if absent.
    Bump(u8),
}

/// `CowMap`'s own methods, keys and values reduced modulo
/// [`VALUES`](crate::trap::VALUES).
#[derive(Clone, Debug)]
pub enum MapCall {
    /// `len`.
    Len,
    /// `is_empty`.
    IsEmpty,
    /// `get`.
    Get(u8),
    /// `contains_key`.
    ContainsKey(u8),
    /// `==` against a `CowMap` of these entries.
    EqMap(Vec<(u8, u8)>),
    /// `insert`.
    Insert(u8, u8),
    /// `remove`.
    Remove(u8),
    /// `retain` with [`keep_entry`].
    Retain(u8),
    /// `clear`.
    Clear,
    /// `extend`.
    Extend(Vec<(u8, u8)>),
    /// `insert_if_absent`.
    InsertIfAbsent(u8, u8),
    /// `replace`.
    Replace(u8, u8),
    /// `replace_if_eq`.
    ReplaceIfEq {
        /// The key.
        key: u8,
        /// The value it must have.
        expected: u8,
        /// The value it gets.
        new: u8,
    },
    /// `remove_if_eq`.
    RemoveIfEq {
        /// The key.
        key: u8,
        /// The value it must have.
        expected: u8,
    },
    /// `compute`.
    Compute(u8, ComputeFn),
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `pop`.
    Pop,
    /// `remove_entry`.
    RemoveEntry(u8),
    /// `get_or_insert_with`, whose closure makes the value.
    GetOrInsertWith(u8, u8),
    /// `compute_if_present`.
    ComputeIfPresent(u8, ComputeFn),
    /// `merge` of the key and value with [`merge`]'s closure.
    Merge(u8, u8, ComputeFn),
}

/// One change inside an `update`/`write`/`get_mut` closure.
#[derive(Clone, Debug)]
pub enum MapChange {
    /// `IndexMap::insert`.
    Insert(u8, u8),
    /// `IndexMap::shift_remove`.
    ShiftRemove(u8),
    /// `IndexMap::swap_remove`.
    SwapRemove(u8),
    /// `IndexMap::clear`.
    Clear,
    /// `IndexMap::reverse`.
    Reverse,
    /// `IndexMap::sort_keys`.
    SortKeys,
}

/// The `retain` predicate: drops entries with `(key + value) % 4 == rule % 5`.
pub fn keep_entry(k: &Elem, v: &Elem, rule: u8) -> bool {
    hit(Kind::Closure);
    (k.val + v.val) % 4 != rule % 5
}

/// The `compute` closure.
pub fn compute(f: ComputeFn, old: Option<&Elem>, mint: &mut Mint) -> Option<Elem> {
    hit(Kind::Closure);
    match f {
        ComputeFn::Remove => None,
        ComputeFn::Set(x) => Some(mint.elem(x)),
        ComputeFn::Bump(x) => Some(mint.elem(old.map_or(x, |o| o.val + 1))),
    }
}

/// The `get_or_insert_with` closure.
pub fn make(value: u8, mint: &mut Mint) -> Elem {
    hit(Kind::Closure);
    mint.elem(value)
}

/// The `merge` closure: `Remove` removes, `Set(x)` sets `x`, `Bump(_)` sets the sum of
/// the present value and the merged one.
pub fn merge(f: ComputeFn, old: &Elem, value: Elem, mint: &mut Mint) -> Option<Elem> {
    hit(Kind::Closure);
    match f {
        ComputeFn::Remove => None,
        ComputeFn::Set(x) => Some(mint.elem(x)),
        ComputeFn::Bump(_) => Some(mint.elem(old.val + value.val)),
    }
}

fn entries(mint: &mut Mint, pairs: &[(u8, u8)]) -> Vec<(Elem, Elem)> {
    pairs
        .iter()
        .map(|&(k, v)| {
            let k = mint.elem(k);
            (k, mint.elem(v))
        })
        .collect()
}

fn elem(value: Option<Elem>) -> Ret {
    Ret::Elem(value.as_ref().map(Elem::id))
}

fn entry(entry: Option<(Elem, Elem)>) -> Ret {
    Ret::Entry(entry.as_ref().map(|(k, v)| (k.id(), v.id())))
}

/// What a write that sets the value at `index` (or removes the entry, on `None`) does.
fn set_at(m: &mut IndexMap<Elem, Elem>, index: usize, new: Option<Elem>) -> Expect {
    match new {
        Some(value) => {
            let id = value.id();
            m[index] = value;
            Expect::publish(Ret::Elem(Some(id)))
        }
        None => {
            m.shift_remove_index(index);
            Expect::publish(Ret::Elem(None))
        }
    }
}

impl Subject for CowMap<Elem, Elem> {
    type Inner = IndexMap<Elem, Elem>;
    type Call = MapCall;
    type Change = MapChange;

    fn ids(inner: &IndexMap<Elem, Elem>) -> Vec<Id> {
        inner.iter().flat_map(|(k, v)| [k.id(), v.id()]).collect()
    }

    fn count(inner: &IndexMap<Elem, Elem>) -> usize {
        inner.len()
    }

    fn change(m: &mut IndexMap<Elem, Elem>, change: &MapChange, mint: &mut Mint) {
        hit(Kind::Closure);
        match *change {
            MapChange::Insert(k, v) => {
                let k = mint.elem(k);
                drop(m.insert(k, mint.elem(v)));
            }
            MapChange::ShiftRemove(k) => drop(m.shift_remove(&mint.elem(k))),
            MapChange::SwapRemove(k) => drop(m.swap_remove(&mint.elem(k))),
            MapChange::Clear => m.clear(),
            MapChange::Reverse => m.reverse(),
            MapChange::SortKeys => m.sort_keys(),
        }
    }

    fn call(&self, call: &MapCall, _len: usize, mint: &mut Mint) -> Ret {
        match call {
            MapCall::Len => Ret::Len(armed(|| self.len())),
            MapCall::IsEmpty => Ret::Bool(armed(|| self.is_empty())),
            MapCall::Get(k) => {
                let k = mint.elem(*k);
                elem(armed(|| self.get(&k)))
            }
            MapCall::ContainsKey(k) => {
                let k = mint.elem(*k);
                Ret::Bool(armed(|| self.contains_key(&k)))
            }
            MapCall::EqMap(pairs) => {
                let other: CowMap<Elem, Elem> = entries(mint, pairs).into_iter().collect();
                Ret::Bool(armed(|| *self == other))
            }
            MapCall::Insert(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                elem(armed(|| self.insert(k, v)))
            }
            MapCall::Remove(k) => {
                let k = mint.elem(*k);
                elem(armed(|| self.remove(&k)))
            }
            MapCall::Retain(rule) => {
                armed(|| self.retain(|k, v| keep_entry(k, v, *rule)));
                Ret::Unit
            }
            MapCall::Clear => {
                armed(|| self.clear());
                Ret::Unit
            }
            MapCall::Extend(pairs) => {
                let es = entries(mint, pairs);
                armed(|| CowMap::extend(self, es));
                Ret::Unit
            }
            MapCall::InsertIfAbsent(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                elem(armed(|| self.insert_if_absent(k, v)))
            }
            MapCall::Replace(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                elem(armed(|| self.replace(&k, v)))
            }
            MapCall::ReplaceIfEq { key, expected, new } => {
                let k = mint.elem(*key);
                let expected = mint.elem(*expected);
                let new = mint.elem(*new);
                Ret::Bool(armed(|| self.replace_if_eq(&k, &expected, new)))
            }
            MapCall::RemoveIfEq { key, expected } => {
                let k = mint.elem(*key);
                let expected = mint.elem(*expected);
                Ret::Bool(armed(|| self.remove_if_eq(&k, &expected)))
            }
            MapCall::Compute(k, f) => {
                let k = mint.elem(*k);
                elem(armed(|| self.compute(k, |old| compute(*f, old, mint))))
            }
            MapCall::First => entry(armed(|| self.first())),
            MapCall::Last => entry(armed(|| self.last())),
            MapCall::Pop => entry(armed(|| self.pop())),
            MapCall::RemoveEntry(k) => {
                let k = mint.elem(*k);
                entry(armed(|| self.remove_entry(&k)))
            }
            MapCall::GetOrInsertWith(k, v) => {
                let k = mint.elem(*k);
                elem(Some(armed(|| {
                    self.get_or_insert_with(k, || make(*v, mint))
                })))
            }
            MapCall::ComputeIfPresent(k, f) => {
                let k = mint.elem(*k);
                elem(armed(|| {
                    self.compute_if_present(&k, |old| compute(*f, Some(old), mint))
                }))
            }
            MapCall::Merge(k, v, f) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                elem(armed(|| self.merge(k, v, |old, v| merge(*f, old, v, mint))))
            }
        }
    }

    fn model(m: &mut IndexMap<Elem, Elem>, call: &MapCall, mint: &mut Mint) -> Expect {
        let len = m.len();
        match call {
            MapCall::Len => Expect::read(Ret::Len(len)),
            MapCall::IsEmpty => Expect::read(Ret::Bool(len == 0)),
            MapCall::Get(k) => Expect::read(Ret::Elem(m.get(&mint.elem(*k)).map(Elem::id))),
            MapCall::ContainsKey(k) => Expect::read(Ret::Bool(m.contains_key(&mint.elem(*k)))),
            MapCall::EqMap(pairs) => {
                let other: IndexMap<Elem, Elem> = entries(mint, pairs).into_iter().collect();
                Expect::read(Ret::Bool(*m == other))
            }
            MapCall::Insert(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                Expect::publish(elem(m.insert(k, v)))
            }
            MapCall::Remove(k) => {
                let removed = m.shift_remove(&mint.elem(*k));
                Expect::publish_if(removed.is_some(), elem(removed))
            }
            MapCall::Retain(rule) => {
                m.retain(|k, v| keep_entry(k, v, *rule));
                Expect::publish_if(m.len() != len, Ret::Unit)
            }
            MapCall::Clear => {
                m.clear();
                Expect::publish_if(len > 0, Ret::Unit)
            }
            MapCall::Extend(pairs) => {
                m.extend(entries(mint, pairs));
                Expect::publish_if(!pairs.is_empty(), Ret::Unit)
            }
            MapCall::InsertIfAbsent(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                match m.get(&k) {
                    Some(existing) => Expect::read(Ret::Elem(Some(existing.id()))),
                    None => {
                        m.insert(k, v);
                        Expect::publish(Ret::Elem(None))
                    }
                }
            }
            MapCall::Replace(k, v) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                if m.contains_key(&k) {
                    Expect::publish(elem(m.insert(k, v)))
                } else {
                    Expect::read(Ret::Elem(None))
                }
            }
            MapCall::ReplaceIfEq { key, expected, new } => {
                let k = mint.elem(*key);
                let expected = mint.elem(*expected);
                let new = mint.elem(*new);
                match m.get_index_of(&k) {
                    Some(i) if m[i] == expected => {
                        m[i] = new;
                        Expect::publish(Ret::Bool(true))
                    }
                    _ => Expect::read(Ret::Bool(false)),
                }
            }
            MapCall::RemoveIfEq { key, expected } => {
                let k = mint.elem(*key);
                let expected = mint.elem(*expected);
                match m.get_index_of(&k) {
                    Some(i) if m[i] == expected => {
                        m.shift_remove_index(i);
                        Expect::publish(Ret::Bool(true))
                    }
                    _ => Expect::read(Ret::Bool(false)),
                }
            }
            MapCall::Compute(k, f) => {
                let k = mint.elem(*k);
                let index = m.get_index_of(&k);
                let new = compute(*f, index.map(|i| &m[i]), mint);
                match (index, new) {
                    (None, None) => Expect::read(Ret::Elem(None)),
                    (Some(i), new) => set_at(m, i, new),
                    (None, Some(v)) => {
                        let id = v.id();
                        m.insert(k, v);
                        Expect::publish(Ret::Elem(Some(id)))
                    }
                }
            }
            MapCall::First => Expect::read(Ret::Entry(m.first().map(|(k, v)| (k.id(), v.id())))),
            MapCall::Last => Expect::read(Ret::Entry(m.last().map(|(k, v)| (k.id(), v.id())))),
            MapCall::Pop => {
                let popped = m.pop();
                Expect::publish_if(popped.is_some(), entry(popped))
            }
            MapCall::RemoveEntry(k) => {
                let removed = m.shift_remove_entry(&mint.elem(*k));
                Expect::publish_if(removed.is_some(), entry(removed))
            }
            MapCall::GetOrInsertWith(k, v) => {
                let k = mint.elem(*k);
                if let Some(present) = m.get(&k) {
                    return Expect::read(Ret::Elem(Some(present.id())));
                }
                let value = make(*v, mint);
                let id = value.id();
                m.insert(k, value);
                Expect::publish(Ret::Elem(Some(id)))
            }
            MapCall::ComputeIfPresent(k, f) => match m.get_index_of(&mint.elem(*k)) {
                None => Expect::read(Ret::Elem(None)),
                Some(i) => {
                    let new = compute(*f, Some(&m[i]), mint);
                    set_at(m, i, new)
                }
            },
            MapCall::Merge(k, v, f) => {
                let k = mint.elem(*k);
                let v = mint.elem(*v);
                match m.get_index_of(&k) {
                    None => {
                        let id = v.id();
                        m.insert(k, v);
                        Expect::publish(Ret::Elem(Some(id)))
                    }
                    Some(i) => {
                        let new = merge(*f, &m[i], v, mint);
                        set_at(m, i, new)
                    }
                }
            }
        }
    }

    forward_facade!(CowMap<Elem, Elem>);
}
