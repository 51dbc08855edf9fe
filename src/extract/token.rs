//! One pass of tokenisation over the normalised article: words, numbers, punctuation.
//!
//! Every later stage (segmentation, periods, areas, quantities, metrics) walks this one token
//! list instead of running its own regexes over the text, which keeps extraction linear in the
//! input and allocation-free per sentence. Offsets are byte offsets into both `Normalized::text`
//! and `Normalized::lower`.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// A run of letters and digits starting with a letter ("xã", "m2", "covid").
    Word,
    /// A run of digits with inner `.` or `,` followed by a digit ("8.850,26").
    Num,
    /// Any other single non-space character.
    Punct,
}

/// One token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    /// Kind of token.
    pub kind: TokKind,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset after the last byte.
    pub end: u32,
    /// White space (or the start of the text) precedes the token.
    pub space_before: bool,
    /// A line break precedes the token (a new paragraph).
    pub nl_before: bool,
    /// The token starts with an upper-case letter in the text as written.
    pub upper: bool,
    /// First byte of the token in the lower-cased text (0 when not filled in): lets phrase
    /// matching refuse most tokens without slicing the text (see [`fill_first_bytes`]).
    pub first: u8,
}

/// Records each token's first lower-case byte. Phrase tests run tens of thousands of times per
/// article and nearly all fail on that byte (measured: a tenth of the extraction time).
pub(crate) fn fill_first_bytes(toks: &mut [Token], lower: &str) {
    let bytes = lower.as_bytes();
    for t in toks.iter_mut() {
        t.first = bytes.get(t.start as usize).copied().unwrap_or(0);
    }
}

/// Longest number token kept as a number; longer digit runs (phone dumps, IDs, garbage) are
/// still one token but never parse as a value.
pub(crate) const MAX_NUM_LEN: usize = 24;

/// Tokenises `text` (as written) into `out`, cleared first.
pub(crate) fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let mut space_before = true;
    let mut nl_before = true;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '\n' {
            nl_before = true;
            space_before = true;
            continue;
        }
        if c.is_whitespace() {
            space_before = true;
            continue;
        }
        let (kind, end) = if c.is_ascii_digit() {
            let mut end = i + 1;
            while end < bytes.len() {
                let b = bytes[end];
                if b.is_ascii_digit() {
                    end += 1;
                } else if (b == b'.' || b == b',')
                    && bytes.get(end + 1).is_some_and(|d| d.is_ascii_digit())
                {
                    end += 2;
                } else {
                    break;
                }
            }
            (TokKind::Num, end)
        } else if is_letter(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if is_letter(d)
                    || d.is_ascii_digit()
                    || is_mark(d)
                    || (!d.is_ascii() && d.is_alphanumeric())
                {
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            (TokKind::Word, end)
        } else {
            (TokKind::Punct, i + c.len_utf8())
        };
        if kind == TokKind::Num {
            // Skip the chars consumed by the byte loop above.
            while let Some(&(j, _)) = iter.peek() {
                if j < end {
                    iter.next();
                } else {
                    break;
                }
            }
        }
        out.push(Token {
            first: 0,
            kind,
            start: i as u32,
            end: end as u32,
            space_before,
            nl_before,
            upper: c.is_uppercase(),
        });
        space_before = false;
        nl_before = false;
    }
}

/// Letters, with a fast path for the Latin blocks Vietnamese uses.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c != '×' && c != '÷'
        || c.is_alphabetic()
}

/// Combining marks left after NFC (rare) stay inside their word.
fn is_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// The token list of one article plus the lower-cased text, with helpers to look at words.
pub(crate) struct Toks<'a> {
    /// Tokens in text order.
    pub toks: &'a [Token],
    /// Lower-cased text (same offsets as the text as written).
    pub lower: &'a str,
    /// The text as written (normalised).
    pub text: &'a str,
}

impl<'a> Toks<'a> {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    /// Lower-cased text of token `i` ("" out of range).
    pub fn low(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .and_then(|t| self.lower.get(t.start as usize..t.end as usize))
            .unwrap_or("")
    }

    /// Text as written of token `i`.
    pub fn raw(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .and_then(|t| self.text.get(t.start as usize..t.end as usize))
            .unwrap_or("")
    }

    /// Token `i`.
    pub fn get(&self, i: usize) -> Option<&'a Token> {
        self.toks.get(i)
    }

    /// True when token `i` is the punctuation `p`.
    pub fn is_punct(&self, i: usize, p: char) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == TokKind::Punct && self.low(i).starts_with(p))
    }

    /// True when token `i` is a word.
    pub fn is_word(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == TokKind::Word)
    }

    /// True when token `i` is a number.
    pub fn is_num(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.kind == TokKind::Num)
    }

    /// True when tokens `i..` spell the space-separated lower-case `phrase` (words and
    /// punctuation tokens alike, e.g. "so với", "tạ / ha" is spelled "tạ/ha" via `/`).
    pub fn phrase_at(&self, i: usize, phrase: &str) -> Option<usize> {
        // Walks the phrase bytes once; most calls fail on the first byte.
        let p = phrase.as_bytes();
        let mut j = i;
        let mut pos = 0;
        loop {
            let first = self.toks.get(j)?.first;
            if first != 0 && Some(&first) != p.get(pos) {
                return None;
            }
            let w = self.low(j).as_bytes();
            if w.first() != p.get(pos) || p.get(pos..pos + w.len()) != Some(w) {
                return None;
            }
            pos += w.len();
            j += 1;
            match p.get(pos) {
                None => return Some(j),
                Some(b' ') => pos += 1,
                Some(_) => return None,
            }
        }
    }

    /// True when the tokens ending just before `end` spell `phrase`; returns its first token.
    pub fn phrase_before(&self, end: usize, phrase: &str) -> Option<usize> {
        let n = phrase.split(' ').count();
        if end < n {
            return None;
        }
        let start = end - n;
        self.phrase_at(start, phrase).map(|_| start)
    }

    /// The first of `phrases` found at `i`, with the index after it.
    pub fn any_at(&self, i: usize, phrases: &[&str]) -> Option<usize> {
        phrases.iter().find_map(|p| self.phrase_at(i, p))
    }

    /// The first of `phrases` that ends just before `end`, with its first token.
    pub fn any_before(&self, end: usize, phrases: &[&str]) -> Option<usize> {
        phrases.iter().find_map(|p| self.phrase_before(end, p))
    }

    /// True when any of `phrases` occurs in tokens `from..to`.
    pub fn contains_any(&self, from: usize, to: usize, phrases: &[&str]) -> bool {
        (from..to.min(self.toks.len())).any(|i| self.any_at(i, phrases).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(TokKind, String)> {
        let mut v = Vec::new();
        tokenize(s, &mut v);
        v.iter()
            .map(|t| (t.kind, s[t.start as usize..t.end as usize].to_string()))
            .collect()
    }

    #[test]
    fn numbers_keep_their_separators() {
        let k = kinds("đạt 8.850,26 tỷ đồng, 54,5 tạ/ha.");
        let nums: Vec<_> = k
            .iter()
            .filter(|(k, _)| *k == TokKind::Num)
            .map(|(_, s)| s.as_str())
            .collect();
        assert_eq!(nums, ["8.850,26", "54,5"]);
        assert!(k.iter().any(|(k, s)| *k == TokKind::Punct && s == "/"));
        assert_eq!(k.last().map(|(_, s)| s.as_str()), Some("."));
    }

    #[test]
    fn ratio_and_date_split_on_slash() {
        let k = kinds("20/21 chỉ tiêu");
        assert_eq!(k[0].1, "20");
        assert_eq!(k[1].1, "/");
        assert_eq!(k[2].1, "21");
    }

    #[test]
    fn line_breaks_and_case_are_recorded() {
        let mut v = Vec::new();
        tokenize("a\nXã b", &mut v);
        assert!(v[1].nl_before && v[1].upper);
        assert!(!v[2].upper && !v[2].nl_before);
    }

    #[test]
    fn long_digit_runs_are_linear() {
        let s = "1.".repeat(100_000);
        let mut v = Vec::new();
        tokenize(&s, &mut v);
        assert!(!v.is_empty());
    }
}
