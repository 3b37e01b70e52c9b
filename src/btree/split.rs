//! Splitting a tree in two at a position (`split_off`), and merging two maps' entries
//! (`append`): std's `split.rs`, `fix.rs` and `append.rs`.
//!
//! `split_off` builds both halves as new trees and leaves the old one untouched until
//! they are whole: every node off the split path is shared between the old tree and one
//! of the halves; the nodes on the path are rebuilt (the leaf's entries and the
//! separators on the path cloned); then each half's border is fixed as std's
//! `fix_right_border`/`fix_left_border` do, merging or stealing from the sibling next
//! to the border (copied if shared). A panicking `Clone` drops the partial halves and
//! leaves the map as it was.
//!
//! `append` merges in three steps, so that no entry is ever only in a local variable
//! while user code runs: it compares the keys of both maps in place (a plan), clones the
//! separators of the result and copies both maps' shared nodes, and only then moves the
//! entries out of the two trees and into the new one.

use std::sync::Arc;

use super::array::FixedVec;
use super::node::{
    apply_fix, make_mut, prepare_fix, Child, ChildArray, Children, Fix, Internal, Leaf, Node,
    NodeRef, Path, Separators,
};

impl<K: Clone, V: Clone> NodeRef<K, V> {
    /// The trees of the entries before `path`'s position and of those from it on, as
    /// new roots (each at least an empty leaf); `self` is not changed.
    pub(super) fn split_at(&self, path: &Path) -> (NodeRef<K, V>, NodeRef<K, V>) {
        let (mut left, mut right) = split_node(self.as_child(), path, 0);
        left.fix_border(true);
        right.fix_border(false);
        (left, right)
    }

    /// Removes single-child internal roots (std's `fix_top`).
    fn fix_top(&mut self) {
        while let NodeRef::Internal(n) = self {
            if n.children.len() > 1 {
                return;
            }
            let only = make_mut(n).children.remove(0);
            *self = only;
        }
    }

    /// Stocks up or merges away the underfull nodes on the right (`right_border`) or
    /// left border of a tree built by [`split_node`] (std's `fix_right_border` and
    /// `fix_left_border`): top-down, each border child merges with its sibling if both
    /// fit in one node, and otherwise steals enough to hold one more than the minimum
    /// (so that a merge on the next level leaves it full enough).
    fn fix_border(&mut self, right_border: bool) {
        self.fix_top();
        if let NodeRef::Internal(root) = self {
            let mut node = make_mut(root);
            loop {
                let next = match &mut node.children {
                    Children::Leaves(c) => {
                        fix_border_child(&mut node.keys, c, right_border);
                        None
                    }
                    Children::Internals(c) => {
                        let at = fix_border_child(&mut node.keys, c, right_border);
                        Some(make_mut(&mut c[at]))
                    }
                };
                match next {
                    Some(child) => node = child,
                    None => break,
                }
            }
        }
        self.fix_top();
    }
}

/// Fixes the last (`right_border`) or first child of an internal node with at least two
/// children against its sibling; returns the index of the border child afterwards.
fn fix_border_child<K: Clone, N: Node<K>>(
    keys: &mut Arc<Separators<K>>,
    children: &mut ChildArray<N>,
    right_border: bool,
) -> usize {
    let last = children.len() - 1;
    let (at, sibling) = if right_border {
        (last, last - 1)
    } else {
        (0, 1)
    };
    let (len, other) = (children[at].len(), children[sibling].len());
    let fix = if len + other <= 2 * N::MIN {
        if right_border {
            Fix::MergeLeft
        } else {
            Fix::MergeRight
        }
    } else {
        match (N::MIN + 1).saturating_sub(len) {
            0 => Fix::Keep,
            count if right_border => Fix::StealLeft(count),
            count => Fix::StealRight(count),
        }
    };
    let sep = prepare_fix(keys, children, at, fix, true);
    let (dropped, _) = apply_fix(keys, children, at, fix, sep);
    drop(dropped);
    if fix == Fix::MergeLeft {
        at - 1
    } else {
        at
    }
}

/// Splits the subtree under `node` (at `level` of `path`) into the part before the
/// path's position and the part from it on. The nodes on the path are new; the others
/// are shared. The border nodes of the parts may be underfull (a leaf may be empty, an
/// internal node may have a single child).
fn split_node<K: Clone, V: Clone>(
    node: Child<'_, K, V>,
    path: &Path,
    level: usize,
) -> (NodeRef<K, V>, NodeRef<K, V>) {
    match node {
        Child::Leaf(leaf) => {
            let part = |from: usize, to: usize| {
                let keys: FixedVec<K, { super::node::LEAF_CAP }> =
                    leaf.keys[from..to].iter().cloned().collect();
                let vals = leaf.vals[from..to].iter().cloned().collect();
                NodeRef::Leaf(Arc::new(Leaf {
                    keys: Arc::new(keys),
                    vals,
                }))
            };
            let pos = path.pos.min(leaf.len());
            (part(0, pos), part(pos, leaf.len()))
        }
        Child::Internal(n) => {
            let i = path.at(level);
            let (left_part, right_part) = split_node(n.children.get(i), path, level + 1);
            let keys = n.key_slice();
            let mut left = Internal {
                keys: Arc::new(keys[..i].iter().cloned().collect()),
                children: n.children.clone(),
            };
            let mut right_children = left.children.split_off(i + 1);
            drop(left.children.remove(i));
            left.children.insert(i, left_part);
            right_children.insert(0, right_part);
            let right = Internal {
                keys: Arc::new(keys[i..].iter().cloned().collect()),
                children: right_children,
            };
            (
                NodeRef::Internal(Arc::new(left)),
                NodeRef::Internal(Arc::new(right)),
            )
        }
    }
}

/// Which map the next entry of a merge comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// `self` only.
    Left,
    /// `other` only.
    Right,
    /// Both (equal keys): `self`'s key with `other`'s value.
    Both,
}

/// The merge plan of two key sequences in order: which side each entry of the result
/// comes from (std's `MergeIter`, compared in place).
pub(super) fn merge_plan<'a, K: Ord + 'a>(
    mut a: impl Iterator<Item = &'a K>,
    mut b: impl Iterator<Item = &'a K>,
    capacity: usize,
) -> Vec<Source> {
    let mut plan = Vec::with_capacity(capacity);
    let (mut x, mut y) = (a.next(), b.next());
    loop {
        let source = match (x, y) {
            (None, None) => return plan,
            (Some(_), None) => Source::Left,
            (None, Some(_)) => Source::Right,
            (Some(p), Some(q)) => match p.cmp(q) {
                std::cmp::Ordering::Less => Source::Left,
                std::cmp::Ordering::Greater => Source::Right,
                std::cmp::Ordering::Equal => Source::Both,
            },
        };
        if source != Source::Right {
            x = a.next();
        }
        if source != Source::Left {
            y = b.next();
        }
        plan.push(source);
    }
}

/// The keys of a merge's result, in order, by reference: `self`'s key where both have
/// one (std keeps the existing key).
pub(super) fn merged_keys<'a, K: 'a>(
    plan: &'a [Source],
    mut a: impl Iterator<Item = &'a K> + 'a,
    mut b: impl Iterator<Item = &'a K> + 'a,
) -> impl Iterator<Item = &'a K> + 'a {
    plan.iter().map(move |source| match source {
        Source::Left => a.next().expect("planned"),
        Source::Right => b.next().expect("planned"),
        Source::Both => {
            b.next();
            a.next().expect("planned")
        }
    })
}

/// Moves the entries of two drained maps into one sequence by `plan`; the entries a
/// merge replaces (`other`'s key, `self`'s old value) go to `replaced`. Calls no user
/// code.
pub(super) fn merge_moves<K, V>(
    plan: &[Source],
    a: Vec<(K, V)>,
    b: Vec<(K, V)>,
    replaced: &mut Vec<(K, V)>,
) -> Vec<(K, V)> {
    let mut out = Vec::with_capacity(plan.len());
    let (mut a, mut b) = (a.into_iter(), b.into_iter());
    for source in plan {
        let entry = match source {
            Source::Left => a.next(),
            Source::Right => b.next(),
            Source::Both => {
                let (key, old) = a.next().expect("planned");
                let (other_key, value) = b.next().expect("planned");
                replaced.push((other_key, old));
                Some((key, value))
            }
        };
        out.push(entry.expect("planned"));
    }
    out
}
