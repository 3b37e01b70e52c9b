//! The differential harness: runs a [`Case`] (a list of [`Step`]s) against a collection
//! and against its model (`Vec`, `IndexSet`, `IndexMap`) side by side, and after every
//! step checks that return values, contents (order and element identity included) and
//! the version number agree.
//!
//! What it checks, beyond "same answer":
//!
//! * Versions: the model's version goes up by one per publish. Which calls publish is
//!   taken from the API docs: a write that changes nothing (inserting a present value,
//!   removing an absent one, `retain` keeping everything, `clear` on empty, ...)
//!   publishes nothing; `update`, `try_update` returning `Ok`, `store`, a write guard
//!   dropped normally and `get_mut` always publish.
//! * Snapshots taken at random points are kept and re-checked at the end against the
//!   model state and version of the moment they were taken.
//! * Injected panics (see [`crate::trap`]): after a caught panic the collection holds
//!   the state and version from before the step, and takes the next write. A panicking
//!   `Drop` is the one exception: the library drops the retired version after
//!   publishing (outside the lock, by design), so there the state is either the one from
//!   before the step or the one after it, with the matching version.
//! * Read guards and readers alive across a write keep showing, respectively, the old
//!   version and then the new one; a forked collection (`clone`, `From<Snapshot>`) is
//!   independent of the original.
//! * No element leaks or is dropped twice: a live-element count must return to zero
//!   (after an injected `Drop` panic only double drops count, see [`run`]).
//!
//! Shared, unchanged, by the fuzz targets and the root crate's proptests.

use std::fmt;

use cow_collections::{ReadGuard, Reader, Snapshot, WriteGuard};

use crate::trap::{self, Id, Injected, Kind, Mint, Trap};

/// What a call returned, reduced to identities so that comparing it calls nothing
/// trapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ret {
    /// `()`.
    Unit,
    /// A `bool`.
    Bool(bool),
    /// A length or a count.
    Len(usize),
    /// An index, or `None`.
    Index(Option<usize>),
    /// An element (or a map value), or `None`.
    Elem(Option<Id>),
    /// A map entry (key, value), or `None`.
    Entry(Option<(Id, Id)>),
    /// Elements in order (a map flattens to key, value, key, value, ...).
    Elems(Vec<Id>),
    /// A snapshot's contents and version (`store`'s return value).
    Snapshot(Vec<Id>, u64),
    /// A write guard's `version()`, and what a snapshot taken while it lived showed.
    Write {
        /// `WriteGuard::version()`.
        guard_version: u64,
        /// The contents a reader saw while the guard was alive.
        seen: Vec<Id>,
        /// The version a reader saw while the guard was alive.
        seen_version: u64,
    },
    /// `try_update`'s `Err` (carrying the length the closure saw).
    Err(usize),
}

/// What the model says a step does.
#[derive(Debug)]
pub enum Expect {
    /// Returns `ret`; publishes one version if `publishes`.
    Returns {
        /// The return value.
        ret: Ret,
        /// Whether a new version is published.
        publishes: bool,
    },
    /// Panics with exactly this message, changing nothing.
    Panics(String),
}

impl Expect {
    /// Returns `ret`, publishes nothing.
    pub fn read(ret: Ret) -> Self {
        Expect::Returns {
            ret,
            publishes: false,
        }
    }

    /// Returns `ret`, publishes one version.
    pub fn publish(ret: Ret) -> Self {
        Expect::Returns {
            ret,
            publishes: true,
        }
    }

    /// Returns `ret`, publishes one version if `changed`.
    pub fn publish_if(changed: bool, ret: Ret) -> Self {
        Expect::Returns {
            ret,
            publishes: changed,
        }
    }
}

/// A collection under test: its model, its own calls, and the facade methods every
/// collection shares (forwarded by [`forward_facade!`]).
pub trait Subject: Sized {
    /// The inner container, which is also the model (`Vec<Elem>`, ...).
    type Inner: Clone + Default;
    /// The collection's own calls (`push`, `insert_if_absent`, ...).
    type Call: fmt::Debug;
    /// One change made inside an `update`/`write`/`get_mut` closure.
    type Change: fmt::Debug;

    /// The contents as identities, in order.
    fn ids(inner: &Self::Inner) -> Vec<Id>;
    /// The number of elements (or entries).
    fn count(inner: &Self::Inner) -> usize;
    /// Applies one change (a closure body: it counts as a `Closure` call first).
    fn change(inner: &mut Self::Inner, change: &Self::Change, mint: &mut Mint);
    /// Performs `call` on the collection. `len` is the model's length before the call
    /// (to resolve raw indices the same way on both sides). Library calls run
    /// [`trap::armed`]; returned elements are dropped outside it.
    fn call(&self, call: &Self::Call, len: usize, mint: &mut Mint) -> Ret;
    /// What `call` does to the model.
    fn model(inner: &mut Self::Inner, call: &Self::Call, mint: &mut Mint) -> Expect;

    /// `From<Inner>`.
    fn from_inner(inner: Self::Inner) -> Self;
    /// `Clone::clone`, or `From<Snapshot>` of the current version.
    fn fork(&self, via_snapshot: bool) -> Self;
    /// The facade's `update`.
    fn update<R>(&self, f: impl FnOnce(&mut Self::Inner) -> R) -> R;
    /// The facade's `try_update`.
    fn try_update<R, E>(&self, f: impl FnOnce(&mut Self::Inner) -> Result<R, E>) -> Result<R, E>;
    /// The facade's `store`.
    fn store(&self, value: Self::Inner) -> Snapshot<Self::Inner>;
    /// The facade's `write`.
    fn write(&self) -> WriteGuard<'_, Self::Inner>;
    /// The facade's `get_mut`.
    fn get_mut(&mut self) -> &mut Self::Inner;
    /// The facade's `snapshot`.
    fn snapshot(&self) -> Snapshot<Self::Inner>;
    /// The facade's `read`.
    fn read(&self) -> ReadGuard<'_, Self::Inner>;
    /// The facade's `reader`.
    fn reader(&self) -> Reader<'_, Self::Inner>;
    /// The facade's `version`.
    fn version(&self) -> u64;
    /// The facade's `into_inner`.
    fn into_inner(self) -> Self::Inner;
}

/// Implements the facade part of [`Subject`] for a collection type by forwarding to its
/// inherent methods (inherent methods win over trait methods of the same name).
macro_rules! forward_facade {
    ($ty:ty) => {
        fn from_inner(inner: Self::Inner) -> Self {
            <$ty>::from(inner)
        }
        fn fork(&self, via_snapshot: bool) -> Self {
            if via_snapshot {
                <$ty>::from(<$ty>::snapshot(self))
            } else {
                Clone::clone(self)
            }
        }
        fn update<R>(&self, f: impl FnOnce(&mut Self::Inner) -> R) -> R {
            <$ty>::update(self, f)
        }
        fn try_update<R, E>(
            &self,
            f: impl FnOnce(&mut Self::Inner) -> Result<R, E>,
        ) -> Result<R, E> {
            <$ty>::try_update(self, f)
        }
        fn store(&self, value: Self::Inner) -> cow_collections::Snapshot<Self::Inner> {
            <$ty>::store(self, value)
        }
        fn write(&self) -> cow_collections::WriteGuard<'_, Self::Inner> {
            <$ty>::write(self)
        }
        fn get_mut(&mut self) -> &mut Self::Inner {
            <$ty>::get_mut(self)
        }
        fn snapshot(&self) -> cow_collections::Snapshot<Self::Inner> {
            <$ty>::snapshot(self)
        }
        fn read(&self) -> cow_collections::ReadGuard<'_, Self::Inner> {
            <$ty>::read(self)
        }
        fn reader(&self) -> cow_collections::Reader<'_, Self::Inner> {
            <$ty>::reader(self)
        }
        fn version(&self) -> u64 {
            <$ty>::version(self)
        }
        fn into_inner(self) -> Self::Inner {
            <$ty>::into_inner(self)
        }
    };
}
pub(crate) use forward_facade;

/// How a [`Op::Snapshot`] takes its snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// `snapshot()`.
    Cell,
    /// `read().to_snapshot()`.
    ReadGuard,
    /// `reader().snapshot()`.
    Reader,
}

/// One operation: a collection call, or one of the writes and reads every collection
/// shares.
#[derive(Clone, Debug)]
pub enum Op<Call, Change> {
    /// A collection-specific call.
    Call(Call),
    /// `update` applying the changes; returns the length the closure ended with.
    Update(Vec<Change>),
    /// `try_update` applying the changes, then returning `Ok` or `Err`.
    TryUpdate {
        /// The closure body.
        changes: Vec<Change>,
        /// Whether the closure returns `Ok`.
        ok: bool,
    },
    /// `store` of a fresh container built by the changes.
    Store(Vec<Change>),
    /// `write()`, the changes through the guard, then drop (or `discard`).
    Write {
        /// Applied through the guard.
        changes: Vec<Change>,
        /// `discard()` instead of dropping.
        discard: bool,
    },
    /// `get_mut()`, then the changes on the `&mut`.
    GetMut(Vec<Change>),
    /// Take a snapshot and keep it for the final re-check.
    Snapshot(Via),
    /// Hold a read guard and a reader across the inner operation.
    Observe(Box<Op<Call, Change>>),
    /// Run the inner operation on an O(1) copy of the collection; the original must
    /// not change.
    Fork {
        /// `From<Snapshot>` instead of `Clone`.
        via_snapshot: bool,
        /// What to do to the copy.
        op: Box<Op<Call, Change>>,
    },
}

impl<Call, Change> Op<Call, Change> {
    /// Whether the operation needs `&mut` to the collection (`get_mut`).
    pub fn needs_mut(&self) -> bool {
        match self {
            Op::GetMut(_) => true,
            Op::Observe(op) => op.needs_mut(),
            _ => false,
        }
    }
}

/// An operation and the panic to inject into it, if any.
#[derive(Clone, Debug)]
pub struct Step<Call, Change> {
    /// What to do.
    pub op: Op<Call, Change>,
    /// Which call panics while doing it.
    pub trap: Option<Trap>,
}

/// A whole test case: the initial contents (built by changes) and the steps.
#[derive(Clone, Debug)]
pub struct Case<Call, Change> {
    /// Changes applied to an empty container to build version 0.
    pub initial: Vec<Change>,
    /// The steps, in order.
    pub steps: Vec<Step<Call, Change>>,
}

/// At most this many snapshots are kept for the final re-check.
const KEEP: usize = 8;

/// A kept snapshot and what it must show.
struct Kept<T> {
    snapshot: Snapshot<T>,
    ids: Vec<Id>,
    version: u64,
    step: usize,
}

/// What a passing run went through.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The injected panics caught: step index and kind.
    pub panics: Vec<(usize, Kind)>,
}

/// Runs `case` against a fresh `C` and its model; panics on the first disagreement.
pub fn run<C: Subject>(case: &Case<C::Call, C::Change>) -> Report {
    trap::install_quiet_hook();
    let live_before = trap::live();
    let report = {
        let mut model_mint = Mint::starting_at(0);
        let mut real_mint = Mint::starting_at(0);
        let mut model = C::Inner::default();
        let mut inner = C::Inner::default();
        for change in &case.initial {
            C::change(&mut model, change, &mut model_mint);
            C::change(&mut inner, change, &mut real_mint);
        }
        let mut harness = Harness::<C> {
            model,
            version: 0,
            kept: Vec::new(),
            next_tag: model_mint.next_tag(),
            step: 0,
            report: Report::default(),
        };
        let mut collection = C::from_inner(inner);
        harness.check_current(&collection, &"the initial contents");
        for step in &case.steps {
            harness.exec(&mut collection, &step.op, step.trap);
            harness.step += 1;
        }
        harness.finish(collection)
    };
    let live = trap::live() - live_before;
    if report.panics.iter().any(|&(_, kind)| kind == Kind::Drop) {
        // A panicking `Drop` may leak: when a local's destructor panics after a
        // function's return value is built, the return value is never dropped
        // (rust-lang/rust#47949). `IndexMap::insert` on a present key leaks the old value
        // that way when dropping the duplicate key panics, and so does `CowMap::compute`
        // with the copy it built when dropping its unused `key` panics. Leaks, not
        // unsoundness: a double drop (negative count) is still an error.
        assert!(live >= 0, "{} elements were dropped twice", -live);
    } else {
        assert_eq!(
            live, 0,
            "elements leaked (positive) or were dropped twice (negative)"
        );
    }
    report
}

/// The model side of a run.
struct Harness<C: Subject> {
    model: C::Inner,
    version: u64,
    kept: Vec<Kept<C::Inner>>,
    next_tag: u32,
    step: usize,
    report: Report,
}

impl<C: Subject> Harness<C> {
    fn exec(&mut self, c: &mut C, op: &Op<C::Call, C::Change>, trap: Option<Trap>) {
        match op {
            Op::GetMut(changes) => self.get_mut(c, changes, trap),
            // A guard borrows the collection: it cannot be held across `get_mut`.
            Op::Observe(inner) if inner.needs_mut() => self.exec(c, inner, trap),
            _ => self.exec_ref(c, op, trap),
        }
    }

    fn exec_ref(&mut self, c: &C, op: &Op<C::Call, C::Change>, trap: Option<Trap>) {
        match op {
            Op::GetMut(_) => unreachable!("needs &mut, handled by exec"),
            Op::Observe(inner) => self.observe(c, inner, trap),
            Op::Fork { via_snapshot, op } => self.fork(c, *via_snapshot, op, trap),
            Op::Snapshot(via) => self.take_snapshot(c, *via),
            _ => self.exec_shared(c, op, trap),
        }
    }

    /// The common case: predict with the model, perform under the trap, judge.
    fn exec_shared(&mut self, c: &C, op: &Op<C::Call, C::Change>, trap: Option<Trap>) {
        let len = C::count(&self.model);
        let mut next = self.model.clone();
        let mut model_mint = Mint::starting_at(self.next_tag);
        let expect = predict::<C>(&mut next, op, self.version, &mut model_mint);
        let mut real_mint = Mint::starting_at(self.next_tag);
        trap::set(trap);
        let outcome = trap::quietly(|| perform(c, op, len, &mut real_mint));
        let fired = trap::take_fired();
        self.next_tag = model_mint.next_tag().max(real_mint.next_tag());
        match outcome {
            Ok(ret) => {
                assert_eq!(
                    fired, None,
                    "step {}: {op:?}: a trap fired but no panic came out",
                    self.step
                );
                match expect {
                    Expect::Returns {
                        ret: want,
                        publishes,
                    } => {
                        assert_eq!(ret, want, "step {}: {op:?}: return value", self.step);
                        self.commit(next, publishes);
                    }
                    Expect::Panics(want) => panic!(
                        "step {}: {op:?}: expected the panic {want:?}, got {ret:?}",
                        self.step
                    ),
                }
            }
            Err(payload) => {
                if let Some(Injected(kind)) = payload.downcast_ref::<Injected>() {
                    assert_eq!(fired, Some(*kind), "step {}: {op:?}", self.step);
                    self.report.panics.push((self.step, *kind));
                    // The retired version is dropped after the publish, outside the
                    // lock: a panicking `Drop` there comes after the new version is out.
                    let published = matches!(
                        expect,
                        Expect::Returns {
                            publishes: true,
                            ..
                        }
                    );
                    if *kind == Kind::Drop && published && c.version() == self.version + 1 {
                        self.commit(next, true);
                    }
                } else {
                    let message = trap::message(&*payload);
                    match expect {
                        Expect::Panics(want) if want == message => {}
                        _ => panic!(
                            "step {}: {op:?}: unexpected panic: {message} (expected {expect:?})",
                            self.step
                        ),
                    }
                }
                self.check_current(c, op);
                self.probe(c);
            }
        }
        self.check_current(c, op);
    }

    /// `get_mut`: the trap is armed only while `get_mut` copies (a shared version is
    /// cloned first); the changes run on the `&mut` afterwards, unprotected as any
    /// `&mut` is.
    fn get_mut(&mut self, c: &mut C, changes: &[C::Change], trap: Option<Trap>) {
        let mut model_mint = Mint::starting_at(self.next_tag);
        let mut real_mint = Mint::starting_at(self.next_tag);
        trap::set(trap);
        let outcome = {
            let c = &mut *c;
            trap::quietly(move || trap::armed(move || c.get_mut()))
        };
        let fired = trap::take_fired();
        match outcome {
            Ok(inner) => {
                assert_eq!(fired, None, "step {}: get_mut: a trap fired", self.step);
                for change in changes {
                    C::change(inner, change, &mut real_mint);
                }
                let mut next = self.model.clone();
                for change in changes {
                    C::change(&mut next, change, &mut model_mint);
                }
                self.commit(next, true);
            }
            Err(payload) => {
                // A panicking `Clone` while copying a shared version, or a panicking
                // `Drop` of a retired version that the copy's publish let the cell free
                // (after the copy is in place): either way the contents are unchanged.
                let injected = payload.downcast_ref::<Injected>();
                let kind = match injected {
                    Some(Injected(kind @ (Kind::Clone | Kind::Drop))) => *kind,
                    _ => panic!(
                        "step {}: get_mut: unexpected panic: {}",
                        self.step,
                        trap::message(&*payload)
                    ),
                };
                assert_eq!(fired, Some(kind), "step {}: get_mut", self.step);
                self.report.panics.push((self.step, kind));
                self.check_current(c, &"get_mut");
                self.probe(c);
            }
        }
        self.next_tag = model_mint.next_tag().max(real_mint.next_tag());
        self.check_current(c, &"get_mut");
    }

    /// Holds a read guard and a reader across `op`: the guard keeps the old version,
    /// the reader moves to the new one.
    fn observe(&mut self, c: &C, op: &Op<C::Call, C::Change>, trap: Option<Trap>) {
        let before = C::ids(&self.model);
        let version = self.version;
        let guard = c.read();
        let mut reader = c.reader();
        {
            let (value, seen) = reader.read_with_version();
            assert_eq!(C::ids(value), before, "step {}: reader", self.step);
            assert_eq!(seen, version, "step {}: reader version", self.step);
        }
        self.exec_ref(c, op, trap);
        assert_eq!(
            C::ids(&guard),
            before,
            "step {}: read guard across {op:?}",
            self.step
        );
        assert_eq!(
            guard.version(),
            version,
            "step {}: read guard version",
            self.step
        );
        {
            let (value, seen) = reader.read_with_version();
            assert_eq!(
                C::ids(value),
                C::ids(&self.model),
                "step {}: reader after {op:?}",
                self.step
            );
            assert_eq!(
                seen, self.version,
                "step {}: reader version after {op:?}",
                self.step
            );
        }
        self.keep(guard.to_snapshot(), before, version);
    }

    /// Runs `op` on an O(1) copy: the copy follows the model, the original stays.
    fn fork(&mut self, c: &C, via_snapshot: bool, op: &Op<C::Call, C::Change>, trap: Option<Trap>) {
        let model = self.model.clone();
        let version = self.version;
        let mut fork = c.fork(via_snapshot);
        self.check_current(&fork, &"a fresh fork");
        self.exec(&mut fork, op, trap);
        drop(fork);
        self.model = model;
        self.version = version;
        self.check_current(c, &"the original of a fork");
    }

    fn take_snapshot(&mut self, c: &C, via: Via) {
        let snapshot = match via {
            Via::Cell => c.snapshot(),
            Via::ReadGuard => c.read().to_snapshot(),
            Via::Reader => c.reader().snapshot(),
        };
        let ids = C::ids(&self.model);
        assert_eq!(
            C::ids(&snapshot),
            ids,
            "step {}: snapshot via {via:?}",
            self.step
        );
        assert_eq!(
            snapshot.version(),
            self.version,
            "step {}: snapshot version",
            self.step
        );
        self.keep(snapshot, ids, self.version);
    }

    fn keep(&mut self, snapshot: Snapshot<C::Inner>, ids: Vec<Id>, version: u64) {
        let kept = Kept {
            snapshot,
            ids,
            version,
            step: self.step,
        };
        if self.kept.len() < KEEP {
            self.kept.push(kept);
        } else {
            self.kept[self.step % KEEP] = kept;
        }
    }

    fn commit(&mut self, next: C::Inner, publishes: bool) {
        self.model = next;
        if publishes {
            self.version += 1;
        }
    }

    /// The collection's current version is the model's.
    fn check_current(&self, c: &C, after: &dyn fmt::Debug) {
        let snapshot = c.snapshot();
        assert_eq!(
            C::ids(&snapshot),
            C::ids(&self.model),
            "step {}: contents after {after:?}",
            self.step
        );
        assert_eq!(
            snapshot.version(),
            self.version,
            "step {}: version after {after:?}",
            self.step
        );
        assert_eq!(c.version(), self.version, "step {}: version()", self.step);
    }

    /// After a caught panic: the write lock is free and the collection takes writes.
    fn probe(&mut self, c: &C) {
        let refused: Result<(), ()> = c.try_update(|_| Err(()));
        assert_eq!(refused, Err(()), "step {}: probe", self.step);
        assert_eq!(
            c.version(),
            self.version,
            "step {}: a refused try_update published",
            self.step
        );
        c.update(|_| ());
        self.version += 1;
    }

    /// Re-checks the kept snapshots and `into_inner`.
    fn finish(mut self, c: C) -> Report {
        for kept in &self.kept {
            assert_eq!(
                C::ids(&kept.snapshot),
                kept.ids,
                "snapshot kept at step {} changed",
                kept.step
            );
            assert_eq!(
                kept.snapshot.version(),
                kept.version,
                "version of the snapshot kept at step {}",
                kept.step
            );
        }
        let inner = c.into_inner();
        assert_eq!(C::ids(&inner), C::ids(&self.model), "into_inner");
        if let Some(kept) = self.kept.pop() {
            assert_eq!(
                C::ids(&kept.snapshot.into_inner()),
                kept.ids,
                "Snapshot::into_inner"
            );
        }
        self.report
    }
}

/// Applies `changes` in order.
fn apply<C: Subject>(inner: &mut C::Inner, changes: &[C::Change], mint: &mut Mint) {
    for change in changes {
        C::change(inner, change, mint);
    }
}

/// What `op` does to the model (`next` starts as the current state).
fn predict<C: Subject>(
    next: &mut C::Inner,
    op: &Op<C::Call, C::Change>,
    version: u64,
    mint: &mut Mint,
) -> Expect {
    match op {
        Op::Call(call) => C::model(next, call, mint),
        Op::Update(changes) => {
            apply::<C>(next, changes, mint);
            Expect::publish(Ret::Len(C::count(next)))
        }
        Op::TryUpdate { changes, ok } => {
            if *ok {
                apply::<C>(next, changes, mint);
                Expect::publish(Ret::Len(C::count(next)))
            } else {
                let mut scratch = next.clone();
                apply::<C>(&mut scratch, changes, mint);
                Expect::read(Ret::Err(C::count(&scratch)))
            }
        }
        Op::Store(changes) => {
            let mut fresh = C::Inner::default();
            apply::<C>(&mut fresh, changes, mint);
            let old = std::mem::replace(next, fresh);
            Expect::publish(Ret::Snapshot(C::ids(&old), version))
        }
        Op::Write { changes, discard } => {
            let ret = Ret::Write {
                guard_version: version + 1,
                seen: C::ids(next),
                seen_version: version,
            };
            if *discard {
                let mut scratch = next.clone();
                apply::<C>(&mut scratch, changes, mint);
                Expect::read(ret)
            } else {
                apply::<C>(next, changes, mint);
                Expect::publish(ret)
            }
        }
        Op::GetMut(_) | Op::Snapshot(_) | Op::Observe(_) | Op::Fork { .. } => {
            unreachable!("handled by exec")
        }
    }
}

/// Performs `op` on the collection, library calls armed.
fn perform<C: Subject>(c: &C, op: &Op<C::Call, C::Change>, len: usize, mint: &mut Mint) -> Ret {
    match op {
        Op::Call(call) => c.call(call, len, mint),
        Op::Update(changes) => Ret::Len(trap::armed(|| {
            c.update(|inner| {
                apply::<C>(inner, changes, mint);
                C::count(inner)
            })
        })),
        Op::TryUpdate { changes, ok } => {
            let result = trap::armed(|| {
                c.try_update(|inner| {
                    apply::<C>(inner, changes, mint);
                    if *ok {
                        Ok(C::count(inner))
                    } else {
                        Err(C::count(inner))
                    }
                })
            });
            match result {
                Ok(len) => Ret::Len(len),
                Err(len) => Ret::Err(len),
            }
        }
        Op::Store(changes) => {
            let mut fresh = C::Inner::default();
            apply::<C>(&mut fresh, changes, mint);
            let old = trap::armed(|| c.store(fresh));
            Ret::Snapshot(C::ids(&old), old.version())
        }
        Op::Write { changes, discard } => {
            let (guard_version, seen) = trap::armed(|| {
                let mut guard = c.write();
                let guard_version = guard.version();
                apply::<C>(&mut guard, changes, mint);
                let seen = c.snapshot();
                if *discard {
                    guard.discard();
                } else {
                    drop(guard);
                }
                (guard_version, seen)
            });
            Ret::Write {
                guard_version,
                seen: C::ids(&seen),
                seen_version: seen.version(),
            }
        }
        Op::GetMut(_) | Op::Snapshot(_) | Op::Observe(_) | Op::Fork { .. } => {
            unreachable!("handled by exec")
        }
    }
}
