//! An event bus over `CowVec<Arc<dyn Fn(&Event) + Send + Sync>>`: the listener list of
//! Java's `CopyOnWriteArrayList` fame.
//!
//! Several threads dispatch events while other threads subscribe and unsubscribe
//! handlers. Dispatch iterates a snapshot, so it never blocks a subscriber, never sees a
//! half-changed list, and a handler may be called by a dispatch that started before it
//! was unsubscribed (as in Java).
//!
//! The check at the end is exact: a dispatch delivers its event to the handlers in the
//! version it iterated, and to no other. Every subscribe and unsubscribe records the
//! version it published (`WriteGuard::version`), every dispatch the version it iterated,
//! so for each handler the events it must have received are those dispatched from a
//! version in `[subscribed, unsubscribed)`.
//!
//! Run: `cargo run --release --example listeners -- --events 20000 --dispatchers 3`
//! (CI: `--events 2000`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use cow_collections::CowVec;

/// What is dispatched.
#[derive(Debug)]
struct Event {
    id: u64,
}

type Handler = Arc<dyn Fn(&Event) + Send + Sync>;

/// The bus: subscribers are a copy-on-write vector of handlers.
#[derive(Default)]
struct EventBus {
    handlers: CowVec<Handler>,
}

impl EventBus {
    /// Adds `handler`; returns the version that first contains it.
    fn subscribe(&self, handler: Handler) -> u64 {
        let mut handlers = self.handlers.write();
        handlers.push(handler);
        handlers.version()
    }

    /// Removes `handler` (by identity); returns the first version without it, or `None`
    /// if it was not subscribed (then nothing is published).
    fn unsubscribe(&self, handler: &Handler) -> Option<u64> {
        let mut handlers = self.handlers.write();
        let before = handlers.len();
        handlers.retain(|h| !Arc::ptr_eq(h, handler));
        if handlers.len() == before {
            handlers.discard();
            return None;
        }
        Some(handlers.version())
    }

    /// Calls every handler of the current version; returns that version's number.
    fn dispatch(&self, event: &Event) -> u64 {
        let snapshot = self.handlers.snapshot();
        for handler in &snapshot {
            handler(event);
        }
        snapshot.version()
    }
}

/// One handler's history: what it received and when it was (un)subscribed.
struct Subscription {
    received: Arc<Mutex<Vec<u64>>>,
    subscribed: u64,
    unsubscribed: Option<u64>,
}

/// A handler that records every event id it is called with.
fn recording_handler() -> (Handler, Arc<Mutex<Vec<u64>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&received);
    let handler: Handler = Arc::new(move |event: &Event| sink.lock().unwrap().push(event.id));
    (handler, received)
}

struct Args {
    events: u64,
    dispatchers: u64,
    churners: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        events: 20_000,
        dispatchers: 3,
        churners: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--events" => args.events = value(),
            "--dispatchers" => args.dispatchers = value().max(1),
            "--churners" => args.churners = value(),
            other => {
                panic!("unknown argument {other}; use --events N --dispatchers N --churners N")
            }
        }
    }
    args
}

fn main() {
    let args = parse_args();
    let start = Instant::now();
    let bus = EventBus::default();
    // Dispatcher `d` sends events `first(d)..first(d + 1)`: `args.events` in all.
    let first = |d: u64| d * args.events / args.dispatchers;

    // Two handlers subscribed before any dispatch: one stays for the whole run, the
    // other is unsubscribed half-way by the first dispatcher.
    let (permanent, permanent_received) = recording_handler();
    let permanent_version = bus.subscribe(permanent);
    let (halfway, halfway_received) = recording_handler();
    let halfway_version = bus.subscribe(Arc::clone(&halfway));
    let halfway_unsubscribed = Mutex::new(None);

    let stop = AtomicBool::new(false);
    let (dispatch_log, churn_log) = thread::scope(|s| {
        let churners: Vec<_> = (0..args.churners)
            .map(|_| {
                let (bus, stop) = (&bus, &stop);
                s.spawn(move || {
                    let mut log = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let (handler, received) = recording_handler();
                        let subscribed = bus.subscribe(Arc::clone(&handler));
                        thread::sleep(Duration::from_micros(200));
                        let unsubscribed = bus.unsubscribe(&handler);
                        assert!(unsubscribed.is_some(), "only this thread removes it");
                        log.push(Subscription {
                            received,
                            subscribed,
                            unsubscribed,
                        });
                    }
                    log
                })
            })
            .collect();

        let dispatchers: Vec<_> = (0..args.dispatchers)
            .map(|d| {
                let (bus, halfway, halfway_unsubscribed) = (&bus, &halfway, &halfway_unsubscribed);
                s.spawn(move || {
                    let ids = first(d)..first(d + 1);
                    let halfway_id = ids.start + (ids.end - ids.start) / 2;
                    let mut log = Vec::with_capacity((ids.end - ids.start) as usize);
                    for id in ids {
                        if d == 0 && id == halfway_id {
                            *halfway_unsubscribed.lock().unwrap() = bus.unsubscribe(halfway);
                        }
                        let version = bus.dispatch(&Event { id });
                        log.push((version, id));
                        if id % 10 == 0 {
                            // Events arrive over time, not all at once.
                            thread::sleep(Duration::from_micros(20));
                        }
                    }
                    log
                })
            })
            .collect();

        let mut dispatch_log: Vec<(u64, u64)> = Vec::new();
        for handle in dispatchers {
            dispatch_log.extend(handle.join().unwrap());
        }
        stop.store(true, Ordering::Relaxed);
        let churn_log: Vec<Subscription> = churners
            .into_iter()
            .flat_map(|handle| handle.join().unwrap())
            .collect();
        (dispatch_log, churn_log)
    });

    // Every history to check, the two long-lived handlers included.
    let mut histories = churn_log;
    histories.push(Subscription {
        received: permanent_received,
        subscribed: permanent_version,
        unsubscribed: None,
    });
    histories.push(Subscription {
        received: halfway_received,
        subscribed: halfway_version,
        unsubscribed: *halfway_unsubscribed.lock().unwrap(),
    });

    // Events sorted by the version they were dispatched from: a handler's expected
    // events are one contiguous range of this list.
    let mut by_version = dispatch_log;
    by_version.sort_unstable();
    let mut deliveries = 0usize;
    for (n, history) in histories.iter().enumerate() {
        let from = by_version.partition_point(|&(v, _)| v < history.subscribed);
        let to = history.unsubscribed.map_or(by_version.len(), |u| {
            by_version.partition_point(|&(v, _)| v < u)
        });
        let mut expected: Vec<u64> = by_version[from..to].iter().map(|&(_, id)| id).collect();
        expected.sort_unstable();
        let mut received = history.received.lock().unwrap().clone();
        received.sort_unstable();
        if received != expected {
            let missing: Vec<_> = expected
                .iter()
                .filter(|id| !received.contains(id))
                .collect();
            let extra: Vec<_> = received
                .iter()
                .filter(|id| !expected.contains(id))
                .collect();
            panic!(
                "handler {n} (versions {}..{:?}): received {} events, expected {}; {} missing \
                 (first {:?}), {} unexpected (first {:?})",
                history.subscribed,
                history.unsubscribed,
                received.len(),
                expected.len(),
                missing.len(),
                missing.first(),
                extra.len(),
                extra.first(),
            );
        }
        deliveries += received.len();
    }

    let total = args.events;
    assert_eq!(by_version.len() as u64, total);
    let permanent = &histories[histories.len() - 2];
    assert_eq!(permanent.received.lock().unwrap().len() as u64, total);
    let halfway = &histories[histories.len() - 1];
    let halfway_count = halfway.received.lock().unwrap().len() as u64;
    assert!(halfway.unsubscribed.is_some());
    // Removed half-way through dispatcher 0's events, after dispatcher 0's first half.
    let first_half = (first(1) - first(0)) / 2;
    assert!(
        halfway_count >= first_half,
        "{halfway_count} < {first_half}"
    );
    assert!(halfway_count < total || total < 2);
    assert!(
        bus.handlers.len() == 1,
        "only the permanent handler is left"
    );

    println!(
        "listeners: {total} events from {} dispatchers, {} handlers subscribed and \
         unsubscribed by {} threads, {} versions published, {deliveries} deliveries \
         checked exactly ({halfway_count} to the handler removed half-way) in {:?}",
        args.dispatchers,
        histories.len() - 2,
        args.churners,
        bus.handlers.version(),
        start.elapsed(),
    );
}
