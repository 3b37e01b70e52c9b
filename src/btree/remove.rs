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

use std::sync::Arc;

use super::array::FixedVec;
use super::node::{
    apply_fix, make_mut, prepare_fix, Child, Children, Fix, Internal, Leaf, LeafKeys, NodeRef,
    Path, BRANCH_MIN, LEAF_CAP, LEAF_MIN, MAX_DEPTH,
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

/// What a removal takes out of the leaf at the end of its path.
#[derive(Clone, Copy, Debug)]
pub(super) enum Cut {
    /// The entry at this position (`remove`, `pop_*`, `extract_if`).
    At(usize),
    /// The entries whose bits are set (`retain`, a leaf at a time).
    Mask(u32),
}

// A leaf's positions fit a `Cut::Mask`.
const _: () = assert!(LEAF_CAP <= 32);

impl Cut {
    /// How many entries it takes out.
    fn count(self) -> usize {
        match self {
            Cut::At(_) => 1,
            Cut::Mask(mask) => mask.count_ones() as usize,
        }
    }

    /// Whether it takes the entry at `pos`.
    fn takes(self, pos: usize) -> bool {
        match self {
            Cut::At(at) => at == pos,
            Cut::Mask(mask) => mask & (1 << pos) != 0,
        }
    }
}

/// The entries a removal took out, for the caller (`remove` returns them; `retain` drops
/// them, last, once the tree is whole).
pub(super) type Taken<K, V> = FixedVec<(K, V), LEAF_CAP>;

/// The leaf of a [`Cut::Mask`] built in the prepare step when the leaf (or its keys)
/// is shared with another version: clones of the entries it keeps only, so that no
/// entry about to go is cloned.
enum Rebuilt<K, V> {
    /// The leaf is not shared: its entries move in place.
    InPlace,
    /// The leaf is unshared but its keys are shared: the kept keys.
    Keys(Arc<LeafKeys<K>>),
    /// The leaf is shared: a new leaf of the kept entries (the old one stays with the
    /// other versions; nothing is taken out of it).
    Leaf(Arc<Leaf<K, V>>),
}

/// The prepare step of a [`Cut`] on `leaf` (which the path copy has not copied): every
/// `Clone` the cut needs.
fn prepare_cut<K: Clone, V: Clone>(leaf: &mut Arc<Leaf<K, V>>, cut: Cut) -> Rebuilt<K, V> {
    let kept_keys = |leaf: &Leaf<K, V>| -> LeafKeys<K> {
        (0..leaf.len())
            .filter(|&pos| !cut.takes(pos))
            .map(|pos| leaf.keys[pos].clone())
            .collect()
    };
    match cut {
        Cut::At(_) => {
            // One entry goes, and it is returned: copy the leaf and its keys whole.
            make_mut(&mut make_mut(leaf).keys);
            Rebuilt::InPlace
        }
        Cut::Mask(_) if Arc::get_mut(leaf).is_none() => {
            let vals = (0..leaf.len())
                .filter(|&pos| !cut.takes(pos))
                .map(|pos| leaf.vals[pos].clone())
                .collect();
            let keys = Arc::new(kept_keys(leaf));
            Rebuilt::Leaf(Arc::new(Leaf { keys, vals }))
        }
        Cut::Mask(_) if Arc::get_mut(&mut make_mut(leaf).keys).is_none() => {
            Rebuilt::Keys(Arc::new(kept_keys(leaf)))
        }
        Cut::Mask(_) => Rebuilt::InPlace,
    }
}

/// The apply step of a [`Cut`] on `leaf`: moves only. Puts the entries taken out of
/// an unshared leaf in `taken`, and the values taken out of a leaf whose keys stay
/// with another version in `vals`, for the caller to drop last.
fn apply_cut<K: Clone, V: Clone>(
    leaf: &mut Arc<Leaf<K, V>>,
    cut: Cut,
    rebuilt: Rebuilt<K, V>,
    taken: &mut Taken<K, V>,
    vals: &mut FixedVec<V, LEAF_CAP>,
) {
    match rebuilt {
        Rebuilt::Leaf(new) => *leaf = new,
        Rebuilt::Keys(keys) => {
            let leaf = make_mut(leaf);
            leaf.keys = keys;
            for pos in (0..leaf.vals.len()).rev().filter(|&pos| cut.takes(pos)) {
                vals.push(leaf.vals.remove(pos));
            }
        }
        Rebuilt::InPlace => {
            let leaf = make_mut(leaf);
            for pos in (0..leaf.len()).rev().filter(|&pos| cut.takes(pos)) {
                taken.push(leaf.take(pos));
            }
        }
    }
}

/// The leaf-level step of a removal: prepares the cut (its `Clone`s), applies it, and
/// for a [`Cut::Mask`] moves `track` past the leaf's kept entries (the walk of `retain`
/// continues after them).
fn cut_leaf<K: Clone, V: Clone>(
    leaf: &mut Arc<Leaf<K, V>>,
    cut: Cut,
    track: &mut Path,
    taken: &mut Taken<K, V>,
    vals: &mut FixedVec<V, LEAF_CAP>,
) {
    let rebuilt = prepare_cut(leaf, cut);
    apply_cut(leaf, cut, rebuilt, taken, vals);
    if let Cut::Mask(_) = cut {
        track.pos = leaf.len();
    }
}

impl<K, V> NodeRef<K, V> {
    /// Plans the removal of `cut` from the leaf at `path` (see the module
    /// documentation). Reads node lengths only; a sibling is read only when its node
    /// falls below the minimum.
    fn plan_removal(&self, path: &Path, cut: Cut) -> Removal {
        let (nodes, node) = self.path_nodes(path);
        let mut plan = Removal {
            fixes: [Fix::Keep; MAX_DEPTH + 1],
            collapse: false,
        };
        let (mut len, mut min) = (node.len() - cut.count(), LEAF_MIN);
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
        let (mut taken, next) = self.cut(path, Cut::At(path.pos));
        (taken.pop().expect("the entry at the path"), next)
    }

    /// Removes the entries of the leaf at `path` whose bits `mask` sets, and rebalances
    /// once, atomically (as [`remove_at`](Self::remove_at)). A shared leaf is replaced
    /// by clones of the entries it keeps (nothing is taken out of it); an unshared one
    /// gives its entries up. Returns those, and the position after the leaf's kept
    /// entries (where a walk that has visited the whole leaf goes on).
    pub(super) fn remove_masked(&mut self, path: &Path, mask: u32) -> (Taken<K, V>, Path) {
        self.cut(path, Cut::Mask(mask))
    }

    /// [`remove_at`](Self::remove_at) and [`remove_masked`](Self::remove_masked).
    fn cut(&mut self, path: &Path, cut: Cut) -> (Taken<K, V>, Path) {
        let plan = self.plan_removal(path, cut);
        let mut track = *path;
        let mut taken = Taken::new();
        let mut vals = FixedVec::new();
        let mut dropped = Dropped::new();
        match self {
            NodeRef::Leaf(leaf) => cut_leaf(leaf, cut, &mut track, &mut taken, &mut vals),
            NodeRef::Internal(n) => {
                let below = Below {
                    path,
                    plan: &plan,
                    cut,
                };
                let mut out = Out {
                    track: &mut track,
                    taken: &mut taken,
                    vals: &mut vals,
                    dropped: &mut dropped,
                };
                below.remove(make_mut(n), 0, &mut out);
            }
        }
        if plan.collapse {
            if let NodeRef::Internal(root) = self {
                let only = make_mut(root).children.remove(0);
                *self = only;
                track.pop_front();
            }
        }
        drop((dropped, vals));
        (taken, track)
    }
}

/// What a removal's recursion hands back: where the next entry went, and what it took
/// out or replaced (dropped by the caller, last).
struct Out<'o, K, V> {
    track: &'o mut Path,
    taken: &'o mut Taken<K, V>,
    vals: &'o mut FixedVec<V, LEAF_CAP>,
    dropped: &'o mut Dropped<K>,
}

/// The parts of a removal every level of its recursion reads.
struct Below<'p> {
    path: &'p Path,
    plan: &'p Removal,
    cut: Cut,
}

impl Below<'_> {
    /// [`NodeRef::cut`] below `node`, the node at `level` of the path: prepares this
    /// level's fix, removes below, then applies the fix.
    fn remove<K: Clone, V: Clone>(
        &self,
        node: &mut Internal<K, V>,
        level: usize,
        out: &mut Out<'_, K, V>,
    ) {
        let i = self.path.at(level);
        let fix = self.plan.fixes[level + 1];
        let ((old, left_len), leaf) = match &mut node.children {
            Children::Leaves(c) => {
                let sep = prepare_fix(&mut node.keys, c, i, fix, false);
                // The last `Clone`s of the removal, then its first moves.
                cut_leaf(&mut c[i], self.cut, out.track, out.taken, out.vals);
                (apply_fix(&mut node.keys, c, i, fix, sep), true)
            }
            Children::Internals(c) => {
                let sep = prepare_fix(&mut node.keys, c, i, fix, true);
                self.remove(make_mut(&mut c[i]), level + 1, out);
                (apply_fix(&mut node.keys, c, i, fix, sep), false)
            }
        };
        out.dropped.extend(old);
        // Where the items of the node at `level + 1` moved.
        let shift = match fix {
            Fix::StealLeft(count) => count,
            Fix::MergeLeft => {
                out.track.idx[level] -= 1;
                left_len
            }
            Fix::Keep | Fix::StealRight(_) | Fix::MergeRight => 0,
        };
        if leaf {
            out.track.pos += shift;
        } else {
            out.track.idx[level + 1] += shift as u8;
        }
    }
}
