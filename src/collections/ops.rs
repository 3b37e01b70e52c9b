//! The operations the sets and maps share, written once.
//!
//! `CowSet` and `CowBTreeSet`, `CowMap` and `CowBTreeMap` run the same code for every
//! write they have in common: the same checks, the same "copy and publish nothing when
//! nothing changes", the same order of calls into user code (`Clone`, `Hash`, `Eq`,
//! `Ord`, closures). Each write is generic over a private trait of the inner value:
//! [`Inner`] (every set and map), refined by [`SetWrite`] and [`MapWrite`], with the
//! lookups by a borrowed key in [`Lookup`], [`SetRead`] and [`MapRead`]. What differs
//! between a flat value (indexmap: lookup by `Hash + Equivalent`, an O(n) clone) and a
//! B+tree (lookup by `Ord + Borrow`, an O(1) clone) is in those traits' impls
//! (`inner.rs`), and the one place where the cost of a clone changes the order of the
//! steps is [`Inner::CLONE_IS_O1`].
//!
//! Every write runs under the cell's writer lock through
//! [`CowCell::write_with`](crate::CowCell), which publishes the next version it is
//! given, or nothing. The public methods, with their docs, are generated from these
//! functions by `set_facade!` and `map_facade!`.

use crate::{CowCell, ReadAs};

/// What every set and map value provides to the shared writes.
pub(crate) trait Inner: Clone + Extend<Self::Item> {
    /// What it holds: an element `T`, or an entry `(K, V)`.
    type Item;

    /// Whether `clone` is O(1) (the B+trees share their nodes) rather than a copy of
    /// every item. A conditional write then clones first and lets the change itself
    /// find out whether anything changes (the trees copy no node then); a flat value
    /// looks first and clones only when something changes.
    const CLONE_IS_O1: bool;

    /// The number of items.
    fn len(&self) -> usize;
    /// An empty value with the same configuration (the hasher).
    fn cleared(&self) -> Self;
    /// A clone of the first (`last == false`) or the last item in iteration order.
    fn end(&self, last: bool) -> Option<Self::Item>;
    /// Removes the last item in iteration order.
    fn pop_last(&mut self) -> Option<Self::Item>;
}

/// A value ordered by key (the B+trees): it can also pop its first item.
pub(crate) trait Ordered: Inner {
    /// Removes the first item in iteration order (the smallest key).
    fn pop_first(&mut self) -> Option<Self::Item>;
}

/// Lookup and removal by a borrowed form `Q` of the key (`Hash + Equivalent` for
/// indexmap, `Ord + Borrow` for the B+trees).
pub(crate) trait Lookup<Q: ?Sized>: Inner {
    /// Whether an item with this key is present.
    fn contains(&self, key: &Q) -> bool;
    /// Removes the item with this key and returns it; an absent key changes nothing
    /// (and, in a B+tree, copies no node).
    fn take(&mut self, key: &Q) -> Option<Self::Item>;
}

/// What a set holds.
pub(crate) trait Set {
    /// The element type.
    type Elem;
}

/// A set's read-only lookup by a borrowed form `Q` of its elements (no `Clone` needed).
pub(crate) trait SetRead<Q: ?Sized>: Set {
    /// The stored element equal to `value`.
    fn get(&self, value: &Q) -> Option<&Self::Elem>;
}

/// A set value that the shared writes can change.
pub(crate) trait SetWrite:
    Set + Inner<Item = <Self as Set>::Elem> + Lookup<<Self as Set>::Elem>
{
    /// Adds `value`; returns whether it was absent (a present one is kept, and copies
    /// nothing in a B+tree).
    fn insert(&mut self, value: Self::Elem) -> bool;
    /// The value without the elements `keep` rejects, or `None` if it keeps them all.
    /// `keep` sees every element once, in iteration order, before anything is copied.
    fn retained(&self, keep: impl FnMut(&Self::Elem) -> bool) -> Option<Self>;
}

/// What a map holds.
pub(crate) trait Map {
    /// The key type.
    type Key;
    /// The value type.
    type Value;
}

/// A map's read-only lookup by a borrowed form `Q` of its keys (no `Clone` needed).
pub(crate) trait MapRead<Q: ?Sized>: Map {
    /// The stored key and value for `key`.
    fn get_key_value(&self, key: &Q) -> Option<(&Self::Key, &Self::Value)>;
}

/// A map value that the shared writes can change.
pub(crate) trait MapWrite:
    Map<Key: Clone, Value: Clone>
    + Inner<Item = (<Self as Map>::Key, <Self as Map>::Value)>
    + MapRead<<Self as Map>::Key>
    + Lookup<<Self as Map>::Key>
{
    /// Inserts or overwrites; returns the previous value.
    fn insert(&mut self, key: Self::Key, value: Self::Value) -> Option<Self::Value>;
    /// The value stored under `key` (a key taken from the version this value was
    /// cloned from), for changing in place.
    fn get_mut(&mut self, key: &Self::Key) -> Option<&mut Self::Value>;
    /// The value without the entries `keep` rejects, or `None` if it keeps them all.
    /// `keep` sees every entry once, in iteration order, before anything is copied.
    fn retained(&self, keep: impl FnMut(&Self::Key, &Self::Value) -> bool) -> Option<Self>;
}

/// A map value the shared writes can change, looked up by a borrowed key `Q`.
pub(crate) trait MapKeyed<Q: ?Sized>: MapWrite + MapRead<Q> {}

impl<C: MapWrite + MapRead<Q>, Q: ?Sized> MapKeyed<Q> for C {}

/// The set relations of a set value with another set `Other` (another hasher, for
/// indexmap).
pub(crate) trait Relations<Other: ?Sized> {
    /// Whether every element of `self` is in `other`.
    fn is_subset(&self, other: &Other) -> bool;
    /// Whether every element of `other` is in `self`.
    fn is_superset(&self, other: &Other) -> bool;
    /// Whether `self` and `other` have no element in common.
    fn is_disjoint(&self, other: &Other) -> bool;
}

// ---------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------

/// A clone of the first (`last == false`) or last item of the current version.
pub(crate) fn end<C: Inner>(cell: &CowCell<C>, last: bool) -> Option<C::Item> {
    cell.read().end(last)
}

/// Whether the current set contains `value`.
pub(crate) fn contains<C: SetRead<Q>, Q: ?Sized>(cell: &CowCell<C>, value: &Q) -> bool {
    cell.read().get(value).is_some()
}

/// A clone of the value for `key` in the current map.
pub(crate) fn get<C, Q>(cell: &CowCell<C>, key: &Q) -> Option<C::Value>
where
    C: MapRead<Q>,
    C::Value: Clone,
    Q: ?Sized,
{
    cell.read().get_key_value(key).map(|(_, v)| v.clone())
}

/// Whether the current map has an entry for `key`.
pub(crate) fn contains_key<C: MapRead<Q>, Q: ?Sized>(cell: &CowCell<C>, key: &Q) -> bool {
    cell.read().get_key_value(key).is_some()
}

/// `relation` between the current set and `other` (its current version, for a
/// collection), each read once.
pub(crate) fn relate<C, O>(
    cell: &CowCell<C>,
    other: &impl ReadAs<O>,
    relation: fn(&C, &O) -> bool,
) -> bool {
    other.read_as(|other| relation(&cell.read(), other))
}

// ---------------------------------------------------------------------------------------
// Writes every set and map shares
// ---------------------------------------------------------------------------------------

/// Removes every item; publishes nothing if there is none.
pub(crate) fn clear<C: Inner>(cell: &CowCell<C>, call: &'static str) {
    cell.write_with(call, |current| {
        ((current.len() > 0).then(|| current.cleared()), ())
    });
}

/// Removes the item for `key` and returns what `keep` makes of it (under the lock: what
/// it drops, such as a map's key, is dropped before the publish); publishes nothing if
/// the key is absent.
pub(crate) fn remove<C, Q, R>(
    cell: &CowCell<C>,
    call: &'static str,
    key: &Q,
    keep: impl FnOnce(C::Item) -> R,
) -> Option<R>
where
    C: Lookup<Q>,
    Q: ?Sized,
{
    cell.write_with(call, |current| {
        if !C::CLONE_IS_O1 && !current.contains(key) {
            return (None, None);
        }
        let mut next = current.clone();
        match next.take(key) {
            Some(item) => (Some(next), Some(keep(item))),
            None => (None, None),
        }
    })
}

/// Removes the last item in iteration order; publishes nothing if empty.
pub(crate) fn pop_last<C: Inner>(cell: &CowCell<C>, call: &'static str) -> Option<C::Item> {
    pop_with(cell, call, C::pop_last)
}

/// Removes the first item of an ordered value; publishes nothing if empty.
pub(crate) fn pop_first<C: Ordered>(cell: &CowCell<C>, call: &'static str) -> Option<C::Item> {
    pop_with(cell, call, C::pop_first)
}

fn pop_with<C: Inner>(
    cell: &CowCell<C>,
    call: &'static str,
    pop: fn(&mut C) -> Option<C::Item>,
) -> Option<C::Item> {
    cell.write_with(call, |current| {
        if current.len() == 0 {
            return (None, None);
        }
        let mut next = current.clone();
        let popped = pop(&mut next);
        (Some(next), popped)
    })
}

/// Adds `items` to a copy and publishes it, unless `changes` says they change nothing.
fn extend_unless_unchanged<C: Inner>(
    cell: &CowCell<C>,
    call: &'static str,
    items: Vec<C::Item>,
    changes: impl FnOnce(&C, &[C::Item]) -> bool,
) {
    cell.write_with(call, |current| {
        if !changes(current, &items) {
            return (None, ());
        }
        let mut next = current.clone();
        next.extend(items);
        (Some(next), ())
    });
}

// ---------------------------------------------------------------------------------------
// Sets
// ---------------------------------------------------------------------------------------

/// Adds `value`; returns whether it was absent. A present value publishes nothing.
pub(crate) fn set_insert<C: SetWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    value: C::Elem,
) -> bool {
    cell.write_with(call, |current| {
        if !C::CLONE_IS_O1 && current.contains(&value) {
            return (None, false);
        }
        let mut next = current.clone();
        if next.insert(value) {
            (Some(next), true)
        } else {
            (None, false)
        }
    })
}

/// Keeps the elements `keep` accepts; publishes nothing if it accepts them all.
pub(crate) fn set_retain<C: SetWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    keep: impl FnMut(&C::Elem) -> bool,
) {
    cell.write_with(call, |current| (current.retained(keep), ()));
}

/// Adds the absent ones of `values`, in order; publishes nothing if none is new.
pub(crate) fn set_extend<C: SetWrite>(cell: &CowCell<C>, call: &'static str, values: Vec<C::Elem>) {
    extend_unless_unchanged(cell, call, values, |current, values| {
        !values.iter().all(|value| current.contains(value))
    });
}

// ---------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------

/// Inserts or overwrites the entry for `key`; returns the previous value.
pub(crate) fn map_insert<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    key: C::Key,
    value: C::Value,
) -> Option<C::Value> {
    cell.write_with(call, |current| {
        let mut next = current.clone();
        let previous = next.insert(key, value);
        (Some(next), previous)
    })
}

/// Keeps the entries `keep` accepts; publishes nothing if it accepts them all.
pub(crate) fn map_retain<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    keep: impl FnMut(&C::Key, &C::Value) -> bool,
) {
    cell.write_with(call, |current| (current.retained(keep), ()));
}

/// Inserts every entry (later ones overwrite earlier ones); publishes nothing if there
/// is none, and then takes no lock either.
pub(crate) fn map_extend<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    entries: Vec<C::Item>,
) {
    if !entries.is_empty() {
        extend_unless_unchanged(cell, call, entries, |_, _| true);
    }
}

/// The key a conditional map write looks up: borrowed (it never inserts) or owned
/// (inserted when the edit sets an absent key).
enum Key<'q, Q: ?Sized, K> {
    /// A borrowed form of the key: the write can change or remove an entry.
    Borrowed(&'q Q),
    /// The key itself: the write can also insert it.
    Owned(K),
}

/// An owned key for [`edit`].
fn owned<'q, K: 'q>(key: K) -> Key<'q, K, K> {
    Key::Owned(key)
}

/// What a conditional map write does to the entry for its key.
enum Edit<V> {
    /// Nothing: no copy, no publish.
    Keep,
    /// Removes the entry (nothing to do if absent).
    Remove,
    /// Sets the value: replaces it in place, or, with a [`Key::Owned`] key, inserts the
    /// entry (at the end of a flat map's order). With a borrowed key an absent entry
    /// stays absent.
    Set(V),
}

/// The one conditional map write, under which every `ConcurrentMap` operation runs:
/// `decide` sees the current value for `key` (or `None`) and returns the [`Edit`] and
/// a result; `finish` gets that result and the value the edit displaced (replaced or
/// removed) from the copy, still under the lock (what it drops is dropped before the
/// publish), and makes the write's return value.
///
/// The check and the change are one atomic step: both run under the writer lock on
/// the same version. `decide` runs before anything is copied, so a panic there
/// publishes nothing and wastes no copy; a [`Edit::Keep`] (or the removal of an absent
/// key) copies and publishes nothing.
fn edit<C: MapKeyed<Q>, Q: ?Sized, R, T>(
    cell: &CowCell<C>,
    call: &'static str,
    key: Key<'_, Q, C::Key>,
    decide: impl FnOnce(Option<&C::Value>) -> (Edit<C::Value>, R),
    finish: impl FnOnce(R, Option<C::Value>) -> T,
) -> T {
    cell.write_with(call, |current| {
        let entry = match &key {
            Key::Borrowed(key) => current.get_key_value(*key),
            Key::Owned(key) => current.get_key_value(key),
        };
        let (edit, result) = decide(entry.map(|(_, v)| v));
        match (entry, edit, key) {
            (_, Edit::Keep, _)
            | (None, Edit::Remove, _)
            | (None, Edit::Set(_), Key::Borrowed(_)) => (None, finish(result, None)),
            (Some((stored, _)), Edit::Set(value), key) => {
                // The key is not needed: drop it before copying, so that a panicking
                // `K::drop` cannot leak the copy.
                drop(key);
                let mut next = current.clone();
                let slot = next
                    .get_mut(stored)
                    .expect("present in the version it was cloned from");
                let displaced = core::mem::replace(slot, value);
                (Some(next), finish(result, Some(displaced)))
            }
            (Some((stored, _)), Edit::Remove, key) => {
                drop(key);
                let mut next = current.clone();
                let displaced = next.take(stored).map(|(_, value)| value);
                (Some(next), finish(result, displaced))
            }
            (None, Edit::Set(value), Key::Owned(key)) => {
                let mut next = current.clone();
                next.insert(key, value);
                (Some(next), finish(result, None))
            }
        }
    })
}

/// `compute`'s decision: `Some(value)` sets a clone of it and returns it, `None` removes
/// the entry.
fn set_or_remove<V: Clone>(new: Option<V>) -> (Edit<V>, Option<V>) {
    match new {
        Some(value) => (Edit::Set(value.clone()), Some(value)),
        None => (Edit::Remove, None),
    }
}

/// Java's `putIfAbsent`: inserts only if absent; returns a clone of the present value.
pub(crate) fn insert_if_absent<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    key: C::Key,
    value: C::Value,
) -> Option<C::Value> {
    let decide = |present: Option<&C::Value>| match present {
        Some(present) => (Edit::Keep, Some(present.clone())),
        None => (Edit::Set(value), None),
    };
    edit(cell, call, owned(key), decide, |present, _| present)
}

/// Java's `computeIfAbsent`: the present value, or `make()`'s, inserted.
pub(crate) fn get_or_insert_with<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    key: C::Key,
    make: impl FnOnce() -> C::Value,
) -> C::Value {
    let decide = |present: Option<&C::Value>| match present {
        Some(present) => (Edit::Keep, present.clone()),
        None => {
            let value = make();
            (Edit::Set(value.clone()), value)
        }
    };
    edit(cell, call, owned(key), decide, |value, _| value)
}

/// Java's `replace(K, V)`: replaces a present value; returns the previous one.
pub(crate) fn replace<C: MapKeyed<Q>, Q: ?Sized>(
    cell: &CowCell<C>,
    call: &'static str,
    key: &Q,
    value: C::Value,
) -> Option<C::Value> {
    let decide = |present: Option<&C::Value>| match present {
        Some(_) => (Edit::Set(value), ()),
        None => (Edit::Keep, ()),
    };
    edit(cell, call, Key::Borrowed(key), decide, |(), previous| {
        previous
    })
}

/// Java's `replace(K, V, V)`: replaces the value only if it equals `expected`.
pub(crate) fn replace_if_eq<C: MapKeyed<Q>, Q: ?Sized>(
    cell: &CowCell<C>,
    call: &'static str,
    key: &Q,
    expected: &C::Value,
    new: C::Value,
) -> bool
where
    C::Value: PartialEq,
{
    let decide = |present: Option<&C::Value>| match present {
        Some(present) if present == expected => (Edit::Set(new), true),
        _ => (Edit::Keep, false),
    };
    edit(cell, call, Key::Borrowed(key), decide, |hit, _| hit)
}

/// Java's `remove(K, V)`: removes the entry only if its value equals `expected`.
pub(crate) fn remove_if_eq<C: MapKeyed<Q>, Q: ?Sized>(
    cell: &CowCell<C>,
    call: &'static str,
    key: &Q,
    expected: &C::Value,
) -> bool
where
    C::Value: PartialEq,
{
    let decide = |present: Option<&C::Value>| match present {
        Some(present) if present == expected => (Edit::Remove, true),
        _ => (Edit::Keep, false),
    };
    edit(cell, call, Key::Borrowed(key), decide, |hit, _| hit)
}

/// Java's `compute`: `f` maps the present value (or `None`) to the new one (or `None`:
/// remove); returns the new value.
pub(crate) fn compute<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    key: C::Key,
    f: impl FnOnce(Option<&C::Value>) -> Option<C::Value>,
) -> Option<C::Value> {
    let decide = |present: Option<&C::Value>| set_or_remove(f(present));
    edit(cell, call, owned(key), decide, |new, _| new)
}

/// Java's `computeIfPresent`: as [`compute`], for a present key only.
pub(crate) fn compute_if_present<C: MapKeyed<Q>, Q: ?Sized>(
    cell: &CowCell<C>,
    call: &'static str,
    key: &Q,
    f: impl FnOnce(&C::Value) -> Option<C::Value>,
) -> Option<C::Value> {
    let decide = |present: Option<&C::Value>| match present {
        Some(present) => set_or_remove(f(present)),
        None => (Edit::Keep, None),
    };
    edit(cell, call, Key::Borrowed(key), decide, |new, _| new)
}

/// Java's `merge`: inserts `value` if absent, otherwise `f(present, value)` (or `None`:
/// remove); returns the new value.
pub(crate) fn merge<C: MapWrite>(
    cell: &CowCell<C>,
    call: &'static str,
    key: C::Key,
    value: C::Value,
    f: impl FnOnce(&C::Value, C::Value) -> Option<C::Value>,
) -> Option<C::Value> {
    let decide = |present: Option<&C::Value>| {
        set_or_remove(match present {
            Some(present) => f(present, value),
            None => Some(value),
        })
    };
    edit(cell, call, owned(key), decide, |new, _| new)
}
