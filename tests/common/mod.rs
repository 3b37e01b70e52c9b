//! Helpers shared by the integration tests (and by any later proptest or fuzz suite).
//!
//! * [`Tracker`] and [`Dummy`]: a crash-test dummy in the style of std's
//!   `alloc/tests/testing/crash_test.rs`. A `Dummy` is an element with an id that
//!   reports every creation, clone and drop to its `Tracker` (shared, `Arc` inside), and
//!   that panics on command in `Clone`, `Drop`, `Hash`, `Eq` or `Ord`. Test closures
//!   (comparators, predicates, `compute` functions) can join in through
//!   [`Tracker::callback`]. At the end, [`Tracker::assert_balanced`] checks that every
//!   instance was dropped exactly once.
//! * [`with_timeout`]: runs a body on its own thread and fails (instead of hanging) if
//!   it does not finish in time: for tests that would deadlock if a bug came back.
//! * [`catch`], [`expect_panic`], [`panic_message`]: `catch_unwind` with the message.
//! * [`Rng`]: a tiny deterministic PRNG for model-based op sequences (std only).
//! * [`scaled`]: iteration counts that shrink under Miri.
//!
//! # How to use the dummy
//!
//! ```ignore
//! let t = Tracker::new();
//! let list = CowVec::from(t.dummies(0..4)); // ids 0, 1, 2, 3
//! t.arm(Op::Clone, 2); // the third clone from now panics (once)
//! let r = catch(|| list.push(t.dummy(9)));
//! assert!(r.unwrap_err().contains(PLANNED));
//! assert!(!t.disarm(Op::Clone)); // false: the fuse fired
//! drop(list);
//! t.assert_balanced(); // no leak, no double drop
//! ```

#![allow(dead_code)]

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// Text contained in every panic message raised by an armed [`Tracker`] fuse.
pub(crate) const PLANNED: &str = "crash-test dummy: planned panic";

/// `normal` in ordinary builds, `miri` under Miri (which is ~1000x slower).
pub(crate) fn scaled(normal: usize, miri: usize) -> usize {
    if cfg!(miri) {
        miri
    } else {
        normal
    }
}

// ---------------------------------------------------------------------------------------
// Panics and timeouts
// ---------------------------------------------------------------------------------------

/// The message of a panic payload (`&str` or `String`; anything else is described).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_owned()
    }
}

/// Runs `f`, turning a panic into `Err(message)`.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic_message(&*payload))
}

/// Runs `f`, asserts that it panics with a message containing every one of `needles`,
/// and returns the message.
#[track_caller]
pub(crate) fn expect_panic<R>(needles: &[&str], f: impl FnOnce() -> R) -> String {
    match catch(f) {
        Ok(_) => panic!("expected a panic containing {needles:?}, but it returned normally"),
        Err(message) => {
            for needle in needles {
                assert!(
                    message.contains(needle),
                    "panic message {message:?} does not contain {needle:?}"
                );
            }
            message
        }
    }
}

/// How long [`with_timeout`] waits before declaring a deadlock.
pub(crate) fn deadlock_timeout() -> Duration {
    // Miri's clock advances with interpreted instructions, so give it far longer.
    Duration::from_secs(if cfg!(miri) { 3600 } else { 10 })
}

/// Runs `f` on a new thread and returns its result; a panic in `f` fails the caller with
/// the same message. If `f` has not finished after [`deadlock_timeout`], panics with
/// "deadlock" instead of hanging the test run (the stuck thread is abandoned).
#[track_caller]
pub(crate) fn with_timeout<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    with_deadline(deadlock_timeout(), f)
}

/// [`with_timeout`] with an explicit limit (for longer bodies such as stress tests).
#[track_caller]
pub(crate) fn with_deadline<R: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        // The receiver is gone only if the caller already timed out.
        let _ = tx.send(result);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            handle.join().expect("the body's panics are caught");
            value
        }
        Ok(Err(payload)) => {
            handle.join().expect("the body's panics are caught");
            panic!("{}", panic_message(&*payload))
        }
        Err(RecvTimeoutError::Timeout) => {
            panic!("test body did not finish within {limit:?}: deadlock")
        }
        Err(RecvTimeoutError::Disconnected) => panic!("test thread vanished without a result"),
    }
}

// ---------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------

/// xorshift64*: deterministic, seedable, good enough to pick operations.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `1 / n`.
    pub(crate) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

// ---------------------------------------------------------------------------------------
// The crash-test dummy
// ---------------------------------------------------------------------------------------

/// A trait method of [`Dummy`] (or a test closure, [`Op::Callback`]) that a fuse can make
/// panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    /// `Dummy::clone` (panics before the clone exists: nothing to count or drop).
    Clone,
    /// `Dummy::drop` (the drop is counted first: the instance is gone either way). Never
    /// fires while the thread is already panicking (that would abort the test binary);
    /// the fuse then stays armed.
    Drop,
    /// `Dummy::hash`.
    Hash,
    /// `Dummy::eq`.
    Eq,
    /// `Dummy::cmp` / `partial_cmp`.
    Cmp,
    /// [`Tracker::callback`], called by test closures (comparators, predicates, ...).
    Callback,
}

const OP_COUNT: usize = 6;

impl Op {
    fn index(self) -> usize {
        self as usize
    }
}

/// Per-id bookkeeping: instances with this id created, cloned and dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Made by [`Tracker::dummy`].
    pub(crate) created: usize,
    /// Made by `Clone`.
    pub(crate) cloned: usize,
    /// Dropped (counted even if the drop then panics).
    pub(crate) dropped: usize,
}

impl Counts {
    /// Instances with this id still alive.
    pub(crate) fn alive(&self) -> usize {
        self.created + self.cloned - self.dropped
    }
}

/// A one-shot trigger: the call after `remaining` matching calls panics, then it is gone.
#[derive(Clone, Copy, Debug)]
struct Fuse {
    id: Option<u64>,
    remaining: usize,
}

#[derive(Debug, Default)]
struct State {
    counts: HashMap<u64, Counts>,
    /// Serial numbers of the instances alive now.
    live: HashSet<u64>,
    next_serial: u64,
    /// Drops of an instance whose serial was not alive (a double drop).
    double_drops: usize,
    fuses: [Option<Fuse>; OP_COUNT],
    calls: [usize; OP_COUNT],
}

/// Shared counters and fuses for a family of [`Dummy`] elements. Cloning a tracker is
/// cheap and shares the state; trackers are `Send + Sync`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tracker {
    state: Arc<Mutex<State>>,
}

impl Tracker {
    /// A tracker with no instances and no armed fuse.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A planned panic never fires while this lock is held, but stay robust anyway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn register(&self, id: u64, cloned: bool) -> u64 {
        let mut state = self.state();
        let serial = state.next_serial;
        state.next_serial += 1;
        state.live.insert(serial);
        let counts = state.counts.entry(id).or_default();
        if cloned {
            counts.cloned += 1;
        } else {
            counts.created += 1;
        }
        serial
    }

    /// A new element with `id` (counted as created). Several elements may share an id:
    /// they are then equal, hash alike, and share counters.
    pub(crate) fn dummy(&self, id: u64) -> Dummy {
        let serial = self.register(id, false);
        Dummy {
            id,
            serial,
            tracker: self.clone(),
        }
    }

    /// One new element per id, in order.
    pub(crate) fn dummies(&self, ids: impl IntoIterator<Item = u64>) -> Vec<Dummy> {
        ids.into_iter().map(|id| self.dummy(id)).collect()
    }

    /// Arms `op`: after `after` more calls of `op` (on any element), the next one panics
    /// with a message containing [`PLANNED`]. One shot: the fuse is gone once it fires.
    /// Replaces any fuse already armed for `op`.
    pub(crate) fn arm(&self, op: Op, after: usize) {
        self.state().fuses[op.index()] = Some(Fuse {
            id: None,
            remaining: after,
        });
    }

    /// Arms `op` for one element id: the next call of `op` on an element with `id`
    /// panics (once).
    pub(crate) fn arm_id(&self, op: Op, id: u64) {
        self.state().fuses[op.index()] = Some(Fuse {
            id: Some(id),
            remaining: 0,
        });
    }

    /// Removes the fuse of `op`; returns whether one was still armed (had not fired).
    pub(crate) fn disarm(&self, op: Op) -> bool {
        self.state().fuses[op.index()].take().is_some()
    }

    /// How many times `op` has been called so far (including a call that panicked).
    pub(crate) fn calls(&self, op: Op) -> usize {
        self.state().calls[op.index()]
    }

    /// A fuse point for test closures ([`Op::Callback`]): panics if that fuse says so.
    pub(crate) fn callback(&self) {
        self.hit(Op::Callback, None);
    }

    /// Counts a call of `op` and panics if an armed fuse says so. The lock is released
    /// before panicking.
    fn hit(&self, op: Op, id: Option<u64>) {
        let fire = {
            let mut state = self.state();
            state.calls[op.index()] += 1;
            let slot = &mut state.fuses[op.index()];
            match slot {
                Some(fuse) if fuse.id.is_none() || fuse.id == id => {
                    if op == Op::Drop && thread::panicking() {
                        false
                    } else if fuse.remaining == 0 {
                        *slot = None;
                        true
                    } else {
                        fuse.remaining -= 1;
                        false
                    }
                }
                _ => false,
            }
        };
        if fire {
            match id {
                Some(id) => panic!("{PLANNED} in {op:?} of #{id}"),
                None => panic!("{PLANNED} in {op:?}"),
            }
        }
    }

    /// The counters of `id` (all zero if never seen).
    pub(crate) fn counts(&self, id: u64) -> Counts {
        self.state().counts.get(&id).copied().unwrap_or_default()
    }

    /// Instances with `id` alive now.
    pub(crate) fn alive(&self, id: u64) -> usize {
        self.counts(id).alive()
    }

    /// Instances alive now, all ids together.
    pub(crate) fn total_alive(&self) -> usize {
        self.state().live.len()
    }

    /// Drops so far, all ids together.
    pub(crate) fn total_dropped(&self) -> usize {
        self.state().counts.values().map(|c| c.dropped).sum()
    }

    /// Clones so far, all ids together.
    pub(crate) fn total_cloned(&self) -> usize {
        self.state().counts.values().map(|c| c.cloned).sum()
    }

    /// Asserts that every instance ever made (created or cloned) was dropped exactly
    /// once: no leak, no double drop. Call it after dropping the collections.
    #[track_caller]
    pub(crate) fn assert_balanced(&self) {
        let state = self.state();
        assert_eq!(state.double_drops, 0, "double drops: {state:?}");
        let mut ids: Vec<_> = state.counts.iter().collect();
        ids.sort_by_key(|(id, _)| **id);
        for (id, counts) in ids {
            assert_eq!(
                counts.dropped,
                counts.created + counts.cloned,
                "element #{id}: {counts:?} (dropped must equal created + cloned)"
            );
        }
        assert!(state.live.is_empty(), "leaked instances: {:?}", state.live);
    }
}

/// An element that reports to its [`Tracker`] and panics on command. `Eq`, `Hash` and
/// `Ord` use the id only. Not `Copy`, `Send + Sync`, `'static`.
pub(crate) struct Dummy {
    id: u64,
    serial: u64,
    tracker: Tracker,
}

impl Dummy {
    /// The id given at creation (shared by its clones).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}

/// The ids of a sequence of dummies, in order: the "contents" of a collection of them.
pub(crate) fn ids<'a>(items: impl IntoIterator<Item = &'a Dummy>) -> Vec<u64> {
    items.into_iter().map(Dummy::id).collect()
}

impl Clone for Dummy {
    fn clone(&self) -> Self {
        self.tracker.hit(Op::Clone, Some(self.id));
        let serial = self.tracker.register(self.id, true);
        Self {
            id: self.id,
            serial,
            tracker: self.tracker.clone(),
        }
    }
}

impl Drop for Dummy {
    fn drop(&mut self) {
        {
            let mut state = self.tracker.state();
            if state.live.remove(&self.serial) {
                state.counts.entry(self.id).or_default().dropped += 1;
            } else {
                state.double_drops += 1;
            }
        }
        self.tracker.hit(Op::Drop, Some(self.id));
    }
}

impl PartialEq for Dummy {
    fn eq(&self, other: &Self) -> bool {
        self.tracker.hit(Op::Eq, Some(self.id));
        self.id == other.id
    }
}

impl Eq for Dummy {}

impl Hash for Dummy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.tracker.hit(Op::Hash, Some(self.id));
        self.id.hash(state);
    }
}

impl PartialOrd for Dummy {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dummy {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.tracker.hit(Op::Cmp, Some(self.id));
        self.id.cmp(&other.id)
    }
}

impl fmt::Debug for Dummy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.id)
    }
}

// ---------------------------------------------------------------------------------------
// Tests every concurrent map must pass
// ---------------------------------------------------------------------------------------

/// The tests of the operations `CowMap` and `CowBTreeMap` share (one implementation,
/// `src/collections/ops.rs`), generated for the map type `$map` so that they are written
/// once: the Java `ConcurrentMap` writes that only these two have. Keys are inserted in
/// ascending order, so that insertion order and key order agree.
#[allow(unused_macros)]
macro_rules! concurrent_map_tests {
    ($map:ident) => {
        #[test]
        fn get_or_insert_with_makes_a_value_only_for_an_absent_key() {
            let m = $map::from([(1, 10)]);
            let mut calls = 0;
            let mut make = |value| {
                calls += 1;
                value
            };
            assert_eq!(m.get_or_insert_with(1, || make(99)), 10);
            assert_eq!(m.version(), 0, "present: nothing published");
            assert_eq!(m.get_or_insert_with(2, || make(20)), 20);
            assert_eq!(m.get_or_insert_with(2, || make(21)), 20);
            assert_eq!(calls, 1);
            assert_eq!((m.get(&2), m.len(), m.version()), (Some(20), 2, 1));
        }

        #[test]
        fn compute_if_present_replaces_removes_or_leaves_absent_keys_alone() {
            let m = $map::from([(1, 10), (2, 20)]);
            assert_eq!(m.compute_if_present(&1, |v| Some(v + 1)), Some(11));
            assert_eq!(m.compute_if_present(&2, |_| None), None);
            let mut called = false;
            assert_eq!(
                m.compute_if_present(&3, |_| {
                    called = true;
                    Some(0)
                }),
                None
            );
            assert!(!called, "f is not called for an absent key");
            assert!(!m.contains_key(&3), "an absent key stays absent");
            assert_eq!((m.get(&1), m.len(), m.version()), (Some(11), 1, 2));
        }

        #[test]
        fn merge_inserts_combines_and_removes() {
            let m = $map::new();
            assert_eq!(m.merge("a", 1, |_, _| unreachable!("absent")), Some(1));
            assert_eq!(m.merge("a", 5, |old, new| Some(old + new)), Some(6));
            assert_eq!(m.merge("b", 2, |old, new| Some(old + new)), Some(2));
            assert_eq!(m.merge("a", 0, |_, _| None), None);
            assert_eq!((m.get("a"), m.get("b"), m.version()), (None, Some(2), 4));
        }

        #[test]
        fn remove_entry_returns_the_stored_key() {
            let m = $map::from([("k".to_string(), 1), ("l".to_string(), 2)]);
            assert_eq!(m.remove_entry("k"), Some(("k".to_string(), 1)));
            assert_eq!(m.remove_entry("k"), None);
            assert_eq!((m.len(), m.version()), (1, 1));
        }

        #[test]
        fn java_map_writes_panic_naming_the_call_when_reentrant() {
            common::with_timeout(|| {
                let m = $map::from([(1, 1)]);
                let name = stringify!($map);
                type Write = (&'static str, fn(&$map<i32, i32>));
                let writes: [Write; 4] = [
                    ("get_or_insert_with", |m| {
                        m.get_or_insert_with(2, || 2);
                    }),
                    ("compute_if_present", |m| {
                        m.compute_if_present(&1, |_| None);
                    }),
                    ("merge", |m| {
                        m.merge(1, 1, |a, b| Some(a + b));
                    }),
                    ("remove_entry", |m| {
                        m.remove_entry(&1);
                    }),
                ];
                for (call, write) in writes {
                    let needle = format!("`{name}::{call}`");
                    common::expect_panic(&["re-entrant", &needle], || m.update(|_| write(&m)));
                    assert_eq!((m.version(), m.get(&1)), (0, Some(1)), "{call}");
                }
                m.merge(1, 1, |a, b| Some(a + b));
                assert_eq!((m.version(), m.get(&1)), (1, Some(2)));
            });
        }
    };
}
#[allow(unused_imports)]
pub(crate) use concurrent_map_tests;
