//! Rayon support (feature `rayon`): parallel iteration over snapshots, and parallel
//! building of the collections with one publish at the end.
//!
//! * `&Snapshot<T>` and `&ReadGuard<'_, T>` are [`IntoParallelIterator`] whenever `&T`
//!   is, so `snapshot.par_iter()` and `(&snapshot).into_par_iter()` work for
//!   `Snapshot<Vec<T>>` (an indexed iterator over `&T`), `Snapshot<IndexSet<T>>` (over
//!   `&T`), `Snapshot<IndexMap<K, V>>` (over `(&K, &V)`), and the B+trees'
//!   `Snapshot<PersistentBTreeMap<K, V>>` and `Snapshot<PersistentBTreeSet<T>>` (split
//!   along the tree, no copy), and in code generic over `IntoParallelIterator`. A
//!   snapshot never changes, so the worker threads all see the same version while
//!   writers go on publishing.
//! * [`FromParallelIterator`] builds a new collection in parallel (version 0).
//! * [`ParallelExtend`] and the inherent `par_extend(&self, ..)` collect the new elements
//!   in parallel *outside* the writer lock, then do the one O(n + m) copy and one
//!   publish of `extend`.
//!
//! Parallel iteration hands out shared references only, like sequential iteration:
//!
//! ```compile_fail,E0599
//! use rayon::prelude::*;
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! snapshot.par_iter_mut().for_each(|x| *x += 1);
//! ```
//!
//! ```
//! use rayon::prelude::*;
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! assert_eq!(snapshot.par_iter().map(|x| x + 1).sum::<i32>(), 5);
//! ```

use core::hash::{BuildHasher, Hash};

use ::rayon::iter::{FromParallelIterator, IntoParallelIterator, ParallelExtend};
use indexmap::{IndexMap, IndexSet};

use crate::{
    CowBTreeMap, CowBTreeSet, CowMap, CowSet, CowVec, PersistentBTreeMap, PersistentBTreeSet,
    ReadGuard, Snapshot,
};

/// `IntoParallelIterator` for a reference to a read-side type that derefs to `T`.
macro_rules! par_iter_by_ref {
    ($($ty:ident<$($lt:lifetime),*>: $what:literal;)*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
        impl<'r, $($lt,)* T> IntoParallelIterator for &'r $ty<$($lt,)* T>
        where
            &'r T: IntoParallelIterator,
        {
            type Item = <&'r T as IntoParallelIterator>::Item;
            type Iter = <&'r T as IntoParallelIterator>::Iter;

            #[doc = concat!("Iterates ", $what, " in parallel, as `(&*this).into_par_iter()`.")]
            fn into_par_iter(self) -> Self::Iter {
                (**self).into_par_iter()
            }
        }
    )*};
}

par_iter_by_ref! {
    Snapshot<>: "the snapshot's value";
    ReadGuard<'g>: "the guarded version";
}

/// Parallel building for each collection: `FromParallelIterator`, the inherent
/// `par_extend(&self, ..)` and `ParallelExtend`, all through `extend`'s one publish.
/// Each row: the collection, its inner value, its item with the bounds of `extend`,
/// and a doctest's empty collection and item made from `i`.
macro_rules! parallel_build {
    ($(
        $name:ident<$($param:ident),*> => $inner:ty, $item:ty where [$($bound:tt)*];
        $empty:literal, $make:literal;
    )*) => {$(
        #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
        impl<$($param),*> FromParallelIterator<$item> for $name<$($param),*>
        where
            $item: Send,
            $inner: FromIterator<$item>,
        {
            /// Collects in parallel into a `Vec`, then builds the inner value from it
            /// (a B+tree bottom-up in O(n) when the keys come sorted) as version 0.
            fn from_par_iter<I: IntoParallelIterator<Item = $item>>(par_iter: I) -> Self {
                Self::from(Vec::from_par_iter(par_iter).into_iter().collect::<$inner>())
            }
        }

        impl<$($param),*> $name<$($param),*>
        where
            $($bound)*
        {
            /// As [`extend`](Self::extend), with the items produced and collected in
            /// parallel before the lock is taken: then one `extend` (one copy, or one
            /// transaction for a B+tree, and one publish at most), in the items' order.
            ///
            #[doc = $crate::collections::facade::panics_doc!()]
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use cow_collections::", stringify!($name), ";")]
            /// use rayon::prelude::*;
            ///
            #[doc = concat!("let c = ", $empty, ";")]
            #[doc = concat!("c.par_extend((0..100u64).into_par_iter().map(|i| ", $make, "));")]
            /// assert_eq!((c.len(), c.version()), (100, 1)); // one publish
            /// ```
            #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
            pub fn par_extend(&self, items: impl IntoParallelIterator<Item = $item>)
            where
                $item: Send,
            {
                self.extend(Vec::from_par_iter(items));
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "rayon")))]
        impl<$($param),*> ParallelExtend<$item> for $name<$($param),*>
        where
            $($bound)*,
            $item: Send,
        {
            #[doc = concat!("As [`", stringify!($name), "::par_extend`].")]
            fn par_extend<I: IntoParallelIterator<Item = $item>>(&mut self, par_iter: I) {
                $name::par_extend(self, par_iter);
            }
        }
    )*};
}

parallel_build! {
    CowVec<T> => Vec<T>, T where [T: Clone];
        "CowVec::new()", "i";
    CowSet<T, S> => IndexSet<T, S>, T where [T: Clone + Hash + Eq, S: BuildHasher + Clone];
        "CowSet::new()", "i";
    CowMap<K, V, S> => IndexMap<K, V, S>, (K, V)
        where [K: Clone + Hash + Eq, V: Clone, S: BuildHasher + Clone];
        "CowMap::new()", "(i, i * i)";
    CowBTreeSet<T> => PersistentBTreeSet<T>, T where [T: Ord + Clone];
        "CowBTreeSet::new()", "99 - i";
    CowBTreeMap<K, V> => PersistentBTreeMap<K, V>, (K, V) where [K: Ord + Clone, V: Clone];
        "CowBTreeMap::new()", "(i, i * i)";
}
