//! Serde integration (feature `serde`): each type round-trips through `serde_json` in
//! the format of the container it wraps.

// Loom runs only tests/loom.rs: these tests use real threads and std primitives.
#![cfg(not(loom))]

use std::collections::{BTreeMap, BTreeSet};
use std::thread;

use cow_collections::{
    CowBTreeMap, CowBTreeSet, CowCell, CowMap, CowSet, CowVec, PersistentBTreeMap,
    PersistentBTreeSet, Snapshot,
};
use indexmap::{IndexMap, IndexSet};
use serde::{Deserialize, Serialize};

/// Serializes `value`, checks the JSON equals what `expected` (the plain container)
/// serializes to, and deserializes it back.
fn round_trip<T, E>(value: &T, expected: &E) -> T
where
    T: Serialize + for<'de> Deserialize<'de>,
    E: Serialize,
{
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(json, serde_json::to_string(expected).unwrap());
    serde_json::from_str(&json).unwrap()
}

#[test]
fn cow_vec_is_a_sequence() {
    let list = CowVec::from(vec![3, 1, 2]);
    list.push(0); // version 1: versions are not serialized
    assert_eq!(serde_json::to_string(&list).unwrap(), "[3,1,2,0]");
    let back = round_trip(&list, &vec![3, 1, 2, 0]);
    assert_eq!(back, list);
    assert_eq!(back.version(), 0);

    let empty: CowVec<String> = CowVec::new();
    assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    let back = round_trip(&empty, &Vec::<String>::new());
    assert!(back.is_empty());
}

#[test]
fn cow_set_is_a_sequence_in_insertion_order() {
    let set = CowSet::from(["b", "a", "c"].map(String::from));
    assert_eq!(serde_json::to_string(&set).unwrap(), r#"["b","a","c"]"#);
    let back: CowSet<String> = round_trip(&set, &["b", "a", "c"]);
    assert_eq!(back, set);
    assert_eq!(
        back.read().iter().map(String::as_str).collect::<Vec<_>>(),
        ["b", "a", "c"]
    );

    // Duplicates in the input collapse, as for `IndexSet`.
    let deduped: CowSet<u8> = serde_json::from_str("[1,2,1]").unwrap();
    assert_eq!(deduped.len(), 2);

    let empty: CowSet<u8> = CowSet::new();
    let back = round_trip(&empty, &IndexSet::<u8>::new());
    assert!(back.is_empty());
}

#[test]
fn cow_map_keyed_by_strings_is_a_map_in_insertion_order() {
    let map = CowMap::new();
    map.insert("zeta".to_string(), vec![1u32]);
    map.insert("alpha".to_string(), vec![]);
    map.insert("mid".to_string(), vec![2, 3]);
    assert_eq!(
        serde_json::to_string(&map).unwrap(),
        r#"{"zeta":[1],"alpha":[],"mid":[2,3]}"#
    );
    let back: CowMap<String, Vec<u32>> = round_trip(&map, &*map.read());
    assert_eq!(back, map);
    assert_eq!(
        back.read().keys().map(String::as_str).collect::<Vec<_>>(),
        ["zeta", "alpha", "mid"]
    );

    let empty: CowMap<String, u8> = CowMap::new();
    assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    let back = round_trip(&empty, &IndexMap::<String, u8>::new());
    assert!(back.is_empty());
}

#[test]
fn cow_cell_is_its_value() {
    let cell = CowCell::new((
        "edge".to_string(),
        250u64,
        BTreeMap::from([("/api".to_string(), "backend:8080".to_string())]),
    ));
    cell.update(|c| c.1 = 300);
    assert_eq!(
        serde_json::to_string(&cell).unwrap(),
        r#"["edge",300,{"/api":"backend:8080"}]"#
    );
    let back = round_trip(&cell, &*cell.read());
    assert_eq!(*back.read(), *cell.read());
    assert_eq!(back.version(), 0);

    let number = CowCell::new(7u8);
    assert_eq!(serde_json::to_string(&number).unwrap(), "7");

    let empty: CowCell<Vec<u8>> = CowCell::default();
    let back = round_trip(&empty, &Vec::<u8>::new());
    assert!(back.read().is_empty());
}

#[test]
fn snapshot_and_guard_are_their_value() {
    let list = CowVec::from(vec!["a".to_string()]);
    let snapshot = list.snapshot();
    list.push("b".into());
    // The snapshot serializes its own version, not the current one.
    assert_eq!(serde_json::to_string(&snapshot).unwrap(), r#"["a"]"#);
    assert_eq!(serde_json::to_string(&list.read()).unwrap(), r#"["a","b"]"#);
    let back: Snapshot<Vec<String>> = round_trip(&snapshot, &vec!["a"]);
    assert_eq!(back, snapshot);
    assert_eq!(back.version(), 0);

    let map = CowMap::from([("k".to_string(), 1)]);
    let back: Snapshot<IndexMap<String, i32>> = round_trip(&map.snapshot(), &*map.read());
    assert_eq!(back["k"], 1);

    let empty: Snapshot<Vec<u8>> = serde_json::from_str("[]").unwrap();
    assert!(empty.is_empty());
    assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
}

#[test]
fn serialization_writes_one_consistent_version() {
    // Every published version is `[k, k, ..., k]`; a torn read would mix two values.
    let list = CowVec::from(vec![0u32; 256]);
    thread::scope(|s| {
        s.spawn(|| {
            for k in 1..=300 {
                list.update(|v| v.iter_mut().for_each(|x| *x = k));
            }
        });
        for _ in 0..100 {
            let parsed: Vec<u32> =
                serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
            assert_eq!(parsed.len(), 256);
            assert!(parsed.iter().all(|&x| x == parsed[0]), "torn: {parsed:?}");
        }
    });
    assert_eq!(list.read()[0], 300);
}

#[test]
fn deserialize_errors_are_reported() {
    assert!(serde_json::from_str::<CowVec<u8>>("{}").is_err());
    assert!(serde_json::from_str::<CowMap<String, u8>>("[1]").is_err());
    assert!(serde_json::from_str::<CowSet<u8>>("[256]").is_err());
    assert!(serde_json::from_str::<CowCell<u8>>("\"x\"").is_err());
}

#[test]
fn btree_maps_and_sets_are_what_std_btreemap_and_btreeset_are() {
    // Enough entries for several leaves; keys serialize in order.
    let std_map: BTreeMap<String, u32> = (0..50).map(|i| (format!("k{i:02}"), i)).collect();
    let persistent: PersistentBTreeMap<String, u32> = std_map.clone().into_iter().collect();
    let back = round_trip(&persistent, &std_map);
    assert_eq!(back, persistent);
    back.check_invariants();

    let cow = CowBTreeMap::from(persistent);
    cow.insert("k99".into(), 99);
    let mut expected = std_map.clone();
    expected.insert("k99".into(), 99);
    let back = round_trip(&cow, &expected);
    assert_eq!(back, cow);
    assert_eq!(back.version(), 0);

    // A repeated key keeps its last value, as with BTreeMap.
    let dup: PersistentBTreeMap<String, u32> = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
    assert_eq!(dup.get("a"), Some(&2));

    let std_set: BTreeSet<u32> = [5, 1, 3].into();
    let set = CowBTreeSet::from([3, 1, 5]);
    let back = round_trip(&set, &std_set);
    assert_eq!(back, set);
    let back = round_trip(&PersistentBTreeSet::from([2, 1]), &BTreeSet::from([1, 2]));
    assert_eq!(back.len(), 2);
    let dup: CowBTreeSet<u32> = serde_json::from_str("[2, 1, 2]").unwrap();
    assert_eq!(dup.read().iter().copied().collect::<Vec<_>>(), [1, 2]);
}
