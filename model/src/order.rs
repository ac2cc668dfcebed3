//! One sort for the history, the checker and the exported history: by two numbers, ties kept in
//! their order. Each differently typed sort is its own copy of the standard library's sort,
//! several kilobytes of the page's wasm each; sorting through here, they share one. Maps and
//! sets are built here too: `collect()` into one sorts its items first, with such a copy.

use std::collections::{BTreeMap, BTreeSet};

/// The positions of `keys`, in the order of their keys; equal keys keep their order.
pub fn ordered(keys: impl IntoIterator<Item = (u64, u64)>) -> Vec<usize> {
    let mut keyed: Vec<(u64, u64, usize)> = keys.into_iter().enumerate().map(|(i, (a, b))| (a, b, i)).collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(.., i)| i).collect()
}

/// `items` in the order of their keys; equal keys keep their order.
pub fn sorted_by<T>(items: Vec<T>, key: impl Fn(&T) -> (u64, u64)) -> Vec<T> {
    let order = ordered(items.iter().map(key));
    let mut items: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order.into_iter().map(|i| items[i].take().expect("each position once")).collect()
}

/// `pairs` as a map, inserted in turn: where a key comes twice, the later value stays, as with
/// `collect()`, which would bring its own copy of the standard library's sort.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// `items` as a set, inserted in turn (not collected: see `map_of`).
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// An optional number as a sort key: `None` before every number.
pub fn key_of(value: Option<u64>) -> u64 {
    value.map_or(0, |value| value.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_both_numbers_and_keeps_ties_in_order() {
        let items = vec![("c", (2, 0)), ("a", (1, 5)), ("d", (2, 0)), ("b", (1, 7)), ("e", (0, 9))];
        let names: Vec<&str> = sorted_by(items, |item| item.1).into_iter().map(|item| item.0).collect();
        assert_eq!(names, ["e", "a", "b", "c", "d"]);
        assert!(key_of(None) < key_of(Some(0)) && key_of(Some(0)) < key_of(Some(1)));
    }

    #[test]
    fn maps_and_sets_hold_what_collecting_would() {
        let pairs = [(3, "c"), (1, "a"), (3, "later c"), (2, "b")];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(map_of(pairs)[&3], "later c");
        assert_eq!(set_of([3, 1, 3, 2]), [3, 1, 3, 2].into_iter().collect::<BTreeSet<_>>());
    }
}
