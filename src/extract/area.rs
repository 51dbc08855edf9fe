//! Areas: the article's subject area and the named areas a clause is about, via the gazetteer.
//!
//! A name counts as an area only behind a level word (`huyện Kỳ Anh`, `TX. Kỳ Anh`, `xã Mai
//! Hoa`), or, for provinces, as a bare province name that the gazetteer knows. Resolution uses
//! the level word, the source's province and the era of the publication date, so that `Kỳ Anh`
//! the huyện and `Kỳ Anh` the thị xã, or a commune before and after the July 2025 reform, come
//! out as the right unit. A name the gazetteer does not know is still reported with its level
//! word, without a code.

use super::token::{TokKind, Toks};
use crate::gazetteer::{Area, AreaQuery, Era, Gazetteer, Level, Resolution};

/// An area a fact is about.
#[derive(Debug, Clone)]
pub(crate) struct AreaRef<'g> {
    /// Level word + name: `huyện Kỳ Anh`.
    pub name: String,
    /// Level.
    pub level: Level,
    /// The gazetteer unit when resolved.
    pub unit: Option<&'g Area>,
    /// Province name when known.
    pub province: Option<String>,
}

/// Level words: written form (lower case, tokens separated by spaces), canonical type, level.
const LEVEL_WORDS: &[(&str, &str, Level)] = &[
    ("thành phố", "thành phố", Level::District),
    ("tp", "thành phố", Level::District),
    ("tỉnh", "tỉnh", Level::Province),
    ("huyện đảo", "huyện", Level::District),
    ("huyện", "huyện", Level::District),
    ("thị xã", "thị xã", Level::District),
    ("tx", "thị xã", Level::District),
    ("quận", "quận", Level::District),
    ("xã", "xã", Level::Commune),
    ("phường", "phường", Level::Commune),
    ("thị trấn", "thị trấn", Level::Commune),
    ("tt", "thị trấn", Level::Commune),
    ("đặc khu", "đặc khu", Level::Commune),
];

/// Capitalised words that follow a level word without being a place name.
const NOT_NAMES: &[&str] = &[
    "đoàn", "ủy", "đội", "hội", "đảng", "ban", "công", "ubnd", "hđnd", "ntm", "ocop", "kt", "xh",
    "mttq", "hđnd", "vh", "tt",
];

/// A level word followed by a name, before resolution.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawMention {
    /// First token of the name.
    pub name_start: usize,
    /// One past the last name token.
    pub end: usize,
    /// Index into `LEVEL_WORDS`.
    level_idx: usize,
    /// Named through its party committee (`Huyện ủy Hương Khê`): only an area if resolved,
    /// since `Bí thư Tỉnh ủy Hoàng Trung Dũng` names a person.
    pub committee: bool,
}

/// Finds `level word + Name` at token `i`.
pub(crate) fn raw_mention_at(t: &Toks<'_>, i: usize) -> Option<RawMention> {
    if !matches!(
        t.low(i),
        "thành" | "tp" | "tỉnh" | "huyện" | "thị" | "tx" | "quận" | "xã" | "phường" | "tt" | "đặc"
    ) {
        return None;
    }
    // "xã" inside "thị xã" is not a level word of its own.
    if t.low(i) == "xã" && i > 0 && t.low(i - 1) == "thị" {
        return None;
    }
    let (level_idx, mut k) = LEVEL_WORDS
        .iter()
        .enumerate()
        .find_map(|(n, (w, _, _))| t.phrase_at(i, w).map(|k| (n, k)))?;
    // Abbreviations may carry a dot: "TP. Hà Tĩnh", "TX.Kỳ Anh".
    if matches!(LEVEL_WORDS[level_idx].0, "tp" | "tx" | "tt") {
        if t.is_punct(k, '.') {
            k += 1;
        } else if !t.raw(i).starts_with(|c: char| c.is_uppercase()) {
            // "tp hiện nay": a lower-case abbreviation without a dot is not a level word.
            return None;
        }
    }
    let committee = matches!(t.low(k), "ủy" | "uỷ") && t.get(k + 1).is_some_and(|x| x.upper);
    if committee {
        k += 1;
    }
    let name_start = k;
    let mut end = k;
    while end < t.len() && end - name_start < 6 {
        let tok = t.toks[end];
        let after_apostrophe = end > name_start && t.low(end - 1) == "'" && !tok.space_before;
        let ok = match tok.kind {
            TokKind::Word => tok.upper || after_apostrophe,
            // "Phường 5", "Quận 1"
            TokKind::Num => {
                end == name_start
                    && t.low(end).len() <= 2
                    && matches!(LEVEL_WORDS[level_idx].0, "phường" | "quận")
            }
            TokKind::Punct => {
                let glued_word = t
                    .get(end + 1)
                    .is_some_and(|x| !x.space_before && x.kind == TokKind::Word);
                end > name_start
                    && ((t.low(end) == "-" && t.get(end + 1).is_some_and(|x| x.upper))
                        // "Ea H'leo"
                        || (t.low(end) == "'" && !tok.space_before && glued_word))
            }
        };
        if !ok {
            break;
        }
        end += 1;
    }
    // All-capital abbreviations ("NTM", "KT-XH") are not names.
    let caps = t.raw(name_start).chars().count() >= 2
        && t.raw(name_start).chars().all(|c| !c.is_lowercase())
        && t.low(name_start) != "hcm";
    if end == name_start
        || NOT_NAMES.contains(&t.low(name_start))
        || (caps && t.is_word(name_start))
    {
        return None;
    }
    Some(RawMention {
        name_start,
        end,
        level_idx,
        committee,
    })
}

/// The level of a canonical level word (`huyện` → district, `xã` → commune).
pub(crate) fn level_of_type(word: &str) -> Option<Level> {
    LEVEL_WORDS
        .iter()
        .find(|(_, ty, _)| *ty == word)
        .map(|(_, _, l)| *l)
}

/// The canonical level word of a mention (`huyện`, `thị xã`, `xã`...).
pub(crate) fn level_word_of(m: &RawMention) -> &'static str {
    LEVEL_WORDS[m.level_idx].1
}

/// Resolves names against the gazetteer with the context of one article.
pub(crate) struct Resolver<'g> {
    /// The gazetteer.
    pub gaz: &'g Gazetteer,
    /// Province context (source province or the subject's province).
    pub province: Option<String>,
    /// Era of the publication date.
    pub era: Option<Era>,
}

impl<'g> Resolver<'g> {
    /// Resolves a raw mention; falls back to an unresolved reference with its level word.
    pub fn resolve(
        &self,
        t: &Toks<'_>,
        m: &RawMention,
        prefer: Option<&AreaRef<'g>>,
    ) -> AreaRef<'g> {
        let (_, unit_type, level) = LEVEL_WORDS[m.level_idx];
        let name_of = |end: usize| -> &str {
            let s = t.toks[m.name_start].start as usize;
            let e = t.toks[end - 1].end as usize;
            t.text.get(s..e).unwrap_or("")
        };
        for end in (m.name_start + 1..=m.end).rev() {
            let name = name_of(end);
            if let Some(a) = self.lookup(name, unit_type, prefer) {
                return self.unit_ref_spelled(a, name);
            }
        }
        let n = m.end - m.name_start;
        let end = if n <= 3 { m.end } else { m.name_start + 2 };
        AreaRef {
            name: format!("{unit_type} {}", name_of(end)),
            level,
            unit: None,
            province: if level == Level::Province {
                Some(name_of(end).to_string())
            } else {
                None
            },
        }
    }

    /// A resolved unit as a reference named as the text writes it when the text divides the
    /// name into words differently (`Đakrông` for the gazetteer's `Đa Krông`, `Ea Mdroh` for
    /// `Ea M'Droh`): the reader's spelling is kept, the code says which unit it is. Spellings
    /// that differ only in tone marks, case or apostrophes take the gazetteer's name.
    pub fn unit_ref_spelled(&self, a: &'g Area, written: &str) -> AreaRef<'g> {
        let mut r = self.unit_ref(a);
        let compact = |s: &str| -> String {
            crate::text::ascii_key(s)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect()
        };
        let spaced = |s: &str| -> String {
            crate::text::ascii_key(s)
                .chars()
                .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        };
        // Spelled otherwise than the gazetteer beyond tone marks and apostrophes ("Phú Quý"
        // for "Phú Quí", "Đakrông" for "Đa Krông"): the text's spelling names it.
        let plain = |s: &str| -> String {
            crate::text::strip_diacritics(s)
                .to_lowercase()
                .chars()
                .filter(|c| !matches!(c, '\'' | '’' | '‘'))
                .collect()
        };
        if a.level != Level::Province
            && ((spaced(written) != spaced(&a.name) && compact(written) == compact(&a.name))
                || (spaced(written) == spaced(&a.name) && plain(written) != plain(&a.name)))
        {
            let ty = a.full_name.strip_suffix(a.name.as_str()).unwrap_or("");
            r.name = format!("{ty}{}", crate::text::nfc(written.trim()));
        }
        r
    }

    /// A resolved unit as a reference.
    pub fn unit_ref(&self, a: &'g Area) -> AreaRef<'g> {
        let province = if a.level == Level::Province {
            Some(a.name.clone())
        } else {
            self.gaz.province_of(a).map(|p| p.name.clone())
        };
        AreaRef {
            name: a.full_name.clone(),
            level: a.level,
            unit: Some(a),
            province,
        }
    }

    fn lookup(
        &self,
        name: &str,
        unit_type: &str,
        prefer: Option<&AreaRef<'g>>,
    ) -> Option<&'g Area> {
        let q = AreaQuery {
            name,
            unit_type: Some(unit_type),
            level: None,
            province: self.province.as_deref(),
            era: self.era,
        };
        match self.gaz.resolve(&q) {
            Resolution::Unique(a) => Some(a),
            Resolution::Ambiguous(cands) => pick(&cands, prefer),
            Resolution::NotFound => {
                if self.province.is_some() {
                    // The name may be outside the source's province (national papers).
                    let q = AreaQuery {
                        province: None,
                        ..q
                    };
                    match self.gaz.resolve(&q) {
                        Resolution::Unique(a) => Some(a),
                        Resolution::Ambiguous(cands) => pick(&cands, prefer),
                        Resolution::NotFound => None,
                    }
                } else {
                    None
                }
            }
        }
    }

    /// The province named `name` (bare, "Hà Tĩnh"), of the article's era when possible.
    pub fn province_named(&self, name: &str) -> Option<&'g Area> {
        let q = AreaQuery {
            name,
            unit_type: None,
            level: Some(Level::Province),
            province: None,
            era: self.era,
        };
        match self.gaz.resolve(&q) {
            Resolution::Unique(a) => Some(a),
            Resolution::Ambiguous(c) => c.first().copied(),
            Resolution::NotFound => self.gaz.find_province(name),
        }
    }

    /// The area of `level` that contains `r` (`toàn tỉnh` in a district report).
    pub fn ancestor(&self, r: &AreaRef<'g>, level: Level) -> Option<AreaRef<'g>> {
        if r.level == level {
            return Some(r.clone());
        }
        let unit = r.unit?;
        match level {
            Level::Province => self.gaz.province_of(unit).map(|p| self.unit_ref(p)),
            Level::District => {
                let mut cur = unit;
                for _ in 0..3 {
                    let p = self.gaz.parent(cur)?;
                    if p.level == Level::District {
                        return Some(self.unit_ref(p));
                    }
                    cur = p;
                }
                None
            }
            Level::Commune => None,
        }
    }
}

/// Among ambiguous candidates, the one that is (or is inside) the preferred area, else none.
fn pick<'g>(cands: &[&'g Area], prefer: Option<&AreaRef<'g>>) -> Option<&'g Area> {
    let p = prefer?.unit?;
    cands
        .iter()
        .copied()
        .find(|a| a.code == p.code && a.level == p.level)
        .or_else(|| {
            cands
                .iter()
                .copied()
                .find(|a| a.parent_code.as_deref() == Some(p.code.as_str()))
        })
        .or_else(|| {
            let same: Vec<_> = cands
                .iter()
                .copied()
                .filter(|a| a.province_code == p.province_code)
                .collect();
            (same.len() == 1).then(|| same[0])
        })
}

/// The area level named by a generic reference word (`toàn huyện`, `toàn tỉnh`).
pub(crate) fn generic_level(w: &str) -> Option<Level> {
    match w {
        "tỉnh" => Some(Level::Province),
        "huyện" | "thị xã" | "quận" => Some(Level::District),
        "xã" | "phường" | "thị trấn" => Some(Level::Commune),
        "thành phố" => None,
        _ => None,
    }
}

/// `toàn huyện`, `cả tỉnh`, `của huyện`, `trên địa bàn` at `i`: the referenced level (`None`:
/// the subject itself) and the index after the reference.
pub(crate) fn generic_at(t: &Toks<'_>, i: usize) -> Option<(Option<Level>, usize)> {
    let k = t.any_at(i, &["toàn", "cả", "trên địa bàn"])?;
    let found = LEVEL_WORDS
        .iter()
        .find_map(|(w, ty, _)| t.phrase_at(k, w).map(|e| (generic_level(ty), e)));
    match found {
        Some((lvl, e)) => {
            let named = t.get(e).is_some_and(|x| x.upper && x.kind == TokKind::Word);
            (!named).then_some((lvl, e))
        }
        None if t.low(i) == "trên" => Some((None, k)),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn mention(s: &str) -> Option<String> {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        let m = raw_mention_at(&t, 0)?;
        Some(s[v[m.name_start].start as usize..v[m.end - 1].end as usize].to_string())
    }

    #[test]
    fn level_word_and_name() {
        assert_eq!(mention("huyện Kỳ Anh (Hà Tĩnh)").as_deref(), Some("Kỳ Anh"));
        assert_eq!(mention("TP. Hà Tĩnh có").as_deref(), Some("Hà Tĩnh"));
        assert_eq!(mention("Phường 5 có").as_deref(), Some("5"));
        // Committee names resolve to the area, or are dropped when unresolved (engine).
        assert_eq!(mention("Huyện ủy Kỳ Anh").as_deref(), Some("Kỳ Anh"));
        assert_eq!(mention("Tỉnh Đoàn Hà Tĩnh").as_deref(), None);
        assert_eq!(mention("xã đạt chuẩn").as_deref(), None);
        assert_eq!(mention("tp hiện nay").as_deref(), None);
    }
}
