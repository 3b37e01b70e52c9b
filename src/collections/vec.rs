//! [`CowVec`]: a copy-on-write vector, Java's `CopyOnWriteArrayList`.

use super::facade::{cow_facade, panics_doc, reentrant_doc};
use crate::CowCell;

/// A concurrent copy-on-write vector: Java's `CopyOnWriteArrayList` for Rust.
///
/// Reads are lock-free snapshots of an immutable `Vec<T>`; every write copies the
/// vector (O(n) element clones), changes the copy and publishes it in one atomic swap,
/// serialized with other writers by a mutex. Built for lists that are read far more
/// often than written: event listeners, subscribers, routing entries.
///
/// * Read one value: [`get`](Self::get), [`contains`](Self::contains),
///   [`len`](Self::len) (clone-free through [`read`](Self::read)).
/// * Iterate: `for x in list.snapshot().iter()` or `list.read().iter()`: the snapshot
///   cannot change while you iterate, and the compiler rejects mutating through it
///   (Java's `UnsupportedOperationException` on `iterator().remove()` becomes a compile
///   error). Java's `subList` is slicing a snapshot: `&snapshot[1..3]`.
/// * Write many changes at once with [`update`](Self::update) (one copy for all).
///
/// Index-based writes panic like `Vec`'s (the message names the call, the index and the
/// length) and leave the vector unchanged.
///
/// # Examples
///
/// ```
/// use cow_collections::CowVec;
/// use std::sync::Arc;
/// use std::thread;
///
/// let listeners = Arc::new(CowVec::new());
/// listeners.push("audit");
/// listeners.push("metrics");
///
/// let reader = {
///     let listeners = Arc::clone(&listeners);
///     thread::spawn(move || {
///         // A whole version: either both names, or both plus "cache".
///         let snapshot = listeners.snapshot();
///         assert!(snapshot.len() == 2 || snapshot.len() == 3);
///         snapshot.iter().count()
///     })
/// };
/// listeners.push("cache");
/// let seen = reader.join().unwrap();
/// assert!(seen >= 2);
/// assert_eq!(listeners.to_vec(), ["audit", "metrics", "cache"]);
/// ```
pub struct CowVec<T> {
    cell: CowCell<Vec<T>>,
}

cow_facade! {
    CowVec<T> => Vec<T>;
    example: "CowVec::from(vec![1, 2, 3])";
    change: "v.push(9)";
    copy: "one O(n) copy of every element";
    item: T where [T: Clone];
    borrowed: &'a T where [T: Copy + 'a] copied by |x: &T| *x;
    eq: <T> CowVec<T> => Vec<T>, CowVec<T> => Vec<T>;
}

/// The next version of a write that replaces `current[range]` with `insert`: one
/// exactly-sized allocation, each kept element cloned once, nothing shifted.
fn spliced<T: Clone, I>(current: &[T], range: core::ops::Range<usize>, insert: I) -> Vec<T>
where
    I: IntoIterator<Item = T, IntoIter: ExactSizeIterator>,
{
    let insert = insert.into_iter();
    let mut next = Vec::with_capacity(current.len() - range.len() + insert.len());
    next.extend_from_slice(&current[..range.start]);
    next.extend(insert);
    next.extend_from_slice(&current[range.end..]);
    next
}

#[cold]
#[track_caller]
fn index_panic(call: &str, relation: &str, index: usize, len: usize) -> ! {
    panic!("CowVec::{call}: index (is {index}) should be {relation} len (is {len})")
}

impl<T> CowVec<T> {
    /// An empty vector (version 0). Allocates one `Arc` (about 48 bytes), no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v: CowVec<u32> = CowVec::new();
    /// assert!(v.is_empty());
    /// ```
    pub fn new() -> Self {
        Self::from(Vec::new())
    }
}

impl<T: Clone> CowVec<T> {
    /// A clone of the element at `index`, or `None` if out of bounds. Lock-free, O(1)
    /// plus one `T::clone`; `list.read().get(i)` borrows instead of cloning.
    ///
    /// # Differences from Java
    ///
    /// Returns `None` where Java's `get` throws `IndexOutOfBoundsException`. Checking
    /// `len()` first and then calling `get` is two reads that a writer can come between;
    /// read both from one `snapshot()` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec!["a", "b"]);
    /// assert_eq!(v.get(1), Some("b"));
    /// assert_eq!(v.get(2), None);
    /// ```
    #[must_use]
    pub fn get(&self, index: usize) -> Option<T> {
        self.read().get(index).cloned()
    }

    /// A clone of the first element, or `None` if empty. Lock-free.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// assert_eq!(CowVec::from(vec![7, 8]).first(), Some(7));
    /// ```
    #[must_use]
    pub fn first(&self) -> Option<T> {
        self.read().first().cloned()
    }

    /// A clone of the last element, or `None` if empty. Lock-free.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// assert_eq!(CowVec::from(vec![7, 8]).last(), Some(8));
    /// ```
    #[must_use]
    pub fn last(&self) -> Option<T> {
        self.read().last().cloned()
    }

    /// The current contents as a new `Vec`: one O(n) copy. Lock-free.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// assert_eq!(CowVec::from(vec![1, 2]).to_vec(), vec![1, 2]);
    /// ```
    #[must_use]
    pub fn to_vec(&self) -> Vec<T> {
        self.read().to_vec()
    }

    /// Appends `value`. One O(n) copy into an exactly-sized new vector, one publish.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::new();
    /// v.push(1);
    /// v.push(2);
    /// assert_eq!(v.to_vec(), [1, 2]);
    /// ```
    pub fn push(&self, value: T) {
        self.cell.write_with("CowVec::push", |current| {
            let end = current.len();
            (Some(spliced(current, end..end, [value])), ())
        });
    }

    /// Removes the last element and returns it, or `None` (publishing nothing) if empty.
    /// One O(n) copy.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2]);
    /// assert_eq!(v.pop(), Some(2));
    /// assert_eq!(v.to_vec(), [1]);
    /// ```
    pub fn pop(&self) -> Option<T> {
        self.cell
            .write_with("CowVec::pop", |current| match current.split_last() {
                None => (None, None),
                Some((last, rest)) => (Some(rest.to_vec()), Some(last.clone())),
            })
    }

    /// Inserts `value` at `index`, shifting later elements right. One O(n) copy.
    ///
    /// # Panics
    ///
    /// If `index > len`, with the index and length in the message; nothing changes.
    ///
    #[doc = reentrant_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 3]);
    /// v.insert(1, 2);
    /// assert_eq!(v.to_vec(), [1, 2, 3]);
    /// ```
    pub fn insert(&self, index: usize, value: T) {
        self.cell.write_with("CowVec::insert", |current| {
            if index > current.len() {
                index_panic("insert", "<=", index, current.len());
            }
            (Some(spliced(current, index..index, [value])), ())
        });
    }

    /// Inserts all of `values` at `index`, in order. The iterator is consumed before the
    /// lock is taken; then one O(n + m) copy and one publish (none if `values` is
    /// empty; the index is checked either way). Java's `addAll(int, ..)`.
    ///
    /// # Panics
    ///
    /// If `index > len`, with the index and length in the message; nothing changes.
    ///
    #[doc = reentrant_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 4]);
    /// v.insert_all(1, [2, 3]);
    /// assert_eq!(v.to_vec(), [1, 2, 3, 4]);
    /// ```
    pub fn insert_all(&self, index: usize, values: impl IntoIterator<Item = T>) {
        let values: Vec<T> = values.into_iter().collect();
        self.cell.write_with("CowVec::insert_all", |current| {
            if index > current.len() {
                index_panic("insert_all", "<=", index, current.len());
            }
            if values.is_empty() {
                return (None, ());
            }
            (Some(spliced(current, index..index, values)), ())
        });
    }

    /// Replaces the element at `index` with `value` and returns the old element. One O(n)
    /// copy. Java's `set(int, E)`; std's `slice[index] = value` (returning the old one).
    ///
    /// # Panics
    ///
    /// If `index >= len`, with the index and length in the message; nothing changes.
    ///
    #[doc = reentrant_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec!["a", "b"]);
    /// assert_eq!(v.set(1, "z"), "b");
    /// assert_eq!(v.to_vec(), ["a", "z"]);
    /// ```
    pub fn set(&self, index: usize, value: T) -> T {
        self.cell.write_with("CowVec::set", |current| {
            if index >= current.len() {
                index_panic("set", "<", index, current.len());
            }
            let mut next = current.to_vec();
            let old = core::mem::replace(&mut next[index], value);
            (Some(next), old)
        })
    }

    /// Removes and returns the element at `index`, shifting later elements left. One
    /// O(n) copy.
    ///
    /// # Panics
    ///
    /// If `index >= len`, with the index and length in the message; nothing changes.
    ///
    #[doc = reentrant_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2, 3]);
    /// assert_eq!(v.remove(0), 1);
    /// assert_eq!(v.to_vec(), [2, 3]);
    /// ```
    pub fn remove(&self, index: usize) -> T {
        self.cell.write_with("CowVec::remove", |current| {
            if index >= current.len() {
                index_panic("remove", "<", index, current.len());
            }
            let next = spliced(current, index..index + 1, []);
            (Some(next), current[index].clone())
        })
    }

    /// Keeps only the elements for which `keep` returns `true`, in order. `keep` runs on
    /// the current version's elements; only kept ones are cloned. Publishes nothing if
    /// every element is kept. Java's `removeIf` with the predicate negated.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2, 3, 4]);
    /// v.retain(|x| x % 2 == 0);
    /// assert_eq!(v.to_vec(), [2, 4]);
    /// ```
    pub fn retain(&self, mut keep: impl FnMut(&T) -> bool) {
        self.cell.write_with("CowVec::retain", |current| {
            let next: Vec<T> = current.iter().filter(|x| keep(x)).cloned().collect();
            let changed = next.len() != current.len();
            (changed.then_some(next), ())
        });
    }

    /// Shortens the vector to `len` elements; publishes nothing if it is not longer.
    /// One O(len) copy.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2, 3]);
    /// v.truncate(1);
    /// assert_eq!(v.to_vec(), [1]);
    /// ```
    pub fn truncate(&self, len: usize) {
        self.cell.write_with("CowVec::truncate", |current| {
            let next = (len < current.len()).then(|| current[..len].to_vec());
            (next, ())
        });
    }

    /// Sorts the vector (stable). One O(n) copy plus O(n log n) comparisons; if `Ord`
    /// panics, nothing is published.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![3, 1, 2]);
    /// v.sort();
    /// assert_eq!(v.to_vec(), [1, 2, 3]);
    /// ```
    pub fn sort(&self)
    where
        T: Ord,
    {
        self.sort_with("CowVec::sort", T::cmp);
    }

    /// Sorts the vector with a comparator (stable). One O(n) copy; if `compare` panics,
    /// nothing is published. Java's `sort(Comparator)`.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 3, 2]);
    /// v.sort_by(|a, b| b.cmp(a));
    /// assert_eq!(v.to_vec(), [3, 2, 1]);
    /// ```
    pub fn sort_by(&self, compare: impl FnMut(&T, &T) -> core::cmp::Ordering) {
        self.sort_with("CowVec::sort_by", compare);
    }

    /// `sort` and `sort_by`, with the caller's name for the re-entrancy message.
    fn sort_with(&self, call: &'static str, compare: impl FnMut(&T, &T) -> core::cmp::Ordering) {
        self.cell.write_with(call, |current| {
            let mut next = current.to_vec();
            next.sort_by(compare);
            (Some(next), ())
        });
    }

    /// Sorts the vector by a key (stable). One O(n) copy; if `key` panics, nothing is
    /// published.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec!["ccc", "a", "bb"]);
    /// v.sort_by_key(|s| s.len());
    /// assert_eq!(v.to_vec(), ["a", "bb", "ccc"]);
    /// ```
    pub fn sort_by_key<K: Ord>(&self, key: impl FnMut(&T) -> K) {
        self.cell.write_with("CowVec::sort_by_key", |current| {
            let mut next = current.to_vec();
            next.sort_by_key(key);
            (Some(next), ())
        });
    }

    /// Appends every element of `values`, in order. The iterator is consumed before the
    /// lock is taken; then one O(n + m) copy and one publish (none if `values` is empty).
    /// Java's `addAll`.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1]);
    /// v.extend([2, 3]);
    /// assert_eq!(v.to_vec(), [1, 2, 3]);
    /// assert_eq!(v.version(), 1);
    /// ```
    pub fn extend(&self, values: impl IntoIterator<Item = T>) {
        let values: Vec<T> = values.into_iter().collect();
        if values.is_empty() {
            return;
        }
        self.cell.write_with("CowVec::extend", |current| {
            let end = current.len();
            (Some(spliced(current, end..end, values)), ())
        });
    }

    /// Removes every element; publishes nothing if already empty. O(1) plus dropping the
    /// old version once no snapshot holds it.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2]);
    /// v.clear();
    /// assert!(v.is_empty());
    /// ```
    pub fn clear(&self) {
        self.cell.write_with("CowVec::clear", |current| {
            ((!current.is_empty()).then(Vec::new), ())
        });
    }
}

impl<T: PartialEq> CowVec<T> {
    /// Whether the current version contains `value`. Lock-free, O(n) comparisons.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// assert!(CowVec::from(vec![1, 2]).contains(&2));
    /// ```
    #[must_use]
    pub fn contains(&self, value: &T) -> bool {
        self.read().contains(value)
    }

    /// The index of the first element equal to `value`. Lock-free, O(n).
    ///
    /// # Differences from Java
    ///
    /// Returns `None` where Java's `indexOf` returns -1.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec!['a', 'b', 'a']);
    /// assert_eq!(v.index_of(&'a'), Some(0));
    /// assert_eq!(v.index_of(&'z'), None);
    /// ```
    #[must_use]
    pub fn index_of(&self, value: &T) -> Option<usize> {
        self.read().iter().position(|x| x == value)
    }

    /// The index of the last element equal to `value`. Lock-free, O(n).
    ///
    /// # Differences from Java
    ///
    /// Returns `None` where Java's `lastIndexOf` returns -1.
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec!['a', 'b', 'a']);
    /// assert_eq!(v.last_index_of(&'a'), Some(2));
    /// ```
    #[must_use]
    pub fn last_index_of(&self, value: &T) -> Option<usize> {
        self.read().iter().rposition(|x| x == value)
    }
}

impl<T: Clone + PartialEq> CowVec<T> {
    /// Removes the first element equal to `value`; returns whether one was found. No
    /// copy and no publish when absent; otherwise one O(n) copy. Java's `remove(Object)`.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2, 1]);
    /// assert!(v.remove_item(&1));
    /// assert_eq!(v.to_vec(), [2, 1]);
    /// assert!(!v.remove_item(&5));
    /// ```
    pub fn remove_item(&self, value: &T) -> bool {
        self.cell.write_with("CowVec::remove_item", |current| {
            match current.iter().position(|x| x == value) {
                None => (None, false),
                Some(index) => (Some(spliced(current, index..index + 1, [])), true),
            }
        })
    }

    /// Appends `value` unless an equal element is present; returns whether it was added.
    /// The check and the append are one atomic step. No copy when present; otherwise
    /// one O(n) copy. Java's `addIfAbsent`.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1]);
    /// assert!(v.push_if_absent(2));
    /// assert!(!v.push_if_absent(1));
    /// assert_eq!(v.to_vec(), [1, 2]);
    /// ```
    pub fn push_if_absent(&self, value: T) -> bool {
        self.cell.write_with("CowVec::push_if_absent", |current| {
            if current.contains(&value) {
                return (None, false);
            }
            let end = current.len();
            (Some(spliced(current, end..end, [value])), true)
        })
    }

    /// Appends, in order, each element of `values` that is neither present nor repeated
    /// earlier in `values`; returns how many were added. One atomic step: one O(n) copy,
    /// O((n + m) * m) comparisons, no publish if nothing is added. Java's `addAllAbsent`.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 2]);
    /// assert_eq!(v.extend_if_absent([2, 3, 3, 4]), 2);
    /// assert_eq!(v.to_vec(), [1, 2, 3, 4]);
    /// ```
    pub fn extend_if_absent(&self, values: impl IntoIterator<Item = T>) -> usize {
        let values: Vec<T> = values.into_iter().collect();
        self.cell.write_with("CowVec::extend_if_absent", |current| {
            let mut added: Vec<T> = Vec::new();
            for value in values {
                if !current.contains(&value) && !added.contains(&value) {
                    added.push(value);
                }
            }
            if added.is_empty() {
                return (None, 0);
            }
            let (count, end) = (added.len(), current.len());
            (Some(spliced(current, end..end, added)), count)
        })
    }

    /// Removes consecutive repeated elements. One O(n) copy; publishes nothing if there
    /// were none.
    ///
    #[doc = panics_doc!()]
    ///
    /// # Examples
    ///
    /// ```
    /// use cow_collections::CowVec;
    ///
    /// let v = CowVec::from(vec![1, 1, 2, 2, 1]);
    /// v.dedup();
    /// assert_eq!(v.to_vec(), [1, 2, 1]);
    /// ```
    pub fn dedup(&self) {
        self.cell.write_with("CowVec::dedup", |current| {
            let mut next = current.to_vec();
            next.dedup();
            let changed = next.len() != current.len();
            (changed.then_some(next), ())
        });
    }
}

impl<T: Clone> From<&[T]> for CowVec<T> {
    fn from(slice: &[T]) -> Self {
        Self::from(slice.to_vec())
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for CowVec<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        *self.read() == *other
    }
}

impl<T: PartialEq> PartialEq<[T]> for CowVec<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.read()[..] == *other
    }
}
