//! [`FixedVec`]: a vector of at most `N` elements stored inline, the nodes' arrays.
//!
//! std's nodes keep `[MaybeUninit<K>; CAPACITY]` and a length in the node; this is the
//! same storage with the handful of operations the B+tree needs (push and pop at both
//! ends, insert and remove at a position, moving a run of elements to another array),
//! each a few lines of `unsafe` over `ptr::copy` with its `// SAFETY:` argument.
//!
//! Why not a crate: `arrayvec`, used until issue 16, implements traits on std's types
//! (`PartialOrd<ArrayString<CAP>> for str` and others). Every crate that depended on us
//! saw those impls, and `self.0.partial_cmp(&other.0)` on `&str` fields stopped
//! compiling there (E0277). This type implements nothing on anyone else's types.
//!
//! The invariant every method keeps: `items[..len]` are initialized and owned,
//! `items[len..]` are not, and `len <= N`. The unit tests at the end of the file run
//! under Miri (`ci/miri.sh`), including the panic paths of `clone` and `drop`.

use std::fmt;
use std::mem::{self, MaybeUninit};
use std::ops::{Deref, DerefMut};
use std::ptr;

/// Up to `N` elements of `T`, inline, in order. Operations that would exceed `N`
/// panic; the B+tree never asks for more than a node's capacity.
pub(super) struct FixedVec<T, const N: usize> {
    len: usize,
    items: [MaybeUninit<T>; N],
}

impl<T, const N: usize> FixedVec<T, N> {
    /// An empty array.
    #[inline]
    pub(super) const fn new() -> Self {
        FixedVec {
            len: 0,
            // `[const { MaybeUninit::uninit() }; N]`: no element is initialized.
            items: [const { MaybeUninit::uninit() }; N],
        }
    }

    /// Whether no more element fits.
    #[cfg(test)]
    fn is_full(&self) -> bool {
        self.len == N
    }

    /// A pointer to the element slot `at` (`at <= N`; one past the end is allowed).
    #[inline]
    fn slot(&mut self, at: usize) -> *mut T {
        debug_assert!(at <= N);
        // `MaybeUninit<T>` has `T`'s layout; `at <= N` stays within (or one past) the
        // array, which `wrapping_add` computes without any claim.
        self.items.as_mut_ptr().cast::<T>().wrapping_add(at)
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// If the array is full.
    #[inline]
    pub(super) fn push(&mut self, value: T) {
        assert!(self.len < N, "FixedVec::push: full");
        self.items[self.len].write(value);
        self.len += 1;
    }

    /// Removes and returns the last element.
    #[inline]
    pub(super) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: `items[len]` (the old last one) was initialized; `len` no longer
        // counts it, so it is read out exactly once.
        Some(unsafe { self.items[self.len].assume_init_read() })
    }

    /// Inserts `value` at `at`, shifting the elements from `at` on by one.
    ///
    /// # Panics
    ///
    /// If the array is full or `at > len`.
    #[inline]
    pub(super) fn insert(&mut self, at: usize, value: T) {
        let len = self.len;
        assert!(
            at <= len && len < N,
            "FixedVec::insert: out of bounds or full"
        );
        let p = self.slot(at);
        // SAFETY: `at <= len < N`: the slots `at..=len` lie in the array. `items[at..len]`
        // are initialized and move up by one (overlapping copy) into `at + 1..=len`, the
        // last of which was uninitialized; `items[at]` is then written without dropping
        // the bitwise copy left there. No user code runs between the copy and the write.
        unsafe {
            ptr::copy(p, p.add(1), len - at);
            p.write(value);
        }
        self.len = len + 1;
    }

    /// Removes and returns the element at `at`, shifting the later ones down.
    ///
    /// # Panics
    ///
    /// If `at >= len`.
    #[inline]
    pub(super) fn remove(&mut self, at: usize) -> T {
        let len = self.len;
        assert!(
            at < len,
            "FixedVec::remove: index {at} out of bounds ({len})"
        );
        let p = self.slot(at);
        // SAFETY: `at < len`: `items[at]` is initialized and read out exactly once; the
        // initialized `items[at + 1..len]` then move down over it (overlapping copy),
        // and `len` shrinks by one so the stale copy in `items[len - 1]` is not owned.
        unsafe {
            let value = p.read();
            ptr::copy(p.add(1), p, len - at - 1);
            self.len = len - 1;
            value
        }
    }

    /// Moves the elements from `at` on into a new array, keeping `..at`.
    ///
    /// # Panics
    ///
    /// If `at > len`.
    pub(super) fn split_off(&mut self, at: usize) -> Self {
        let len = self.len;
        assert!(at <= len, "FixedVec::split_off: {at} > {len}");
        let mut tail = Self::new();
        // SAFETY: `items[at..len]` are initialized; they are copied (disjoint arrays)
        // into `tail`'s first `len - at` slots, and ownership moves with the lengths:
        // `self` keeps `..at`, `tail` owns the copies.
        unsafe {
            ptr::copy_nonoverlapping(self.slot(at), tail.slot(0), len - at);
        }
        self.len = at;
        tail.len = len - at;
        tail
    }

    /// Moves every element of `other` to the end of `self`.
    ///
    /// # Panics
    ///
    /// If they do not fit.
    pub(super) fn append(&mut self, mut other: Self) {
        let (len, add) = (self.len, other.len);
        assert!(len + add <= N, "FixedVec::append: {len} + {add} > {N}");
        // SAFETY: `other.items[..add]` are initialized and copied into the free slots
        // `len..len + add` of `self` (in bounds: checked above; disjoint arrays).
        // Ownership moves with the lengths: `other` owns nothing afterwards, so its drop
        // drops nothing.
        unsafe {
            ptr::copy_nonoverlapping(other.slot(0), self.slot(len), add);
        }
        other.len = 0;
        self.len = len + add;
    }

    /// Moves every element of `other` to the front of `self`.
    ///
    /// # Panics
    ///
    /// If they do not fit.
    pub(super) fn prepend(&mut self, mut other: Self) {
        let (len, add) = (self.len, other.len);
        assert!(len + add <= N, "FixedVec::prepend: {add} + {len} > {N}");
        let p = self.slot(0);
        // SAFETY: in bounds (checked above). The initialized `items[..len]` move up by
        // `add` (overlapping copy), then `other`'s initialized `..add` fill the gap
        // (disjoint arrays). Ownership moves with the lengths, as in `append`.
        unsafe {
            ptr::copy(p, p.add(add), len);
            ptr::copy_nonoverlapping(other.slot(0), p, add);
        }
        other.len = 0;
        self.len = len + add;
    }

    /// Removes the first `count` elements into a new array.
    ///
    /// # Panics
    ///
    /// If `count > len`.
    pub(super) fn split_front(&mut self, count: usize) -> Self {
        let tail = self.split_off(count);
        mem::replace(self, tail)
    }
}

impl<T, const N: usize> Deref for FixedVec<T, N> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        // SAFETY: `items[..len]` are initialized (the type's invariant) and `MaybeUninit<T>`
        // has `T`'s layout; the slice borrows `self`.
        unsafe { std::slice::from_raw_parts(self.items.as_ptr().cast::<T>(), self.len) }
    }
}

impl<T, const N: usize> DerefMut for FixedVec<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, borrowing `self` mutably.
        unsafe { std::slice::from_raw_parts_mut(self.items.as_mut_ptr().cast::<T>(), self.len) }
    }
}

impl<T, const N: usize> Drop for FixedVec<T, N> {
    fn drop(&mut self) {
        let len = mem::replace(&mut self.len, 0);
        // SAFETY: `items[..len]` are initialized and owned; `len` is zeroed first, so
        // they are dropped exactly once even if a drop panics (`drop_in_place` on a
        // slice then still drops the rest).
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.slot(0), len));
        }
    }
}

impl<T: Clone, const N: usize> Clone for FixedVec<T, N> {
    /// Clones element by element; if a `clone` panics, the clones made so far are
    /// dropped (the length counts each one as it is written).
    fn clone(&self) -> Self {
        let mut copy = Self::new();
        // `zip` bounds the loop by both arrays: no capacity check per element.
        for (slot, item) in copy.items.iter_mut().zip(self.iter()) {
            slot.write(item.clone());
            copy.len += 1;
        }
        copy
    }
}

impl<T, const N: usize> Extend<T> for FixedVec<T, N> {
    /// Pushes each element.
    ///
    /// # Panics
    ///
    /// If they do not fit.
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<T, const N: usize> FromIterator<T> for FixedVec<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut array = Self::new();
        array.extend(iter);
        array
    }
}

impl<T: fmt::Debug, const N: usize> fmt::Debug for FixedVec<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T, const N: usize> IntoIterator for FixedVec<T, N> {
    type Item = T;
    type IntoIter = IntoIter<T, N>;

    fn into_iter(mut self) -> IntoIter<T, N> {
        let end = mem::replace(&mut self.len, 0);
        // Take the storage without running `FixedVec`'s drop (its `len` is 0 now, so
        // the drop would do nothing anyway).
        let items = mem::replace(&mut self.items, [const { MaybeUninit::uninit() }; N]);
        IntoIter {
            start: 0,
            end,
            items,
        }
    }
}

/// The owning iterator of a [`FixedVec`]: `items[start..end]` are still owned.
pub(super) struct IntoIter<T, const N: usize> {
    start: usize,
    end: usize,
    items: [MaybeUninit<T>; N],
}

impl<T, const N: usize> Iterator for IntoIter<T, N> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.start == self.end {
            return None;
        }
        self.start += 1;
        // SAFETY: `items[start - 1]` was in the owned range `start..end`, which no
        // longer includes it: it is read out exactly once.
        Some(unsafe { self.items[self.start - 1].assume_init_read() })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.end - self.start, Some(self.end - self.start))
    }
}

impl<T, const N: usize> DoubleEndedIterator for IntoIter<T, N> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.start == self.end {
            return None;
        }
        self.end -= 1;
        // SAFETY: as in `next`, at the other end of the owned range.
        Some(unsafe { self.items[self.end].assume_init_read() })
    }
}

impl<T, const N: usize> ExactSizeIterator for IntoIter<T, N> {}

impl<T, const N: usize> Drop for IntoIter<T, N> {
    fn drop(&mut self) {
        let (start, end) = (self.start, self.end);
        self.start = end;
        let first = self.items.as_mut_ptr().cast::<T>().wrapping_add(start);
        // SAFETY: `items[start..end]` are initialized and still owned; the range is
        // emptied first, so each is dropped exactly once, even if a drop panics.
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(first, end - start));
        }
    }
}

/// A stack of at most `N` elements with no `Drop` of its own, for the iterators'
/// cursors: their elements (node references, slice iterators) need no drop, and a type
/// without drop glue lets an iterator's borrow end where it is last used, as std's
/// iterators do (a [`FixedVec`] in an iterator would keep its map borrowed until the
/// iterator goes out of scope). Safe code: the free slots hold `None`.
pub(super) struct Stack<T, const N: usize> {
    len: usize,
    items: [Option<T>; N],
}

impl<T, const N: usize> Stack<T, N> {
    pub(super) const fn new() -> Self {
        Stack {
            len: 0,
            items: [const { None }; N],
        }
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pushes `value`.
    ///
    /// # Panics
    ///
    /// If the stack is full.
    #[inline]
    pub(super) fn push(&mut self, value: T) {
        self.items[self.len] = Some(value);
        self.len += 1;
    }

    #[inline]
    pub(super) fn pop(&mut self) -> Option<T> {
        self.len = self.len.checked_sub(1)?;
        self.items[self.len].take()
    }

    #[inline]
    pub(super) fn last(&self) -> Option<&T> {
        self.items[..self.len].last()?.as_ref()
    }

    #[inline]
    pub(super) fn last_mut(&mut self) -> Option<&mut T> {
        self.items[..self.len].last_mut()?.as_mut()
    }

    /// Removes the bottom element, shifting the others down.
    pub(super) fn remove_first(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let first = self.items[0].take();
        self.items[..self.len].rotate_left(1);
        self.len -= 1;
        first
    }

    /// Keeps the bottom `len` elements.
    pub(super) fn truncate(&mut self, len: usize) {
        while self.len > len {
            self.pop();
        }
    }

    /// The elements, bottom first.
    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.items[..self.len].iter().flatten()
    }

    /// The element at `at` from the bottom.
    ///
    /// # Panics
    ///
    /// If `at >= len`.
    #[inline]
    pub(super) fn get(&self, at: usize) -> &T {
        self.items[..self.len][at].as_ref().expect("below len")
    }
}

impl<T: Clone, const N: usize> Clone for Stack<T, N> {
    fn clone(&self) -> Self {
        Stack {
            len: self.len,
            items: self.items.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The `unsafe` above, exercised under Miri: every operation, with elements that own
    //! heap memory (a leak or a double free shows), and panicking clones and drops.

    use super::FixedVec;
    use std::cell::Cell;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::rc::Rc;

    type V = FixedVec<String, 8>;

    fn of(items: &[&str]) -> V {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn strs(v: &V) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    #[test]
    fn push_pop_insert_remove() {
        let mut v = V::new();
        assert!(v.is_empty());
        v.push("b".into());
        v.insert(0, "a".into());
        v.insert(2, "d".into());
        v.insert(2, "c".into());
        assert_eq!(strs(&v), ["a", "b", "c", "d"]);
        assert_eq!(v.remove(1), "b");
        assert_eq!(v.remove(2), "d");
        assert_eq!(v.pop().as_deref(), Some("c"));
        assert_eq!(strs(&v), ["a"]);
        v[0].push('!');
        assert_eq!(strs(&v), ["a!"]);
        assert_eq!(v.pop().as_deref(), Some("a!"));
        assert_eq!(v.pop(), None);
        for i in 0..8 {
            v.push(i.to_string());
        }
        assert!(v.is_full());
        assert!(catch_unwind(AssertUnwindSafe(|| v.push("x".into()))).is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| v.insert(0, "x".into()))).is_err());
        assert_eq!(v.len(), 8);
        assert!(catch_unwind(AssertUnwindSafe(|| v.remove(8))).is_err());
    }

    #[test]
    fn split_append_prepend() {
        let mut v = of(&["a", "b", "c", "d", "e"]);
        let tail = v.split_off(3);
        assert_eq!(strs(&v), ["a", "b", "c"]);
        assert_eq!(strs(&tail), ["d", "e"]);
        let front = v.split_front(1);
        assert_eq!(strs(&front), ["a"]);
        assert_eq!(strs(&v), ["b", "c"]);
        v.append(tail);
        v.prepend(front);
        assert_eq!(strs(&v), ["a", "b", "c", "d", "e"]);
        let empty = v.split_off(5);
        assert!(empty.is_empty());
        let all = v.split_front(5);
        assert!(v.is_empty());
        v.prepend(all);
        v.append(V::new());
        v.prepend(V::new());
        assert_eq!(strs(&v), ["a", "b", "c", "d", "e"]);
        let mut big = of(&["1", "2", "3", "4"]);
        assert!(catch_unwind(AssertUnwindSafe(
            || big.append(of(&["5", "6", "7", "8", "9"]))
        ))
        .is_err());
        assert!(catch_unwind(AssertUnwindSafe(|| big.split_off(5))).is_err());
    }

    #[test]
    fn into_iter_both_ends_and_partial_drop() {
        let v = of(&["a", "b", "c", "d"]);
        let mut it = v.into_iter();
        assert_eq!(it.len(), 4);
        assert_eq!(it.next().as_deref(), Some("a"));
        assert_eq!(it.next_back().as_deref(), Some("d"));
        drop(it); // drops "b" and "c"
        let v = of(&["x", "y"]);
        assert_eq!(v.into_iter().rev().collect::<Vec<_>>(), ["y", "x"]);
    }

    /// Counts live instances; clones panic when the shared fuse reaches zero, drops
    /// panic when told to.
    struct Probe {
        live: Rc<Cell<isize>>,
        fuse: Rc<Cell<usize>>,
        panic_on_drop: bool,
    }

    impl Clone for Probe {
        fn clone(&self) -> Self {
            let left = self.fuse.get();
            assert!(left > 0, "planned clone panic");
            self.fuse.set(left - 1);
            self.live.set(self.live.get() + 1);
            Probe {
                live: self.live.clone(),
                fuse: self.fuse.clone(),
                panic_on_drop: false,
            }
        }
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            self.live.set(self.live.get() - 1);
            if self.panic_on_drop && !std::thread::panicking() {
                panic!("planned drop panic");
            }
        }
    }

    fn probes(n: usize, live: &Rc<Cell<isize>>, fuse: &Rc<Cell<usize>>) -> FixedVec<Probe, 8> {
        live.set(live.get() + n as isize);
        (0..n)
            .map(|_| Probe {
                live: live.clone(),
                fuse: fuse.clone(),
                panic_on_drop: false,
            })
            .collect()
    }

    #[test]
    fn clone_panic_drops_the_partial_copy() {
        let live = Rc::new(Cell::new(0));
        let fuse = Rc::new(Cell::new(3));
        let v = probes(6, &live, &fuse);
        assert!(catch_unwind(AssertUnwindSafe(|| v.clone())).is_err());
        assert_eq!(live.get(), 6, "the three clones made were dropped");
        fuse.set(100);
        let copy = v.clone();
        assert_eq!(live.get(), 12);
        drop((v, copy));
        assert_eq!(live.get(), 0);
    }

    #[test]
    fn drop_panic_still_drops_the_rest() {
        let live = Rc::new(Cell::new(0));
        let fuse = Rc::new(Cell::new(0));
        let mut v = probes(5, &live, &fuse);
        v[1].panic_on_drop = true;
        assert!(catch_unwind(AssertUnwindSafe(|| drop(v))).is_err());
        assert_eq!(live.get(), 0);
        let mut v = probes(5, &live, &fuse);
        v[3].panic_on_drop = true;
        let mut it = v.into_iter();
        it.next();
        assert!(catch_unwind(AssertUnwindSafe(|| drop(it))).is_err());
        assert_eq!(live.get(), 0);
    }

    #[test]
    fn zero_sized_elements() {
        let mut v: FixedVec<(), 4> = FixedVec::new();
        v.push(());
        v.insert(0, ());
        let tail = v.split_off(1);
        v.append(tail);
        assert_eq!(v.len(), 2);
        assert_eq!(v.into_iter().count(), 2);
    }
}
