//! Text normalisation shared by the gazetteer, the extractor and the scraper.
//!
//! Vietnamese news text arrives in many shapes: decomposed Unicode (NFD), non-breaking and
//! zero-width spaces, two conventions for tone-mark placement ("Hoá" / "Hóa", "Thuỷ" / "Thủy"),
//! typographic apostrophes and varying spaces around hyphens. Everything that compares names goes
//! through the keys built here so that those differences never decide a match.
//!
//! The canonical tone placement is the gazetteer's ("Hóa, Hòa, Thủy, Khỏe"): in a word-final
//! `oa`, `oe` or `uy` the tone sits on the first vowel, except after `q` ("Quý" keeps its tone on
//! the `y`, since `qu` is a consonant there).
//!
//! `name_key` and `ascii_key` run on every candidate name of every article, so they are written
//! as one streaming pass that allocates only the returned `String`.

use unicode_normalization::char::{compose, decompose_canonical};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// True for the "odd" spaces news sites leave in text: NBSP, figure space, narrow NBSP,
/// zero-width space, tabs and other Unicode white space except a plain `' '`.
fn is_odd_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{200B}' | '\u{FEFF}' | '\t' | '\u{2060}'
    ) || (c != ' ' && c != '\n' && c != '\r' && c.is_whitespace())
}

/// Returns `s` in NFC with every odd space (NBSP U+00A0, U+2007, U+202F, zero-width U+200B,
/// tabs...) replaced by a plain space, because the extractor's patterns assume plain spaces.
/// Line breaks are kept: they separate paragraphs.
pub fn nfc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        out.extend(s.chars().map(map_space));
    } else {
        out.extend(s.chars().map(map_space).nfc());
    }
    out
}

fn map_space(c: char) -> char {
    if is_odd_space(c) {
        ' '
    } else {
        c
    }
}

/// Splits a precomposed Vietnamese vowel into (vowel without tone, tone mark) when it carries
/// one of the five tone marks; `None` for anything else.
fn split_tone(c: char) -> Option<(char, char)> {
    if c.is_ascii() {
        return None;
    }
    let mut parts: [char; 4] = ['\0'; 4];
    let mut n = 0;
    decompose_canonical(c, |p| {
        if n < parts.len() {
            parts[n] = p;
        }
        n += 1;
    });
    if !(2..=3).contains(&n) {
        return None;
    }
    let tone = parts[n - 1];
    if !matches!(
        tone,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
    ) {
        return None;
    }
    let base = if n == 2 {
        parts[0]
    } else {
        compose(parts[0], parts[1])?
    };
    Some((base, tone))
}

/// Streaming tone folder: holds at most two characters back until it knows whether they form
/// a word-final `oa`/`oe`/`uy` with the tone on the second vowel.
struct ToneFolder<F: FnMut(char)> {
    emit: F,
    /// The last character emitted (or held), to recognise `qu`.
    prev: char,
    held: [char; 2],
    n_held: usize,
}

impl<F: FnMut(char)> ToneFolder<F> {
    fn new(emit: F) -> Self {
        ToneFolder {
            emit,
            prev: ' ',
            held: ['\0'; 2],
            n_held: 0,
        }
    }

    fn flush_held(&mut self) {
        for i in 0..self.n_held {
            (self.emit)(self.held[i]);
        }
        self.n_held = 0;
    }

    fn push(&mut self, c: char) {
        match self.n_held {
            0 => {
                if matches!(c, 'o' | 'O' | 'u' | 'U') && !matches!(self.prev, 'q' | 'Q') {
                    self.held[0] = c;
                    self.n_held = 1;
                } else {
                    (self.emit)(c);
                }
            }
            1 => {
                let first = self.held[0];
                let wanted_second = if matches!(first, 'o' | 'O') {
                    matches!(split_tone(c), Some((b, _)) if matches!(b, 'a' | 'A' | 'e' | 'E'))
                } else {
                    matches!(split_tone(c), Some((b, _)) if matches!(b, 'y' | 'Y'))
                };
                if wanted_second {
                    self.held[1] = c;
                    self.n_held = 2;
                } else {
                    self.flush_held();
                    self.prev = first;
                    // `c` may itself start a new pattern ("uo..." is not one, but stay general).
                    self.push(c);
                    return;
                }
            }
            _ => {
                if c.is_alphanumeric() {
                    self.flush_held();
                    (self.emit)(c);
                } else {
                    self.swap_and_flush();
                    (self.emit)(c);
                }
            }
        }
        self.prev = c;
    }

    /// Moves the tone of `held[1]` onto `held[0]` and emits both.
    fn swap_and_flush(&mut self) {
        let (first, second) = (self.held[0], self.held[1]);
        match split_tone(second).and_then(|(base, tone)| Some((compose(first, tone)?, base))) {
            Some((toned_first, bare_second)) => {
                (self.emit)(toned_first);
                (self.emit)(bare_second);
            }
            None => {
                (self.emit)(first);
                (self.emit)(second);
            }
        }
        self.n_held = 0;
    }

    fn finish(mut self) {
        if self.n_held == 2 {
            self.swap_and_flush();
        } else {
            self.flush_held();
        }
    }
}

/// Moves tones to the gazetteer's canonical placement: "Hoá" → "Hóa", "Thuỷ" → "Thủy",
/// "Hoà" → "Hòa", "hoè" → "hòe"; not after `q` ("Quý" stays). Both placements are in common use,
/// so names must be folded before they are compared. Input is normalised to NFC first; the
/// output is NFC.
pub fn fold_tone(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    {
        let mut folder = ToneFolder::new(|c| out.push(c));
        if is_nfc_quick(s.chars()) == IsNormalized::Yes {
            s.chars().for_each(|c| folder.push(c));
        } else {
            s.nfc().for_each(|c| folder.push(c));
        }
        folder.finish();
    }
    out
}

/// Builds a comparison key in one pass: NFC, odd spaces, tone placement, lower case,
/// apostrophes and quotes as ASCII `'`, no spaces around hyphens (en and em dashes count as
/// hyphens), white space collapsed and trimmed. With `ascii`, diacritics are removed too.
fn key_into(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len());
    {
        // State of the final sink: a space is only written when a non-space follows it.
        let mut pending_space = false;
        let mut after_hyphen = false;
        let mut sink = |c: char| {
            let c = match c {
                // Invisible joiners and soft hyphens only split names: drop them.
                '\u{00AD}' | '\u{200C}' | '\u{200D}' => return,
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{00B4}' | '`' | '\u{201C}'
                | '\u{201D}' | '"' | '\u{2032}' => '\'',
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
                c if c.is_whitespace() || is_odd_space(c) => ' ',
                c => c,
            };
            if c == ' ' {
                if !out.is_empty() && !after_hyphen {
                    pending_space = true;
                }
                return;
            }
            if c == '-' {
                pending_space = false;
                after_hyphen = true;
                out.push('-');
                return;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            after_hyphen = false;
            // Fast paths for ASCII and Vietnamese capitals (the general tables cost a twentieth
            // of extraction, which keys every metric and place name).
            let single = if c.is_ascii() {
                Some(c.to_ascii_lowercase())
            } else if let Some(l) = vietnamese_lower(c) {
                Some(l)
            } else if is_vietnamese_lower(c) || c.is_lowercase() {
                Some(c)
            } else {
                None
            };
            match single {
                Some(l) if ascii => out.push(ascii_char(l)),
                Some(l) => out.push(l),
                None => {
                    for l in c.to_lowercase() {
                        if ascii {
                            out.push(ascii_char(l));
                        } else {
                            out.push(l);
                        }
                    }
                }
            }
        };
        let mut folder = ToneFolder::new(&mut sink);
        if is_nfc_quick(s.chars()) == IsNormalized::Yes {
            s.chars().for_each(|c| folder.push(c));
        } else {
            s.nfc().for_each(|c| folder.push(c));
        }
        folder.finish();
    }
    fold_qu_i(out)
}

/// After "qu", Vietnamese writes the same sound with i or y ("Phú Quý" / "Phú Quí", "quý" /
/// "quí"): keys write i.
fn fold_qu_i(key: String) -> String {
    if !key.contains("qu") {
        return key;
    }
    let mut out = String::with_capacity(key.len());
    let mut prev: [char; 2] = [' ', ' '];
    for c in key.chars() {
        let folded = if prev == ['q', 'u'] {
            match c {
                'y' => 'i',
                'ý' => 'í',
                'ỳ' => 'ì',
                'ỷ' => 'ỉ',
                'ỹ' => 'ĩ',
                'ỵ' => 'ị',
                c => c,
            }
        } else {
            c
        };
        out.push(folded);
        prev = [prev[1], c];
    }
    out
}

/// True for the small letters Vietnamese uses beyond ASCII (they are their own lower case).
pub(crate) fn is_vietnamese_lower(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0x00DF..=0x00FF if u != 0x00F7)
        || matches!(u, 0x0103 | 0x0111 | 0x0129 | 0x0169 | 0x01A1 | 0x01B0)
        || (0x1EA1..=0x1EF9).contains(&u) && u % 2 == 1
}

/// Lower case of the capital letters Vietnamese uses, without the general Unicode tables; each
/// pair has the same UTF-8 length.
pub(crate) fn vietnamese_lower(c: char) -> Option<char> {
    let u = c as u32;
    let l = match u {
        0x00C0..=0x00DE if u != 0x00D7 => u + 0x20,
        0x0102 | 0x0110 | 0x0128 | 0x0168 | 0x01A0 => u + 1,
        0x01AF => 0x01B0,
        0x1EA0..=0x1EF9 if u % 2 == 0 => u + 1,
        _ => return None,
    };
    char::from_u32(l).filter(|l| l.len_utf8() == c.len_utf8())
}

/// The comparison key for names: NFC, canonical tone placement, lower case, ASCII apostrophes,
/// hyphen spacing normalised ("Phan Rang - Tháp Chàm" = "Phan Rang-Tháp Chàm"), white space
/// collapsed and trimmed. Two spellings of one name that differ only in those respects get the
/// same key.
pub fn name_key(s: &str) -> String {
    key_into(s, false)
}

/// `name_key` without diacritics ("Kỳ Anh" → "ky anh", "Đồng" → "dong"), the fallback key for
/// text typed without accents. Much more collision-prone than `name_key`: use it only when the
/// exact key finds nothing.
pub fn ascii_key(s: &str) -> String {
    key_into(s, true)
}

/// The character without its diacritics (`đ` → `d`), keeping case; other characters as they are.
fn ascii_char(c: char) -> char {
    match c {
        'đ' => 'd',
        'Đ' => 'D',
        c if c.is_ascii() => c,
        c => {
            let mut base = c;
            let mut first = true;
            decompose_canonical(c, |p| {
                if first {
                    base = p;
                    first = false;
                }
            });
            base
        }
    }
}

/// Removes diacritics and keeps case: "Hà Tĩnh" → "Ha Tinh", "Đức Thọ" → "Duc Tho". Used for
/// display keys and slugs; comparisons should use `ascii_key`.
pub fn strip_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        out.extend(s.chars().map(ascii_char));
    } else {
        out.extend(s.nfc().map(ascii_char));
    }
    out
}

/// A number written the Vietnamese way: `.` between thousands, `,` before at most `decimals`
/// decimals, trailing zeros dropped (`8.850,26`, `1.234.567`). Alerts, tables and charts share it.
pub fn vn_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (s.clone(), String::new()),
    };
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if v < 0.0 && (grouped != "0" || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfc_composes_and_maps_odd_spaces() {
        let nfd: String = "Kỳ Anh".nfd().collect();
        assert_ne!(nfd, "Kỳ Anh");
        assert_eq!(nfc(&nfd), "Kỳ Anh");
        assert_eq!(
            nfc("8.850,26\u{00A0}tỷ\u{202F}đồng\u{2007}x\ty"),
            "8.850,26 tỷ đồng x y"
        );
        assert_eq!(nfc("a\u{200B}b"), "a b");
        assert_eq!(nfc("dòng 1\ndòng 2"), "dòng 1\ndòng 2");
    }

    #[test]
    fn fold_tone_moves_word_final_tones() {
        assert_eq!(fold_tone("Hoá"), "Hóa");
        assert_eq!(fold_tone("Thuỷ"), "Thủy");
        assert_eq!(fold_tone("Hoà Bình"), "Hòa Bình");
        assert_eq!(fold_tone("hoè"), "hòe");
        assert_eq!(fold_tone("khoẻ mạnh"), "khỏe mạnh");
        assert_eq!(fold_tone("Thanh Hoá,"), "Thanh Hóa,");
        assert_eq!(fold_tone("HOÁ"), "HÓA");
        assert_eq!(fold_tone("hoạ"), "họa");
    }

    #[test]
    fn fold_tone_leaves_other_words_alone() {
        assert_eq!(fold_tone("Quý"), "Quý");
        assert_eq!(fold_tone("quỳ"), "quỳ");
        assert_eq!(fold_tone("hoàn thành"), "hoàn thành");
        assert_eq!(fold_tone("khoảng"), "khoảng");
        assert_eq!(fold_tone("thuế"), "thuế");
        assert_eq!(fold_tone("Hóa"), "Hóa");
        assert_eq!(fold_tone("Thủy"), "Thủy");
        assert_eq!(fold_tone("xoáy"), "xoáy");
        assert_eq!(fold_tone("o"), "o");
        assert_eq!(fold_tone("u"), "u");
        assert_eq!(fold_tone(""), "");
    }

    #[test]
    fn fold_tone_accepts_nfd() {
        let nfd: String = "Thanh Hoá".nfd().collect();
        assert_eq!(fold_tone(&nfd), "Thanh Hóa");
    }

    #[test]
    fn name_key_equates_spelling_variants() {
        assert_eq!(name_key("  Thanh   Hoá "), "thanh hóa");
        assert_eq!(name_key("Thanh Hóa"), "thanh hóa");
        assert_eq!(
            name_key("Phan Rang - Tháp Chàm"),
            name_key("Phan Rang-Tháp Chàm")
        );
        assert_eq!(name_key("Phan Rang – Tháp Chàm"), "phan rang-tháp chàm");
        assert_eq!(name_key("Ea H\u{2019}Leo"), "ea h'leo");
        assert_eq!(name_key("Kỳ\u{00A0}Anh"), "kỳ anh");
        assert_eq!(name_key("Kỳ An\u{00AD}h"), "kỳ anh");
        assert_eq!(name_key("Kỳ\u{200B}Anh"), "kỳ anh");
        assert_eq!(name_key("\tKỳ  \n Anh\r\n"), "kỳ anh");
        let nfd: String = "Kỳ Anh".nfd().collect();
        assert_eq!(name_key(&nfd), "kỳ anh");
    }

    #[test]
    fn ascii_key_drops_diacritics() {
        assert_eq!(ascii_key("Kỳ Anh"), "ky anh");
        assert_eq!(ascii_key("Đức Thọ"), "duc tho");
        assert_eq!(ascii_key("Thanh Hoá"), ascii_key("Thanh Hóa"));
        assert_eq!(ascii_key("Ky Anh"), "ky anh");
    }

    #[test]
    fn strip_diacritics_keeps_case() {
        assert_eq!(strip_diacritics("Hà Tĩnh"), "Ha Tinh");
        assert_eq!(strip_diacritics("Đắk Lắk"), "Dak Lak");
        let nfd: String = "Hà Tĩnh".nfd().collect();
        assert_eq!(strip_diacritics(&nfd), "Ha Tinh");
    }
}
