//! Text normalisation for extraction, with a map back to the text as given.
//!
//! Articles arrive as NFC or NFD, with non-breaking or zero-width spaces, typographic quotes and
//! dashes, and both tone placements ("hoá" / "hóa"). The extractor matches patterns on one clean
//! form, but a fact's `span` must point into the text the caller gave us, so composition (which
//! changes the number of characters) is recorded in a per-character map.
//!
//! Two strings come out with the same byte layout: `text` (NFC, plain spaces and ASCII
//! punctuation, as written otherwise — metric phrases are cut from it) and `lower` (lower case,
//! canonical tone placement — every keyword is matched on it). Keeping byte offsets identical
//! lets one token list serve both.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The normalised text of one article.
#[derive(Debug)]
pub(crate) struct Normalized {
    /// NFC, odd spaces as `' '`, typographic quotes and dashes as ASCII.
    pub text: String,
    /// `text` in lower case with the canonical tone placement; same byte offsets as `text`.
    pub lower: String,
    /// For each char of `text`, the index of the char of the input it came from; `None` when
    /// the two are the same char for char.
    orig_char: Option<Vec<u32>>,
}

/// Characters that are dropped entirely (they carry no text and would split words).
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}'
    )
}

/// Characters that NFC leaves alone whatever surrounds them and that are never dropped: below
/// the combining marks (U+0300), the precomposed Latin letters Vietnamese uses (U+1E00–U+1EFF),
/// dashes and quotes (U+2010–U+2027).
fn nfc_stable(c: char) -> bool {
    (c as u32) < 0x0300 && c != '\u{00AD}'
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        || ('\u{2010}'..='\u{2027}').contains(&c)
}

/// One char of input to one char of `text`.
fn map_char(c: char) -> char {
    match c {
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' | '\u{3000}' => ' ',
        // Tabs separate the cells of flattened tables.
        '\t' => '|',
        '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => '\n',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{02BC}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        '\u{2026}' => '.',
        c if c != ' ' && c != '\n' && c.is_whitespace() => ' ',
        c => c,
    }
}

impl Normalized {
    /// Normalises `input`. Linear in its length.
    pub fn new(input: &str) -> Normalized {
        // One pass for the usual article (Latin letters, Vietnamese precomposed letters, common
        // punctuation: already NFC); the Unicode tables only for the rest.
        let clean = input.chars().all(nfc_stable)
            || (is_nfc_quick(input.chars()) == IsNormalized::Yes && !input.chars().any(is_dropped));
        let mut text = String::with_capacity(input.len());
        let orig_char = if clean {
            text.extend(input.chars().map(map_char));
            None
        } else {
            let mut map = Vec::with_capacity(input.len());
            let mut seg: Vec<char> = Vec::with_capacity(8);
            let mut seg_start = 0u32;
            let flush = |seg: &mut Vec<char>, start: u32, text: &mut String, map: &mut Vec<u32>| {
                if seg.len() == 1 {
                    text.push(map_char(seg[0]));
                    map.push(start);
                } else if !seg.is_empty() {
                    for c in seg.iter().copied().nfc() {
                        text.push(map_char(c));
                        map.push(start);
                    }
                }
                seg.clear();
            };
            for (i, c) in input.chars().enumerate() {
                if is_dropped(c) {
                    continue;
                }
                if canonical_combining_class(c) == 0 {
                    flush(&mut seg, seg_start, &mut text, &mut map);
                    seg_start = i as u32;
                }
                seg.push(c);
            }
            flush(&mut seg, seg_start, &mut text, &mut map);
            Some(map)
        };
        let lower = lower_folded(&text);
        Normalized {
            text,
            lower,
            orig_char,
        }
    }

    /// Converts a byte range of `text` to a char range of the input, given the char index of
    /// `start` in `text` (callers walk forward with a [`CharCursor`]).
    fn to_input(&self, start_char: usize, end_char: usize) -> [usize; 2] {
        match &self.orig_char {
            None => [start_char, end_char],
            Some(map) => {
                let s = map.get(start_char).copied().unwrap_or(0) as usize;
                let e = if end_char > start_char {
                    map.get(end_char - 1).map(|&c| c as usize + 1).unwrap_or(s)
                } else {
                    s
                };
                [s, e.max(s)]
            }
        }
    }
}

/// Walks `text` forward to turn byte offsets into char offsets in linear total time.
#[derive(Debug, Default)]
pub(crate) struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    /// Char index of byte offset `b` of `text` (must be a char boundary).
    fn char_at(&mut self, text: &str, b: usize) -> usize {
        if b < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        let b = b.min(text.len());
        if let Some(slice) = text.get(self.byte..b) {
            self.chars += slice.chars().count();
            self.byte = b;
        }
        self.chars
    }

    /// The `[start, end)` char span in the input of the byte range `start..end` of `norm.text`.
    pub fn span(&mut self, norm: &Normalized, start: usize, end: usize) -> [usize; 2] {
        let s = self.char_at(&norm.text, start);
        let e = self.char_at(&norm.text, end);
        norm.to_input(s, e)
    }
}

/// Lower case with canonical tone placement, byte for byte the same layout as `text`: a char
/// whose lower case has another length (rare outside Vietnamese) is kept as it is.
fn lower_folded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        if let Some(l) = crate::text::vietnamese_lower(c) {
            out.push(l);
            continue;
        }
        if crate::text::is_vietnamese_lower(c) {
            out.push(c);
            continue;
        }
        let mut it = c.to_lowercase();
        match (it.next(), it.next()) {
            (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
            _ => out.push(c),
        }
    }
    fold_tones_in_place(out)
}

/// Old-style tone placements and their canonical form (same byte length each).
const TONE_PAIRS: [(&str, &str); 12] = [
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("oè", "òe"),
    ("oé", "óe"),
    ("oẻ", "ỏe"),
    ("oẹ", "ọe"),
    ("uý", "úy"),
    ("uỷ", "ủy"),
    ("uỵ", "ụy"),
];

/// Moves the tone of a word-final `oa`, `oe`, `uy` to the first vowel ("hoá" → "hóa"), not after
/// `q`, keeping the byte layout.
fn fold_tones_in_place(mut s: String) -> String {
    // Fast path: none of the second vowels with a tone occur.
    if !s.contains(['à', 'á', 'ả', 'ã', 'ạ', 'è', 'é', 'ẻ', 'ẹ', 'ý', 'ỷ', 'ỵ']) {
        return s;
    }
    let mut swaps: Vec<(usize, &'static str)> = Vec::new();
    {
        let bytes = s.as_bytes();
        for i in memchr_ou(bytes) {
            for (old, new) in TONE_PAIRS.iter() {
                let ob = old.as_bytes();
                if bytes[i..].starts_with(ob) {
                    let end = i + ob.len();
                    let at_word_end = !s[end..].starts_with(|c: char| c.is_alphabetic());
                    let after_q = i > 0 && bytes[i - 1] == b'q';
                    if at_word_end && !after_q {
                        swaps.push((i, new));
                    }
                    break;
                }
            }
        }
    }
    // Same-length replacements of whole characters: no re-validation of the text needed.
    for (i, new) in swaps {
        s.replace_range(i..i + new.len(), new);
    }
    s
}

/// Byte offsets of every `o` and `u` (the first vowel of a pair whose tone may move).
fn memchr_ou(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'o' || b == b'u')
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_is_composed_and_spans_map_back() {
        let nfd: String = "Huyện Kỳ Anh đạt 5 xã".nfd().collect();
        let n = Normalized::new(&nfd);
        assert_eq!(n.text, "Huyện Kỳ Anh đạt 5 xã");
        let b = n.text.find('5').unwrap();
        let mut cur = CharCursor::default();
        let [s, e] = cur.span(&n, b, b + 1);
        let got: String = nfd.chars().skip(s).take(e - s).collect();
        assert_eq!(got, "5");
    }

    #[test]
    fn odd_spaces_quotes_dashes_become_ascii() {
        let n = Normalized::new("50\u{a0}tỷ “đồng” 5–7%");
        assert_eq!(n.text, "50 tỷ \"đồng\" 5-7%");
    }

    #[test]
    fn zero_width_chars_are_dropped_and_span_still_points_right() {
        let input = "a\u{200B}b 12 xã";
        let n = Normalized::new(input);
        assert_eq!(n.text, "ab 12 xã");
        let b = n.text.find("12").unwrap();
        let [s, e] = CharCursor::default().span(&n, b, b + 2);
        assert_eq!((s, e), (4, 6));
    }

    #[test]
    fn fast_lower_agrees_with_unicode() {
        for u in (0x00C0u32..=0x01FF).chain(0x1EA0..=0x1EF9) {
            let Some(c) = char::from_u32(u) else { continue };
            if let Some(l) = crate::text::vietnamese_lower(c) {
                assert_eq!(c.to_lowercase().collect::<String>(), l.to_string(), "{c}");
            }
        }
    }

    #[test]
    fn lower_keeps_layout_and_folds_tones() {
        let n = Normalized::new("Thôn văn hoá, Huyện uỷ, Quý, toán");
        assert_eq!(n.lower.len(), n.text.len());
        assert_eq!(n.lower, "thôn văn hóa, huyện ủy, quý, toán");
    }
}
