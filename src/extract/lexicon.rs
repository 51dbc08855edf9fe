//! Phrase sets: many multi-word cues looked up in one hash probe per token.
//!
//! Cue lists (target cues, not-fact contexts) are checked on every clause of every article; a
//! linear scan over the list per token would dominate the run time, so phrases are indexed by
//! their first word.

use super::token::Toks;
use std::collections::HashMap;

/// A set of lower-case phrases (words separated by single spaces), each with a tag.
#[derive(Debug, Default)]
pub(crate) struct PhraseSet {
    by_first: HashMap<&'static str, Vec<(&'static str, u8)>>,
}

impl PhraseSet {
    /// Builds the set; longer phrases are tried first.
    pub fn new(entries: &[(&'static str, u8)]) -> PhraseSet {
        let mut by_first: HashMap<&'static str, Vec<(&'static str, u8)>> = HashMap::new();
        for &(p, tag) in entries {
            let first = p.split(' ').next().unwrap_or(p);
            by_first.entry(first).or_default().push((p, tag));
        }
        for v in by_first.values_mut() {
            v.sort_by_key(|(p, _)| std::cmp::Reverse(p.split(' ').count()));
        }
        PhraseSet { by_first }
    }

    /// The longest phrase at token `i`: its tag and the index after it.
    pub fn at(&self, t: &Toks<'_>, i: usize) -> Option<(u8, usize)> {
        let cands = self.by_first.get(t.low(i))?;
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

    /// Bit set of the tags found in `from..to` (tags must be < 32).
    pub fn tags_in(&self, t: &Toks<'_>, from: usize, to: usize) -> u32 {
        let mut bits = 0u32;
        self.scan(t, from, to, |_, tag, _| bits |= 1 << (tag as u32 & 31));
        bits
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
        assert_eq!(set.tags_in(&t, 0, v.len()), (1 << 2) | (1 << 3));
    }
}
