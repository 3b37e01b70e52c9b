//! The implementations under comparison. Each holds the same pair: a service-name map
//! and a listener list, and implements the same read (look a name up, then call every
//! listener with the result) and the same writes (publish a whole new map, set one name's
//! port, push or pop a listener).

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use cow_collections::{CowBTreeMap, CowMap, CowVec, PersistentBTreeMap, Reader};
use indexmap::IndexMap;

/// What a lookup tells the listeners.
#[derive(Debug)]
pub(crate) struct Event<'a> {
    pub(crate) name: &'a str,
    pub(crate) port: Option<u16>,
}

/// A subscriber called on every lookup.
pub(crate) type Listener = Arc<dyn Fn(&Event<'_>) + Send + Sync>;

/// A listener doing a little work per event, touching no shared memory (so listeners
/// cost the same everywhere and add no contention of their own).
pub(crate) fn listener(id: u64) -> Listener {
    Arc::new(move |event: &Event<'_>| {
        let port = u64::from(event.port.unwrap_or(0));
        black_box(port.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ id ^ event.name.len() as u64);
    })
}

/// What one read returns, checked by the caller outside the timed region.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadResult {
    pub(crate) port: Option<u16>,
    pub(crate) listeners: usize,
}

/// Calls every listener with the lookup's event. The part of the read shared by all.
#[inline]
fn notify(listeners: &[Listener], name: &str, port: Option<u16>) -> ReadResult {
    let event = Event { name, port };
    for listener in listeners {
        listener(&event);
    }
    ReadResult {
        port,
        listeners: listeners.len(),
    }
}

/// One implementation of the map + listener-list pair.
pub(crate) trait Contender: Sync {
    /// The row label.
    const NAME: &'static str;

    /// What a reader thread holds while it runs: `&Self`, or per-thread read handles.
    type Handle<'a>
    where
        Self: 'a;

    fn new(entries: &[(String, u16)], listeners: Vec<Listener>) -> Self;

    fn handle(&self) -> Self::Handle<'_>;

    /// The timed operation: look `name` up, then call every listener. The map is read
    /// and released before the listener list is read, in every implementation.
    fn read(handle: &mut Self::Handle<'_>, name: &str) -> ReadResult;

    /// Builds the new map from `entries` (outside any lock) and publishes it whole.
    fn publish(&self, entries: &[(String, u16)]);

    /// Sets `name`'s port: the single-key write, timed by the caller around this whole
    /// call. Returns the previous port. The lock rows change the map in place under the
    /// write lock; the copy-on-write rows call the collection's own `insert` (lock, copy,
    /// publish, then drop the retired version unless a reader still holds it).
    fn insert(&self, name: String, port: u16) -> Option<u16>;

    fn push_listener(&self, listener: Listener);

    /// Removes the last listener; the caller drops it outside any lock.
    fn pop_listener(&self) -> Option<Listener>;
}

/// The map as `CowMap` stores it. The first occurrence of a name wins, as in
/// `getservbyname`.
fn index_map(entries: &[(String, u16)]) -> IndexMap<String, u16> {
    let mut map = IndexMap::with_capacity(entries.len());
    for (name, port) in entries {
        map.entry(name.clone()).or_insert(*port);
    }
    map
}

/// The map as `CowBTreeMap` stores it; same rule. A stable sort keeps each name's first
/// occurrence ahead of its repeats, `dedup_by` keeps the first of each run, and the
/// strictly increasing keys are then built bottom-up in O(n). (`collect()` alone would
/// let the last occurrence win, as std's `BTreeMap` does.)
fn persistent_btree_map(entries: &[(String, u16)]) -> PersistentBTreeMap<String, u16> {
    let mut sorted = entries.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.dedup_by(|later, first| later.0 == first.0);
    sorted.into_iter().collect()
}

/// The map as the lock-based variants store it; same rule.
fn hash_map(entries: &[(String, u16)]) -> HashMap<String, u16> {
    let mut map = HashMap::with_capacity(entries.len());
    for (name, port) in entries {
        map.entry(name.clone()).or_insert(*port);
    }
    map
}

/// Generates a copy-on-write contender: the map `$map<String, u16>`, built whole outside
/// by `$build` and published with `store`, and a `CowVec` of listeners; both read through
/// `read()` guards (one arc-swap `load` each).
macro_rules! cow_contender {
    ($name:ident, $label:literal, $map:ident, $build:ident $(,)?) => {
        #[doc = concat!("`", $label, "` + `CowVec`, read through `read()` guards.")]
        pub(crate) struct $name {
            map: $map<String, u16>,
            listeners: CowVec<Listener>,
        }

        impl Contender for $name {
            const NAME: &'static str = $label;
            type Handle<'a> = &'a Self;

            fn new(entries: &[(String, u16)], listeners: Vec<Listener>) -> Self {
                Self {
                    map: $map::from($build(entries)),
                    listeners: CowVec::from(listeners),
                }
            }

            fn handle(&self) -> &Self {
                self
            }

            #[inline]
            fn read(this: &mut &Self, name: &str) -> ReadResult {
                let port = this.map.read().get(name).copied();
                let listeners = this.listeners.read();
                notify(&listeners, name, port)
            }

            fn publish(&self, entries: &[(String, u16)]) {
                let map = $build(entries);
                drop(self.map.store(map));
            }

            fn insert(&self, name: String, port: u16) -> Option<u16> {
                self.map.insert(name, port)
            }

            fn push_listener(&self, listener: Listener) {
                self.listeners.push(listener);
            }

            fn pop_listener(&self) -> Option<Listener> {
                self.listeners.pop()
            }
        }
    };
}

cow_contender!(Cow, "CowMap", CowMap, index_map);
cow_contender!(CowBTree, "CowBTreeMap", CowBTreeMap, persistent_btree_map);

/// The same collections, read through per-thread [`Reader`] handles: the hot-loop API.
pub(crate) struct CowReader(Cow);

/// A reader thread's pair of handles.
pub(crate) struct CowReaders<'a> {
    map: Reader<'a, IndexMap<String, u16>>,
    listeners: Reader<'a, Vec<Listener>>,
}

impl Contender for CowReader {
    const NAME: &'static str = "CowMap (Reader)";
    type Handle<'a> = CowReaders<'a>;

    fn new(entries: &[(String, u16)], listeners: Vec<Listener>) -> Self {
        Self(Cow::new(entries, listeners))
    }

    fn handle(&self) -> CowReaders<'_> {
        CowReaders {
            map: self.0.map.reader(),
            listeners: self.0.listeners.reader(),
        }
    }

    #[inline]
    fn read(handle: &mut CowReaders<'_>, name: &str) -> ReadResult {
        let port = handle.map.read().get(name).copied();
        notify(handle.listeners.read(), name, port)
    }

    fn publish(&self, entries: &[(String, u16)]) {
        self.0.publish(entries);
    }

    fn insert(&self, name: String, port: u16) -> Option<u16> {
        self.0.insert(name, port)
    }

    fn push_listener(&self, listener: Listener) {
        self.0.push_listener(listener);
    }

    fn pop_listener(&self) -> Option<Listener> {
        self.0.pop_listener()
    }
}

/// Generates a lock-based contender: `$read`/`$write` turn the lock `$l` into a guard.
macro_rules! lock_contender {
    (
        $name:ident, $label:literal, $lock:ident,
        read: |$l:ident| $read:expr, write: |$lw:ident| $write:expr $(,)?
    ) => {
        #[doc = concat!("`", $label, "<HashMap>` + `", $label, "<Vec<Listener>>`.")]
        pub(crate) struct $name {
            map: $lock<HashMap<String, u16>>,
            listeners: $lock<Vec<Listener>>,
        }

        impl Contender for $name {
            const NAME: &'static str = $label;
            type Handle<'a> = &'a Self;

            fn new(entries: &[(String, u16)], listeners: Vec<Listener>) -> Self {
                Self {
                    map: $lock::new(hash_map(entries)),
                    listeners: $lock::new(listeners),
                }
            }

            fn handle(&self) -> &Self {
                self
            }

            #[inline]
            fn read(this: &mut &Self, name: &str) -> ReadResult {
                let port = {
                    let $l = &this.map;
                    $read
                }
                .get(name)
                .copied();
                let listeners = {
                    let $l = &this.listeners;
                    $read
                };
                notify(&listeners, name, port)
            }

            fn publish(&self, entries: &[(String, u16)]) {
                // Build outside the lock; swap under it; drop the old map outside it.
                let map = hash_map(entries);
                let old = std::mem::replace(
                    &mut *{
                        let $lw = &self.map;
                        $write
                    },
                    map,
                );
                drop(old);
            }

            fn insert(&self, name: String, port: u16) -> Option<u16> {
                let $lw = &self.map;
                let mut map = $write;
                // A name already there keeps its stored key and `name` is not moved in:
                // it is dropped after the guard (parameters outlive locals), so nothing
                // is freed under the lock.
                if let Some(slot) = map.get_mut(name.as_str()) {
                    return Some(std::mem::replace(slot, port));
                }
                map.insert(name, port)
            }

            fn push_listener(&self, listener: Listener) {
                let $lw = &self.listeners;
                $write.push(listener);
            }

            fn pop_listener(&self) -> Option<Listener> {
                let $lw = &self.listeners;
                $write.pop()
            }
        }
    };
}

lock_contender!(
    StdRwLock,
    "std::sync::RwLock",
    RwLock,
    read: |l| l.read().unwrap_or_else(PoisonError::into_inner),
    write: |l| l.write().unwrap_or_else(PoisonError::into_inner),
);

type PlRwLock<T> = parking_lot::RwLock<T>;

lock_contender!(
    ParkingLotRwLock,
    "parking_lot::RwLock",
    PlRwLock,
    read: |l| l.read(),
    write: |l| l.write(),
);

lock_contender!(
    StdMutex,
    "std::sync::Mutex",
    Mutex,
    read: |l| l.lock().unwrap_or_else(PoisonError::into_inner),
    write: |l| l.lock().unwrap_or_else(PoisonError::into_inner),
);

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(entries: &[(&str, u16)]) -> Vec<(String, u16)> {
        entries.iter().map(|(n, p)| (n.to_string(), *p)).collect()
    }

    fn entries() -> Vec<(String, u16)> {
        owned(&[("ssh", 22), ("http", 80), ("www", 80), ("ssh", 2222)])
    }

    /// Every contender reads, publishes, sets a port and changes listeners the same way.
    fn behaves<C: Contender>() {
        let c = C::new(&entries(), (0..4).map(listener).collect());
        let mut handle = c.handle();
        let mut expect = |name: &str, port: Option<u16>, listeners: usize, why: &str| {
            let r = C::read(&mut handle, name);
            let what = format!("{}: {name}: {why}", C::NAME);
            assert_eq!((r.port, r.listeners), (port, listeners), "{what}");
        };
        expect("ssh", Some(22), 4, "the first occurrence wins");
        expect("gopher", None, 4, "not in the file");

        c.push_listener(listener(4));
        c.publish(&[("gopher".to_string(), 70)]);
        expect("gopher", Some(70), 5, "published");
        expect("ssh", None, 5, "the map is replaced whole");
        assert!(c.pop_listener().is_some());
        expect("gopher", Some(70), 4, "a listener popped");

        assert_eq!(c.insert("gopher".into(), 7070), Some(70), "{}", C::NAME);
        expect("gopher", Some(7070), 4, "one port changed, nothing else");
        assert_eq!(c.insert("finger".into(), 79), None, "{}", C::NAME);
        expect("finger", Some(79), 4, "a name added");
        expect("gopher", Some(7070), 4, "the other name kept");
    }

    #[test]
    fn every_map_keeps_the_first_occurrence_of_a_name() {
        let entries = owned(&[("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)]);
        let expected = owned(&[("a", 2), ("b", 1), ("c", 4)]);
        let sorted = |pairs: Vec<(&String, &u16)>| {
            let mut pairs: Vec<_> = pairs.into_iter().map(|(k, v)| (k.clone(), *v)).collect();
            pairs.sort();
            pairs
        };
        assert_eq!(sorted(index_map(&entries).iter().collect()), expected);
        assert_eq!(sorted(hash_map(&entries).iter().collect()), expected);
        assert_eq!(
            sorted(persistent_btree_map(&entries).iter().collect()),
            expected
        );
    }

    #[test]
    fn all_contenders_behave_alike() {
        behaves::<Cow>();
        behaves::<CowReader>();
        behaves::<CowBTree>();
        behaves::<StdRwLock>();
        behaves::<ParkingLotRwLock>();
        behaves::<StdMutex>();
    }
}
