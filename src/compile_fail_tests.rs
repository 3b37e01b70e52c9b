//! Compile-time pins of the type-level contract, as paired doctests (arc-swap's
//! `compile_fail_tests.rs` pattern): each `compile_fail` block has a twin that compiles,
//! so a `compile_fail` cannot pass for an unrelated reason (a typo, a missing import).
//!
//! # A snapshot cannot be mutated (Java's `UnsupportedOperationException`)
//!
//! ```compile_fail,E0596
//! let list = cow_collections::CowVec::from(vec![1]);
//! let snapshot = list.snapshot();
//! snapshot.push(2);
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let snapshot = list.snapshot();
//! assert_eq!(snapshot.len(), 1);
//! ```
//!
//! # Nor can a read guard
//!
//! ```compile_fail,E0596
//! let list = cow_collections::CowVec::from(vec![1]);
//! let guard = list.read();
//! guard.push(2);
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let guard = list.read();
//! assert_eq!(guard.first(), Some(&1));
//! ```
//!
//! # Snapshot iteration yields shared references only
//!
//! ```compile_fail,E0594
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! for x in list.snapshot().iter() {
//!     *x += 1;
//! }
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let mut sum = 0;
//! for x in list.snapshot().iter() {
//!     sum += *x;
//! }
//! assert_eq!(sum, 3);
//! ```
//!
//! ```compile_fail,E0596
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! for x in snapshot.iter_mut() {
//!     *x += 1;
//! }
//! ```
//!
//! ```compile_fail,E0594
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! for x in &snapshot {
//!     *x += 1;
//! }
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1, 2]);
//! let snapshot = list.snapshot();
//! let mut sum = 0;
//! for x in &snapshot {
//!     sum += *x;
//! }
//! assert_eq!(sum, 3);
//! ```
//!
//! # A map snapshot's values cannot be changed in place
//!
//! ```compile_fail,E0596
//! let map = cow_collections::CowMap::from([(1, 1)]);
//! let snapshot = map.snapshot();
//! *snapshot.get_mut(&1).unwrap() = 2;
//! ```
//!
//! ```
//! let map = cow_collections::CowMap::from([(1, 1)]);
//! let snapshot = map.snapshot();
//! assert_eq!(snapshot.get(&1), Some(&1));
//! ```
//!
//! # A `Reader` refreshes through `&mut self`: `read()` needs a mutable binding
//!
//! (A shared `&Reader` is `Sync` but useless: it cannot refresh.)
//!
//! ```compile_fail,E0596
//! let list = cow_collections::CowVec::from(vec![1]);
//! let reader = list.reader();
//! let _ = reader.read();
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut reader = list.reader();
//! assert_eq!(reader.read().len(), 1);
//! ```
//!
//! # `Snapshot<T>` is `Send + Sync` exactly when `T` is
//!
//! ```compile_fail,E0277
//! fn send_sync<T: Send + Sync>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::rc::Rc::new(1));
//! send_sync(cell.snapshot());
//! ```
//!
//! ```compile_fail,E0277
//! fn send_sync<T: Send + Sync>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! send_sync(cell.snapshot());
//! ```
//!
//! ```
//! fn send_sync<T: Send + Sync + 'static>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::sync::Arc::new(1));
//! send_sync(cell.snapshot());
//! ```
//!
//! Not even `Send` alone when `T` is `Send` but not `Sync` (other threads' clones would
//! share the `T`):
//!
//! ```compile_fail,E0277
//! fn send<T: Send>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! send(cell.snapshot());
//! ```
//!
//! ```
//! fn send<T: Send>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::sync::Mutex::new(1));
//! send(cell.snapshot());
//! ```
//!
//! # A `Reader` can move to another thread when `T: Send + Sync`
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut reader = list.reader();
//! std::thread::scope(|s| {
//!     s.spawn(move || assert_eq!(reader.read().len(), 1));
//! });
//! ```
//!
//! ```compile_fail,E0277
//! let cell = cow_collections::CowCell::new(std::rc::Rc::new(1));
//! let mut reader = cell.reader();
//! std::thread::scope(|s| {
//!     s.spawn(move || **reader.read());
//! });
//! ```
//!
//! ```compile_fail,E0277
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! let mut reader = cell.reader();
//! std::thread::scope(|s| {
//!     s.spawn(move || reader.read().get());
//! });
//! ```
//!
//! # Nothing hands out `&mut` to a published version
//!
//! Not a `Reader`:
//!
//! ```compile_fail,E0596
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut reader = list.reader();
//! reader.read().push(2);
//! ```
//!
//! Nor a snapshot, by assignment:
//!
//! ```compile_fail,E0594
//! let list = cow_collections::CowVec::from(vec![1]);
//! let snapshot = list.snapshot();
//! *snapshot = vec![2];
//! ```
//!
//! ```compile_fail,E0594
//! let list = cow_collections::CowVec::from(vec![1]);
//! let snapshot = list.snapshot();
//! snapshot[0] = 2;
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut reader = list.reader();
//! let snapshot = list.snapshot();
//! assert_eq!(reader.read()[0] + snapshot[0], 2);
//! list.set(0, 2); // writes go through the collection, and publish a new version
//! assert_eq!(reader.read()[0] + snapshot[0], 3);
//! ```
//!
//! # A read guard borrows its collection: `get_mut` cannot run while one lives
//!
//! ```compile_fail,E0502
//! let mut list = cow_collections::CowVec::from(vec![1]);
//! let guard = list.read();
//! list.get_mut().push(2);
//! drop(guard);
//! ```
//!
//! ```
//! let mut list = cow_collections::CowVec::from(vec![1]);
//! let guard = list.read();
//! drop(guard);
//! list.get_mut().push(2);
//! assert_eq!(list.len(), 2);
//! ```
//!
//! # `CowCell<T>` is `Send` and `Sync` exactly when `T` is `Send + Sync`
//!
//! Its versions are shared between threads (`Arc`), so both need `T: Send + Sync`, as
//! `Arc<T>` does.
//!
//! ```compile_fail,E0277
//! fn send<T: Send>(_: T) {}
//! send(cow_collections::CowCell::new(std::rc::Rc::new(1)));
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>(_: &T) {}
//! sync(&cow_collections::CowCell::new(std::rc::Rc::new(1)));
//! ```
//!
//! ```compile_fail,E0277
//! fn send<T: Send>(_: T) {}
//! send(cow_collections::CowCell::new(std::cell::Cell::new(1)));
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>(_: &T) {}
//! sync(&cow_collections::CowCell::new(std::cell::Cell::new(1)));
//! ```
//!
//! ```
//! fn send_sync<T: Send + Sync>(_: &T) {}
//! send_sync(&cow_collections::CowCell::new(std::sync::Arc::new(1)));
//! send_sync(&cow_collections::CowCell::new(std::sync::Mutex::new(1)));
//! send_sync(&cow_collections::CowVec::from(vec![1]));
//! ```
//!
//! # A `ReadGuard` is `Send` and `Sync` exactly when `T` is `Send + Sync`
//!
//! ```compile_fail,E0277
//! fn send<T: Send>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::rc::Rc::new(1));
//! send(cell.read());
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>(_: &T) {}
//! let cell = cow_collections::CowCell::new(std::rc::Rc::new(1));
//! sync(&cell.read());
//! ```
//!
//! ```compile_fail,E0277
//! fn send<T: Send>(_: T) {}
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! send(cell.read());
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>(_: &T) {}
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! sync(&cell.read());
//! ```
//!
//! ```
//! fn send_sync<T: Send + Sync>(_: &T) {}
//! let list = cow_collections::CowVec::from(vec![1]);
//! let guard = list.read();
//! send_sync(&guard);
//! std::thread::scope(|s| {
//!     s.spawn(move || assert_eq!(guard.len(), 1));
//! });
//! ```
//!
//! # A `WriteGuard` stays on the thread that took it
//!
//! The re-entrancy check records the locking thread, so the guard is never `Send`,
//! whatever features the mutex crate has enabled. It is `Sync` when `T` is: other threads
//! may look at the private copy through `&`.
//!
//! ```compile_fail,E0277
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut guard = list.write();
//! std::thread::scope(|s| {
//!     s.spawn(move || guard.push(2));
//! });
//! ```
//!
//! ```
//! let list = cow_collections::CowVec::from(vec![1]);
//! let mut guard = list.write();
//! guard.push(2);
//! std::thread::scope(|s| {
//!     let guard = &guard;
//!     s.spawn(move || assert_eq!(guard.len(), 2));
//! });
//! drop(guard);
//! assert_eq!(list.len(), 2);
//! ```
//!
//! ```compile_fail,E0277
//! fn sync<T: Sync>(_: &T) {}
//! let cell = cow_collections::CowCell::new(std::cell::Cell::new(1));
//! sync(&cell.write());
//! ```
//!
//! # A query's answer must be used (`#[must_use]`)
//!
//! Dropping what `get`, `contains*`, `first`, `len`, ... return is a bug (the call reads
//! and changes nothing); the doctests deny warnings, so the lint is an error here.
//!
//! ```compile_fail
//! let map = cow_collections::CowMap::from([(1, 'a')]);
//! map.contains_key(&1);
//! ```
//!
//! ```
//! let map = cow_collections::CowMap::from([(1, 'a')]);
//! assert!(map.contains_key(&1));
//! ```
//!
//! ```compile_fail
//! let set = cow_collections::CowBTreeSet::from([1]);
//! set.first();
//! ```
//!
//! ```
//! let set = cow_collections::CowBTreeSet::from([1]);
//! assert_eq!(set.first(), Some(1));
//! ```
