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

use ::serde::{Deserialize, Deserializer, Serialize, Serializer};
use indexmap::{IndexMap, IndexSet};
use std::collections::{BTreeMap, BTreeSet};

use crate::{
    CowBTreeMap, CowBTreeSet, CowCell, CowMap, CowSet, CowVec, PersistentBTreeMap,
    PersistentBTreeSet, ReadAs, ReadGuard, Snapshot,
};

/// `Serialize` and `Deserialize` for a type that reads as its inner value ([`ReadAs`])
/// and is built from it (`From`): the format is the inner value's.
macro_rules! serde_as_inner {
    ($($ty:ident<$($param:ident),*> => $inner:ty;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<$($param),*> Serialize for $ty<$($param),*>
        where
            $inner: Serialize,
        {
            #[doc = concat!("Serializes the current version as `", stringify!($inner),
                "` does: one consistent version; the version number is not written.")]
            fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
                self.read_as(|inner: &$inner| inner.serialize(serializer))
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
        impl<'de, $($param),*> Deserialize<'de> for $ty<$($param),*>
        where
            $inner: Deserialize<'de>,
        {
            #[doc = concat!("Deserializes as `", stringify!($inner), "` does, into version 0.")]
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$inner>::deserialize(deserializer).map(Self::from)
            }
        }
    )*};
}

serde_as_inner! {
    CowCell<T> => T;
    Snapshot<T> => T;
    CowVec<T> => Vec<T>;
    CowSet<T, S> => IndexSet<T, S>;
    CowMap<K, V, S> => IndexMap<K, V, S>;
    CowBTreeSet<T> => PersistentBTreeSet<T>;
    CowBTreeMap<K, V> => PersistentBTreeMap<K, V>;
}

#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
impl<T: Serialize> Serialize for ReadGuard<'_, T> {
    /// Serializes the guarded value as `T`.
    fn serialize<Ser: Serializer>(&self, serializer: Ser) -> Result<Ser::Ok, Ser::Error> {
        (**self).serialize(serializer)
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
