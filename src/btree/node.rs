//! Node layout, path copying and rebalancing.
//!
//! Entries live in leaves only ([`Leaf`]: keys and values in two inline arrays);
//! internal nodes ([`Internal`]) hold separator keys and `Arc`s to their children. A
//! separator `keys[i]` is greater than every key under `children[i]` and at most every
//! key under `children[i + 1]` (it is a copy of a key that was the first of its right
//! subtree when it was made; removals may leave it stale, which the order rule allows).
//!
//! Every write goes through [`Arc::make_mut`] from the root down: a node shared with
//! another version is copied (its entries, or its child pointers, cloned), an unshared
//! one is changed in place. Separator arrays sit behind their own `Arc` ([`Keys`]), so
//! copying an internal node whose separators do not change costs one reference-count
//! increment per child and one for the separators, no key clone.
//!
//! The rebalancing vocabulary is std's (`alloc/collections/btree`): a node below its
//! minimum fill is fixed by [`fix_child`], which steals an entry (or a child) from a
//! sibling through the parent's separator ([`Node::steal_left`],
//! [`Node::steal_right`]) or merges with the sibling ([`Node::merge`]).
//!
//! Panic safety: every call into user code (`Clone` in `make_mut` and for separators) is
//! made before the structural moves of its level, so a panicking `Clone` leaves every
//! node memory-safe and every node shared with another version untouched. Insertion is
//! atomic (all clones happen before any move); a removal may stop with an underfull
//! node.

use std::borrow::Borrow;
use std::mem;
use std::sync::Arc;

use arrayvec::ArrayVec;

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

/// The separators of an internal node, shared between its copies until one changes.
pub(super) type Keys<K> = ArrayVec<K, { BRANCH_CAP - 1 }>;
/// The children of an internal node, of one kind.
pub(super) type ChildArray<N> = ArrayVec<Arc<N>, BRANCH_CAP>;

/// A leaf: up to [`LEAF_CAP`] entries in key order, keys and values in separate arrays
/// (a search reads only the keys).
pub(super) struct Leaf<K, V> {
    pub(super) keys: ArrayVec<K, LEAF_CAP>,
    pub(super) vals: ArrayVec<V, LEAF_CAP>,
}

/// An internal node: `children.len() - 1` separators and up to [`BRANCH_CAP`] children.
pub(super) struct Internal<K, V> {
    pub(super) keys: Arc<Keys<K>>,
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

impl<K: Clone, V: Clone> Clone for Leaf<K, V> {
    fn clone(&self) -> Self {
        Leaf {
            keys: self.keys.clone(),
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
            Children::Leaves(c) => Children::Leaves(c.clone()),
            Children::Internals(c) => Children::Internals(c.clone()),
        }
    }
}

impl<K, V> Clone for NodeRef<K, V> {
    fn clone(&self) -> Self {
        match self {
            NodeRef::Leaf(n) => NodeRef::Leaf(Arc::clone(n)),
            NodeRef::Internal(n) => NodeRef::Internal(Arc::clone(n)),
        }
    }
}

/// A node type whose copy can be built inside its new allocation.
pub(super) trait CopyOnWrite {
    /// A copy of `self` in a new `Arc`.
    fn copy_to_arc(&self) -> Arc<Self>;
}

/// [`Arc::make_mut`], copying a shared node with [`CopyOnWrite::copy_to_arc`]: the
/// entries are cloned straight into the new allocation, where `make_mut` would clone
/// the node on the stack and then move it (a leaf of `String` keys is 1 KiB).
pub(super) fn make_mut<T: CopyOnWrite>(this: &mut Arc<T>) -> &mut T {
    if Arc::get_mut(this).is_none() {
        *this = this.copy_to_arc();
    }
    Arc::get_mut(this).expect("a node just copied is unshared")
}

impl<K: Clone, V: Clone> CopyOnWrite for Leaf<K, V> {
    fn copy_to_arc(&self) -> Arc<Self> {
        let mut copy = Arc::new(Leaf::empty());
        let leaf = Arc::get_mut(&mut copy).expect("a new Arc is unshared");
        leaf.keys.extend(self.keys.iter().cloned());
        leaf.vals.extend(self.vals.iter().cloned());
        copy
    }
}

impl<K, V> CopyOnWrite for Internal<K, V> {
    fn copy_to_arc(&self) -> Arc<Self> {
        Arc::new(self.clone())
    }
}

impl<K: Clone> CopyOnWrite for Keys<K> {
    fn copy_to_arc(&self) -> Arc<Self> {
        let mut copy = Arc::new(Keys::new());
        Arc::get_mut(&mut copy)
            .expect("a new Arc is unshared")
            .extend(self.iter().cloned());
        copy
    }
}

impl<K, V> Leaf<K, V> {
    /// A leaf with no entries (only ever a leaf being built).
    fn empty() -> Self {
        Leaf {
            keys: ArrayVec::new(),
            vals: ArrayVec::new(),
        }
    }

    /// A leaf holding one entry.
    pub(super) fn singleton(key: K, val: V) -> Self {
        let mut leaf = Self::empty();
        leaf.keys.push(key);
        leaf.vals.push(val);
        leaf
    }

    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The entry at `pos`.
    pub(super) fn entry(&self, pos: usize) -> (&K, &V) {
        (&self.keys[pos], &self.vals[pos])
    }
}

impl<K, V> Children<K, V> {
    pub(super) fn len(&self) -> usize {
        match self {
            Children::Leaves(c) => c.len(),
            Children::Internals(c) => c.len(),
        }
    }

    /// The child at `idx`, borrowed.
    pub(super) fn get(&self, idx: usize) -> Child<'_, K, V> {
        match self {
            Children::Leaves(c) => Child::Leaf(&c[idx]),
            Children::Internals(c) => Child::Internal(&c[idx]),
        }
    }

    /// Inserts `child` at `idx`. `child` must be of this array's kind.
    fn insert(&mut self, idx: usize, child: NodeRef<K, V>) {
        match (self, child) {
            (Children::Leaves(c), NodeRef::Leaf(n)) => c.insert(idx, n),
            (Children::Internals(c), NodeRef::Internal(n)) => c.insert(idx, n),
            _ => unreachable!("a child of the wrong height"),
        }
    }

    /// Removes and returns the child at `idx`.
    fn remove(&mut self, idx: usize) -> NodeRef<K, V> {
        match self {
            Children::Leaves(c) => NodeRef::Leaf(c.remove(idx)),
            Children::Internals(c) => NodeRef::Internal(c.remove(idx)),
        }
    }

    /// Moves the children from `at` on into a new array.
    fn split_off(&mut self, at: usize) -> Self {
        match self {
            Children::Leaves(c) => Children::Leaves(c.drain(at..).collect()),
            Children::Internals(c) => Children::Internals(c.drain(at..).collect()),
        }
    }

    /// Appends `other`'s children (of the same kind).
    fn append(&mut self, other: Self) {
        match (self, other) {
            (Children::Leaves(a), Children::Leaves(b)) => a.extend(b),
            (Children::Internals(a), Children::Internals(b)) => a.extend(b),
            _ => unreachable!("children of different heights"),
        }
    }
}

impl<K, V> NodeRef<K, V> {
    /// The node, borrowed.
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

/// The operations the rebalancing code needs from both kinds of node.
pub(super) trait Node<K>: Clone + CopyOnWrite {
    /// Entries (leaf) or children (internal node) at minimum fill.
    const MIN: usize;
    /// Entries (leaf) or children (internal node).
    fn len(&self) -> usize;
    /// Copies whatever this node still shares with other versions below its own level
    /// (an internal node's separators), so that a merge makes no copy after its first
    /// move.
    fn unshare(&mut self);
    /// Moves the last entry (child) of `left`, the sibling before `self`, to the front of
    /// `self`; `sep` is the parent's separator between the two.
    fn steal_left(&mut self, left: &mut Self, sep: &mut K);
    /// Moves the first entry (child) of `right`, the sibling after `self`, to the end of
    /// `self`; `sep` is the parent's separator between the two.
    fn steal_right(&mut self, right: &mut Self, sep: &mut K);
    /// Appends `right`, the sibling after `self`, whose separator was `sep`.
    fn merge(&mut self, sep: K, right: Self);
}

impl<K: Clone, V: Clone> Node<K> for Leaf<K, V> {
    const MIN: usize = LEAF_MIN;

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn unshare(&mut self) {}

    fn steal_left(&mut self, left: &mut Self, sep: &mut K) {
        // Clone first: a panicking `Clone` must find the entries where they were.
        let new_sep = left.keys[left.len() - 1].clone();
        let (k, v) = left
            .keys
            .pop()
            .zip(left.vals.pop())
            .expect("a nonempty sibling");
        self.keys.insert(0, k);
        self.vals.insert(0, v);
        *sep = new_sep;
    }

    fn steal_right(&mut self, right: &mut Self, sep: &mut K) {
        let new_sep = right.keys[1].clone();
        self.keys.push(right.keys.remove(0));
        self.vals.push(right.vals.remove(0));
        *sep = new_sep;
    }

    fn merge(&mut self, _sep: K, right: Self) {
        self.keys.extend(right.keys);
        self.vals.extend(right.vals);
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

    fn steal_left(&mut self, left: &mut Self, sep: &mut K) {
        let left_keys = make_mut(&mut left.keys);
        let keys = make_mut(&mut self.keys);
        let up = left_keys.pop().expect("a sibling with separators");
        let child = left.children.remove(left.children.len() - 1);
        keys.insert(0, mem::replace(sep, up));
        self.children.insert(0, child);
    }

    fn steal_right(&mut self, right: &mut Self, sep: &mut K) {
        let right_keys = make_mut(&mut right.keys);
        let keys = make_mut(&mut self.keys);
        let up = right_keys.remove(0);
        let child = right.children.remove(0);
        keys.push(mem::replace(sep, up));
        let end = self.children.len();
        self.children.insert(end, child);
    }

    fn merge(&mut self, sep: K, right: Self) {
        let keys = make_mut(&mut self.keys);
        let right_keys = Arc::unwrap_or_clone(right.keys);
        keys.push(sep);
        keys.extend(right_keys);
        self.children.append(right.children);
    }
}

/// Rebalances `children[idx]`, which fell below its minimum fill: steals from a sibling
/// that has more than the minimum, or merges with one. `children[idx]` must be unshared
/// (the caller just wrote to it). Does nothing for an only child (the root's, which the
/// caller then collapses).
pub(super) fn fix_child<K: Clone, N: Node<K>>(
    keys: &mut Arc<Keys<K>>,
    children: &mut ChildArray<N>,
    idx: usize,
) {
    if idx > 0 && children[idx - 1].len() > N::MIN {
        let keys = make_mut(keys);
        let (before, rest) = children.split_at_mut(idx);
        let left = make_mut(&mut before[idx - 1]);
        make_mut(&mut rest[0]).steal_left(left, &mut keys[idx - 1]);
    } else if idx + 1 < children.len() && children[idx + 1].len() > N::MIN {
        let keys = make_mut(keys);
        let (upto, after) = children.split_at_mut(idx + 1);
        let right = make_mut(&mut after[0]);
        make_mut(&mut upto[idx]).steal_right(right, &mut keys[idx]);
    } else if idx > 0 {
        merge_children(keys, children, idx - 1);
    } else if idx + 1 < children.len() {
        merge_children(keys, children, idx);
    }
}

/// Merges `children[at + 1]` into `children[at]`, removing their separator.
fn merge_children<K: Clone, N: Node<K>>(
    keys: &mut Arc<Keys<K>>,
    children: &mut ChildArray<N>,
    at: usize,
) {
    // Every copy (the only calls into user code) before the first move.
    let keys = make_mut(keys);
    make_mut(&mut children[at]).unshare();
    make_mut(&mut children[at + 1]).unshare();
    let sep = keys.remove(at);
    let right = Arc::unwrap_or_clone(children.remove(at + 1));
    make_mut(&mut children[at]).merge(sep, right);
}

/// Where a key is, or would go: the child index taken at each internal level from the
/// root down, and the position in the leaf.
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
    fn new() -> Self {
        Path {
            idx: [0; MAX_DEPTH],
            depth: 0,
            pos: 0,
            found: false,
            splits: 0,
        }
    }

    fn push(&mut self, idx: usize, full: bool) {
        assert!(
            self.depth < MAX_DEPTH,
            "B-tree deeper than {MAX_DEPTH} levels"
        );
        self.idx[self.depth] = idx as u8;
        self.depth += 1;
        self.splits = if full { self.splits + 1 } else { 0 };
    }

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
}

impl<K, V> NodeRef<K, V> {
    /// The path to `key` (or to where it would be inserted).
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
                    let idx = super::search::child_index(&n.keys, key);
                    path.push(idx, n.children.len() == BRANCH_CAP);
                    node = n.children.get(idx);
                }
                Child::Leaf(leaf) => {
                    let (pos, found) = match super::search::search_keys(&leaf.keys, key) {
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
}

impl<K: Clone, V: Clone> NodeRef<K, V> {
    /// The leaf at the end of `path`, made unshared by copying every shared node on the
    /// way (path copy).
    pub(super) fn leaf_mut(&mut self, path: &Path) -> &mut Leaf<K, V> {
        let mut node = match self {
            NodeRef::Leaf(leaf) => return make_mut(leaf),
            NodeRef::Internal(n) => make_mut(n),
        };
        for &idx in &path.idx[..path.depth] {
            node = match &mut node.children {
                Children::Leaves(c) => return make_mut(&mut c[usize::from(idx)]),
                Children::Internals(c) => make_mut(&mut c[usize::from(idx)]),
            };
        }
        unreachable!("a path shorter than the tree")
    }

    /// Inserts a key that `path` (from [`search`](Self::search)) says is absent. If the
    /// root splits, returns the separator and the new upper half for [`grow`].
    pub(super) fn insert(&mut self, path: &Path, key: K, val: V) -> Option<(K, Self)> {
        match self {
            NodeRef::Leaf(leaf) => make_mut(leaf)
                .insert(path.pos, key, val)
                .map(|(sep, right)| (sep, NodeRef::Leaf(Arc::new(right)))),
            NodeRef::Internal(n) => make_mut(n)
                .insert(path, 0, key, val)
                .map(|(sep, right)| (sep, NodeRef::Internal(Arc::new(right)))),
        }
    }

    /// Removes the entry at `path` (which must exist), rebalancing on the way up; lowers
    /// the tree by a level when the root is left with one child. The last entry leaves
    /// an empty root leaf behind, as std's `BTreeMap` does.
    pub(super) fn remove(&mut self, path: &Path) -> (K, V) {
        let entry = match self {
            NodeRef::Leaf(leaf) => {
                let leaf = make_mut(leaf);
                return (leaf.keys.remove(path.pos), leaf.vals.remove(path.pos));
            }
            NodeRef::Internal(n) => make_mut(n).remove(path, 0),
        };
        if let NodeRef::Internal(root) = self {
            if root.children.len() == 1 {
                let only = make_mut(root).children.remove(0);
                *self = only;
            }
        }
        entry
    }
}

/// The root std leaves behind when the last entry is removed: an empty leaf.
pub(super) fn empty_root<K, V>() -> NodeRef<K, V> {
    NodeRef::Leaf(Arc::new(Leaf::empty()))
}

/// A new root over `left` and `right` (siblings split apart, `sep` between them): the
/// tree grows by one level.
pub(super) fn grow<K, V>(left: NodeRef<K, V>, sep: K, right: NodeRef<K, V>) -> NodeRef<K, V> {
    let mut keys = Keys::new();
    keys.push(sep);
    let children = match (left, right) {
        (NodeRef::Leaf(l), NodeRef::Leaf(r)) => Children::Leaves([l, r].into_iter().collect()),
        (NodeRef::Internal(l), NodeRef::Internal(r)) => {
            Children::Internals([l, r].into_iter().collect())
        }
        _ => unreachable!("siblings of different heights"),
    };
    NodeRef::Internal(Arc::new(Internal {
        keys: Arc::new(keys),
        children,
    }))
}

impl<K: Clone, V> Leaf<K, V> {
    /// Inserts at `pos`; a full leaf splits in two and returns the upper half with its
    /// separator.
    fn insert(&mut self, pos: usize, key: K, val: V) -> Option<(K, Self)> {
        if self.len() < LEAF_CAP {
            self.keys.insert(pos, key);
            self.vals.insert(pos, val);
            return None;
        }
        let mid = LEAF_CAP / 2;
        let sep = self.keys[mid].clone();
        let mut right = Leaf {
            keys: self.keys.drain(mid..).collect(),
            vals: self.vals.drain(mid..).collect(),
        };
        let (half, at) = if pos <= mid {
            (&mut *self, pos)
        } else {
            (&mut right, pos - mid)
        };
        half.keys.insert(at, key);
        half.vals.insert(at, val);
        Some((sep, right))
    }
}

impl<K: Clone, V: Clone> Internal<K, V> {
    /// Inserts below this node, at `level` of `path`; returns the upper half and its
    /// separator if this node split.
    fn insert(&mut self, path: &Path, level: usize, key: K, val: V) -> Option<(K, Self)> {
        let idx = usize::from(path.idx[level]);
        // Height above the leaves: the leaf's parent is 1.
        if path.depth - level <= path.splits {
            // This node receives a separator: copy shared separators now, while a
            // panicking `K::clone` still finds the tree unchanged.
            make_mut(&mut self.keys);
        }
        let (sep, right) = match &mut self.children {
            Children::Leaves(c) => make_mut(&mut c[idx])
                .insert(path.pos, key, val)
                .map(|(sep, right)| (sep, NodeRef::Leaf(Arc::new(right))))?,
            Children::Internals(c) => make_mut(&mut c[idx])
                .insert(path, level + 1, key, val)
                .map(|(sep, right)| (sep, NodeRef::Internal(Arc::new(right))))?,
        };
        self.insert_child(idx, sep, right)
    }

    /// Puts `right`, split off `children[idx]`, after it with separator `sep`; a full
    /// node splits in two and returns the upper half with its separator.
    fn insert_child(&mut self, idx: usize, sep: K, right: NodeRef<K, V>) -> Option<(K, Self)> {
        let keys = make_mut(&mut self.keys);
        if self.children.len() < BRANCH_CAP {
            keys.insert(idx, sep);
            self.children.insert(idx + 1, right);
            return None;
        }
        let mid = BRANCH_CAP / 2;
        let mut right_keys: Keys<K> = keys.drain(mid..).collect();
        let up = keys.pop().expect("a full node has separators");
        let mut sibling = Internal {
            keys: Arc::new(Keys::new()),
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
        Some((up, sibling))
    }

    /// Removes the entry at `path` below this node, at `level`; fixes the child on the
    /// path if it fell below its minimum fill.
    fn remove(&mut self, path: &Path, level: usize) -> (K, V) {
        let idx = usize::from(path.idx[level]);
        match &mut self.children {
            Children::Leaves(c) => {
                let leaf = make_mut(&mut c[idx]);
                let entry = (leaf.keys.remove(path.pos), leaf.vals.remove(path.pos));
                if leaf.len() < LEAF_MIN {
                    fix_child(&mut self.keys, c, idx);
                }
                entry
            }
            Children::Internals(c) => {
                let child = make_mut(&mut c[idx]);
                let entry = child.remove(path, level + 1);
                if child.children.len() < BRANCH_MIN {
                    fix_child(&mut self.keys, c, idx);
                }
                entry
            }
        }
    }
}

/// Builds a tree from entries in strictly increasing key order, bottom-up in O(n): full
/// leaves, then full internal levels, the entries of each level spread evenly so that
/// every node is at least half full. Clones one key per leaf (the separators).
pub(super) fn bulk_build<K: Clone, V>(entries: Vec<(K, V)>) -> Option<NodeRef<K, V>> {
    let n = entries.len();
    if n == 0 {
        return None;
    }
    let mut entries = entries.into_iter();
    // Each node of the level being built, with the first key of its subtree (`None` for
    // the first node: the tree's leftmost subtree needs no separator).
    let mut level: Vec<(Option<K>, NodeRef<K, V>)> = Vec::with_capacity(n.div_ceil(LEAF_CAP));
    for (i, count) in even_chunks(n, LEAF_CAP).enumerate() {
        let mut leaf = Leaf::empty();
        for (k, v) in entries.by_ref().take(count) {
            leaf.keys.push(k);
            leaf.vals.push(v);
        }
        let first = (i > 0).then(|| leaf.keys[0].clone());
        level.push((first, NodeRef::Leaf(Arc::new(leaf))));
    }
    while level.len() > 1 {
        let mut nodes = level.into_iter();
        let mut parents = Vec::with_capacity(nodes.len().div_ceil(BRANCH_CAP));
        for count in even_chunks(nodes.len(), BRANCH_CAP) {
            let mut group = nodes.by_ref().take(count);
            let (first, node) = group.next().expect("chunks are nonempty");
            let mut children = match node {
                NodeRef::Leaf(l) => Children::Leaves([l].into_iter().collect()),
                NodeRef::Internal(n) => Children::Internals([n].into_iter().collect()),
            };
            let mut keys = Keys::new();
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
fn even_chunks(n: usize, cap: usize) -> impl Iterator<Item = usize> {
    let count = n.div_ceil(cap);
    let (base, extra) = (n / count, n % count);
    (0..count).map(move |i| base + usize::from(i < extra))
}

/// Moves every entry out of the tree in order, cloning the entries of shared nodes.
pub(super) fn drain_into<K: Clone, V: Clone>(node: NodeRef<K, V>, out: &mut Vec<(K, V)>) {
    match node {
        NodeRef::Leaf(leaf) => {
            let leaf = Arc::unwrap_or_clone(leaf);
            out.extend(leaf.keys.into_iter().zip(leaf.vals));
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
