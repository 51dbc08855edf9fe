//! Phrase sets: many multi-word cues looked up in one hash probe per token.
//!
//! Cue lists (target cues, not-fact contexts) are checked on every clause of every article; a
//! linear scan over the list per token would dominate the run time, so phrases are indexed by
//! their first word.

use super::token::Toks;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the keys are short words, where SipHash's setup cost dominates.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A hash map keyed by words, hashed with [`Fnv`].
pub(crate) type WordMap<V> = HashMap<&'static str, V, BuildHasherDefault<Fnv>>;

/// A set of lower-case phrases (words separated by single spaces), each with a tag.
#[derive(Debug)]
pub(crate) struct PhraseSet {
    by_first: WordMap<Vec<(&'static str, u8)>>,
    /// First bytes of the first words: a token starting with another byte is rejected
    /// without hashing.
    first_bytes: [bool; 256],
    /// The first two bytes of the first words (the second is 0 for a one-byte word), as a bit
    /// set: most tokens that share a first byte with a phrase differ in the second, and the
    /// test costs less than hashing the token (measured: the phrase sets were 8 % of the run).
    first_pairs: Box<[u64; 1024]>,
}

fn pair_index(w: &[u8]) -> usize {
    (usize::from(w.first().copied().unwrap_or(0)) << 8)
        | usize::from(w.get(1).copied().unwrap_or(0))
}

impl PhraseSet {
    /// Builds the set; longer phrases are tried first.
    pub fn new(entries: &[(&'static str, u8)]) -> PhraseSet {
        let mut by_first: WordMap<Vec<(&'static str, u8)>> = WordMap::default();
        for &(p, tag) in entries {
            let first = p.split(' ').next().unwrap_or(p);
            by_first.entry(first).or_default().push((p, tag));
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|(p, _)| std::cmp::Reverse(p.split(' ').count()));
        }
        let mut first_bytes = [false; 256];
        let mut first_pairs = Box::new([0u64; 1024]);
        for k in by_first.keys() {
            if let Some(&b) = k.as_bytes().first() {
                first_bytes[b as usize] = true;
            }
            let p = pair_index(k.as_bytes());
            first_pairs[p / 64] |= 1 << (p % 64);
        }
        PhraseSet {
            by_first,
            first_bytes,
            first_pairs,
        }
    }

    /// The longest phrase at token `i`: its tag and the index after it.
    pub fn at(&self, t: &Toks<'_>, i: usize) -> Option<(u8, usize)> {
        let first = t.get(i)?.first;
        if first != 0 && !self.first_bytes[first as usize] {
            return None;
        }
        let w = t.low(i);
        if !self.first_bytes[*w.as_bytes().first()? as usize] {
            return None;
        }
        let p = pair_index(w.as_bytes());
        if self.first_pairs[p / 64] & (1 << (p % 64)) == 0 {
            return None;
        }
        let cands = self.by_first.get(w)?;
        cands
            .iter()
            .find_map(|(p, tag)| t.phrase_at(i, p).map(|e| (*tag, e)))
    }

    /// Calls `f(start, tag, end)` for every phrase found in tokens `from..to`.
    pub fn scan(&self, t: &Toks<'_>, from: usize, to: usize, mut f: impl FnMut(usize, u8, usize)) {
        let mut i = from;
        while i < to {
            if let Some((tag, e)) = self.at(t, i) {
                f(i, tag, e);
                i = e.max(i + 1);
            } else {
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    #[test]
    fn longest_phrase_wins_and_tags_collect() {
        let s = "phấn đấu đạt mục tiêu năm";
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: s,
            text: s,
        };
        let set = PhraseSet::new(&[("mục tiêu", 1), ("mục tiêu năm", 2), ("phấn đấu", 3)]);
        assert_eq!(set.at(&t, 3), Some((2, 6)));
        let mut tags = Vec::new();
        set.scan(&t, 0, v.len(), |_, tag, _| tags.push(tag));
        assert_eq!(tags, [3, 2]);
    }
}
