//! The API both sets share (`CowSet`, `CowBTreeSet`): one macro, so that each method
//! and its docs are written once. The bodies are one call each into the shared
//! operations (`ops.rs`).

/// The sets' shared API:
///
/// ```text
/// set_facade! {
///     CowSet<T, S> => IndexSet<T, S>;
///     read: [T: Hash + Eq, S: BuildHasher];                 // bounds of the reads
///     write: [T: Clone + Hash + Eq, S: BuildHasher + Clone];  // bounds of the writes
///     lookup: [Q: ?Sized + Hash + Equivalent<T>];           // a borrowed element `Q`
///     relations: <S2: BuildHasher> IndexSet<T, S2>;         // what `is_subset` takes
///     order: "insertion order";                             // the iteration order
///     java: first "`getFirst`", last "`getLast`";           // Java's names of the ends
///     costs: lookup "O(1) expected", end "O(1)", relation "O(n) lookups",
///         copy "one O(n) copy", retain "...", extend "...";
///     pops: [pop => pop_last, "the last element in insertion order", "`removeLast`", "3";];
/// }
/// ```
macro_rules! set_facade {
    (
        $name:ident<$($param:ident),*> => $inner:ty;
        read: [$($read:tt)*];
        write: [$($write:tt)*];
        lookup: [$($lookup:tt)*];
        relations: <$($rel_param:ident: $rel_bound:path),*> $other:ty;
        order: $order:literal;
        java: first $first_java:literal, last $last_java:literal;
        costs: lookup $lookup_cost:literal, end $end_cost:literal,
            relation $relation_cost:literal, copy $copy:literal,
            retain $retain_cost:literal, extend $extend_cost:literal;
        pops: [$($pop:ident => $op:ident, $which:literal, $pop_java:literal, $popped:literal;)*];
    ) => {
        impl<$($param),*> $name<$($param),*>
        where
            $($read)*
        {
            #[doc = concat!("Whether the current version contains `value`. Lock-free, ",
                $lookup_cost, ".")]
            ///
            /// # Differences from Java
            ///
            #[doc = concat!("Java's `CopyOnWriteArraySet.contains` scans, O(n); this is ",
                $lookup_cost, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s = ", stringify!($name), "::from([String::from(\"a\")]);")]
            /// assert!(s.contains("a")); // borrowed lookups work
            /// assert!(!s.contains("b"));
            /// ```
            #[must_use]
            pub fn contains<Q>(&self, value: &Q) -> bool
            where
                $($lookup)*
            {
                $crate::collections::ops::contains(&self.cell, value)
            }

            $crate::collections::set_facade::set_relation! {
                $name, $inner, <$($rel_param: $rel_bound),*> $other, $relation_cost;
                is_subset: "every element of this set is in `other` (Java's \
                    `other.containsAll(this)`)", [1, 2, 3], [1, 9];
            }
            $crate::collections::set_facade::set_relation! {
                $name, $inner, <$($rel_param: $rel_bound),*> $other, $relation_cost;
                is_superset: "every element of `other` is in this set (Java's `containsAll`)",
                    [2], [2, 9];
            }
            $crate::collections::set_facade::set_relation! {
                $name, $inner, <$($rel_param: $rel_bound),*> $other, $relation_cost;
                is_disjoint: "this set and `other` have no element in common (Java's \
                    `Collections.disjoint`)", [3], [2, 3];
            }
        }

        impl<$($param),*> $name<$($param),*>
        where
            $($write)*
        {
            #[doc = concat!("A clone of the first element in ", $order, ", or `None` if \
                empty. Lock-free, ", $end_cost, " plus one clone. Java's ", $first_java, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($name), "::from([1, 2, 3]).first(), Some(1));")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::new().first(), None);")]
            /// ```
            #[must_use]
            pub fn first(&self) -> Option<T> {
                $crate::collections::ops::end(&self.cell, false)
            }

            #[doc = concat!("A clone of the last element in ", $order, ", or `None` if \
                empty. Lock-free, ", $end_cost, " plus one clone. Java's ", $last_java, ".")]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($name), "::from([1, 2, 3]).last(), Some(3));")]
            /// ```
            #[must_use]
            pub fn last(&self) -> Option<T> {
                $crate::collections::ops::end(&self.cell, true)
            }

            /// Adds `value`; returns whether it was absent. The check and the insert are
            #[doc = concat!("one atomic step. No copy when present; otherwise ", $copy,
                " and one publish. Java's `add`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s = ", stringify!($name), "::new();")]
            /// assert!(s.insert(1));
            /// assert!(!s.insert(1)); // present: no copy, no publish
            /// assert_eq!(s.version(), 1);
            /// ```
            pub fn insert(&self, value: T) -> bool {
                $crate::collections::ops::set_insert(
                    &self.cell,
                    concat!(stringify!($name), "::insert"),
                    value,
                )
            }

            /// Removes `value`; returns whether it was present. The other elements keep
            #[doc = concat!("their order. No copy when absent; otherwise ", $copy,
                ". Java's `remove`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s = ", stringify!($name), "::from([\"a\", \"b\", \"c\"]);")]
            /// assert!(s.remove("b"));
            /// assert!(!s.remove("b"));
            /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), ["a", "c"]);
            /// assert_eq!(s.version(), 1);
            /// ```
            pub fn remove<Q>(&self, value: &Q) -> bool
            where
                $($lookup)*
            {
                $crate::collections::ops::remove(
                    &self.cell,
                    concat!(stringify!($name), "::remove"),
                    value,
                    drop,
                )
                .is_some()
            }

            /// Keeps only the elements for which `keep` returns `true`. `keep` runs once
            #[doc = concat!("per element, in ", $order, ", on the current version; \
                publishes nothing if every element is kept. Otherwise ", $retain_cost,
                ". Java's `removeIf`, negated.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s: ", stringify!($name), "<i32> = (1..=6).collect();")]
            /// s.retain(|x| x % 3 == 0);
            /// assert_eq!(s.read().iter().copied().collect::<Vec<_>>(), [3, 6]);
            /// ```
            pub fn retain(&self, keep: impl FnMut(&T) -> bool) {
                $crate::collections::ops::set_retain(
                    &self.cell,
                    concat!(stringify!($name), "::retain"),
                    keep,
                );
            }

            /// Removes every element; publishes nothing if already empty. O(1) plus
            /// dropping the old version once no snapshot holds it. Java's `clear`.
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s = ", stringify!($name), "::from([1, 2]);")]
            /// s.clear();
            /// s.clear(); // already empty: no publish
            /// assert!(s.is_empty());
            /// assert_eq!(s.version(), 1);
            /// ```
            pub fn clear(&self) {
                $crate::collections::ops::clear(&self.cell, concat!(stringify!($name), "::clear"));
            }

            /// Adds every element of `values` that is absent, in order. The iterator is
            #[doc = concat!("consumed before the lock is taken; then ", $extend_cost,
                " and one publish (none if nothing is new). Java's `addAll`.")]
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            ///
            #[doc = concat!("let s = ", stringify!($name), "::from([1]);")]
            /// s.extend([1, 2, 3]);
            /// assert_eq!((s.len(), s.version()), (3, 1));
            /// s.extend([3, 2]);
            /// assert_eq!(s.version(), 1); // nothing new
            /// ```
            pub fn extend(&self, values: impl IntoIterator<Item = T>) {
                $crate::collections::ops::set_extend(
                    &self.cell,
                    concat!(stringify!($name), "::extend"),
                    values.into_iter().collect(),
                );
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
                #[doc = concat!("let s = ", stringify!($name), "::from([1, 2, 3]);")]
                #[doc = concat!("assert_eq!(s.", stringify!($pop), "(), Some(", $popped, "));")]
                /// assert_eq!(s.len(), 2);
                #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::new().",
                    stringify!($pop), "(), None);")]
                /// ```
                pub fn $pop(&self) -> Option<T> {
                    $crate::collections::ops::$op(
                        &self.cell,
                        concat!(stringify!($name), "::", stringify!($pop)),
                    )
                }
            )*
        }
    };
}

pub(crate) use set_facade;

/// One set relation of `set_facade!`: `is_subset`, `is_superset` or `is_disjoint`, with
/// an example in which `[1, 2]` is in the relation with the first array and not with
/// the second.
macro_rules! set_relation {
    (
        $name:ident, $inner:ty, <$($rel_param:ident: $rel_bound:path),*> $other:ty,
        $cost:literal;
        $relation:ident: $what:literal, $holds:tt, $fails:tt;
    ) => {
        #[doc = concat!("Whether ", $what, ". `other` is another `", stringify!($name),
            "`, a snapshot or read guard of one, or a `", stringify!($other), "`: anything \
            that [`ReadAs`](crate::ReadAs) one. Reads each current version once, \
            lock-free; ", $cost, ".")]
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use cow_collections::", stringify!($name), ";")]
        ///
        #[doc = concat!("let set = ", stringify!($name), "::from([1, 2]);")]
        #[doc = concat!("let other = ", stringify!($name), "::from(", stringify!($holds), ");")]
        #[doc = concat!("assert!(set.", stringify!($relation), "(&other));")]
        #[doc = concat!("assert!(set.", stringify!($relation), "(&other.read()));")]
        #[doc = concat!("assert!(set.", stringify!($relation), "(&other.snapshot()));")]
        #[doc = concat!("assert!(!set.", stringify!($relation), "(&", stringify!($name),
            "::from(", stringify!($fails), ")));")]
        /// ```
        #[must_use]
        pub fn $relation<$($rel_param: $rel_bound),*>(
            &self,
            other: &impl $crate::ReadAs<$other>,
        ) -> bool {
            let relation = <$inner as $crate::collections::ops::Relations<$other>>::$relation;
            $crate::collections::ops::relate(&self.cell, other, relation)
        }
    };
}

pub(crate) use set_relation;
