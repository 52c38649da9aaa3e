//! Sorting for the short lists the core keeps: a day's working intervals, a year's holiday
//! dates, a config's hours, the closed days of a range.
//!
//! Natively these are the standard library's sorts. In WebAssembly they are an insertion sort,
//! written here by hand: a build of the widget with plain stable options (a standard library
//! not rebuilt for size) carries the standard library's pattern-defeating quicksort and
//! driftsort once per element type, 22 KB of its code for these seven call sites, and these
//! lists hold a few to a few hundred items, where an insertion sort is about as fast. Both
//! are stable sorts, so the order is the same on both (`sort_unstable` would not promise it).

use std::cmp::Ordering;

/// Sorts `v` by `cmp`, keeping equal items in their order.
pub fn sort_by<T>(v: &mut [T], cmp: impl FnMut(&T, &T) -> Ordering) {
    #[cfg(not(target_family = "wasm"))]
    v.sort_by(cmp);
    #[cfg(target_family = "wasm")]
    insertion_sort_by(v, cmp);
}

/// The WebAssembly build's sort (native tests check it against the standard library's).
#[cfg(any(target_family = "wasm", test))]
fn insertion_sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && cmp(&v[j], &v[j - 1]) == Ordering::Less {
            v.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Sorts `v` in its natural order.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Sorts `v` by the key `key` gives each item.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

#[cfg(test)]
mod tests {
    use super::insertion_sort_by;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard library's stable sort, equal keys included.
        #[test]
        fn insertion_sort_is_std_stable_sort(mut v in proptest::collection::vec((0u8..8, any::<u16>()), 0..200)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            insertion_sort_by(&mut v, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(v, want);
        }
    }
}
