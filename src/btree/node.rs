//! Node layout, path copying, and the moves the rebalancing code is made of.
//!
//! Entries live in leaves only ([`Leaf`]); internal nodes ([`Internal`]) hold separator
//! keys and `Arc`s to their children. A separator `keys[i]` is greater than every key
//! under `children[i]` and at most every key under `children[i + 1]` (it is a copy of a
//! key that was the first of its right subtree when it was made; removals may leave it
//! stale, which the order rule allows).
//!
//! Keys sit behind their own `Arc` in both kinds of node: a leaf's keys
//! ([`LeafKeys`]) and an internal node's separators ([`Separators`]) are shared between
//! the node's copies until a key is added or removed. A path copy therefore clones no
//! key: copying a leaf clones its values and takes a reference to its keys, copying an
//! internal node takes a reference to each child and to its separators. Updating the
//! value of an existing key (`insert` of a present key, `get_mut`, `iter_mut`,
//! `entry`) copies values only.
//!
//! Every write goes through [`make_mut`] (the rule of [`Arc::make_mut`]) from the root
//! down: a node shared with another version is copied, an unshared one is changed in
//! place.
//!
//! The rebalancing vocabulary is std's (`alloc/collections/btree`): a node below its
//! minimum fill is fixed ([`Fix`]) by stealing entries (or children) from a sibling
//! through the parent's separator ([`Node::steal_left`], [`Node::steal_right`]) or by
//! merging with the sibling ([`Node::merge`]).
//!
//! # Panic safety
//!
//! The only calls into user code a write makes are `Clone` (copying shared nodes and
//! keys, and making separators), `Ord` (searching) and `Drop`. Every write is split the
//! same way: first everything that may call `Clone` or `Ord` (the search, the copies of
//! the shared nodes it will touch, the separators it will need), then the moves, which
//! call nothing, and last the drops of what was taken out. A panic in the first part
//! leaves the tree as it was (some nodes copied, none changed); the second part cannot
//! panic. Insertion (`search`'s `splits`), removal (`remove.rs`'s plan) and the bulk
//! operations are built this way.

use std::borrow::Borrow;
use std::mem;
use std::sync::Arc;

use super::array::FixedVec;
use super::search;

/// Maximum number of entries in a leaf.
pub(super) const LEAF_CAP: usize = 16;
/// Minimum number of entries in a leaf other than the root.
pub(super) const LEAF_MIN: usize = LEAF_CAP / 2;
/// Maximum number of children of an internal node.
pub(super) const BRANCH_CAP: usize = 32;
/// Minimum number of children of an internal node other than the root.
pub(super) const BRANCH_MIN: usize = BRANCH_CAP / 2;
/// Internal levels a [`Path`] or a cursor can hold. A tree of valid fill with 24
/// internal levels holds at least `2 * 16^22 * 8` entries, far more than fit in memory.
pub(super) const MAX_DEPTH: usize = 24;

// Child indices are stored as `u8` in paths and cursors.
const _: () = assert!(BRANCH_CAP <= 256 && BRANCH_CAP >= 4 && LEAF_CAP >= 4);
// A merge of a node below the minimum with one at the minimum must fit.
const _: () = assert!(LEAF_CAP == 2 * LEAF_MIN && BRANCH_CAP == 2 * BRANCH_MIN);

/// The keys of a leaf, shared between its copies until one is added or removed.
pub(super) type LeafKeys<K> = FixedVec<K, LEAF_CAP>;
/// The separators of an internal node, shared between its copies until one changes.
pub(super) type Separators<K> = FixedVec<K, { BRANCH_CAP - 1 }>;
/// The children of an internal node, of one kind.
pub(super) type ChildArray<N> = FixedVec<Arc<N>, BRANCH_CAP>;

/// A leaf: up to [`LEAF_CAP`] entries in key order, keys (shared, behind an `Arc`) and
/// values in separate arrays.
pub(super) struct Leaf<K, V> {
    pub(super) keys: Arc<LeafKeys<K>>,
    pub(super) vals: FixedVec<V, LEAF_CAP>,
}

/// An internal node: `children.len() - 1` separators and up to [`BRANCH_CAP`] children.
pub(super) struct Internal<K, V> {
    pub(super) keys: Arc<Separators<K>>,
    pub(super) children: Children<K, V>,
}

/// The children of an internal node: all leaves or all internal nodes (every leaf is at
/// the same depth).
pub(super) enum Children<K, V> {
    Leaves(ChildArray<Leaf<K, V>>),
    Internals(ChildArray<Internal<K, V>>),
}

/// An owned pointer to a node of either kind: the root of a tree, or a child in transit.
pub(super) enum NodeRef<K, V> {
    Leaf(Arc<Leaf<K, V>>),
    Internal(Arc<Internal<K, V>>),
}

/// A borrowed node of either kind.
pub(super) enum Child<'a, K, V> {
    Leaf(&'a Leaf<K, V>),
    Internal(&'a Internal<K, V>),
}

impl<K, V> Clone for Child<'_, K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for Child<'_, K, V> {}

impl<K, V: Clone> Clone for Leaf<K, V> {
    /// Clones the values; the keys are shared.
    fn clone(&self) -> Self {
        Leaf {
            keys: Arc::clone(&self.keys),
            vals: self.vals.clone(),
        }
    }
}

impl<K, V> Clone for Internal<K, V> {
    /// One reference-count increment per child and one for the separators.
    fn clone(&self) -> Self {
        Internal {
            keys: Arc::clone(&self.keys),
            children: self.children.clone(),
        }
    }
}

impl<K, V> Clone for Children<K, V> {
    fn clone(&self) -> Self {
        match self {
            Children::Leaves(c) => Children::Leaves(clone_children(c)),
            Children::Internals(c) => Children::Internals(clone_children(c)),
        }
    }
}

/// The children's pointers, one reference-count increment each (the counts sit in the
/// children's allocations: in a large tree, a cache miss each). Reading every count
/// first, so that the misses overlap instead of each atomic increment waiting for its
/// line, measured no faster (update of a present key at 1M entries: 7.5 us without,
/// 8.0 us with, same runs) and is not done.
fn clone_children<N>(children: &ChildArray<N>) -> ChildArray<N> {
    children.clone()
}

impl<K, V> Clone for NodeRef<K, V> {
    fn clone(&self) -> Self {
        match self {
            NodeRef::Leaf(n) => NodeRef::Leaf(Arc::clone(n)),
            NodeRef::Internal(n) => NodeRef::Internal(Arc::clone(n)),
        }
    }
}

/// A node type (or key array) whose copy can be built inside its new allocation.
pub(super) trait CopyOnWrite {
    /// A copy of `self` in a new `Arc`.
    fn copy_to_arc(&self) -> Arc<Self>;
}

/// [`Arc::make_mut`]: a shared node (or key array) is replaced by a copy, an unshared
/// one is returned as it is.
#[inline]
pub(super) fn make_mut<T: CopyOnWrite>(this: &mut Arc<T>) -> &mut T {
    if Arc::get_mut(this).is_none() {
        *this = this.copy_to_arc();
    }
    Arc::get_mut(this).expect("a node just copied is unshared")
}

impl<K, V: Clone> CopyOnWrite for Leaf<K, V> {
    fn copy_to_arc(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }
}

impl<K, V> CopyOnWrite for Internal<K, V> {
    fn copy_to_arc(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }
}

impl<T: Clone, const N: usize> CopyOnWrite for FixedVec<T, N> {
    fn copy_to_arc(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }
}

impl<K, V> Leaf<K, V> {
    /// A leaf with no entries: the root std leaves behind when the last entry goes.
    pub(super) fn empty() -> Self {
        Leaf {
            keys: Arc::new(FixedVec::new()),
            vals: FixedVec::new(),
        }
    }

    /// A leaf holding one entry.
    pub(super) fn singleton(key: K, val: V) -> Self {
        let mut keys = FixedVec::new();
        keys.push(key);
        let mut vals = FixedVec::new();
        vals.push(val);
        Leaf {
            keys: Arc::new(keys),
            vals,
        }
    }

    /// The number of entries (from the values, in the node itself: a search can start
    /// before the key array's own length arrives).
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.vals.len()
    }

    /// The keys, bounded by the node's own length.
    #[inline]
    pub(super) fn key_slice(&self) -> &[K] {
        &self.keys[..self.len()]
    }

    /// The entry at `pos`.
    #[inline]
    pub(super) fn entry(&self, pos: usize) -> (&K, &V) {
        (&self.keys[pos], &self.vals[pos])
    }

    /// Moves the entry at `pos` out. The keys must be unshared (else they are copied).
    pub(super) fn take(&mut self, pos: usize) -> (K, V)
    where
        K: Clone,
    {
        (make_mut(&mut self.keys).remove(pos), self.vals.remove(pos))
    }
}

impl<K, V> Internal<K, V> {
    /// The separators, bounded by the node's own child count.
    #[inline]
    pub(super) fn key_slice(&self) -> &[K] {
        &self.keys[..self.children.len() - 1]
    }
}

impl<K, V> Children<K, V> {
    #[inline]
    pub(super) fn len(&self) -> usize {
        match self {
            Children::Leaves(c) => c.len(),
            Children::Internals(c) => c.len(),
        }
    }

    /// The child at `idx`, borrowed.
    #[inline]
    pub(super) fn get(&self, idx: usize) -> Child<'_, K, V> {
        match self {
            Children::Leaves(c) => Child::Leaf(&c[idx]),
            Children::Internals(c) => Child::Internal(&c[idx]),
        }
    }

    /// Inserts `child` at `idx`. `child` must be of this array's kind.
    pub(super) fn insert(&mut self, idx: usize, child: NodeRef<K, V>) {
        match (self, child) {
            (Children::Leaves(c), NodeRef::Leaf(n)) => c.insert(idx, n),
            (Children::Internals(c), NodeRef::Internal(n)) => c.insert(idx, n),
            _ => unreachable!("a child of the wrong height"),
        }
    }

    /// Removes and returns the child at `idx`.
    pub(super) fn remove(&mut self, idx: usize) -> NodeRef<K, V> {
        match self {
            Children::Leaves(c) => NodeRef::Leaf(c.remove(idx)),
            Children::Internals(c) => NodeRef::Internal(c.remove(idx)),
        }
    }

    /// Moves the children from `at` on into a new array.
    pub(super) fn split_off(&mut self, at: usize) -> Self {
        match self {
            Children::Leaves(c) => Children::Leaves(c.split_off(at)),
            Children::Internals(c) => Children::Internals(c.split_off(at)),
        }
    }

    /// Appends `other`'s children (of the same kind).
    pub(super) fn append(&mut self, other: Self) {
        match (self, other) {
            (Children::Leaves(a), Children::Leaves(b)) => a.append(b),
            (Children::Internals(a), Children::Internals(b)) => a.append(b),
            _ => unreachable!("children of different heights"),
        }
    }

    /// An array of one child.
    pub(super) fn one(child: NodeRef<K, V>) -> Self {
        let mut children = match child {
            NodeRef::Leaf(_) => Children::Leaves(FixedVec::new()),
            NodeRef::Internal(_) => Children::Internals(FixedVec::new()),
        };
        children.insert(0, child);
        children
    }
}

impl<K, V> NodeRef<K, V> {
    /// The node, borrowed.
    #[inline]
    pub(super) fn as_child(&self) -> Child<'_, K, V> {
        match self {
            NodeRef::Leaf(n) => Child::Leaf(n),
            NodeRef::Internal(n) => Child::Internal(n),
        }
    }

    /// Whether both point to the same node.
    pub(super) fn ptr_eq(&self, other: &Self) -> bool {
        match (self, other) {
            (NodeRef::Leaf(a), NodeRef::Leaf(b)) => Arc::ptr_eq(a, b),
            (NodeRef::Internal(a), NodeRef::Internal(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl<'a, K, V> Child<'a, K, V> {
    /// Internal levels below this node.
    pub(super) fn height(self) -> usize {
        let mut height = 0;
        let mut node = self;
        while let Child::Internal(n) = node {
            height += 1;
            node = n.children.get(0);
        }
        height
    }

    /// The number of entries under this node. O(nodes).
    pub(super) fn count_entries(self) -> usize {
        match self {
            Child::Leaf(leaf) => leaf.len(),
            Child::Internal(n) => (0..n.children.len())
                .map(|i| n.children.get(i).count_entries())
                .sum(),
        }
    }
}

/// How a node below its minimum fill is restocked from a sibling, in std's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fix {
    /// The node has its minimum fill (or is the root): nothing to do.
    Keep,
    /// Move this many entries (children) from the end of the left sibling.
    StealLeft(usize),
    /// Move this many entries (children) from the start of the right sibling.
    StealRight(usize),
    /// Move everything into the left sibling; the node goes.
    MergeLeft,
    /// Move the right sibling's everything into the node; the sibling goes.
    MergeRight,
}

impl Fix {
    /// The fix of a node left with `len` items (minimum `min`) whose siblings hold
    /// `left` and `right` items: std's choice (`fix_node_through_parent`), the left
    /// sibling if there is one, else the right one; steal what the node lacks if the
    /// two hold enough for two nodes, else merge.
    ///
    /// Leaning left matters to `retain`, which walks left to right: the left sibling is
    /// already visited (and copied), the right one not yet, and taking from it would
    /// copy a shared leaf whose entries may be about to go.
    pub(super) fn choose(len: usize, min: usize, left: Option<usize>, right: Option<usize>) -> Fix {
        if len >= min {
            return Fix::Keep;
        }
        match (left, right) {
            (Some(l), _) if l + len >= 2 * min => Fix::StealLeft(min - len),
            (Some(_), _) => Fix::MergeLeft,
            (None, Some(r)) if r + len >= 2 * min => Fix::StealRight(min - len),
            (None, Some(_)) => Fix::MergeRight,
            (None, None) => Fix::Keep,
        }
    }

    /// Whether the parent loses a child.
    pub(super) fn merges(self) -> bool {
        matches!(self, Fix::MergeLeft | Fix::MergeRight)
    }
}

/// The operations the rebalancing code needs from both kinds of node.
pub(super) trait Node<K>: CopyOnWrite + Clone {
    /// Entries (leaf) or children (internal node) at minimum fill.
    const MIN: usize;
    /// Entries (leaf) or children (internal node).
    fn len(&self) -> usize;
    /// Copies the node's keys if they are shared (the only part of a node, once
    /// unshared itself, whose change may need a `Clone`), so that the moves that follow
    /// call no user code.
    fn unshare(&mut self);
    /// The separator that a steal of `count` items from the end of `left` leaves
    /// between `left` and its right sibling, cloned; `None` for internal nodes, whose
    /// steals rotate separators through the parent.
    fn sep_after_steal_left(left: &Self, count: usize) -> Option<K>;
    /// The separator that a steal of `count` items from the start of `right` leaves
    /// between its left sibling and `right`, cloned (`None` for internal nodes).
    fn sep_after_steal_right(right: &Self, count: usize) -> Option<K>;
    /// Moves the last `count` items of `left`, the sibling before `self`, to the front
    /// of `self`; `sep` is the parent's separator between the two, `new_sep` what
    /// [`sep_after_steal_left`](Self::sep_after_steal_left) made. Returns the replaced
    /// separator, for the caller to drop last.
    fn steal_left(
        &mut self,
        left: &mut Self,
        count: usize,
        sep: &mut K,
        new_sep: Option<K>,
    ) -> Option<K>;
    /// Moves the first `count` items of `right`, the sibling after `self`, to the end
    /// of `self` (see [`steal_left`](Self::steal_left)).
    fn steal_right(
        &mut self,
        right: &mut Self,
        count: usize,
        sep: &mut K,
        new_sep: Option<K>,
    ) -> Option<K>;
    /// Appends `right`, the sibling after `self`, whose separator was `sep`. Returns
    /// the separator if it is no longer needed (leaves), for the caller to drop last.
    fn merge(&mut self, sep: K, right: Self) -> Option<K>;
}

impl<K: Clone, V: Clone> Node<K> for Leaf<K, V> {
    const MIN: usize = LEAF_MIN;

    fn len(&self) -> usize {
        Leaf::len(self)
    }

    fn unshare(&mut self) {
        make_mut(&mut self.keys);
    }

    fn sep_after_steal_left(left: &Self, count: usize) -> Option<K> {
        Some(left.keys[left.len() - count].clone())
    }

    fn sep_after_steal_right(right: &Self, count: usize) -> Option<K> {
        Some(right.keys[count].clone())
    }

    fn steal_left(
        &mut self,
        left: &mut Self,
        count: usize,
        sep: &mut K,
        new_sep: Option<K>,
    ) -> Option<K> {
        let at = left.len() - count;
        let keys = make_mut(&mut left.keys).split_off(at);
        let vals = left.vals.split_off(at);
        make_mut(&mut self.keys).prepend(keys);
        self.vals.prepend(vals);
        Some(mem::replace(sep, new_sep.expect("a prepared separator")))
    }

    fn steal_right(
        &mut self,
        right: &mut Self,
        count: usize,
        sep: &mut K,
        new_sep: Option<K>,
    ) -> Option<K> {
        let keys = make_mut(&mut right.keys).split_front(count);
        let vals = right.vals.split_front(count);
        make_mut(&mut self.keys).append(keys);
        self.vals.append(vals);
        Some(mem::replace(sep, new_sep.expect("a prepared separator")))
    }

    fn merge(&mut self, sep: K, right: Self) -> Option<K> {
        make_mut(&mut self.keys).append(Arc::unwrap_or_clone(right.keys));
        self.vals.append(right.vals);
        Some(sep)
    }
}

impl<K: Clone, V> Node<K> for Internal<K, V> {
    const MIN: usize = BRANCH_MIN;

    fn len(&self) -> usize {
        self.children.len()
    }

    fn unshare(&mut self) {
        make_mut(&mut self.keys);
    }

    fn sep_after_steal_left(_: &Self, _: usize) -> Option<K> {
        None
    }

    fn sep_after_steal_right(_: &Self, _: usize) -> Option<K> {
        None
    }

    fn steal_left(
        &mut self,
        left: &mut Self,
        count: usize,
        sep: &mut K,
        _: Option<K>,
    ) -> Option<K> {
        // `left`'s children c[n - count..] move; the separators between them go with
        // them, the one before them goes up, and the parent's comes down after them.
        let at = left.children.len() - count;
        let children = left.children.split_off(at);
        let left_keys = make_mut(&mut left.keys);
        let mut moved = left_keys.split_off(at);
        let up = left_keys.pop().expect("a sibling that can spare children");
        moved.push(mem::replace(sep, up));
        make_mut(&mut self.keys).prepend(moved);
        let mine = mem::replace(&mut self.children, children);
        self.children.append(mine);
        None
    }

    fn steal_right(
        &mut self,
        right: &mut Self,
        count: usize,
        sep: &mut K,
        _: Option<K>,
    ) -> Option<K> {
        let rest = right.children.split_off(count);
        let children = mem::replace(&mut right.children, rest);
        let mut moved = make_mut(&mut right.keys).split_front(count);
        let up = moved.pop().expect("a sibling that can spare children");
        let keys = make_mut(&mut self.keys);
        keys.push(mem::replace(sep, up));
        keys.append(moved);
        self.children.append(children);
        None
    }

    fn merge(&mut self, sep: K, right: Self) -> Option<K> {
        let keys = make_mut(&mut self.keys);
        keys.push(sep);
        keys.append(Arc::unwrap_or_clone(right.keys));
        self.children.append(right.children);
        None
    }
}

/// Copies (if shared) the nodes and keys that `fix` of `children[idx]` will change, and
/// makes the separator a leaf steal needs: every `Clone` of a fix, done before any
/// move. `own`: copy `children[idx]` too (`false` when the caller copies it itself).
/// Returns the prepared separator.
pub(super) fn prepare_fix<K: Clone, N: Node<K>>(
    keys: &mut Arc<Separators<K>>,
    children: &mut ChildArray<N>,
    idx: usize,
    fix: Fix,
    own: bool,
) -> Option<K> {
    let sibling = match fix {
        Fix::Keep => return None,
        Fix::StealLeft(_) | Fix::MergeLeft => idx - 1,
        Fix::StealRight(_) | Fix::MergeRight => idx + 1,
    };
    make_mut(keys);
    if own {
        make_mut(&mut children[idx]).unshare();
    }
    let sibling = make_mut(&mut children[sibling]);
    sibling.unshare();
    match fix {
        Fix::StealLeft(count) => N::sep_after_steal_left(sibling, count),
        Fix::StealRight(count) => N::sep_after_steal_right(sibling, count),
        _ => None,
    }
}

/// Applies `fix` to `children[idx]` (prepared by [`prepare_fix`]: nothing is copied
/// here and no user code runs). Returns a separator no longer needed and the item count
/// of the sibling the node merged into (for [`MergeLeft`](Fix::MergeLeft)).
pub(super) fn apply_fix<K: Clone, N: Node<K>>(
    keys: &mut Arc<Separators<K>>,
    children: &mut ChildArray<N>,
    idx: usize,
    fix: Fix,
    new_sep: Option<K>,
) -> (Option<K>, usize) {
    if fix == Fix::Keep {
        return (None, 0);
    }
    let keys = make_mut(keys);
    match fix {
        Fix::Keep => (None, 0),
        Fix::StealLeft(count) => {
            let (before, rest) = children.split_at_mut(idx);
            let left = make_mut(&mut before[idx - 1]);
            let old = make_mut(&mut rest[0]).steal_left(left, count, &mut keys[idx - 1], new_sep);
            (old, 0)
        }
        Fix::StealRight(count) => {
            let (upto, after) = children.split_at_mut(idx + 1);
            let right = make_mut(&mut after[0]);
            let old = make_mut(&mut upto[idx]).steal_right(right, count, &mut keys[idx], new_sep);
            (old, 0)
        }
        Fix::MergeLeft => {
            let sep = keys.remove(idx - 1);
            let node = Arc::unwrap_or_clone(children.remove(idx));
            let left = make_mut(&mut children[idx - 1]);
            let left_len = left.len();
            (left.merge(sep, node), left_len)
        }
        Fix::MergeRight => {
            let sep = keys.remove(idx);
            let right = Arc::unwrap_or_clone(children.remove(idx + 1));
            (make_mut(&mut children[idx]).merge(sep, right), 0)
        }
    }
}

/// Where a key is, or would go: the child index taken at each internal level from the
/// root down, and the position in the leaf. Also a position between entries (a cursor).
#[derive(Clone, Copy, Debug)]
pub(super) struct Path {
    /// Child indices, `idx[..depth]`.
    pub(super) idx: [u8; MAX_DEPTH],
    /// Internal levels above the leaf.
    pub(super) depth: usize,
    /// The entry's position in the leaf (or where it would be inserted).
    pub(super) pos: usize,
    /// Whether the key is present at `pos`.
    pub(super) found: bool,
    /// How many levels, counted from the leaf up, split if the key is inserted: each
    /// node from the leaf up to the first one that is not full.
    pub(super) splits: usize,
}

impl Path {
    pub(super) fn new() -> Self {
        Path {
            idx: [0; MAX_DEPTH],
            depth: 0,
            pos: 0,
            found: false,
            splits: 0,
        }
    }

    #[inline]
    pub(super) fn push(&mut self, idx: usize, full: bool) {
        assert!(
            self.depth < MAX_DEPTH,
            "B-tree deeper than {MAX_DEPTH} levels"
        );
        self.idx[self.depth] = idx as u8;
        self.depth += 1;
        self.splits = if full { self.splits + 1 } else { 0 };
    }

    /// The child index at `level`.
    #[inline]
    pub(super) fn at(&self, level: usize) -> usize {
        usize::from(self.idx[level])
    }

    #[inline]
    fn finish(&mut self, pos: usize, found: bool, leaf_full: bool) {
        self.pos = pos;
        self.found = found;
        // `splits` counted full internal nodes from the top; only an unbroken run of
        // full nodes ending at a full leaf splits.
        self.splits = if leaf_full && !found {
            self.splits + 1
        } else {
            0
        };
    }

    /// The position of the first entry of the tree under `root` (or of its empty root
    /// leaf).
    pub(super) fn first_leaf<K, V>(root: &NodeRef<K, V>) -> Path {
        let mut path = Path::new();
        let mut node = root.as_child();
        while let Child::Internal(n) = node {
            path.push(0, false);
            node = n.children.get(0);
        }
        path
    }

    /// Adds a level on top (the root split, or the root grew): `idx` in the new root.
    fn push_front(&mut self, idx: usize) {
        assert!(
            self.depth < MAX_DEPTH,
            "B-tree deeper than {MAX_DEPTH} levels"
        );
        self.idx.copy_within(0..self.depth, 1);
        self.idx[0] = idx as u8;
        self.depth += 1;
    }

    /// Removes the top level (the root was replaced by its only child).
    pub(super) fn pop_front(&mut self) {
        self.idx.copy_within(1..self.depth, 0);
        self.depth -= 1;
    }
}

/// The internal nodes on a [`Path`], from the root down (`None` past its depth).
pub(super) type PathNodes<'a, K, V> = [Option<&'a Internal<K, V>>; MAX_DEPTH];

impl<K, V> NodeRef<K, V> {
    /// The path to `key` (or to where it would be inserted).
    #[inline]
    pub(super) fn search<Q>(&self, key: &Q) -> Path
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let mut path = Path::new();
        let mut node = self.as_child();
        loop {
            match node {
                Child::Internal(n) => {
                    let idx = search::child_index(n.key_slice(), key);
                    path.push(idx, n.children.len() == BRANCH_CAP);
                    node = n.children.get(idx);
                }
                Child::Leaf(leaf) => {
                    let (pos, found) = match search::search_keys(leaf.key_slice(), key) {
                        Ok(pos) => (pos, true),
                        Err(pos) => (pos, false),
                    };
                    path.finish(pos, found, leaf.len() == LEAF_CAP);
                    return path;
                }
            }
        }
    }

    /// The path to the first (`last == false`) or last entry, if there is one.
    pub(super) fn edge_path(&self, last: bool) -> Option<Path> {
        let mut path = Path::new();
        let mut node = self.as_child();
        loop {
            match node {
                Child::Internal(n) => {
                    let idx = if last { n.children.len() - 1 } else { 0 };
                    path.push(idx, false);
                    node = n.children.get(idx);
                }
                Child::Leaf(leaf) => {
                    let pos = if last {
                        leaf.len().checked_sub(1)
                    } else {
                        Some(0)
                    };
                    path.finish(pos.filter(|_| leaf.len() > 0)?, true, false);
                    return Some(path);
                }
            }
        }
    }

    /// The leaf at the end of `path`, borrowed.
    pub(super) fn leaf(&self, path: &Path) -> &Leaf<K, V> {
        let mut node = self.as_child();
        for level in 0..path.depth {
            match node {
                Child::Internal(n) => node = n.children.get(path.at(level)),
                Child::Leaf(_) => break,
            }
        }
        match node {
            Child::Leaf(leaf) => leaf,
            Child::Internal(_) => unreachable!("a path shorter than the tree"),
        }
    }

    /// The internal nodes on `path` (`[..path.depth]`, from the root down) and the node
    /// it ends at.
    pub(super) fn path_nodes(&self, path: &Path) -> (PathNodes<'_, K, V>, Child<'_, K, V>) {
        let mut nodes = [None; MAX_DEPTH];
        let mut node = self.as_child();
        for (level, slot) in nodes.iter_mut().enumerate().take(path.depth) {
            let Child::Internal(n) = node else {
                unreachable!("a path longer than the tree")
            };
            *slot = Some(n);
            node = n.children.get(path.at(level));
        }
        (nodes, node)
    }

    /// Moves `path` onto an entry: if its position is past its leaf's end, to the first
    /// entry of the next leaf. Returns `false` if there is none (the path is then at
    /// the end of the tree). Compares no keys.
    pub(super) fn settle(&self, path: &mut Path) -> bool {
        if path.pos < self.leaf(path).len() {
            return true;
        }
        // The deepest level whose node has a child after the one taken.
        let (nodes, _) = self.path_nodes(path);
        let Some(level) = (0..path.depth).rev().find(|&level| {
            let n = nodes[level].expect("filled above");
            path.at(level) + 1 < n.children.len()
        }) else {
            return false;
        };
        path.idx[level] += 1;
        path.idx[level + 1..path.depth].fill(0);
        path.pos = 0;
        // Leaves other than the root are never empty.
        true
    }
}

impl<K: Clone, V: Clone> NodeRef<K, V> {
    /// The leaf at the end of `path`, made unshared by copying every shared node on the
    /// way (path copy). Copies values, no keys.
    pub(super) fn leaf_mut(&mut self, path: &Path) -> &mut Leaf<K, V> {
        let mut node = match self {
            NodeRef::Leaf(leaf) => return make_mut(leaf),
            NodeRef::Internal(n) => make_mut(n),
        };
        for level in 0..path.depth {
            node = match &mut node.children {
                Children::Leaves(c) => return make_mut(&mut c[path.at(level)]),
                Children::Internals(c) => make_mut(&mut c[path.at(level)]),
            };
        }
        unreachable!("a path shorter than the tree")
    }

    /// Inserts a key that `path` (from [`search`](Self::search)) says is absent. If the
    /// root splits, the tree grows a level. Returns the path to the new entry.
    pub(super) fn insert(&mut self, path: &Path, key: K, val: V) -> Path {
        let mut track = *path;
        let split = match self {
            NodeRef::Leaf(leaf) => {
                let (split, right) = make_mut(leaf).insert(path.pos, key, val, &mut track);
                split.map(|(sep, node)| (sep, NodeRef::Leaf(Arc::new(node)), right))
            }
            NodeRef::Internal(n) => {
                let (split, right) = make_mut(n).insert(path, 0, key, val, &mut track);
                split.map(|(sep, node)| (sep, NodeRef::Internal(Arc::new(node)), right))
            }
        };
        if let Some((sep, right, went_right)) = split {
            let left = mem::replace(self, NodeRef::Leaf(Arc::new(Leaf::empty())));
            *self = grow(left, sep, right);
            track.push_front(usize::from(went_right));
        }
        track
    }
}

/// A new root over `left` and `right` (siblings split apart, `sep` between them): the
/// tree grows by one level.
pub(super) fn grow<K, V>(left: NodeRef<K, V>, sep: K, right: NodeRef<K, V>) -> NodeRef<K, V> {
    let mut keys = FixedVec::new();
    keys.push(sep);
    let mut children = Children::one(left);
    children.insert(1, right);
    NodeRef::Internal(Arc::new(Internal {
        keys: Arc::new(keys),
        children,
    }))
}

impl<K: Clone, V> Leaf<K, V> {
    /// Inserts at `pos`; a full leaf splits in two and returns the upper half with its
    /// separator, and whether the entry went there. Copies the keys if shared, and
    /// clones the separator, before any move. Sets `track.pos` to the entry's position.
    fn insert(
        &mut self,
        pos: usize,
        key: K,
        val: V,
        track: &mut Path,
    ) -> (Option<(K, Self)>, bool) {
        let keys = make_mut(&mut self.keys);
        if self.vals.len() < LEAF_CAP {
            keys.insert(pos, key);
            self.vals.insert(pos, val);
            track.pos = pos;
            return (None, false);
        }
        let mid = LEAF_CAP / 2;
        let sep = keys[mid].clone();
        let mut right = Leaf {
            keys: Arc::new(keys.split_off(mid)),
            vals: self.vals.split_off(mid),
        };
        let (half, at, went_right) = if pos <= mid {
            (&mut *self, pos, false)
        } else {
            (&mut right, pos - mid, true)
        };
        make_mut(&mut half.keys).insert(at, key);
        half.vals.insert(at, val);
        track.pos = at;
        (Some((sep, right)), went_right)
    }
}

impl<K: Clone, V: Clone> Internal<K, V> {
    /// Inserts below this node, at `level` of `path`; returns the upper half and its
    /// separator if this node split, and whether the entry is in that half.
    fn insert(
        &mut self,
        path: &Path,
        level: usize,
        key: K,
        val: V,
        track: &mut Path,
    ) -> (Option<(K, Self)>, bool) {
        let idx = path.at(level);
        // Height above the leaves: the leaf's parent is 1.
        if path.depth - level <= path.splits {
            // This node receives a separator: copy shared separators now, while a
            // panicking `K::clone` still finds the tree unchanged.
            make_mut(&mut self.keys);
        }
        let (split, went_right) = match &mut self.children {
            Children::Leaves(c) => {
                let (split, right) = make_mut(&mut c[idx]).insert(path.pos, key, val, track);
                (
                    split.map(|(sep, node)| (sep, NodeRef::Leaf(Arc::new(node)))),
                    right,
                )
            }
            Children::Internals(c) => {
                let (split, right) = make_mut(&mut c[idx]).insert(path, level + 1, key, val, track);
                (
                    split.map(|(sep, node)| (sep, NodeRef::Internal(Arc::new(node)))),
                    right,
                )
            }
        };
        let Some((sep, right)) = split else {
            return (None, false);
        };
        let child = idx + usize::from(went_right);
        let (split, at, went_right) = self.insert_child(idx, sep, right, child);
        track.idx[level] = at as u8;
        (split, went_right)
    }

    /// Puts `right`, split off `children[idx]`, after it with separator `sep`; a full
    /// node splits in two and returns the upper half with its separator. Also returns
    /// where the child at index `tracked` (counted after the insert) ended up: its index
    /// in its half, and whether that is the upper half.
    fn insert_child(
        &mut self,
        idx: usize,
        sep: K,
        right: NodeRef<K, V>,
        tracked: usize,
    ) -> (Option<(K, Self)>, usize, bool) {
        let keys = make_mut(&mut self.keys);
        if self.children.len() < BRANCH_CAP {
            keys.insert(idx, sep);
            self.children.insert(idx + 1, right);
            return (None, tracked, false);
        }
        let mid = BRANCH_CAP / 2;
        let mut right_keys = keys.split_off(mid);
        let up = keys.pop().expect("a full node has separators");
        let mut sibling = Internal {
            keys: Arc::new(FixedVec::new()),
            children: self.children.split_off(mid),
        };
        if idx < mid {
            keys.insert(idx, sep);
            self.children.insert(idx + 1, right);
        } else {
            right_keys.insert(idx - mid, sep);
            sibling.children.insert(idx - mid + 1, right);
        }
        sibling.keys = Arc::new(right_keys);
        // The left half kept children `..mid` (plus the new one if `idx < mid`).
        let left_len = self.children.len();
        if tracked >= left_len {
            (Some((up, sibling)), tracked - left_len, true)
        } else {
            (Some((up, sibling)), tracked, false)
        }
    }
}

/// The first key of every leaf but the first, when `keys` (in order) are cut into
/// leaves by [`even_chunks`]: the separators [`bulk_build`] needs, cloned.
pub(super) fn leaf_separators<'a, K: Clone + 'a>(
    n: usize,
    mut keys: impl Iterator<Item = &'a K>,
) -> Vec<K> {
    let mut seps = Vec::with_capacity(n.div_ceil(LEAF_CAP).saturating_sub(1));
    let mut chunks = even_chunks(n, LEAF_CAP);
    let mut skip = chunks.next().unwrap_or(0);
    for count in chunks {
        let first = keys.nth(skip).expect("as many keys as entries");
        seps.push(first.clone());
        skip = count - 1;
    }
    seps
}

/// Builds a tree from `n` entries in strictly increasing key order, bottom-up in O(n):
/// full leaves, then full internal levels, the entries of each level spread evenly so
/// that every node is at least half full. `seps` are the leaves' separators, from
/// [`leaf_separators`]: this calls no user code (it moves, and drops nothing).
pub(super) fn bulk_build<K, V>(
    entries: impl IntoIterator<Item = (K, V)>,
    n: usize,
    seps: Vec<K>,
) -> Option<NodeRef<K, V>> {
    if n == 0 {
        return None;
    }
    let mut entries = entries.into_iter();
    // Each node of the level being built, with the separator before it (`None` for the
    // first node: the tree's leftmost subtree needs none).
    let mut level: Vec<(Option<K>, NodeRef<K, V>)> = Vec::with_capacity(n.div_ceil(LEAF_CAP));
    let mut seps = seps.into_iter();
    for (i, count) in even_chunks(n, LEAF_CAP).enumerate() {
        let mut keys = FixedVec::new();
        let mut vals = FixedVec::new();
        for (k, v) in entries.by_ref().take(count) {
            keys.push(k);
            vals.push(v);
        }
        let sep = if i == 0 { None } else { seps.next() };
        let leaf = Leaf {
            keys: Arc::new(keys),
            vals,
        };
        level.push((sep, NodeRef::Leaf(Arc::new(leaf))));
    }
    while level.len() > 1 {
        let mut nodes = level.into_iter();
        let mut parents = Vec::with_capacity(nodes.len().div_ceil(BRANCH_CAP));
        for count in even_chunks(nodes.len(), BRANCH_CAP) {
            let mut group = nodes.by_ref().take(count);
            let (first, node) = group.next().expect("chunks are nonempty");
            let mut children = Children::one(node);
            let mut keys = FixedVec::new();
            for (sep, node) in group {
                keys.push(sep.expect("only the first node has no separator"));
                let end = children.len();
                children.insert(end, node);
            }
            let internal = Internal {
                keys: Arc::new(keys),
                children,
            };
            parents.push((first, NodeRef::Internal(Arc::new(internal))));
        }
        level = parents;
    }
    level.pop().map(|(_, root)| root)
}

/// Splits `n` items into `n.div_ceil(cap)` chunk sizes that differ by at most one.
pub(super) fn even_chunks(n: usize, cap: usize) -> impl Iterator<Item = usize> {
    let count = n.div_ceil(cap);
    let base = n.checked_div(count).unwrap_or(0);
    let extra = n.checked_rem(count).unwrap_or(0);
    (0..count).map(move |i| base + usize::from(i < extra))
}

/// Moves every entry out of the tree in order, cloning the entries of shared nodes.
pub(super) fn drain_into<K: Clone, V: Clone>(node: NodeRef<K, V>, out: &mut Vec<(K, V)>) {
    match node {
        NodeRef::Leaf(leaf) => {
            let leaf = Arc::unwrap_or_clone(leaf);
            let keys = Arc::unwrap_or_clone(leaf.keys);
            out.extend(keys.into_iter().zip(leaf.vals));
        }
        NodeRef::Internal(n) => match Arc::unwrap_or_clone(n).children {
            Children::Leaves(c) => c
                .into_iter()
                .for_each(|l| drain_into(NodeRef::Leaf(l), out)),
            Children::Internals(c) => c
                .into_iter()
                .for_each(|n| drain_into(NodeRef::Internal(n), out)),
        },
    }
}

/// Copies every shared node and key array of the tree, so that moving the entries out
/// afterwards ([`drain_into`]) clones nothing.
pub(super) fn unshare_all<K: Clone, V: Clone>(node: &mut NodeRef<K, V>) {
    fn internal<K: Clone, V: Clone>(n: &mut Internal<K, V>) {
        make_mut(&mut n.keys);
        match &mut n.children {
            Children::Leaves(c) => c.iter_mut().for_each(|l| make_mut(l).unshare()),
            Children::Internals(c) => c.iter_mut().for_each(|n| internal(make_mut(n))),
        }
    }
    match node {
        NodeRef::Leaf(l) => make_mut(l).unshare(),
        NodeRef::Internal(n) => internal(make_mut(n)),
    }
}

/// Counts the internal levels, leaves and internal nodes of the tree under `node`.
pub(super) fn count_nodes<K, V>(node: Child<'_, K, V>) -> (usize, usize, usize) {
    match node {
        Child::Leaf(_) => (0, 1, 0),
        Child::Internal(n) => (0..n.children.len())
            .map(|i| count_nodes(n.children.get(i)))
            .fold((0, 0, 1), |(h, l, i), (ch, cl, ci)| {
                (h.max(ch + 1), l + cl, i + ci)
            }),
    }
}

/// Checks the tree's invariants; panics with a description of the first violation.
/// Returns the number of entries.
pub(super) fn check<K: Ord, V>(root: &NodeRef<K, V>) -> usize {
    let mut leaf_depth = None;
    check_node(root.as_child(), None, None, true, 0, &mut leaf_depth)
}

fn check_node<K: Ord, V>(
    node: Child<'_, K, V>,
    lo: Option<&K>,
    hi: Option<&K>,
    is_root: bool,
    depth: usize,
    leaf_depth: &mut Option<usize>,
) -> usize {
    let check_order = |keys: &[K], what: &str| {
        for pair in keys.windows(2) {
            assert!(pair[0] < pair[1], "{what} not strictly increasing");
        }
        if let (Some(lo), Some(first)) = (lo, keys.first()) {
            assert!(lo <= first, "{what} below the parent's separator");
        }
        if let (Some(hi), Some(last)) = (hi, keys.last()) {
            assert!(last < hi, "{what} not below the parent's next separator");
        }
    };
    match node {
        Child::Leaf(leaf) => {
            assert_eq!(
                leaf.keys.len(),
                leaf.vals.len(),
                "leaf keys and values differ"
            );
            let min = if is_root { 0 } else { LEAF_MIN };
            assert!(
                leaf.len() >= min,
                "leaf with {} entries (minimum {min})",
                leaf.len()
            );
            check_order(&leaf.keys, "leaf keys");
            match *leaf_depth {
                None => *leaf_depth = Some(depth),
                Some(d) => assert_eq!(d, depth, "leaves at different depths"),
            }
            leaf.len()
        }
        Child::Internal(n) => {
            let len = n.children.len();
            let min = if is_root { 2 } else { BRANCH_MIN };
            assert!(
                len >= min,
                "internal node with {len} children (minimum {min})"
            );
            assert_eq!(
                n.keys.len() + 1,
                len,
                "separators and children do not match"
            );
            check_order(&n.keys, "separators");
            (0..len)
                .map(|i| {
                    let lo = if i == 0 { lo } else { Some(&n.keys[i - 1]) };
                    let hi = n.keys.get(i).or(hi);
                    check_node(n.children.get(i), lo, hi, false, depth + 1, leaf_depth)
                })
                .sum()
        }
    }
}
