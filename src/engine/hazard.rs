//! Hazard slots: how a reader tells writers "I am reading this version, do not free it"
//! (Michael, "Hazard Pointers", IEEE TPDS 2004; folly's `hazptr`, the `haphazard` crate).
//!
//! # The domain
//!
//! One process-wide [`Domain`] holds [`Record`]s, each with [`SLOTS`] hazard slots on a
//! cache line of its own, in chunks of [`CHUNK`] contiguous records (the first chunk is
//! static; more are allocated when more threads read at once). A thread takes a record
//! the first time it reads and gives it back when it exits; the next new thread reuses
//! it. Each chunk keeps a bit per record that may hold a non-null slot: set when a
//! thread takes the record, cleared when it gives the record back with every slot null
//! (a guard that outlives its thread keeps the bit set). Writers scan only those records
//! ([`Domain::collect`]), and pace their scans by how many records threads own now
//! ([`Domain::records`]): neither grows with threads that have come and gone.
//! Records are never freed (64 bytes each), which is what lets a [`Slot`] be a
//! `&'static` reference.
//!
//! # A slot
//!
//! A slot holds the address of the version it protects, or null when free. Slots are
//! self-describing: the owning thread claims a slot by finding a null one, and whoever
//! holds the claim (a [`ReadGuard`](super::ReadGuard), possibly moved to another thread)
//! frees it by storing null. So a record can change owner while one of its slots is
//! still claimed, and a guard can be dropped on any thread.
//!
//! # Protecting a pointer
//!
//! [`protect`] is Michael's loop: store the candidate in the slot, fence, load the
//! source again, and retry until the two agree. A writer that replaced the version
//! fences too and only then reads the slots ([`Domain::collect`]). In the single order of
//! the two fences, either the writer's comes first, and the reader's second load sees
//! the replacement (it retries with the new version), or the reader's comes first, and
//! the writer sees the slot (it keeps the version). This holds when the replacement was
//! published by an earlier writer, too: the writer lock orders it before the scanning
//! writer's fence (C++20 [atomics.order], the fence rules, with happens-before).
//!
//! Orderings on the slot: the claim reads null with `Acquire` and every store of an
//! address or of null is `Release`; [`Domain::collect`] reads with `Acquire`. So a
//! writer that reads a slot (null, or another address) has synchronized with the guard
//! that last released it: all of that guard's reads of its version happen before the
//! writer frees it, even when the slot was released on one thread and claimed again on
//! another.

use core::ptr;

use super::sync::{self, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};

/// Hazard slots per record (the record and its `owned` flag fit one cache line). The last
/// slot is reserved for the brief protection inside `PublishCell::load_held` (no user
/// code runs while it is set), so a thread can hold `SLOTS - 1` = 3 read guards at once
/// before further guards fall back to counted references. More slots would make every
/// scan read more of them (one line either way, but more loads, and many more
/// interleavings for loom to explore) for a case that the fallback serves well.
pub(crate) const SLOTS: usize = 4;

/// Records per chunk.
pub(crate) const CHUNK: usize = 64;
const _: () = assert!(CHUNK == u64::BITS as usize, "one `in_use` bit per record");

/// One hazard slot: the address of a protected version, or null.
pub(crate) type Slot = AtomicPtr<()>;

/// A thread's hazard slots, on one cache line: one thread's slot writes never touch
/// another thread's line.
#[repr(align(64))]
pub(crate) struct Record {
    slots: [Slot; SLOTS],
    /// Whether a live thread owns this record (only the owner claims slots).
    owned: AtomicBool,
}

impl Record {
    fn new() -> Self {
        Self {
            slots: Default::default(),
            owned: AtomicBool::new(false),
        }
    }

    /// A free slot of this record, if any. Only the record's owner calls this.
    #[inline]
    pub(crate) fn claim(&'static self) -> Option<&'static Slot> {
        // `Acquire`: a guard that released the slot on another thread (`Release`) has
        // finished its reads; the next `Release` store into the slot passes that on to
        // whichever writer reads it (see the module docs).
        self.slots[..SLOTS - 1]
            .iter()
            .find(|slot| slot.load(Ordering::Acquire).is_null())
    }

    /// The slot reserved for a protection that ends before control returns to user
    /// code (`PublishCell::load_held`). Only the record's owner uses it, never twice at
    /// once, and it is null whenever the record changes hands.
    #[inline]
    pub(crate) fn transient(&'static self) -> &'static Slot {
        &self.slots[SLOTS - 1]
    }

    /// Whether every slot is null (read by the owner as it gives the record back).
    /// `Acquire`: a guard that released a slot on another thread has finished its reads
    /// before this returns `true` (see [`Taken::release`]).
    fn is_clear(&self) -> bool {
        self.slots
            .iter()
            .all(|slot| slot.load(Ordering::Acquire).is_null())
    }

    /// Takes the record if nobody owns it.
    fn try_take(&self) -> bool {
        !self.owned.load(Ordering::Relaxed)
            && self
                .owned
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
    }
}

/// Loads `source` and protects what it loaded in `slot`: returns a pointer equal to
/// `source`'s value at a moment after the slot was visibly set, so that no writer who
/// replaces it afterwards frees it before the slot is cleared. The returned pointer was
/// read with `Acquire`.
#[inline]
pub(crate) fn protect<V>(source: &AtomicPtr<V>, slot: &Slot) -> *mut V {
    let mut candidate = source.load(Ordering::Relaxed);
    loop {
        slot.store(candidate.cast(), Ordering::Release);
        sync::light_fence();
        let current = source.load(Ordering::Acquire);
        if current == candidate {
            return current;
        }
        candidate = current;
    }
}

/// Releases a slot claimed by [`Record::claim`] (from any thread).
#[inline]
pub(crate) fn release(slot: &Slot) {
    slot.store(ptr::null_mut(), Ordering::Release);
}

/// [`CHUNK`] records, and the next chunk once one is needed.
struct Chunk {
    records: [Record; CHUNK],
    /// Bit `i` set: record `i` may hold a non-null slot (see the module docs).
    in_use: AtomicU64,
    next: AtomicPtr<Chunk>,
}

impl Chunk {
    fn new() -> Self {
        Self {
            records: core::array::from_fn(|_| Record::new()),
            in_use: AtomicU64::new(0),
            next: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// The next chunk, allocated (by whichever thread gets there first) if missing.
    fn next(&self) -> &Chunk {
        let mut next = self.next.load(Ordering::Acquire);
        if next.is_null() {
            let fresh = Box::into_raw(Box::new(Chunk::new()));
            match self.next.compare_exchange(
                ptr::null_mut(),
                fresh,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => next = fresh,
                Err(theirs) => {
                    // SAFETY: `fresh` was never shared: we lost the race to publish it.
                    drop(unsafe { Box::from_raw(fresh) });
                    next = theirs;
                }
            }
        }
        // SAFETY: chunks are published fully built (`Release` CAS, `Acquire` loads) and
        // never freed while the domain lives.
        unsafe { &*next }
    }
}

/// The process-wide records.
pub(crate) struct Domain {
    first: Chunk,
    /// One above the highest record index ever taken: the chunks a scan visits.
    used: AtomicUsize,
    /// How many records threads own now: what paces the scans.
    active: AtomicUsize,
}

/// A record taken by a thread, and where its bit sits, for [`Taken::release`].
#[derive(Clone, Copy)]
pub(crate) struct Taken {
    pub(crate) record: &'static Record,
    in_use: &'static AtomicU64,
    bit: u64,
    active: &'static AtomicUsize,
}

impl Taken {
    /// Gives the record back for another thread to take. Its slots may still be claimed
    /// by guards that outlive the thread (a new owner only claims null slots); then its
    /// bit stays set, so that scans keep reading it.
    fn release(self) {
        // Only the owner sets slots, and it is done with them: a slot seen null here
        // stays null until a new owner takes the record, which sets the bit again first.
        // A slot seen set keeps the bit (a guard elsewhere may clear it at any time; a
        // set bit only costs scans a read).
        //
        // `Release` (with `is_clear`'s `Acquire` and the scan's `Acquire` load of the
        // bits): a scan that skips the record because its bit is clear has synchronized
        // with every guard that last released one of its slots, as a scan that read the
        // null slot itself would have, so those guards' reads happen before its frees.
        // (loom found the race when this was `Relaxed`.)
        if self.record.is_clear() {
            self.in_use.fetch_and(!self.bit, Ordering::Release);
        }
        self.active.fetch_sub(1, Ordering::Relaxed);
        // `Release`: the bit's clearing comes before a new owner's `Acquire` take, so
        // its setting of the bit comes after it.
        self.record.owned.store(false, Ordering::Release);
    }
}

impl Domain {
    fn new() -> Self {
        #[cfg(loom)]
        DOMAIN_ALIVE.with(|alive| alive.set(true));
        Self {
            first: Chunk::new(),
            used: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
        }
    }

    /// How many records threads own now (at least 1): scans are paced by it, so that a
    /// write reads a bounded number of records on average.
    #[inline]
    pub(crate) fn records(&self) -> usize {
        self.active.load(Ordering::Relaxed).max(1)
    }

    /// A record for the calling thread: the first unowned one.
    pub(crate) fn acquire(&'static self) -> Taken {
        let mut chunk: &'static Chunk = &self.first;
        let mut base = 0;
        loop {
            for (i, record) in chunk.records.iter().enumerate() {
                if record.try_take() {
                    // `Relaxed`: a scan cannot miss a slot of this record for want of
                    // seeing these. The owner sets a slot only before `protect`'s
                    // fence, these come before that, and a scanning writer reads
                    // `used` and the bits after its own fence: by the fence rule, if
                    // the reader's fence comes first, the writer sees them, and
                    // otherwise the reader's re-check sees the writer's swap and the
                    // slot protects nothing the writer frees.
                    let bit = 1u64 << i;
                    chunk.in_use.fetch_or(bit, Ordering::Relaxed);
                    self.used.fetch_max(base + i + 1, Ordering::Relaxed);
                    self.active.fetch_add(1, Ordering::Relaxed);
                    return Taken {
                        record,
                        in_use: &chunk.in_use,
                        bit,
                        active: &self.active,
                    };
                }
            }
            // `'static`: chunks are never freed while the domain lives.
            chunk = unsafe_static(chunk.next());
            base += CHUNK;
        }
    }

    /// Calls `f` with every non-null slot value of every record that may hold one. The
    /// caller must have issued a `SeqCst` fence after unpublishing whatever it means to
    /// free.
    pub(crate) fn collect(&self, mut f: impl FnMut(*mut ())) {
        let mut left = self.used.load(Ordering::Relaxed);
        let mut chunk = &self.first;
        while left > 0 {
            // `Acquire`: see `Taken::release`.
            let mut bits = chunk.in_use.load(Ordering::Acquire);
            while bits != 0 {
                let record = &chunk.records[bits.trailing_zeros() as usize];
                bits &= bits - 1;
                for slot in &record.slots {
                    let value = slot.load(Ordering::Acquire);
                    if !value.is_null() {
                        f(value);
                    }
                }
            }
            left = left.saturating_sub(CHUNK);
            if left > 0 {
                let next = chunk.next.load(Ordering::Acquire);
                // SAFETY: `used` counts only records of chunks that exist (a record is
                // taken after its chunk was published, and `used` grows after that).
                chunk = unsafe { &*next };
            }
        }
    }
}

/// Extends a chunk reference to `'static`.
fn unsafe_static(chunk: &Chunk) -> &'static Chunk {
    // SAFETY: every chunk lives as long as the domain, which is `'static` (a `static` in
    // normal builds, a `loom::lazy_static!` that outlives every model thread under loom).
    unsafe { &*ptr::from_ref(chunk) }
}

// Under loom: whether this execution's domain exists. A loom model runs all its threads
// on one OS thread, so a std thread-local sees the whole execution.
#[cfg(loom)]
std::thread_local! {
    static DOMAIN_ALIVE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

#[cfg(loom)]
impl Drop for Domain {
    /// Under loom the domain lives for one execution (`loom::lazy_static!`): free the
    /// chunks it allocated. In normal builds it is a `static` and never dropped.
    fn drop(&mut self) {
        DOMAIN_ALIVE.with(|alive| alive.set(false));
        let mut next = self.first.next.with_mut(|next| *next);
        while !next.is_null() {
            // SAFETY: every further chunk was made by `Box::into_raw` in `Chunk::next`
            // and is freed once, here, with no thread left to use it.
            let mut chunk = unsafe { Box::from_raw(next) };
            next = chunk.next.with_mut(|next| *next);
        }
    }
}

#[cfg(not(loom))]
static DOMAIN: std::sync::LazyLock<Domain> = std::sync::LazyLock::new(Domain::new);

#[cfg(loom)]
loom::lazy_static! {
    static ref DOMAIN: Domain = Domain::new();
}

/// The process-wide domain.
#[inline]
pub(crate) fn domain() -> &'static Domain {
    &DOMAIN
}

// `RECORD`: the calling thread's record, if it has taken one: a plain pointer in a
// thread-local without a destructor, so the read path reads it with one load.
#[cfg(not(loom))]
std::thread_local! {
    static RECORD: core::cell::Cell<*const Record> = const { core::cell::Cell::new(ptr::null()) };
}
#[cfg(loom)]
loom::thread_local! {
    static RECORD: core::cell::Cell<*const Record> = core::cell::Cell::new(ptr::null());
}

/// Gives the thread's record back when the thread exits (and clears [`RECORD`], so that
/// reads later in the thread's teardown take a record of their own).
struct ReleaseOnExit(core::cell::Cell<Option<Taken>>);

impl Drop for ReleaseOnExit {
    fn drop(&mut self) {
        if let Some(taken) = self.0.take() {
            // Cleared first: from here on this thread does not use the record.
            let _ = RECORD.try_with(|local| local.set(ptr::null()));
            // Under loom, the model's main thread gives its record back at the end of
            // the execution, after the execution's domain is gone: nothing to give back.
            #[cfg(loom)]
            if !DOMAIN_ALIVE.with(core::cell::Cell::get) {
                return;
            }
            taken.release();
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    static RELEASE_ON_EXIT: ReleaseOnExit = const { ReleaseOnExit(core::cell::Cell::new(None)) };
}
#[cfg(loom)]
loom::thread_local! {
    static RELEASE_ON_EXIT: ReleaseOnExit = ReleaseOnExit(core::cell::Cell::new(None));
}

/// Calls `f` with the calling thread's record (taking one on first use).
#[inline]
pub(crate) fn with_record<R>(f: impl FnOnce(&'static Record) -> R) -> R {
    let record = RECORD.with(core::cell::Cell::get);
    if record.is_null() {
        return with_new_record(f);
    }
    // SAFETY: a record this thread took and still owns (it is cleared before it is given
    // back); records are never freed while the domain lives.
    f(unsafe { &*record })
}

/// The first read of a thread: takes a record and registers its release at thread
/// exit. During the thread's teardown, after that release ran, `f` gets a record taken
/// for this call alone.
#[cold]
#[inline(never)]
fn with_new_record<R>(f: impl FnOnce(&'static Record) -> R) -> R {
    let taken = domain().acquire();
    let record = taken.record;
    let kept = RELEASE_ON_EXIT
        .try_with(|release| {
            release.0.set(Some(taken));
            RECORD.with(|local| local.set(record));
        })
        .is_ok();
    let result = f(record);
    if !kept {
        taken.release();
    }
    result
}
