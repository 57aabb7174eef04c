//! Whether a list of labels has no repeat, in linear-ish time without a hash table of a
//! million entries.
//!
//! The labels are hashed with a fixed seed into one vector of 64-bit hashes, which is sorted
//! (cache-friendly, unlike inserting a million borrowed labels into a hash set); distinct
//! hashes mean distinct labels. Only when two hashes are equal — a repeated label, or a
//! collision, which crafted labels can force because the seed is fixed — is the exact check
//! run: a randomly seeded hash set, so crafted labels cannot make it slow either.

use std::hash::BuildHasher;

/// True when no two of `labels` are equal.
pub fn all_distinct<'a, I>(labels: I) -> bool
where
    I: Iterator<Item = &'a str> + Clone,
{
    let state = foldhash::fast::FixedState::with_seed(0x6d65_7461_7265_706f);
    let mut hashes: Vec<u64> = labels.clone().map(|l| state.hash_one(l)).collect();
    hashes.sort_unstable();
    if hashes.windows(2).all(|w| w[0] != w[1]) {
        return true;
    }
    drop(hashes);
    let mut seen: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_hasher(Default::default());
    labels.into_iter().all(|l| seen.insert(l))
}

#[cfg(test)]
mod tests {
    use super::all_distinct;

    #[test]
    fn repeats_are_found() {
        assert!(all_distinct(["a", "b", "c"].into_iter()));
        assert!(all_distinct(std::iter::empty()));
        assert!(!all_distinct(["a", "b", "a"].into_iter()));
        let many: Vec<String> = (0..10_000).map(|i| format!("S{i}")).collect();
        assert!(all_distinct(many.iter().map(String::as_str)));
        assert!(!all_distinct(
            many.iter().map(String::as_str).chain(["S9999"])
        ));
    }
}
