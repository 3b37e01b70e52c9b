//! A crate that depends on cow-collections, as a user's would: it must compile. Built by
//! `tests/downstream_inference.rs` (`cargo check --offline`), never by the root crate.
//!
//! The impls of a dependency's dependencies are visible here: with `arrayvec` in the
//! B+tree nodes (its `PartialOrd<ArrayString<CAP>> for str` and the like), the
//! `partial_cmp` below no longer inferred its right-hand side and failed with E0277
//! "can't compare `str` with `&str`" (issue 16).

use std::cmp::Ordering;

use cow_collections::PersistentBTreeMap;

struct Name<'a>(&'a str);

impl PartialEq for Name<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl PartialOrd for Name<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.0.partial_cmp(&other.0)
    }
}

fn main() {
    let names = [Name("a"), Name("b")];
    assert!(names[0] < names[1]);
    let map: PersistentBTreeMap<&str, usize> = names.iter().map(|n| (n.0, n.0.len())).collect();
    assert_eq!(map.len(), 2);
}
