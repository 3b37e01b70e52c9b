//! Removing one entry: std's `remove.rs`, planned first so that it is atomic.
//!
//! std removes the entry, then walks up fixing each node that fell below its minimum
//! fill; it calls no user code on the way, because its separators are the entries
//! themselves. Here a fix may need a `Clone`: a shared sibling or key array is copied
//! before it changes, and a leaf steal needs a copy of a key as its new separator. A
//! `Clone` that panics halfway up would leave a node underfull and `len()` wrong (issue
//! 16). So the removal is planned before anything moves:
//!
//! 1. [`plan`](NodeRef::plan_removal) reads the lengths of the nodes on the path and of
//!    their siblings and decides each level's [`Fix`] bottom-up, as std would (steal
//!    from a sibling that can spare, else merge; the left sibling first), and whether
//!    the root collapses. No user code.
//! 2. On the way down, each level copies whatever its fix will change
//!    ([`prepare_fix`]), the leaf copies its keys: every `Clone` happens here, before
//!    the first move, so a panic leaves the tree as it was.
//! 3. At the bottom the entry moves out; on the way back up each level applies its fix
//!    ([`apply_fix`]): moves only. The separators the fixes replace are dropped last.
//!
//! The removal also tracks where the entry after the removed one ends up (std's
//! `remove_kv_tracking`), for `extract_if` and `retain`, which continue from there.

use super::array::FixedVec;
use super::node::{
    apply_fix, make_mut, prepare_fix, Child, Children, Fix, Internal, NodeRef, Path, BRANCH_MIN,
    LEAF_MIN, MAX_DEPTH,
};

/// The plan of a removal: what each level of the path does once the entry is out.
pub(super) struct Removal {
    /// `fixes[l]` for `1 <= l <= depth`: the fix of the node at level `l` of the path
    /// (`l = depth` is the leaf), applied by its parent.
    fixes: [Fix; MAX_DEPTH + 1],
    /// The root is left with one child and is replaced by it.
    collapse: bool,
}

impl<K, V> Child<'_, K, V> {
    /// Entries (leaf) or children (internal node).
    fn len(self) -> usize {
        match self {
            Child::Leaf(leaf) => leaf.len(),
            Child::Internal(n) => n.children.len(),
        }
    }
}

/// Separators replaced or made redundant by the fixes, dropped when the removal is done.
type Dropped<K> = FixedVec<K, { MAX_DEPTH + 1 }>;

impl<K, V> NodeRef<K, V> {
    /// Plans the removal of the entry at `path` (see the module documentation). Reads
    /// node lengths only; a sibling is read only when its node falls below the minimum.
    pub(super) fn plan_removal(&self, path: &Path) -> Removal {
        let (nodes, node) = self.path_nodes(path);
        let mut plan = Removal {
            fixes: [Fix::Keep; MAX_DEPTH + 1],
            collapse: false,
        };
        let (mut len, mut min) = (node.len() - 1, LEAF_MIN);
        for level in (1..=path.depth).rev() {
            if len >= min {
                return plan;
            }
            let parent = nodes[level - 1].expect("filled above");
            let i = path.at(level - 1);
            let left = (i > 0).then(|| parent.children.get(i - 1).len());
            let right = (i + 1 < parent.children.len()).then(|| parent.children.get(i + 1).len());
            let fix = Fix::choose(len, min, left, right);
            plan.fixes[level] = fix;
            if !fix.merges() {
                return plan;
            }
            (len, min) = (parent.children.len() - 1, BRANCH_MIN);
        }
        plan.collapse = path.depth > 0 && len == 1;
        plan
    }
}

impl<K: Clone, V: Clone> NodeRef<K, V> {
    /// Removes the entry at `path` (which must exist) and rebalances, atomically: a
    /// panicking `Clone` leaves the tree as it was. Lowers the tree by a level when the
    /// root is left with one child; the last entry leaves an empty root leaf behind, as
    /// std's `BTreeMap` does. Returns the entry and the position of the entry that
    /// followed it (possibly past its leaf's end: see [`NodeRef::settle`]).
    pub(super) fn remove_at(&mut self, path: &Path) -> ((K, V), Path) {
        let plan = self.plan_removal(path);
        let mut track = *path;
        let mut dropped = Dropped::new();
        let entry = match self {
            NodeRef::Leaf(leaf) => make_mut(leaf).take(path.pos),
            NodeRef::Internal(n) => {
                remove_below(make_mut(n), 0, path, &plan, &mut track, &mut dropped)
            }
        };
        if plan.collapse {
            if let NodeRef::Internal(root) = self {
                let only = make_mut(root).children.remove(0);
                *self = only;
                track.pop_front();
            }
        }
        drop(dropped);
        (entry, track)
    }
}

/// [`NodeRef::remove_at`] below `node`, the node at `level` of `path`: prepares this
/// level's fix, removes below, then applies the fix.
fn remove_below<K: Clone, V: Clone>(
    node: &mut Internal<K, V>,
    level: usize,
    path: &Path,
    plan: &Removal,
    track: &mut Path,
    dropped: &mut Dropped<K>,
) -> (K, V) {
    let i = path.at(level);
    let fix = plan.fixes[level + 1];
    let (entry, (old, left_len), leaf) = match &mut node.children {
        Children::Leaves(c) => {
            let sep = prepare_fix(&mut node.keys, c, i, fix);
            let leaf = make_mut(&mut c[i]);
            // The last `Clone` of the removal: the leaf's keys, if shared.
            make_mut(&mut leaf.keys);
            let entry = leaf.take(path.pos);
            (entry, apply_fix(&mut node.keys, c, i, fix, sep), true)
        }
        Children::Internals(c) => {
            let sep = prepare_fix(&mut node.keys, c, i, fix);
            let entry = remove_below(make_mut(&mut c[i]), level + 1, path, plan, track, dropped);
            (entry, apply_fix(&mut node.keys, c, i, fix, sep), false)
        }
    };
    dropped.extend(old);
    // Where the items of the node at `level + 1` moved.
    let shift = match fix {
        Fix::StealLeft(count) => count,
        Fix::MergeLeft => {
            track.idx[level] -= 1;
            left_len
        }
        Fix::Keep | Fix::StealRight(_) | Fix::MergeRight => 0,
    };
    if leaf {
        track.pos += shift;
    } else {
        track.idx[level + 1] += shift as u8;
    }
    entry
}
