//! Hazard slots: how a reader tells writers "I am reading this version, do not free it"
//! (Michael, "Hazard Pointers", IEEE TPDS 2004; folly's `hazptr`, the `haphazard` crate).
//!
//! # The domain
//!
//! One process-wide [`Domain`] holds a list of [`Record`]s, each with [`SLOTS`] hazard
//! slots on its own cache line. A thread takes a record the first time it reads and
//! gives it back when it exits; the next new thread reuses it. So the list is as long as
//! the largest number of threads that have read *at the same time*, and never grows with
//! threads that come and go. Records are never freed (they are a few cache lines each),
//! which is what lets a [`Slot`] be a `&'static` reference.
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
//! the writer sees the slot (it keeps the version). The reader's fence is the light half
//! of an asymmetric pair (see [`sync::light_fence`](super::sync::light_fence)).
//!
//! Orderings on the slot: the claim reads null with `Acquire` and every store of an
//! address or of null is `Release`; [`Domain::collect`] reads with `Acquire`. So a
//! writer that reads a slot (null, or another address) has synchronized with the guard
//! that last released it: all of that guard's reads of its version happen before the
//! writer frees it, even when the slot was released on one thread and claimed again on
//! another.

use core::ptr;

use super::sync::{self, AtomicBool, AtomicPtr, AtomicUsize, Ordering};

/// Hazard slots per record. The last one is reserved for the brief protection inside
/// `load_held` (no user code runs while it is set), so a thread can hold `SLOTS - 1`
/// read guards at once before further guards fall back to counted references. 14 slots
/// and the record's bookkeeping fill two cache lines exactly.
pub(crate) const SLOTS: usize = 14;

/// One hazard slot: the address of a protected version, or null.
pub(crate) type Slot = AtomicPtr<()>;

/// A thread's hazard slots. Aligned to 128 bytes (two cache lines, the unit x86's
/// adjacent-line prefetcher pairs) so that one thread's slot writes never touch the
/// line another thread writes.
#[repr(align(128))]
pub(crate) struct Record {
    slots: [Slot; SLOTS],
    /// Whether a live thread owns this record (only the owner claims slots).
    owned: AtomicBool,
    /// The next record in the domain's list; set before the record is published and
    /// never changed.
    next: *const Record,
}

// SAFETY: `next` is written once, before the record is published with a `Release`
// compare-exchange, and only read after an `Acquire` load of the list; everything else
// in the record is atomic.
unsafe impl Sync for Record {}
// SAFETY: as above; a record holds no thread-bound state.
unsafe impl Send for Record {}

impl Record {
    fn new(next: *const Record) -> Self {
        Self {
            slots: Default::default(),
            owned: AtomicBool::new(true),
            next,
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

    /// Gives the record back for another thread to take. Its slots may still be claimed
    /// by guards that outlive the thread: a new owner only claims null slots.
    fn release(&self) {
        self.owned.store(false, Ordering::Release);
    }

    /// The slot reserved for a protection that ends before control returns to user
    /// code (`PublishCell::load_held`). Only the record's owner uses it, never twice at
    /// once, and it is null whenever the record changes hands.
    #[inline]
    pub(crate) fn transient(&'static self) -> &'static Slot {
        &self.slots[SLOTS - 1]
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

/// The process-wide list of records.
pub(crate) struct Domain {
    head: AtomicPtr<Record>,
    records: AtomicUsize,
}

impl Domain {
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        Self {
            head: AtomicPtr::new(ptr::null_mut()),
            records: AtomicUsize::new(0),
        }
    }

    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        Self {
            head: AtomicPtr::new(ptr::null_mut()),
            records: AtomicUsize::new(0),
        }
    }

    /// How many records exist: the largest number of threads that have held one at the
    /// same time. A writer's scan reads this many records.
    #[inline]
    pub(crate) fn records(&self) -> usize {
        self.records.load(Ordering::Relaxed)
    }

    /// A record for the calling thread: an unowned one from the list, or a new one.
    pub(crate) fn acquire(&'static self) -> &'static Record {
        let mut next = self.head.load(Ordering::Acquire);
        while !next.is_null() {
            // SAFETY: records are published with a `Release` CAS after being fully
            // built, read here after an `Acquire` load, and never freed while the domain
            // lives (it is `'static`).
            let record: &'static Record = unsafe { &*next };
            if !record.owned.load(Ordering::Relaxed)
                && record
                    .owned
                    .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                    .is_ok()
            {
                return record;
            }
            next = record.next.cast_mut();
        }
        let mut head = self.head.load(Ordering::Acquire);
        let record = Box::into_raw(Box::new(Record::new(head)));
        loop {
            match self
                .head
                .compare_exchange(head, record, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(now) => {
                    head = now;
                    // SAFETY: `record` is ours until the CAS above succeeds.
                    unsafe { (*record).next = now };
                }
            }
        }
        self.records.fetch_add(1, Ordering::Relaxed);
        // SAFETY: just published; never freed while the domain lives.
        unsafe { &*record }
    }


    /// Calls `f` with every non-null slot value of every record. The caller must have
    /// issued [`sync::heavy_fence`] after unpublishing whatever it means to free.
    pub(crate) fn collect(&self, mut f: impl FnMut(*mut ())) {
        let mut next = self.head.load(Ordering::Acquire);
        while !next.is_null() {
            // SAFETY: as in `acquire`.
            let record = unsafe { &*next };
            for slot in &record.slots {
                let value = slot.load(Ordering::Acquire);
                if !value.is_null() {
                    f(value);
                }
            }
            next = record.next.cast_mut();
        }
    }
}

#[cfg(loom)]
impl Drop for Domain {
    /// Under loom the domain lives for one execution (`loom::lazy_static!`): free its
    /// records. In normal builds it is a `static` and never dropped.
    fn drop(&mut self) {
        let mut next = self.head.with_mut(|head| *head);
        while !next.is_null() {
            // SAFETY: every record was made by `Box::into_raw` in `acquire` and is freed
            // once, here, with no thread left to use it.
            let record = unsafe { Box::from_raw(next) };
            next = record.next.cast_mut();
        }
    }
}

#[cfg(not(loom))]
static DOMAIN: Domain = Domain::new();

#[cfg(loom)]
loom::lazy_static! {
    static ref DOMAIN: Domain = Domain::new();
}

/// The process-wide domain.
#[inline]
pub(crate) fn domain() -> &'static Domain {
    &DOMAIN
}

/// The calling thread's record, released when the thread exits.
struct LocalRecord {
    record: core::cell::Cell<Option<&'static Record>>,
}

impl Drop for LocalRecord {
    fn drop(&mut self) {
        if let Some(record) = self.record.get() {
            record.release();
        }
    }
}

#[cfg(not(loom))]
std::thread_local! {
    static LOCAL: LocalRecord = const {
        LocalRecord {
            record: core::cell::Cell::new(None),
        }
    };
}

#[cfg(loom)]
loom::thread_local! {
    static LOCAL: LocalRecord = LocalRecord {
        record: core::cell::Cell::new(None),
    };
}

/// Calls `f` with the calling thread's record (taking one on first use). During thread
/// teardown, after the thread's record was given back, `f` gets a record taken for this
/// call alone.
#[inline]
pub(crate) fn with_record<R>(f: impl FnOnce(&'static Record) -> R) -> R {
    let mut f = Some(f);
    let done = LOCAL.try_with(|local| {
        let record = match local.record.get() {
            Some(record) => record,
            None => {
                let record = domain().acquire();
                local.record.set(Some(record));
                record
            }
        };
        (f.take().expect("called once"))(record)
    });
    match done {
        Ok(result) => result,
        Err(_) => {
            let record = domain().acquire();
            let result = (f.take().expect("called once"))(record);
            record.release();
            result
        }
    }
}
