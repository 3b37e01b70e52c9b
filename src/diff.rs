//! The items of a diff between two versions of a collection: [`DiffItem`] for maps,
//! [`SetDiffItem`] for sets, [`VecEdit`] for vectors (an edit script).
//!
//! A diff is read as "what to do to the older version to get the newer one", the way
//! `older.diff(&newer)` is called: an entry the newer version has and the older one
//! lacks is [`Added`](DiffItem::Added), one the older version has and the newer lacks is
//! [`Removed`](DiffItem::Removed), and a key both have with values that differ (`!=`) is
//! [`Changed`](DiffItem::Changed). Every item borrows from the two versions; nothing is
//! cloned.
//!
//! The names are those of change feeds and structural diffs elsewhere: imbl's
//! `OrdMap::diff` (`Add`, `Update`, `Remove`), Clojure's `clojure.data/diff`, Git's
//! tree diff (added, deleted, modified).

use std::fmt;

/// One difference between two versions of a map: an entry added, an entry removed, or
/// a key whose value changed. Yielded by `older.diff(&newer)`.
///
/// The references point into the two versions: `Added` and the `new` value of
/// `Changed` into the newer one, `Removed` and the `old` value into the older one. The
/// item is `Copy` whatever `K` and `V` are.
///
/// # Examples
///
/// ```
/// use cow_collections::{DiffItem, PersistentBTreeMap};
///
/// let v1 = PersistentBTreeMap::from([("api", 8080), ("db", 5432)]);
/// let mut v2 = v1.clone();
/// v2.insert("api", 8081);
/// v2.insert("cache", 6379);
/// v2.remove("db");
///
/// let changes: Vec<_> = v1.diff(&v2).collect();
/// assert_eq!(
///     changes,
///     [
///         DiffItem::Changed { key: &"api", old: &8080, new: &8081 },
///         DiffItem::Added(&"cache", &6379),
///         DiffItem::Removed(&"db", &5432),
///     ]
/// );
/// for change in &changes {
///     match change {
///         DiffItem::Added(key, value) => println!("+ {key} = {value}"),
///         DiffItem::Removed(key, value) => println!("- {key} = {value}"),
///         DiffItem::Changed { key, old, new } => println!("~ {key}: {old} -> {new}"),
///     }
/// }
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum DiffItem<'a, K, V> {
    /// An entry of the newer version whose key the older version does not have.
    Added(&'a K, &'a V),
    /// An entry of the older version whose key the newer version does not have.
    Removed(&'a K, &'a V),
    /// A key in both versions, with values that are not equal (`old != new`).
    Changed {
        /// The key (the newer version's).
        key: &'a K,
        /// The value in the older version.
        old: &'a V,
        /// The value in the newer version.
        new: &'a V,
    },
}

// Written out rather than derived: a derive would require `K: Clone` and `V: Clone`,
// and the item holds only references.
impl<K, V> Clone for DiffItem<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for DiffItem<'_, K, V> {}

impl<'a, K, V> DiffItem<'a, K, V> {
    /// The key the item is about, whatever its kind. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{DiffItem, PersistentBTreeMap};
    ///
    /// let v1 = PersistentBTreeMap::from([(1, "a"), (2, "b")]);
    /// let v2 = PersistentBTreeMap::from([(2, "B"), (3, "c")]);
    /// let keys: Vec<i32> = v1.diff(&v2).map(|item| *item.key()).collect();
    /// assert_eq!(keys, [1, 2, 3]);
    /// assert_eq!(DiffItem::Added(&7, &"x").key(), &7);
    /// ```
    #[must_use]
    pub fn key(&self) -> &'a K {
        match *self {
            DiffItem::Added(key, _) | DiffItem::Removed(key, _) => key,
            DiffItem::Changed { key, .. } => key,
        }
    }

    /// The value in the older version: `None` for [`Added`](DiffItem::Added). O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::DiffItem;
    ///
    /// assert_eq!(DiffItem::Added(&1, &"a").old_value(), None);
    /// assert_eq!(DiffItem::Removed(&1, &"a").old_value(), Some(&"a"));
    /// assert_eq!(DiffItem::Changed { key: &1, old: &"a", new: &"b" }.old_value(), Some(&"a"));
    /// ```
    #[must_use]
    pub fn old_value(&self) -> Option<&'a V> {
        match *self {
            DiffItem::Added(..) => None,
            DiffItem::Removed(_, value) => Some(value),
            DiffItem::Changed { old, .. } => Some(old),
        }
    }

    /// The value in the newer version: `None` for [`Removed`](DiffItem::Removed). O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::DiffItem;
    ///
    /// assert_eq!(DiffItem::Added(&1, &"a").new_value(), Some(&"a"));
    /// assert_eq!(DiffItem::Removed(&1, &"a").new_value(), None);
    /// assert_eq!(DiffItem::Changed { key: &1, old: &"a", new: &"b" }.new_value(), Some(&"b"));
    /// ```
    #[must_use]
    pub fn new_value(&self) -> Option<&'a V> {
        match *self {
            DiffItem::Added(_, value) => Some(value),
            DiffItem::Removed(..) => None,
            DiffItem::Changed { new, .. } => Some(new),
        }
    }
}

/// One difference between two versions of a set: an element added or an element
/// removed. Yielded by `older.diff(&newer)`.
///
/// The reference points into the newer version for `Added` and into the older one for
/// `Removed`. The item is `Copy` whatever `T` is.
///
/// # Examples
///
/// ```
/// use cow_collections::{PersistentBTreeSet, SetDiffItem};
///
/// let v1 = PersistentBTreeSet::from(["10.0.0.1", "10.0.0.2"]);
/// let mut v2 = v1.clone();
/// v2.remove("10.0.0.1");
/// v2.insert("10.0.0.3");
///
/// let changes: Vec<_> = v1.diff(&v2).collect();
/// assert_eq!(
///     changes,
///     [SetDiffItem::Removed(&"10.0.0.1"), SetDiffItem::Added(&"10.0.0.3")]
/// );
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum SetDiffItem<'a, T> {
    /// An element of the newer version that the older version does not have.
    Added(&'a T),
    /// An element of the older version that the newer version does not have.
    Removed(&'a T),
}

impl<T> Clone for SetDiffItem<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for SetDiffItem<'_, T> {}

impl<'a, T> SetDiffItem<'a, T> {
    /// The element the item is about, whatever its kind. O(1).
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::{PersistentBTreeSet, SetDiffItem};
    ///
    /// let v1 = PersistentBTreeSet::from([1, 2]);
    /// let v2 = PersistentBTreeSet::from([2, 3]);
    /// let touched: Vec<i32> = v1.diff(&v2).map(|item| *item.value()).collect();
    /// assert_eq!(touched, [1, 3]);
    /// assert_eq!(SetDiffItem::Removed(&1).value(), &1);
    /// ```
    #[must_use]
    pub fn value(&self) -> &'a T {
        match *self {
            SetDiffItem::Added(value) | SetDiffItem::Removed(value) => value,
        }
    }
}

impl<K: fmt::Display, V: fmt::Display> fmt::Display for DiffItem<'_, K, V> {
    /// `+ key: value`, `- key: value` or `~ key: old -> new`: one line of a change
    /// log.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::DiffItem;
    ///
    /// assert_eq!(DiffItem::Added(&"port", &8080).to_string(), "+ port: 8080");
    /// assert_eq!(DiffItem::Removed(&"port", &8080).to_string(), "- port: 8080");
    /// let changed = DiffItem::Changed { key: &"port", old: &8080, new: &8081 };
    /// assert_eq!(changed.to_string(), "~ port: 8080 -> 8081");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiffItem::Added(key, value) => write!(f, "+ {key}: {value}"),
            DiffItem::Removed(key, value) => write!(f, "- {key}: {value}"),
            DiffItem::Changed { key, old, new } => write!(f, "~ {key}: {old} -> {new}"),
        }
    }
}

impl<T: fmt::Display> fmt::Display for SetDiffItem<'_, T> {
    /// `+ value` or `- value`: one line of a change log.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::SetDiffItem;
    ///
    /// assert_eq!(SetDiffItem::Added(&"10.0.0.3").to_string(), "+ 10.0.0.3");
    /// assert_eq!(SetDiffItem::Removed(&"10.0.0.1").to_string(), "- 10.0.0.1");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetDiffItem::Added(value) => write!(f, "+ {value}"),
            SetDiffItem::Removed(value) => write!(f, "- {value}"),
        }
    }
}

/// One step of the edit script between two versions of a [`CowVec`](crate::CowVec):
/// a run of elements removed or inserted. Made by `older.diff(&newer)` on a
/// `Snapshot<Vec<T>>` (and [`Changes::diff`](crate::Changes)).
///
/// Both indices of every step are given. Applied in order to a copy of the older
/// version, each step at its `new_index` (a [`Removed`](VecEdit::Removed) run is
/// drained there, an [`Inserted`](VecEdit::Inserted) run spliced in there), the script
/// turns it into the newer version: before each step, the copy's first `new_index`
/// elements already are the newer version's, and the rest is the older version's from
/// `old_index` on. A replaced run is a `Removed` step followed by an `Inserted` one at
/// the same indices.
///
/// # Examples
///
/// ```
/// use cow_collections::{CowVec, VecEdit};
///
/// let v1 = vec!["a", "b", "c", "d"];
/// let v2 = vec!["a", "x", "c", "d", "e"];
/// let list = CowVec::from(v1.clone());
/// let older = list.snapshot();
/// list.store(v2.clone());
/// let newer = list.snapshot();
/// let script = older.diff(&newer);
/// assert_eq!(
///     script,
///     [
///         VecEdit::Removed { old_index: 1, new_index: 1, elements: &["b"][..] },
///         VecEdit::Inserted { old_index: 2, new_index: 1, elements: &["x"][..] },
///         VecEdit::Inserted { old_index: 4, new_index: 4, elements: &["e"][..] },
///     ]
/// );
/// let mut copy = v1;
/// for edit in &script {
///     match *edit {
///         VecEdit::Removed { new_index, elements, .. } => {
///             copy.drain(new_index..new_index + elements.len());
///         }
///         VecEdit::Inserted { new_index, elements, .. } => {
///             copy.splice(new_index..new_index, elements.iter().copied());
///         }
///     }
/// }
/// assert_eq!(copy, v2);
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum VecEdit<'a, T> {
    /// A run of the older version's elements that the newer version does not have.
    Removed {
        /// Where the run starts in the older version.
        old_index: usize,
        /// Where it would start in the newer version: where to remove it when the
        /// script is applied in order.
        new_index: usize,
        /// The run (borrowed from the older version).
        elements: &'a [T],
    },
    /// A run of the newer version's elements that the older version does not have.
    Inserted {
        /// Where it goes in the older version (before the element at `old_index`).
        old_index: usize,
        /// Where the run starts in the newer version.
        new_index: usize,
        /// The run (borrowed from the newer version).
        elements: &'a [T],
    },
}

impl<T> Clone for VecEdit<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for VecEdit<'_, T> {}
