//! Whether a list of labels has no repeat, in linear-ish time without a hash table of a
//! million entries.
//!
//! The labels are hashed with a fixed seed into one vector of 64-bit hashes, which is sorted
//! (bucketed by their top bits first, then each small bucket; cache-friendly, unlike inserting
//! a million borrowed labels into a hash set); distinct
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
    let hashes: Vec<u64> = labels.clone().map(|l| state.hash_one(l)).collect();
    if no_equal(hashes) {
        return true;
    }
    let mut seen: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        std::collections::HashSet::with_hasher(Default::default());
    labels.into_iter().all(|l| seen.insert(l))
}

/// True when no two hashes are equal. Many hashes are first spread into 2,048 buckets by
/// their top 11 bits (a counting sort: two passes, no comparison; the buckets' write positions
/// stay in cache, unlike those of a bucket per few hashes), and each bucket, small enough to
/// sort in cache, is then sorted; hashes that all share their top bits (crafted labels) land
/// in one bucket, sorted like the whole vector would be.
fn no_equal(mut hashes: Vec<u64>) -> bool {
    let n = hashes.len();
    let distinct = |h: &mut [u64]| {
        h.sort_unstable();
        h.windows(2).all(|w| w[0] != w[1])
    };
    if n < 1 << 12 {
        return distinct(&mut hashes);
    }
    const BITS: u32 = 11;
    let shift = 64 - BITS;
    let mut start = vec![0usize; (1 << BITS) + 1];
    for &h in &hashes {
        start[(h >> shift) as usize + 1] += 1;
    }
    for b in 1..start.len() {
        start[b] += start[b - 1];
    }
    let mut next = start.clone();
    let mut spread = vec![0u64; n];
    for &h in &hashes {
        let b = (h >> shift) as usize;
        spread[next[b]] = h;
        next[b] += 1;
    }
    drop(hashes);
    start
        .windows(2)
        .all(|w| w[1] - w[0] < 2 || distinct(&mut spread[w[0]..w[1]]))
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
        // Bucketed (more than 4,096 labels): a repeat anywhere is found.
        let more: Vec<String> = (0..100_000).map(|i| format!("S{i}")).collect();
        assert!(all_distinct(more.iter().map(String::as_str)));
        for repeat in ["S0", "S51234", "S99999"] {
            assert!(!all_distinct(
                more.iter().map(String::as_str).chain([repeat])
            ));
        }
    }

    /// Hashes sharing their top bits fall in one bucket, still checked.
    #[test]
    fn one_full_bucket() {
        let same_top: Vec<u64> = (0..10_000u64).collect();
        assert!(super::no_equal(same_top.clone()));
        let mut repeated = same_top;
        repeated.push(4_321);
        assert!(!super::no_equal(repeated));
    }
}
