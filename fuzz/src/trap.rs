//! Panic injection: an element type whose `Clone`, `Hash`, `Eq`, `Ord` and `Drop` panic
//! on command, and the same switch for the closures the harness hands to the library.
//!
//! A [`Trap`] says "panic at the n-th call of this kind". The harness [`set`]s it before
//! a step and wraps only the library calls of that step in [`armed`]: calls made by the
//! model or by the harness itself are never counted, so only code running inside the
//! library (or a closure it calls) can trip it. Every injected panic carries an
//! [`Injected`] payload, so the harness can tell it from a panic the library raised.
//!
//! Shared, unchanged, by the fuzz targets (through `fuzz/src/lib.rs`) and the root
//! crate's proptests (`tests/proptest_models.rs` includes this file by path).

use std::cell::Cell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// Which kind of call a [`Trap`] waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `Elem::clone`.
    Clone,
    /// `Elem::hash`.
    Hash,
    /// `Elem::eq`.
    Eq,
    /// `Elem::cmp` (and `partial_cmp`).
    Ord,
    /// `Elem::drop`, only when the thread is not already unwinding (that would abort).
    Drop,
    /// A closure given to the library: an `update` body, a predicate, a comparator, a
    /// key function, a `compute` function.
    Closure,
}

/// Every kind, for generators.
pub const KINDS: [Kind; 6] = [
    Kind::Clone,
    Kind::Hash,
    Kind::Eq,
    Kind::Ord,
    Kind::Drop,
    Kind::Closure,
];

/// Panic at call number `skip + 1` of `kind` made inside [`armed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trap {
    /// The kind of call that panics.
    pub kind: Kind,
    /// How many calls of that kind pass before the one that panics.
    pub skip: u8,
}

/// The payload of every injected panic.
#[derive(Debug)]
pub struct Injected(pub Kind);

thread_local! {
    /// The pending trap: its kind and how many more calls pass.
    static PENDING: Cell<Option<(Kind, u8)>> = const { Cell::new(None) };
    /// The kind of the trap that fired since the last [`set`].
    static FIRED: Cell<Option<Kind>> = const { Cell::new(None) };
    /// Whether calls are counted right now (inside [`armed`]).
    static ARMED: Cell<bool> = const { Cell::new(false) };
    /// Whether the panic hook stays silent (inside [`quietly`]).
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Live `Elem`s on this thread: created minus dropped. Catches leaks and double drops.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

/// Sets the trap for the next step (`None`: no panic) and forgets what fired before.
pub fn set(trap: Option<Trap>) {
    PENDING.set(trap.map(|t| (t.kind, t.skip)));
    FIRED.set(None);
}

/// Clears the trap; returns the kind that fired since [`set`], if any.
pub fn take_fired() -> Option<Kind> {
    PENDING.set(None);
    FIRED.take()
}

/// Runs `f` (a library call) with the trap armed.
pub fn armed<R>(f: impl FnOnce() -> R) -> R {
    struct Disarm(bool);
    impl Drop for Disarm {
        fn drop(&mut self) {
            ARMED.set(self.0);
        }
    }
    let _restore = Disarm(ARMED.replace(true));
    f()
}

/// Counts one call of `kind`; panics with [`Injected`] if it is the one the trap waits
/// for. Does nothing outside [`armed`].
pub fn hit(kind: Kind) {
    if !ARMED.get() {
        return;
    }
    match PENDING.get() {
        Some((k, 0)) if k == kind => {
            PENDING.set(None);
            FIRED.set(Some(kind));
            panic::panic_any(Injected(kind));
        }
        Some((k, n)) if k == kind => PENDING.set(Some((k, n - 1))),
        _ => {}
    }
}

/// Installs (once per process) a panic hook that stays silent inside [`quietly`] and
/// defers to the hook that was there before otherwise. In a fuzz target the previous
/// hook is libFuzzer's, which aborts: so only panics outside `quietly` are crashes.
pub fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.get() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, catching its panic silently (see [`install_quiet_hook`]).
pub fn quietly<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    let was = QUIET.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.set(was);
    result
}

/// The message of a panic payload (`&str` or `String`), or a description of it.
pub fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(Injected(kind)) = payload.downcast_ref::<Injected>() {
        format!("injected {kind:?} panic")
    } else {
        "non-string panic payload".to_string()
    }
}

/// How many `Elem`s are alive on this thread.
pub fn live() -> i64 {
    LIVE.get()
}

/// An element's identity: its value and its tag.
pub type Id = (u8, u32);

/// Values are taken modulo this, so that equal elements (duplicates, present keys) are
/// common.
pub const VALUES: u8 = 16;

/// The test element: compares, hashes and orders by `val` only, and every one of those
/// calls (and `clone` and `drop`) goes through [`hit`].
///
/// `tag` is invisible to `Eq`/`Hash`/`Ord` but the harness compares it: it tells which
/// of several equal elements a collection kept (stable sort, dedup keeping the first,
/// a set keeping its old element, a map keeping its old key).
pub struct Elem {
    /// What `Eq`, `Hash` and `Ord` see.
    pub val: u8,
    /// A unique label, invisible to `Eq`, `Hash` and `Ord`.
    pub tag: u32,
}

impl Elem {
    /// The element's identity, read without calling any trapped method.
    pub fn id(&self) -> Id {
        (self.val, self.tag)
    }
}

impl Clone for Elem {
    fn clone(&self) -> Self {
        hit(Kind::Clone);
        LIVE.set(LIVE.get() + 1);
        Elem {
            val: self.val,
            tag: self.tag,
        }
    }
}

impl Drop for Elem {
    fn drop(&mut self) {
        LIVE.set(LIVE.get() - 1);
        // A second panic while unwinding aborts the process.
        if !std::thread::panicking() {
            hit(Kind::Drop);
        }
    }
}

impl PartialEq for Elem {
    fn eq(&self, other: &Self) -> bool {
        hit(Kind::Eq);
        self.val == other.val
    }
}

impl Eq for Elem {}

impl PartialOrd for Elem {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Elem {
    fn cmp(&self, other: &Self) -> Ordering {
        hit(Kind::Ord);
        self.val.cmp(&other.val)
    }
}

impl Hash for Elem {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hit(Kind::Hash);
        state.write_u8(self.val);
    }
}

impl fmt::Debug for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.val, self.tag)
    }
}

/// Makes elements with fresh tags. The harness gives the model and the collection two
/// mints starting at the same tag, and both sides make their elements in the same
/// order, so equal calls yield elements with equal identities.
#[derive(Debug)]
pub struct Mint {
    next: u32,
}

impl Mint {
    /// A mint whose first element gets tag `first`.
    pub fn starting_at(first: u32) -> Self {
        Mint { next: first }
    }

    /// The tag the next element gets.
    pub fn next_tag(&self) -> u32 {
        self.next
    }

    /// A new element with value `val % VALUES` and the next tag.
    pub fn elem(&mut self, val: u8) -> Elem {
        let tag = self.next;
        self.next += 1;
        LIVE.set(LIVE.get() + 1);
        Elem {
            val: val % VALUES,
            tag,
        }
    }

    /// One new element per value, in order.
    pub fn elems(&mut self, vals: &[u8]) -> Vec<Elem> {
        vals.iter().map(|&v| self.elem(v)).collect()
    }
}
