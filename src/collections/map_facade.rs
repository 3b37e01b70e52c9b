//! The API both maps share (`CowMap`, `CowBTreeMap`), Java's `ConcurrentMap` included:
//! one macro, so that each method and its docs are written once. The bodies are one
//! call each into the shared operations (`ops.rs`).

/// The maps' shared API (the key and value parameters are named `K` and `V`):
///
/// ```text
/// map_facade! {
///     CowMap<K, V, S> => IndexMap<K, V, S>;
///     read: [K: Hash + Eq, S: BuildHasher];                           // the reads' bounds
///     write: [K: Clone + Hash + Eq, V: Clone, S: BuildHasher + Clone];  // the writes'
///     lookup: [Q: ?Sized + Hash + Equivalent<K>];                     // a borrowed key `Q`
///     order: "insertion order", "a new key goes last, ...";          // iteration order
///     costs: lookup "O(1) expected", end "O(1)", copy "one O(n) copy",
///         retain "...", extend "...";
///     ends: first "`firstEntry`", last "`lastEntry`";  // the end reads, Java's names
///     pops: [pop => pop_last, "the last entry in insertion order", "`pollLastEntry`",
///         "(3, 'c')";];
/// }
/// ```
macro_rules! map_facade {
    (
        $name:ident<$($param:ident),*> => $inner:ty;
        read: [$($read:tt)*];
        write: [$($write:tt)*];
        lookup: [$($lookup:tt)*];
        order: $order:literal, $placement:literal;
        costs: lookup $lookup_cost:literal, end $end_cost:literal, copy $copy:literal,
            retain $retain_cost:literal, extend $extend_cost:literal;
        ends: $first:ident $first_java:literal, $last:ident $last_java:literal;
        pops: [$($pop:ident => $op:ident, $which:literal, $pop_java:literal, $popped:literal;)*];
    ) => {
        impl<$($param),*> $name<$($param),*>
        where
            $($read)*
        {
            #[doc = concat!("A clone of the value for `key`, or `None`. Lock-free, ",
                $lookup_cost, " plus one `V::clone`; `map.read().get(key)` borrows instead. \
                Java's `get`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(\"a\".to_string(), 1)]);")]
            /// assert_eq!(m.get("a"), Some(1)); // borrowed lookups work
            /// assert_eq!(m.get("b"), None);
            /// ```
            #[must_use]
            pub fn get<Q>(&self, key: &Q) -> Option<V>
            where
                $($lookup)*,
                V: Clone,
            {
                $crate::collections::ops::get(&self.cell, key)
            }

            #[doc = concat!("Whether the current version has an entry for `key`. Lock-free, ",
                $lookup_cost, ". Java's `containsKey`.")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 'x')]);")]
            /// assert!(m.contains_key(&1));
            /// assert!(!m.contains_key(&2));
            /// ```
            #[must_use]
            pub fn contains_key<Q>(&self, key: &Q) -> bool
            where
                $($lookup)*
            {
                $crate::collections::ops::contains_key(&self.cell, key)
            }
        }

        impl<$($param),*> $name<$($param),*>
        where
            $($write)*
        {
            #[doc = concat!("Clones of the first entry in ", $order, ", or `None` if empty. \
                Lock-free, ", $end_cost, " plus the clones. Java's ", $first_java, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 'a'), (2, 'b')]);")]
            #[doc = concat!("assert_eq!(m.", stringify!($first), "(), Some((1, 'a')));")]
            /// ```
            #[must_use]
            pub fn $first(&self) -> Option<(K, V)> {
                $crate::collections::ops::end(&self.cell, false)
            }

            #[doc = concat!("Clones of the last entry in ", $order, ", or `None` if empty. \
                Lock-free, ", $end_cost, " plus the clones. Java's ", $last_java, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 'a'), (2, 'b')]);")]
            #[doc = concat!("assert_eq!(m.", stringify!($last), "(), Some((2, 'b')));")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8, u8>::new().",
                stringify!($last), "(), None);")]
            /// ```
            #[must_use]
            pub fn $last(&self) -> Option<(K, V)> {
                $crate::collections::ops::end(&self.cell, true)
            }

            /// Inserts or overwrites the entry for `key`; returns the previous value.
            #[doc = concat!("Costs ", $copy, " and one publish; ", $placement, ". Java's `put`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::new();")]
            /// assert_eq!(m.insert("k", 1), None);
            /// assert_eq!(m.insert("k", 2), Some(1));
            /// assert_eq!(m.version(), 2);
            /// ```
            pub fn insert(&self, key: K, value: V) -> Option<V> {
                $crate::collections::ops::map_insert(
                    &self.cell,
                    concat!(stringify!($name), "::insert"),
                    key,
                    value,
                )
            }

            /// Removes the entry for `key`; returns its value. No copy when the key is
            #[doc = concat!("absent; otherwise ", $copy, "; the other entries keep their \
                order. Java's `remove(Object)`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 'a'), (2, 'b'), (3, 'c')]);")]
            /// assert_eq!(m.remove(&2), Some('b'));
            /// assert_eq!(m.remove(&2), None);
            /// assert_eq!(m.read().keys().copied().collect::<Vec<_>>(), [1, 3]);
            /// assert_eq!(m.version(), 1);
            /// ```
            pub fn remove<Q>(&self, key: &Q) -> Option<V>
            where
                $($lookup)*
            {
                $crate::collections::ops::remove(
                    &self.cell,
                    concat!(stringify!($name), "::remove"),
                    key,
                    |(_, value)| value,
                )
            }

            /// Removes the entry for `key`; returns the stored key and its value. As
            #[doc = concat!("[`remove`](Self::remove): ", $copy, " when present. std's \
                `remove_entry` (Java's `remove(Object)` returns the value only).")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(\"a\".to_string(), 1)]);")]
            /// assert_eq!(m.remove_entry("a"), Some(("a".to_string(), 1)));
            /// assert_eq!(m.remove_entry("a"), None);
            /// assert!(m.is_empty());
            /// ```
            pub fn remove_entry<Q>(&self, key: &Q) -> Option<(K, V)>
            where
                $($lookup)*
            {
                $crate::collections::ops::remove(
                    &self.cell,
                    concat!(stringify!($name), "::remove_entry"),
                    key,
                    core::convert::identity,
                )
            }

            /// Keeps only the entries for which `keep` returns `true`. `keep` runs once per
            #[doc = concat!("entry, in ", $order, ", on the current version; publishes \
                nothing if every entry is kept. Otherwise ", $retain_cost,
                ". Java's `entrySet().removeIf`, negated.")]
            ///
            /// # Differences from std
            ///
            /// `keep` gets `&V`, not `&mut V`: published values are immutable. Change
            /// values with [`update`](Self::update).
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 10), (2, 20), (3, 30)]);")]
            /// m.retain(|k, v| k % 2 == 1 && *v > 10);
            /// assert_eq!(m.read().keys().copied().collect::<Vec<_>>(), [3]);
            /// ```
            pub fn retain(&self, keep: impl FnMut(&K, &V) -> bool) {
                $crate::collections::ops::map_retain(
                    &self.cell,
                    concat!(stringify!($name), "::retain"),
                    keep,
                );
            }

            /// Removes every entry; publishes nothing if already empty. O(1) plus dropping
            /// the old version once no snapshot holds it. Java's `clear`.
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(1, 1)]);")]
            /// m.clear();
            /// m.clear(); // already empty: no publish
            /// assert!(m.is_empty());
            /// assert_eq!(m.version(), 1);
            /// ```
            pub fn clear(&self) {
                $crate::collections::ops::clear(&self.cell, concat!(stringify!($name), "::clear"));
            }

            /// Inserts every entry of `entries` (later ones overwrite earlier ones). The
            #[doc = concat!("iterator is consumed before the lock is taken; then ",
                $extend_cost, " and one publish (none, and no lock taken, if `entries` is \
                empty). Java's `putAll`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::new();")]
            /// m.extend([(1, 'a'), (2, 'b'), (1, 'z')]);
            /// assert_eq!((m.len(), m.get(&1), m.version()), (2, Some('z'), 1));
            /// ```
            pub fn extend(&self, entries: impl IntoIterator<Item = (K, V)>) {
                $crate::collections::ops::map_extend(
                    &self.cell,
                    concat!(stringify!($name), "::extend"),
                    entries.into_iter().collect(),
                );
            }

            /// Inserts `value` only if `key` is absent; returns a clone of the present
            /// value otherwise (and then copies and publishes nothing). One atomic step.
            #[doc = concat!("Costs ", $copy, " when it inserts. Java's `putIfAbsent`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::new();")]
            /// assert_eq!(m.insert_if_absent("leader", "node-a"), None);
            /// assert_eq!(m.insert_if_absent("leader", "node-b"), Some("node-a"));
            /// assert_eq!(m.get("leader"), Some("node-a"));
            /// assert_eq!(m.version(), 1);
            /// ```
            pub fn insert_if_absent(&self, key: K, value: V) -> Option<V> {
                $crate::collections::ops::insert_if_absent(
                    &self.cell,
                    concat!(stringify!($name), "::insert_if_absent"),
                    key,
                    value,
                )
            }

            /// The value for `key`, inserting `make()`'s when the key is absent: returns a
            /// clone of the present value or of the inserted one. One atomic step: `make`
            /// runs at most once, under the writer lock, only for an absent key; a present
            #[doc = concat!("key copies and publishes nothing; an insert costs ", $copy,
                ". Java's `computeIfAbsent`.")]
            ///
            /// # Differences from Java
            ///
            /// `make` cannot decline to insert (Java's function returns `null` for that):
            /// use [`compute`](Self::compute) to decide. `make` must not write to this
            /// map (see Panics).
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let sessions = ", stringify!($name), "::new();")]
            /// assert_eq!(sessions.get_or_insert_with("alice", || 1), 1);
            /// assert_eq!(sessions.get_or_insert_with("alice", || unreachable!()), 1);
            /// assert_eq!(sessions.version(), 1); // the second call published nothing
            /// ```
            pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
                $crate::collections::ops::get_or_insert_with(
                    &self.cell,
                    concat!(stringify!($name), "::get_or_insert_with"),
                    key,
                    make,
                )
            }

            /// Replaces the value for `key` only if present; returns the previous value.
            #[doc = concat!("The stored key is kept. No copy when absent; otherwise ", $copy,
                ". Java's `replace(K, V)`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(\"a\".to_string(), 1)]);")]
            /// assert_eq!(m.replace("a", 2), Some(1));
            /// assert_eq!(m.replace("b", 3), None);
            /// assert!(!m.contains_key("b"));
            /// ```
            pub fn replace<Q>(&self, key: &Q, value: V) -> Option<V>
            where
                $($lookup)*
            {
                $crate::collections::ops::replace(
                    &self.cell,
                    concat!(stringify!($name), "::replace"),
                    key,
                    value,
                )
            }

            /// Compare-and-set: replaces the value for `key` with `new` only if it equals
            /// `expected`; returns whether it did. One atomic step; no copy on mismatch,
            #[doc = concat!($copy, " on a match. Java's `replace(K, V oldValue, V newValue)`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(\"epoch\", 1)]);")]
            /// assert!(m.replace_if_eq("epoch", &1, 2));
            /// assert!(!m.replace_if_eq("epoch", &1, 3)); // someone else won
            /// assert_eq!(m.get("epoch"), Some(2));
            /// ```
            pub fn replace_if_eq<Q>(&self, key: &Q, expected: &V, new: V) -> bool
            where
                $($lookup)*,
                V: PartialEq,
            {
                $crate::collections::ops::replace_if_eq(
                    &self.cell,
                    concat!(stringify!($name), "::replace_if_eq"),
                    key,
                    expected,
                    new,
                )
            }

            /// Removes the entry for `key` only if its value equals `expected`; returns
            #[doc = concat!("whether it did. One atomic step; no copy on mismatch, ", $copy,
                " on a match. Java's `remove(Object key, Object value)`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let m = ", stringify!($name), "::from([(\"lock\", \"owner-1\")]);")]
            /// assert!(!m.remove_if_eq("lock", &"owner-2"));
            /// assert!(m.remove_if_eq("lock", &"owner-1"));
            /// assert!(m.is_empty());
            /// ```
            pub fn remove_if_eq<Q>(&self, key: &Q, expected: &V) -> bool
            where
                $($lookup)*,
                V: PartialEq,
            {
                $crate::collections::ops::remove_if_eq(
                    &self.cell,
                    concat!(stringify!($name), "::remove_if_eq"),
                    key,
                    expected,
                )
            }

            /// Computes the entry for `key` from its current value in one atomic step: `f`
            /// gets `Some(&value)` or `None`, and returns the new value (`Some`) or asks for
            /// removal (`None`). Returns the new value. `f` runs once, under the writer
            /// lock; copies and publishes nothing when `f` returns `None` for an absent
            #[doc = concat!("key; otherwise ", $copy, ". Java's `compute`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let hits = ", stringify!($name), "::new();")]
            /// let bump = |old: Option<&u32>| Some(old.map_or(1, |n| n + 1));
            /// assert_eq!(hits.compute("/", bump), Some(1));
            /// assert_eq!(hits.compute("/", bump), Some(2));
            /// assert_eq!(hits.compute("/", |_| None), None); // removes
            /// assert!(hits.is_empty());
            /// ```
            pub fn compute(&self, key: K, f: impl FnOnce(Option<&V>) -> Option<V>) -> Option<V> {
                $crate::collections::ops::compute(
                    &self.cell,
                    concat!(stringify!($name), "::compute"),
                    key,
                    f,
                )
            }

            /// Computes a new value for a present `key` in one atomic step: `f` gets the
            /// value and returns the new one (`Some`) or asks for removal (`None`).
            /// Returns the new value; an absent key stays absent, and `f` is not called.
            #[doc = concat!("No copy when absent; otherwise ", $copy,
                ". Java's `computeIfPresent`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let leases = ", stringify!($name), "::from([(\"db\", 2)]);")]
            /// let renew = |n: &u32| n.checked_sub(1).filter(|&n| n > 0);
            /// assert_eq!(leases.compute_if_present("db", renew), Some(1));
            /// assert_eq!(leases.compute_if_present("db", renew), None); // removed
            /// assert_eq!(leases.compute_if_present("db", renew), None); // absent stays absent
            /// assert_eq!((leases.len(), leases.version()), (0, 2));
            /// ```
            pub fn compute_if_present<Q>(
                &self,
                key: &Q,
                f: impl FnOnce(&V) -> Option<V>,
            ) -> Option<V>
            where
                $($lookup)*
            {
                $crate::collections::ops::compute_if_present(
                    &self.cell,
                    concat!(stringify!($name), "::compute_if_present"),
                    key,
                    f,
                )
            }

            /// Inserts `value` if `key` is absent, otherwise combines: `f(&present, value)`
            /// returns the new value (`Some`) or asks for removal (`None`). Returns the new
            /// value. One atomic step; `f` runs at most once, under the writer lock.
            #[doc = concat!("It always changes the map: ", $copy, " and one publish. Java's `merge`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let words = ", stringify!($name), "::new();")]
            /// for word in ["a", "b", "a"] {
            ///     words.merge(word, 1, |n, one| Some(n + one));
            /// }
            /// assert_eq!((words.get("a"), words.get("b")), (Some(2), Some(1)));
            /// assert_eq!(words.merge("a", 0, |_, _| None), None); // removes
            /// assert!(!words.contains_key("a"));
            /// ```
            pub fn merge(
                &self,
                key: K,
                value: V,
                f: impl FnOnce(&V, V) -> Option<V>,
            ) -> Option<V> {
                $crate::collections::ops::merge(
                    &self.cell,
                    concat!(stringify!($name), "::merge"),
                    key,
                    value,
                    f,
                )
            }

            $(
                #[doc = concat!("Removes and returns ", $which, ", or `None` (publishing \
                    nothing) if empty; otherwise ", $copy, ". Java's ", $pop_java, ".")]
                ///
                #[doc = $crate::collections::facade::panics_doc!()]
                ///
                /// # Examples
                ///
                /// ```
                #[doc = concat!("use cow_collections::", stringify!($name), ";")]
                ///
                #[doc = concat!("let m = ", stringify!($name), "::from([(1, 'a'), (2, 'b'), (3, 'c')]);")]
                #[doc = concat!("assert_eq!(m.", stringify!($pop), "(), Some(", $popped, "));")]
                /// assert_eq!(m.len(), 2);
                #[doc = concat!("assert_eq!(", stringify!($name), "::<u8, u8>::new().",
                    stringify!($pop), "(), None);")]
                /// ```
                pub fn $pop(&self) -> Option<(K, V)> {
                    $crate::collections::ops::$op(
                        &self.cell,
                        concat!(stringify!($name), "::", stringify!($pop)),
                    )
                }
            )*
        }
    };
}

pub(crate) use map_facade;
