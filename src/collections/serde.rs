//! Serde support (feature `serde`): every type serializes exactly as the container it
//! wraps, so the wire format is the one people already have.
//!
//! * [`CowVec<T>`](crate::CowVec) is a sequence (as `Vec<T>`), [`CowSet`](crate::CowSet)
//!   a sequence (as `IndexSet`, in insertion order), [`CowMap`](crate::CowMap) a map (as
//!   `IndexMap`, in insertion order), [`CowCell<T>`](crate::CowCell),
//!   [`Snapshot<T>`](crate::Snapshot) and [`ReadGuard`](crate::ReadGuard) as `T`.
//! * [`PersistentBTreeMap`](crate::PersistentBTreeMap) and
//!   [`CowBTreeMap`](crate::CowBTreeMap) are maps, [`PersistentBTreeSet`](crate::PersistentBTreeSet)
//!   and [`CowBTreeSet`](crate::CowBTreeSet) sequences, in key order, exactly as std's
//!   `BTreeMap` and `BTreeSet` (deserialized through them: a repeated key keeps its last
//!   value, and the tree is then built bottom-up in O(n)).
//! * Serializing a collection or a cell reads the current version once and writes that
//!   one version: a concurrent write is either all in the output or not at all.
//! * Version numbers are not part of the format. A deserialized collection, cell or
//!   snapshot starts at version 0.
//!
//! ```
//! use cow_collections::CowMap;
//!
//! let ports = CowMap::from([("http".to_string(), 80u16), ("ssh".to_string(), 22)]);
//! let json = serde_json::to_string(&ports).unwrap();
//! assert_eq!(json, r#"{"http":80,"ssh":22}"#);
//! let back: CowMap<String, u16> = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, ports);
//! assert_eq!(back.version(), 0);
//! ```

use core::hash::{BuildHasher, Hash};

use ::serde::{Deserialize, Deserializer, Serialize, Serializer};
use indexmap::{IndexMap, IndexSet};
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    CowBTreeMap, CowBTreeSet, CowCell, CowMap, CowSet, CowVec, PersistentBTreeMap,
    PersistentBTreeSet, ReadGuard, Snapshot,
};

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for CowCell<T> {
    /// Serializes the current value as `T` (one consistent version).
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Deserialize<'de>> Deserialize<'de> for CowCell<T> {
    /// Deserializes a `T` and makes it version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(CowCell::new)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for Snapshot<T> {
    /// Serializes the snapshot's value as `T`; the version number is not written.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (**self).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Deserialize<'de>> Deserialize<'de> for Snapshot<T> {
    /// Deserializes a `T` into a snapshot of version 0 that belongs to no collection.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Snapshot::from)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for ReadGuard<'_, T> {
    /// Serializes the guarded value as `T`.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (**self).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for CowVec<T> {
    /// Serializes the current version as a sequence, as `Vec<T>` does.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Deserialize<'de>> Deserialize<'de> for CowVec<T> {
    /// Deserializes a sequence, as `Vec<T>` does, into version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(CowVec::from)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize, S> Serialize for CowSet<T, S> {
    /// Serializes the current version as a sequence in insertion order, as `IndexSet`
    /// does.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T, S> Deserialize<'de> for CowSet<T, S>
where
    T: Deserialize<'de> + Hash + Eq,
    S: BuildHasher + Default,
{
    /// Deserializes a sequence, as `IndexSet` does (a repeated element is kept once),
    /// into version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IndexSet::deserialize(deserializer).map(CowSet::from)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<K: Serialize, V: Serialize, S> Serialize for CowMap<K, V, S> {
    /// Serializes the current version as a map in insertion order, as `IndexMap` does.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, K, V, S> Deserialize<'de> for CowMap<K, V, S>
where
    K: Deserialize<'de> + Hash + Eq,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    /// Deserializes a map, as `IndexMap` does (a repeated key keeps its last value),
    /// into version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        IndexMap::deserialize(deserializer).map(CowMap::from)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<K: Serialize, V: Serialize> Serialize for PersistentBTreeMap<K, V> {
    /// Serializes the entries as a map in key order, as `BTreeMap` does.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_map(self)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, K, V> Deserialize<'de> for PersistentBTreeMap<K, V>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de> + Clone,
{
    /// Deserializes a map as `BTreeMap` does (a repeated key keeps its last value), then
    /// builds the tree from the sorted entries in O(n).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(|map| map.into_iter().collect())
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for PersistentBTreeSet<T> {
    /// Serializes the elements as a sequence in order, as `BTreeSet` does.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        serializer.collect_seq(self)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Deserialize<'de> + Ord + Clone> Deserialize<'de> for PersistentBTreeSet<T> {
    /// Deserializes a sequence as `BTreeSet` does (a repeated element is kept once),
    /// then builds the tree from the sorted elements in O(n).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeSet::deserialize(deserializer).map(|set| set.into_iter().collect())
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<K: Serialize, V: Serialize> Serialize for CowBTreeMap<K, V> {
    /// Serializes the current version as a map in key order.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, K, V> Deserialize<'de> for CowBTreeMap<K, V>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de> + Clone,
{
    /// Deserializes a map, as `BTreeMap` does, into version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        PersistentBTreeMap::deserialize(deserializer).map(CowBTreeMap::from)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for CowBTreeSet<T> {
    /// Serializes the current version as a sequence in order.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (*self.read()).serialize(serializer)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<'de, T: Deserialize<'de> + Ord + Clone> Deserialize<'de> for CowBTreeSet<T> {
    /// Deserializes a sequence, as `BTreeSet` does, into version 0.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        PersistentBTreeSet::deserialize(deserializer).map(CowBTreeSet::from)
    }
}
