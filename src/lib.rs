//! Concurrent copy-on-write collections: Java's `CopyOnWriteArrayList` and
//! `CopyOnWriteArraySet` idea, done for Rust services, plus copy-on-write B+trees whose
//! writes copy only the path they change.
//!
//! Every collection keeps its contents in an immutable, versioned value behind one
//! atomic pointer: the crate's own publication cell. Reads take that version without a
//! lock (a hazard slot: a store and a fence) and never wait for a writer; writes build the
//! next version, publish it in one atomic swap, one writer at a time, and leave every
//! snapshot of the old one untouched. A reader never pays for a writer's work: the
//! writers free retired versions, on their own threads, once no reader holds them.
//!
//! # Why
//!
//! A listener list iterated on every event, a config map read by thousands of requests
//! while a reloader replaces it, a routing table: data read on every request and written
//! rarely. Behind an `RwLock`, every read writes the lock's shared counter, so readers on
//! different cores contend with each other, and a writer stalls them all. Here a read is
//! one atomic load (no shared write in the common case), a [`Reader`] handle makes it a
//! compare of a version number, and a write never blocks a reader.
//!
//! # Crate contents
//!
//! | type | contents | a write costs | iteration order |
//! |---|---|---|---|
//! | [`CowVec<T>`] | `Vec<T>` (Java's `CopyOnWriteArrayList`) | O(n): copies every element | index |
//! | [`CowSet<T>`] | `indexmap::IndexSet` (Java's `CopyOnWriteArraySet`) | O(n) | insertion |
//! | [`CowMap<K, V>`] | `indexmap::IndexMap`, with `ConcurrentMap`'s atomic operations | O(n) | insertion |
//! | [`CowBTreeMap<K, V>`] | [`PersistentBTreeMap`], std `BTreeMap`'s API | O(log n): copies one root-to-leaf path | key |
//! | [`CowBTreeSet<T>`] | [`PersistentBTreeSet`], std `BTreeSet`'s API | O(log n) | key |
//! | [`CowCell<T>`] | any `Clone` type: the engine under all of them | one `T::clone` | |
//!
//! Reads: [`read`](CowCell::read) (a guard), [`snapshot`](CowCell::snapshot) (an owned
//! [`Snapshot`] that never changes), [`reader`](CowCell::reader) (a [`Reader`] for a hot
//! loop). Writes: the collections' std-named methods (`push`, `insert`, `retain`,
//! `extend`, ...), [`update`](CowCell::update) for many changes and one publish,
//! [`store`](CowCell::store) to replace everything without a copy. Waiting:
//! [`changed`](CowCell::changed), [`wait_newer`](CowCell::wait_newer) and
//! [`watch`](CowCell::watch) (a [`Watcher`], whose [`changes`](Watcher::changes) yield
//! the new version with the one seen before, [`Changes`]). What changed between two
//! versions: `older.diff(&newer)` on snapshots of every collection
//! ([`DiffItem`]s for maps, [`SetDiffItem`]s for sets, [`VecEdit`]s for `CowVec`) and
//! [`Changes::diff`]; the B+trees' [`diff`](PersistentBTreeMap::diff) skips what their
//! versions share. [`store_if_changed`](CowCell::store_if_changed) publishes only a
//! value that differs. [`PersistentBTreeMap`] and
//! [`PersistentBTreeSet`] are also useful on their own: values whose `clone()` is O(1).
//!
//! # Which type
//!
//! The one place this question is answered; each type's docs link here.
//!
//! | | flat: [`CowVec`], [`CowSet`], [`CowMap`] | B+tree: [`CowBTreeSet`], [`CowBTreeMap`] |
//! |---|---|---|
//! | a write copies | every element: O(n) | one root-to-leaf path: O(log n) |
//! | a point read | an index or one hash lookup: O(1) | a tree search: O(log n) |
//! | iteration order | index (`CowVec`), insertion (`CowSet`, `CowMap`) | key, with ranges |
//! | a write that changes nothing | copies and publishes nothing | the same |
//!
//! Pick a flat type for collections read far more often than written and up to a few
//! thousand elements: `CowMap` reads faster than `CowBTreeMap` from about 64 entries
//! on. Pick a B+tree for large collections, collections written often (it writes faster
//! at every size), or collections read in key order. The README's "Which type" table
//! has the measured crossover sizes. Between the flat ones: `CowVec` for positions and
//! duplicates (Java's `CopyOnWriteArrayList`), `CowSet` and `CowMap` for unique keys in
//! insertion order with O(1) lookups.
//!
//! Whatever the choice, the API is the same where the inner values agree: std's names
//! (`insert`, `remove`, `retain`, `extend`, `first`, ...), Java's `ConcurrentMap`
//! operations on both maps, and the same read, snapshot, update and waiting methods on
//! all five.
//!
//! # Trade-offs: when not to use it
//!
//! * **A write to a flat collection copies all of it: O(n)** time, and a second copy in
//!   memory until the old version's last reader lets go. A write to a B+tree copies
//!   O(log n) nodes, and the old version keeps only those nodes alive. For write-heavy
//!   data use an `RwLock`, a `Mutex`, or a concurrent map (`dashmap`, `papaya`). Batch
//!   changes with `update` (one copy, or one path copy per changed leaf, for any number
//!   of changes), or build the new value outside and [`store`](CowCell::store) it.
//! * Writers serialize on one mutex per collection.
//! * Elements must be `Clone` for copying writes; put large elements behind `Arc`.
//! * A snapshot or [`Reader`] keeps its version alive: hold snapshots briefly, or accept
//!   that memory.
//!
//! # Consistency
//!
//! * A reader sees one whole published version: all of an `update`'s changes or none,
//!   never a half-applied write, never a state that was not published.
//! * A [`Snapshot`] never changes. Iterating it yields shared references only: mutating
//!   through a snapshot, a read guard or their iterators does not compile.
//! * Once a write returns, reads that start after it (on threads that synchronize with
//!   the writer) see its version or a later one. A read racing a write sees the old or
//!   the new version.
//! * Writes are linearizable and never lost: each publishes at a single atomic swap, in
//!   the order they took the writer lock. Conditional writes (`push_if_absent`,
//!   `insert_if_absent`, `replace_if_eq`, `compute`, ...) check and write in one step.
//! * Every version has a number ([`CowCell::version`], [`Snapshot::version`]): 0 for the
//!   initial value, +1 per publish. A reader never sees numbers go down.
//! * A panic in user code during a write (a closure, `Clone`, `Hash`, `Eq`, `Ord`, a
//!   comparator) publishes nothing: the previous version stays and the collection stays
//!   usable. A write re-entering the same collection on the same thread panics with a
//!   message instead of deadlocking.
//!
//! # Performance
//!
//! What each operation costs, in operations rather than nanoseconds (`BENCHMARKS.md`
//! has the measured figures, the method, and ratios against `RwLock`, `Mutex`,
//! arc-swap, std's `BTreeMap`, `imbl` and `concread` from the same runs):
//!
//! * `read()`: two loads, a store of the version's address into one of the thread's
//!   hazard slots and a `SeqCst` fence; dropping the guard is one store. It writes no
//!   shared memory, so readers on different cores do not slow each other down, unlike
//!   an `RwLock` read, which writes the lock's shared counter.
//! * A [`Reader`]'s `read()`: one `Relaxed` load of the version number and a compare,
//!   when nothing changed.
//! * `snapshot()`: a `read()` plus one atomic reference-count increment (on a counter
//!   shared by every thread that snapshots the same version).
//! * A write: building the next version (an O(n) clone for the flat collections; an
//!   O(1) clone of the root and an O(log n) path copy for the B+trees) plus a fixed
//!   cost: the writer lock, one allocation, one atomic swap and a fence, one atomic load
//!   to see whether anybody waits for changes, and freeing retired versions that nobody
//!   holds: a scan of the hazard slots, one cache line per live thread that has read,
//!   done by every write while there are at most 4 such threads and by one write in
//!   `threads / 4` beyond that (about 4 lines per write, however many threads read;
//!   threads that have exited cost nothing).
//!   A write never makes a reader wait, and a reader never frees what a write retired
//!   ([`CowCell::retired`], [`CowCell::reclaim`]).
//!
//! # Waiting for changes
//!
//! [`changed(since).await`](CowCell::changed) resolves with the first version above
//! `since`, [`wait_newer`](CowCell::wait_newer) blocks a thread for it, and a
//! [`Watcher`] returns each newer version once: tokio's `watch` channel, without a lock
//! on the read path and without a runtime dependency. A waiter gets the latest version
//! (versions published while it woke up are skipped); only writes that publish wake it.
//!
//! # Optional features
//!
//! * `rayon`: parallel iteration over snapshots (`snapshot.par_iter()`, also for
//!   `&Snapshot<_>` in generic code; the B+trees split along the tree), and
//!   `FromParallelIterator` / `ParallelExtend` / `par_extend` for the collections: build
//!   in parallel, publish once.
//! * `serde`: `Serialize` / `Deserialize` for the collections, the persistent B+trees,
//!   [`CowCell`] and [`Snapshot`], in the format of the container they wrap (a `CowVec`
//!   is a sequence, a `CowMap` a map, a `CowBTreeMap` a map in key order). Serializing
//!   writes one consistent version; version numbers are not serialized.
//!
//! # Examples
//!
//! ```
//! use cow_collections::{CowMap, CowVec};
//! use std::sync::Arc;
//! use std::thread;
//!
//! let routes: Arc<CowMap<String, u16>> = Arc::new(CowMap::new());
//! routes.insert("api".into(), 8080);
//!
//! let handles: Vec<_> = (0..4)
//!     .map(|_| {
//!         let routes = Arc::clone(&routes);
//!         thread::spawn(move || routes.get("api").is_some())
//!     })
//!     .collect();
//! routes.insert("admin".into(), 9090); // readers are never blocked by this
//! for h in handles {
//!     assert!(h.join().unwrap());
//! }
//!
//! let log = CowVec::from(vec!["started"]);
//! let snapshot = log.snapshot();
//! log.push("ready");
//! assert_eq!(*snapshot, ["started"]);
//! assert_eq!(log.to_vec(), ["started", "ready"]);
//! ```
//!
//! A large routing table written often: a B+tree, read in key order, one version at a
//! time.
//!
//! ```
//! use cow_collections::CowBTreeMap;
//!
//! let table: CowBTreeMap<u32, String> = (0..100_000).map(|i| (i, format!("r{i}"))).collect();
//! let before = table.snapshot();
//! table.insert(42, "moved".into()); // copies one root-to-leaf path, not 100,000 entries
//! assert_eq!(before[&42], "r42");
//! assert_eq!(table.read()[&42], "moved");
//! let window: Vec<u32> = table.read().range(10..13).map(|(k, _)| *k).collect();
//! assert_eq!(window, [10, 11, 12]);
//! ```

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod btree;
mod collections;
#[cfg(doctest)]
mod compile_fail_tests;
mod diff;
mod engine;

pub use btree::{btree_map, btree_set, PersistentBTreeMap, PersistentBTreeSet};
pub use collections::{CowBTreeMap, CowBTreeSet, CowMap, CowSet, CowVec, MapDiff, SetDiff};
pub use diff::{DiffItem, SetDiffItem, VecEdit};
pub use engine::{
    Changes, CowCell, ReadAs, ReadGuard, Reader, Retired, Snapshot, Watcher, WriteGuard,
};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
