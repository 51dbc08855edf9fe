//! Name resolution: type words and abbreviations, candidate lookup, filters and the rules that
//! turn the remaining candidates into a `Resolution` (see the parent module header).

use super::{Area, AreaQuery, Era, Gazetteer, Level, Resolution};
use crate::text::{ascii_key, name_key};

/// A unit type word as written in text, after abbreviations are expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeWord {
    Tinh,
    ThanhPho,
    Huyen,
    ThiXa,
    Quan,
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
}

impl TypeWord {
    /// Does a unit of this `unit_type` carry this type word? "thành phố" covers both the
    /// centrally run cities and the provincial cities.
    pub(crate) fn matches(self, unit_type: &str) -> bool {
        match self {
            TypeWord::Tinh => unit_type == "tỉnh",
            TypeWord::ThanhPho => unit_type == "thành phố" || unit_type == "thành phố trung ương",
            TypeWord::Huyen => unit_type == "huyện",
            TypeWord::ThiXa => unit_type == "thị xã",
            TypeWord::Quan => unit_type == "quận",
            TypeWord::Xa => unit_type == "xã",
            TypeWord::Phuong => unit_type == "phường",
            TypeWord::ThiTran => unit_type == "thị trấn",
            TypeWord::DacKhu => unit_type == "đặc khu",
        }
    }
}

/// Type words and abbreviations in `name_key` form. `true` = the word may touch the name
/// ("TP.Vinh"); `false` = a space must follow ("TP Vinh", "huyện Kỳ Anh").
const PREFIXES: [(&str, TypeWord, bool); 27] = [
    ("thành phố", TypeWord::ThanhPho, false),
    ("t.p.", TypeWord::ThanhPho, true),
    ("tp.", TypeWord::ThanhPho, true),
    ("tp", TypeWord::ThanhPho, false),
    ("thị xã", TypeWord::ThiXa, false),
    ("t.x.", TypeWord::ThiXa, true),
    ("tx.", TypeWord::ThiXa, true),
    ("tx", TypeWord::ThiXa, false),
    ("thị trấn", TypeWord::ThiTran, false),
    ("t.t.", TypeWord::ThiTran, true),
    ("tt.", TypeWord::ThiTran, true),
    ("tt", TypeWord::ThiTran, false),
    ("huyện", TypeWord::Huyen, false),
    ("h.", TypeWord::Huyen, true),
    ("quận", TypeWord::Quan, false),
    ("q.", TypeWord::Quan, true),
    ("phường", TypeWord::Phuong, false),
    ("p.", TypeWord::Phuong, true),
    ("xã", TypeWord::Xa, false),
    ("x.", TypeWord::Xa, true),
    ("tỉnh", TypeWord::Tinh, false),
    ("đặc khu", TypeWord::DacKhu, false),
    ("đk", TypeWord::DacKhu, false),
    ("đk.", TypeWord::DacKhu, true),
    ("thành phố trung ương", TypeWord::ThanhPho, false),
    ("tp trung ương", TypeWord::ThanhPho, false),
    ("thủ đô", TypeWord::ThanhPho, false),
];

/// Type words typed without diacritics, tried only on keys that have none ("huyen Ky Anh"),
/// so that a real name such as "Quan Sơn" is never mistaken for "quận Sơn".
const ASCII_PREFIXES: [(&str, TypeWord, bool); 9] = [
    ("thanh pho", TypeWord::ThanhPho, false),
    ("thi xa", TypeWord::ThiXa, false),
    ("thi tran", TypeWord::ThiTran, false),
    ("huyen", TypeWord::Huyen, false),
    ("quan", TypeWord::Quan, false),
    ("phuong", TypeWord::Phuong, false),
    ("xa", TypeWord::Xa, false),
    ("tinh", TypeWord::Tinh, false),
    ("dac khu", TypeWord::DacKhu, false),
];

/// Splits a leading type word or abbreviation off a name key: "tx. kỳ anh" → (ThiXa, "kỳ anh").
pub(crate) fn split_type_prefix(key: &str) -> Option<(TypeWord, &str)> {
    let mut best: Option<(usize, TypeWord, &str)> = None;
    let ascii: &[(&str, TypeWord, bool)] = if key.is_ascii() { &ASCII_PREFIXES } else { &[] };
    for &(word, tw, may_touch) in PREFIXES.iter().chain(ascii) {
        let Some(rest) = key.strip_prefix(word) else {
            continue;
        };
        if !may_touch && !rest.starts_with(' ') {
            continue;
        }
        let rest = rest.trim_start();
        if rest.is_empty() {
            continue;
        }
        if best.is_none_or(|(len, _, _)| word.len() > len) {
            best = Some((word.len(), tw, rest));
        }
    }
    best.map(|(_, tw, rest)| (tw, rest))
}

/// Parses a type word given on its own ("huyện", "TX", "TP.").
pub(crate) fn parse_type_word(s: &str) -> Option<TypeWord> {
    let key = name_key(s);
    let trimmed = key.trim_end_matches('.');
    PREFIXES
        .iter()
        .chain(ASCII_PREFIXES.iter())
        .find(|(word, _, _)| word.trim_end_matches('.') == trimmed)
        .map(|(_, tw, _)| *tw)
}

/// Province context: the province codes accepted in each era.
struct Context {
    pre: Vec<String>,
    post: Vec<String>,
}

impl Context {
    fn accepts(&self, area: &Area) -> bool {
        let codes = match area.era {
            Era::Pre2025 => &self.pre,
            Era::Post2025 => &self.post,
        };
        codes.contains(&area.province_code)
    }
}

/// The filters a candidate must pass.
struct Filters<'q> {
    prefix_type: Option<TypeWord>,
    param_type: Option<TypeWord>,
    level: Option<Level>,
    era: Option<Era>,
    context: Option<&'q Context>,
}

impl Filters<'_> {
    fn accepts(&self, area: &Area) -> bool {
        if let Some(tw) = self.prefix_type {
            if !tw.matches(&area.unit_type) {
                return false;
            }
        }
        if let Some(tw) = self.param_type {
            if !tw.matches(&area.unit_type) {
                return false;
            }
        }
        // Numeric names ("phường 12", "quận 1") only with their type word.
        if self.prefix_type.is_none()
            && self.param_type.is_none()
            && area.name.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
        if self.level.is_some_and(|l| l != area.level) {
            return false;
        }
        if self.era.is_some_and(|e| e != area.era) {
            return false;
        }
        self.context.is_none_or(|c| c.accepts(area))
    }
}

impl Gazetteer {
    /// All provinces (both eras, former included) matching a context name, best attempt only.
    fn context_provinces(&self, name: &str) -> Vec<usize> {
        let key = name_key(name);
        let stripped = split_type_prefix(&key)
            .filter(|(tw, _)| matches!(tw, TypeWord::Tinh | TypeWord::ThanhPho))
            .map(|(_, rest)| rest.to_string());
        let mut attempts: Vec<&str> = vec![&key];
        if let Some(s) = stripped.as_deref() {
            attempts.push(s);
        }
        for ascii in [false, true] {
            for a in &attempts {
                let found: Vec<usize> = if ascii {
                    self.ascii_lookup(&ascii_key(a))
                } else {
                    self.name_lookup(a)
                }
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| self.areas[i].level == Level::Province)
                .collect();
                if !found.is_empty() {
                    return found;
                }
            }
        }
        Vec::new()
    }

    /// The province codes accepted by a context name, across the 2025 merges; `None` when the
    /// name is no province (the context is then ignored rather than turned into a miss).
    fn context(&self, name: &str) -> Option<Context> {
        let provinces = self.context_provinces(name);
        if provinces.is_empty() {
            return None;
        }
        let mut ctx = Context {
            pre: Vec::new(),
            post: Vec::new(),
        };
        for i in provinces {
            let p = &self.areas[i];
            match p.era {
                Era::Pre2025 => {
                    ctx.pre.push(p.code.clone());
                    if let Some(new) = self.province_map.get(&p.code) {
                        ctx.post.push(new.clone());
                    }
                }
                Era::Post2025 => {
                    ctx.post.push(p.code.clone());
                    if let Some(olds) = self.province_rev.get(&p.code) {
                        ctx.pre.extend(olds.iter().cloned());
                    }
                }
            }
        }
        Some(ctx)
    }

    /// Resolves a query; see the module header of `gazetteer` for the rules.
    pub fn resolve(&self, q: &AreaQuery<'_>) -> Resolution<'_> {
        let key = name_key(q.name);
        if key.is_empty() {
            return Resolution::NotFound;
        }
        let param_type = match q.unit_type {
            Some(t) => match parse_type_word(t) {
                Some(tw) => Some(tw),
                None => return Resolution::NotFound,
            },
            None => None,
        };
        let context = q.province.and_then(|p| self.context(p));
        let prefix = split_type_prefix(&key);
        // Attempts in order: the name without its type word (filtered by it), then the whole
        // text as a name (aliases such as "TP HCM" carry what looks like a type word).
        let mut attempts: Vec<(&str, Option<TypeWord>)> = Vec::with_capacity(2);
        if let Some((tw, rest)) = prefix {
            attempts.push((rest, Some(tw)));
        }
        attempts.push((&key, None));

        let mut any_exact = false;
        for &(name, prefix_type) in &attempts {
            let raw = self.name_lookup(name);
            any_exact |= !raw.is_empty();
            let filters = Filters {
                prefix_type,
                param_type,
                level: q.level,
                era: q.era,
                context: context.as_ref(),
            };
            let found = self.decide(raw, &filters, q.era);
            if !matches!(found, Resolution::NotFound) {
                return found;
            }
        }
        if any_exact {
            return Resolution::NotFound;
        }
        for &(name, prefix_type) in &attempts {
            let raw = self.ascii_lookup(&ascii_key(name));
            let filters = Filters {
                prefix_type,
                param_type,
                level: q.level,
                era: q.era,
                context: context.as_ref(),
            };
            let found = self.decide(raw, &filters, q.era);
            if !matches!(found, Resolution::NotFound) {
                return found;
            }
        }
        Resolution::NotFound
    }

    /// Applies the filters, the former-unit rule and the cross-era collapse to raw candidates.
    fn decide(&self, raw: &[u32], filters: &Filters<'_>, era: Option<Era>) -> Resolution<'_> {
        let mut cands: Vec<usize> = raw
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| filters.accepts(&self.areas[i]))
            .collect();
        cands.sort_unstable();
        cands.dedup();
        // A former unit only when no current unit of its era matched.
        for e in [Era::Pre2025, Era::Post2025] {
            let has_current = cands
                .iter()
                .any(|&i| self.areas[i].era == e && !self.areas[i].former);
            if has_current {
                cands.retain(|&i| self.areas[i].era != e || !self.areas[i].former);
            }
        }
        // Both eras asked: a unit that kept its code and name across the reform is one unit;
        // report it in its post-2025 form.
        if era.is_none() {
            let posts: Vec<usize> = cands
                .iter()
                .copied()
                .filter(|&i| self.areas[i].era == Era::Post2025)
                .collect();
            cands.retain(|&i| {
                let a = &self.areas[i];
                a.era == Era::Post2025
                    || !posts.iter().any(|&p| {
                        let b = &self.areas[p];
                        b.level == a.level
                            && b.code == a.code
                            && name_key(&b.name) == name_key(&a.name)
                    })
            });
        }
        // A bare name (no type word, no level) means the largest unit of that name, as in
        // ordinary usage: "Kỳ Anh" is the huyện or the thị xã, not the 2025 xã; "Hà Tĩnh" is
        // the province, not its capital city.
        if filters.prefix_type.is_none() && filters.param_type.is_none() && filters.level.is_none()
        {
            let rank = |l: Level| match l {
                Level::Province => 0,
                Level::District => 1,
                Level::Commune => 2,
            };
            if let Some(top) = cands.iter().map(|&i| rank(self.areas[i].level)).min() {
                cands.retain(|&i| rank(self.areas[i].level) == top);
            }
        }
        match cands.len() {
            0 => Resolution::NotFound,
            1 => Resolution::Unique(&self.areas[cands[0]]),
            _ => Resolution::Ambiguous(cands.into_iter().map(|i| &self.areas[i]).collect()),
        }
    }

    /// A province by name; see `find_province`.
    pub(crate) fn find_province_impl(&self, name: &str) -> Option<&Area> {
        let key = name_key(name);
        if key.is_empty() {
            return None;
        }
        let stripped = split_type_prefix(&key)
            .filter(|(tw, _)| matches!(tw, TypeWord::Tinh | TypeWord::ThanhPho))
            .map(|(_, rest)| rest.to_string());
        let mut attempts: Vec<&str> = vec![&key];
        if let Some(s) = stripped.as_deref() {
            attempts.push(s);
        }
        for ascii in [false, true] {
            for a in &attempts {
                let raw = if ascii {
                    self.ascii_lookup(&ascii_key(a))
                } else {
                    self.name_lookup(a)
                };
                let best = raw
                    .iter()
                    .map(|&i| &self.areas[i as usize])
                    .filter(|a| a.level == Level::Province)
                    .min_by_key(|a| match (a.former, a.era) {
                        (false, Era::Post2025) => 0,
                        (false, Era::Pre2025) => 1,
                        (true, Era::Post2025) => 2,
                        (true, Era::Pre2025) => 3,
                    });
                if best.is_some() {
                    return best;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_split() {
        assert_eq!(
            split_type_prefix("tx. kỳ anh"),
            Some((TypeWord::ThiXa, "kỳ anh"))
        );
        assert_eq!(
            split_type_prefix("tp.vinh"),
            Some((TypeWord::ThanhPho, "vinh"))
        );
        assert_eq!(
            split_type_prefix("thành phố hà tĩnh"),
            Some((TypeWord::ThanhPho, "hà tĩnh"))
        );
        assert_eq!(
            split_type_prefix("h. kỳ anh"),
            Some((TypeWord::Huyen, "kỳ anh"))
        );
        assert_eq!(
            split_type_prefix("phường 12"),
            Some((TypeWord::Phuong, "12"))
        );
        assert_eq!(split_type_prefix("kỳ anh"), None);
        assert_eq!(split_type_prefix("huyện"), None);
        // "tp" needs a space or a dot: a name merely starting with those letters is kept.
        assert_eq!(split_type_prefix("tphcm"), None);
    }

    #[test]
    fn type_words_parse_alone() {
        assert_eq!(parse_type_word("huyện"), Some(TypeWord::Huyen));
        assert_eq!(parse_type_word("TX"), Some(TypeWord::ThiXa));
        assert_eq!(parse_type_word("TP."), Some(TypeWord::ThanhPho));
        assert_eq!(parse_type_word("Thị trấn"), Some(TypeWord::ThiTran));
        assert_eq!(parse_type_word("làng"), None);
        assert!(TypeWord::ThanhPho.matches("thành phố trung ương"));
        assert!(!TypeWord::Huyen.matches("thị xã"));
    }
}
