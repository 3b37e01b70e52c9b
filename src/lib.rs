//! Concurrent copy-on-write collections: Java's `CopyOnWriteArrayList` and
//! `CopyOnWriteArraySet` idea, done for Rust services.
//!
//! [`CowVec`], [`CowSet`] and [`CowMap`] (and the generic [`CowCell`] engine under
//! them) keep their contents in an immutable, reference-counted version published
//! through [`arc-swap`](https://docs.rs/arc-swap). Reads take that version without a
//! lock and never wait for a writer; writes copy it, change the copy and publish the copy
//! in one atomic swap, one writer at a time.
//!
//! # Why
//!
//! A listener list iterated on every event, a config map read by thousands of requests
//! while a reloader replaces it, a routing table: data read on every request and written
//! rarely. Behind an `RwLock`, every read writes the lock's shared counter, so readers on
//! different cores contend with each other, and a writer stalls them all. Here a read is
//! one atomic load (no shared write in the common case), a [`Reader`] handle makes it a
//! pointer compare, and a write never blocks a reader.
//!
//! # Trade-offs: when not to use it
//!
//! * **Every write copies the whole collection: O(n)** time and a second copy in memory
//!   until the old version's last reader lets go. For write-heavy data, or large data
//!   written often, use an `RwLock`, a `Mutex`, or a concurrent map (`dashmap`, `papaya`).
//!   Batch changes with `update` (one copy for any number of changes), or build the new
//!   value outside and [`store`](CowCell::store) it (no copy).
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
//! has the measured figures, the method, and ratios against `RwLock`, `Mutex` and raw
//! arc-swap from the same runs):
//!
//! * `read()`: one arc-swap `load()`, an atomic load plus a slot in a per-thread list.
//!   It writes no shared memory, so readers on different cores do not slow each other
//!   down, unlike an `RwLock` read, which writes the lock's shared counter.
//! * A [`Reader`]'s `read()`: one `Relaxed` load of the version number and a compare,
//!   when nothing changed.
//! * `snapshot()`: a `read()` plus one atomic reference-count increment (on a counter
//!   shared by every thread that snapshots the same version).
//! * A write: one O(n) clone of the collection plus a fixed cost: the writer lock, one
//!   allocation, and arc-swap's `swap`, which visits every thread that has read the
//!   collection (O(threads)). A write never makes a reader wait.

//! # Optional features
//!
//! * `rayon`: parallel iteration over snapshots (`snapshot.par_iter()`, also for
//!   `&Snapshot<_>` in generic code), and `FromParallelIterator` / `ParallelExtend` /
//!   `par_extend` for the collections: build in parallel, publish once.
//! * `serde`: `Serialize` / `Deserialize` for the collections, [`CowCell`] and
//!   [`Snapshot`], in the format of the container they wrap (a `CowVec` is a sequence, a
//!   `CowMap` a map). Serializing writes one consistent version; version numbers are not
//!   serialized.
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

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod btree;
mod btree_cell;
mod cell;
#[cfg(doctest)]
mod compile_fail_tests;
mod facade;
mod map;
#[cfg(feature = "rayon")]
mod rayon;
#[cfg(feature = "serde")]
mod serde;
mod set;
mod snapshot;
mod sync;
mod vec;
mod watcher;

pub use btree::{btree_map, btree_set, PersistentBTreeMap, PersistentBTreeSet};
pub use btree_cell::{CowBTreeMap, CowBTreeSet};
pub use cell::{CowCell, WriteGuard};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
pub use map::CowMap;
pub use set::CowSet;
pub use snapshot::{ReadAs, ReadGuard, Reader, Snapshot};
pub use vec::CowVec;
pub use watcher::Watcher;
