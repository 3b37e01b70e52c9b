//! Two writer threads replay the two halves of an input against one `CowVec<u32>` while
//! a third thread takes snapshots (and reads through a `Reader`). Every observed
//! version must be reachable by some interleaving of whole operations.
//!
//! Writers only ever touch their own elements: each pushes values tagged with its
//! thread and a sequence number, and removes only its own oldest element. So one
//! writer's elements in any published version are a window `lo..hi` of its sequence,
//! and the plan of each writer (computed before the threads start) lists the windows
//! it goes through and how many versions it has published at each. A version is
//! valid when:
//!
//! * each writer's elements form one of its planned windows, in order;
//! * its version number is the sum of the two writers' publish counts for those
//!   windows (every publish is one whole operation, none lost, none doubled);
//! * elements pushed by one `update`/`write`/`extend` are contiguous (no other
//!   writer's element in between: the batch appeared at once);
//! * versions seen by one observer never go back, per writer or in total;
//! * elements keep their relative order from version to version (checked against the
//!   final version).

#![no_main]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use arbitrary::Arbitrary;
use cow_collections::CowVec;
use libfuzzer_sys::fuzz_target;

/// At most this many operations per writer.
const MAX_OPS: usize = 64;
/// At most this many observations by the observer (it also stops when both writers end).
const MAX_OBSERVATIONS: usize = 2_000;

/// One writer operation.
#[derive(Arbitrary, Clone, Copy, Debug)]
enum WriterOp {
    /// `push` of the next value.
    Push,
    /// `update` pushing `1 + n % 4` values at once.
    UpdatePush(u8),
    /// `write()` guard pushing `1 + n % 4` values, published on drop.
    GuardPush(u8),
    /// `push_if_absent` of the next value (always absent: publishes).
    PushIfAbsent,
    /// `extend` with `n % 4` values (none: publishes nothing).
    Extend(u8),
    /// `remove_item` of this writer's oldest element (absent: publishes nothing).
    RemoveOldest,
    /// `retain` dropping this writer's oldest element (none dropped: publishes nothing).
    RetainOldest,
    /// `try_update` that pushes and then returns `Err`: publishes nothing.
    TryUpdateErr,
}

/// A writer's elements after one of its operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct State {
    /// Oldest sequence number still present.
    lo: u32,
    /// Next sequence number to push.
    hi: u32,
    /// Versions this writer has published so far.
    publishes: u64,
}

/// What a writer will go through.
struct Plan {
    /// States after each operation, starting with the empty one.
    states: Vec<State>,
    /// `(lo, hi)` to publish count.
    windows: HashMap<(u32, u32), u64>,
    /// The first sequence number of the batch each sequence number was pushed in.
    batch: Vec<u32>,
}

fn batch_len(n: u8) -> u32 {
    1 + u32::from(n % 4)
}

impl Plan {
    fn new(ops: &[WriterOp]) -> Self {
        let mut state = State {
            lo: 0,
            hi: 0,
            publishes: 0,
        };
        let mut states = vec![state];
        let mut batch = Vec::new();
        for op in ops {
            let pushed = match *op {
                WriterOp::Push | WriterOp::PushIfAbsent => 1,
                WriterOp::UpdatePush(n) | WriterOp::GuardPush(n) => batch_len(n),
                WriterOp::Extend(n) => u32::from(n % 4),
                WriterOp::RemoveOldest | WriterOp::RetainOldest | WriterOp::TryUpdateErr => 0,
            };
            batch.extend(std::iter::repeat_n(state.hi, pushed as usize));
            state.hi += pushed;
            let removed = matches!(op, WriterOp::RemoveOldest | WriterOp::RetainOldest)
                && state.lo < state.hi;
            if removed {
                state.lo += 1;
            }
            if pushed > 0 || removed {
                state.publishes += 1;
            }
            states.push(state);
        }
        let windows = states.iter().map(|s| ((s.lo, s.hi), s.publishes)).collect();
        Plan {
            states,
            windows,
            batch,
        }
    }
}

fn tag(writer: u32, seq: u32) -> u32 {
    (writer << 16) | seq
}

fn writer_of(value: u32) -> u32 {
    value >> 16
}

fn seq_of(value: u32) -> u32 {
    value & 0xFFFF
}

/// Replays `ops` as writer `w`, checking read-your-writes after each one.
fn write(list: &CowVec<u32>, w: u32, ops: &[WriterOp], plan: &Plan) {
    let mut next = 0;
    let mut lo = 0;
    for (i, op) in ops.iter().enumerate() {
        match *op {
            WriterOp::Push => {
                list.push(tag(w, next));
                next += 1;
            }
            WriterOp::UpdatePush(n) => {
                let end = next + batch_len(n);
                list.update(|v| v.extend((next..end).map(|s| tag(w, s))));
                next = end;
            }
            WriterOp::GuardPush(n) => {
                let mut guard = list.write();
                for _ in 0..batch_len(n) {
                    guard.push(tag(w, next));
                    next += 1;
                }
            }
            WriterOp::PushIfAbsent => {
                assert!(list.push_if_absent(tag(w, next)));
                next += 1;
            }
            WriterOp::Extend(n) => {
                let end = next + u32::from(n % 4);
                list.extend((next..end).map(|s| tag(w, s)));
                next = end;
            }
            WriterOp::RemoveOldest => {
                let present = lo < next;
                assert_eq!(list.remove_item(&tag(w, lo)), present);
                lo += u32::from(present);
            }
            WriterOp::RetainOldest => {
                let oldest = tag(w, lo);
                list.retain(|&x| x != oldest);
                lo += u32::from(lo < next);
            }
            WriterOp::TryUpdateErr => {
                let refused: Result<(), ()> = list.try_update(|v| {
                    v.push(tag(w, 0xFFFF));
                    Err(())
                });
                assert!(refused.is_err());
            }
        }
        let want = plan.states[i + 1];
        assert_eq!(
            (lo, next),
            (want.lo, want.hi),
            "writer {w}: plan and replay disagree"
        );
        // Only this writer touches its elements: it sees exactly its latest window.
        let snapshot = list.snapshot();
        let mine: Vec<u32> = snapshot
            .iter()
            .copied()
            .filter(|&x| writer_of(x) == w)
            .collect();
        let expected: Vec<u32> = (want.lo..want.hi).map(|s| tag(w, s)).collect();
        assert_eq!(
            mine, expected,
            "writer {w} after op {i} ({op:?}): read-your-writes"
        );
    }
}

/// Checks one observed version; returns each writer's publish count in it, where its
/// elements pin it down (an empty window fits every planned state with `lo == hi`).
fn check(value: &[u32], version: u64, plans: &[Plan; 2]) -> [Option<u64>; 2] {
    let mut candidates: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    for (w, plan) in plans.iter().enumerate() {
        let mine: Vec<u32> = value
            .iter()
            .copied()
            .filter(|&x| writer_of(x) == w as u32)
            .map(seq_of)
            .collect();
        candidates[w] = match (mine.first(), mine.last()) {
            (Some(&lo), Some(&hi)) => {
                let contiguous = mine.windows(2).all(|p| p[1] == p[0] + 1);
                match plan.windows.get(&(lo, hi + 1)) {
                    Some(&p) if contiguous => vec![p],
                    _ => panic!("writer {w}: {mine:?} is not a planned window (in {value:?})"),
                }
            }
            _ => plan
                .states
                .iter()
                .filter(|s| s.lo == s.hi)
                .map(|s| s.publishes)
                .collect(),
        };
    }
    // Whole operations, none lost or doubled: the version number is the sum of the
    // writers' publish counts for some pair of states that fits.
    assert!(
        candidates[0].iter().any(|&p| version
            .checked_sub(p)
            .is_some_and(|q| candidates[1].contains(&q))),
        "version {version} of {value:?} is no sum of the writers' publish counts {candidates:?}"
    );
    // A batch appeared at once: no other writer's element between two of its elements.
    let mut last_of: [Option<(usize, u32)>; 2] = [None, None];
    for (i, &x) in value.iter().enumerate() {
        let w = writer_of(x) as usize;
        let batch = plans[w].batch[seq_of(x) as usize];
        if let Some((j, previous_batch)) = last_of[w] {
            assert!(
                previous_batch != batch || j + 1 == i,
                "a batch of writer {w} was split by another writer's element: {value:?}"
            );
        }
        last_of[w] = Some((i, batch));
    }
    candidates.map(|c| if c.len() == 1 { Some(c[0]) } else { None })
}

fuzz_target!(|ops: Vec<WriterOp>| {
    let ops = &ops[..ops.len().min(2 * MAX_OPS)];
    let (first, second) = ops.split_at(ops.len() / 2);
    let halves = [first, second];
    let plans = [Plan::new(halves[0]), Plan::new(halves[1])];
    let list = CowVec::new();
    let writers_done = AtomicBool::new(false);
    let observed: Vec<(Vec<u32>, u64)> = thread::scope(|s| {
        let observer = s.spawn(|| {
            let mut reader = list.reader();
            let mut seen = Vec::new();
            let mut last = (0, [0, 0]);
            for i in 0..MAX_OBSERVATIONS {
                let done = writers_done.load(Ordering::Acquire);
                let (value, version) = if i % 2 == 0 {
                    let snapshot = list.snapshot();
                    (snapshot.to_vec(), snapshot.version())
                } else {
                    let (value, version) = reader.read_with_version();
                    (value.clone(), version)
                };
                let publishes = check(&value, version, &plans);
                assert!(
                    version >= last.0,
                    "version went back: {} then {version}",
                    last.0
                );
                last.0 = version;
                for (w, p) in publishes.into_iter().enumerate() {
                    if let Some(p) = p {
                        assert!(
                            p >= last.1[w],
                            "writer {w} went back: {} then {p}",
                            last.1[w]
                        );
                        last.1[w] = p;
                    }
                }
                seen.push((value, version));
                if done {
                    break;
                }
                thread::yield_now();
            }
            seen
        });
        let writers: Vec<_> = (0..2u32)
            .map(|w| {
                let (list, ops, plan) = (&list, halves[w as usize], &plans[w as usize]);
                s.spawn(move || write(list, w, ops, plan))
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        writers_done.store(true, Ordering::Release);
        observer.join().unwrap()
    });
    // The end state: both writers' final windows, and every publish counted.
    let end = list.snapshot();
    let total: u64 = plans
        .iter()
        .map(|p| p.states.last().unwrap().publishes)
        .sum();
    assert_eq!(end.version(), total, "publishes lost or doubled");
    check(&end, end.version(), &plans);
    for (w, plan) in plans.iter().enumerate() {
        let last = plan.states.last().unwrap();
        let mine: Vec<u32> = end
            .iter()
            .copied()
            .filter(|&x| writer_of(x) == w as u32)
            .collect();
        let want: Vec<u32> = (last.lo..last.hi).map(|s| tag(w as u32, s)).collect();
        assert_eq!(mine, want, "writer {w}: final elements");
    }
    // Relative order never changes: every observed version, restricted to the elements
    // that survive to the end, is in the end's order.
    let position: HashMap<u32, usize> = end.iter().enumerate().map(|(i, &x)| (x, i)).collect();
    for (value, version) in &observed {
        let order: Vec<usize> = value
            .iter()
            .filter_map(|x| position.get(x).copied())
            .collect();
        assert!(
            order.windows(2).all(|p| p[0] < p[1]),
            "version {version} ({value:?}) orders elements unlike the final {:?}",
            *end
        );
    }
});
