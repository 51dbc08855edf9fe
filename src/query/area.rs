//! Finding the stored area a user means by a name typed on the command line.
//!
//! People type "Ky Anh", "ky anh", "huyen Ky Anh" or "Kỳ Anh"; facts store the gazetteer's full
//! name ("huyện Kỳ Anh") and the province ("Hà Tĩnh"). The gazetteer turns the typed name into
//! every unit it could mean (both eras, any level when no level word is given); the store then
//! says which of those have facts of the indicator. One left: that is the area. Several: the name
//! is ambiguous and the error lists them, so that the user can add the level word or
//! `--province`. Nothing is guessed.

use crate::gazetteer::{AreaQuery, Gazetteer, Resolution};
use crate::store::AreaCount;
use crate::text::{ascii_key, name_key};

/// Why a typed area name does not lead to one series.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AreaError {
    /// Several stored areas match; the user must say which.
    #[error(
        "area {name:?} is ambiguous; candidates: {}. Add the level word (huyện, thị xã, xã…) or --province",
        .candidates.join("; ")
    )]
    Ambiguous {
        /// The name as typed.
        name: String,
        /// `area (province)` of every match.
        candidates: Vec<String>,
    },
    /// No stored area of that name has facts of the indicator.
    #[error("no facts of indicator {indicator:?} for area {name:?}{}", hint(.known))]
    NotFound {
        /// The name as typed.
        name: String,
        /// The indicator asked for.
        indicator: String,
        /// Units of that name the gazetteer knows (they have no facts of the indicator).
        known: Vec<String>,
    },
}

fn hint(known: &[String]) -> String {
    if known.is_empty() {
        String::new()
    } else {
        format!(" (known units of that name: {})", known.join("; "))
    }
}

/// The stored names (`full_name`) a typed name may stand for: every gazetteer unit it
/// resolves to, plus the text itself for areas the gazetteer does not know.
pub fn candidate_names(gaz: &Gazetteer, name: &str, province: Option<&str>) -> Vec<String> {
    let mut q = AreaQuery::new(name);
    q.province = province;
    let mut names: Vec<String> = match gaz.resolve(&q) {
        Resolution::Unique(a) => vec![a.full_name.clone()],
        Resolution::Ambiguous(list) => list.iter().map(|a| a.full_name.clone()).collect(),
        Resolution::NotFound => Vec::new(),
    };
    let typed = name.trim().to_string();
    if typed.is_ascii() {
        // The gazetteer tries accent-free keys only when the exact key matches nothing, so
        // "Ba Dinh" finds the one unit actually spelled that way and not "quận Ba Đình":
        // typed without diacritics, every unit whose name or full name folds to it is a
        // candidate (the facts then decide).
        let key = ascii_key(&typed);
        // Folding keeps the number of characters (NFC), so a cheap length test skips
        // almost every unit before the key is built.
        let key_len = key.chars().count();
        let bare_len = TYPE_WORDS
            .iter()
            .find_map(|w| key.strip_prefix(w))
            .map_or(key_len, |rest| rest.chars().count());
        names.extend(
            gaz.areas()
                .iter()
                .filter(|a| {
                    let n = a.name.chars().count();
                    let f = a.full_name.chars().count();
                    (n == key_len || n == bare_len || f == key_len)
                        && (ascii_key(&a.name) == key || ascii_key(&a.full_name) == key)
                })
                .map(|a| a.full_name.clone()),
        );
    }
    if !typed.is_empty() {
        names.push(typed);
    }
    names.sort();
    names.dedup();
    names
}

/// Level words typed without diacritics, with their space.
const TYPE_WORDS: [&str; 9] = [
    "huyen ",
    "thi xa ",
    "thanh pho ",
    "quan ",
    "xa ",
    "phuong ",
    "thi tran ",
    "tinh ",
    "dac khu ",
];

/// Whether a stored province is the one typed: compared without diacritics and without the
/// `tỉnh` / `thành phố` word, so that "ha tinh" is "Hà Tĩnh".
pub fn same_province(stored: Option<&str>, typed: &str) -> bool {
    match stored {
        Some(s) => place_key(s) == place_key(typed),
        None => false,
    }
}

fn place_key(s: &str) -> String {
    let k = ascii_key(s);
    for prefix in ["tinh ", "thanh pho ", "tp. ", "tp "] {
        if let Some(rest) = k.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    k
}

/// Chooses the one stored area among those with facts, or explains why not.
pub fn choose(
    name: &str,
    indicator: &str,
    province: Option<&str>,
    found: Vec<AreaCount>,
    gazetteer_names: &[String],
) -> Result<AreaCount, AreaError> {
    let mut found: Vec<AreaCount> = found
        .into_iter()
        .filter(|c| province.is_none_or(|p| same_province(c.province.as_deref(), p)))
        .collect();
    let typed = name_key(name);
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AreaError::NotFound {
            name: name.to_string(),
            indicator: indicator.to_string(),
            known: gazetteer_names
                .iter()
                .filter(|g| name_key(g) != typed)
                .cloned()
                .collect(),
        }),
        _ => Err(AreaError::Ambiguous {
            name: name.to_string(),
            candidates: found
                .iter()
                .map(|c| match &c.province {
                    Some(p) => format!("{} ({p})", c.area),
                    None => c.area.clone(),
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(area: &str, province: &str) -> AreaCount {
        AreaCount {
            area: area.into(),
            province: Some(province.into()),
            facts: 3,
        }
    }

    #[test]
    fn diacritic_free_name_reaches_the_gazetteer_units() {
        let names = candidate_names(Gazetteer::embedded(), "Ky Anh", Some("Ha Tinh"));
        assert!(names.iter().any(|n| n == "huyện Kỳ Anh"), "{names:?}");
        assert!(names.iter().any(|n| n == "thị xã Kỳ Anh"), "{names:?}");
    }

    #[test]
    fn accent_free_name_finds_units_spelled_with_diacritics() {
        // "Ba Dinh" is also the exact spelling of a commune elsewhere.
        let names = candidate_names(Gazetteer::embedded(), "Ba Dinh", Some("Hà Nội"));
        assert!(names.iter().any(|n| n == "quận Ba Đình"), "{names:?}");
        let names = candidate_names(Gazetteer::embedded(), "quan ba dinh", None);
        assert!(names.iter().any(|n| n == "quận Ba Đình"), "{names:?}");
    }

    #[test]
    fn one_area_with_data_is_chosen_several_are_ambiguous() {
        let g = vec!["huyện Kỳ Anh".to_string(), "thị xã Kỳ Anh".to_string()];
        let one = choose(
            "Ky Anh",
            "k",
            None,
            vec![count("huyện Kỳ Anh", "Hà Tĩnh")],
            &g,
        );
        assert_eq!(one.unwrap().area, "huyện Kỳ Anh");
        let two = choose(
            "Ky Anh",
            "k",
            None,
            vec![
                count("huyện Kỳ Anh", "Hà Tĩnh"),
                count("thị xã Kỳ Anh", "Hà Tĩnh"),
            ],
            &g,
        );
        match two {
            Err(AreaError::Ambiguous { candidates, .. }) => {
                assert_eq!(
                    candidates,
                    vec!["huyện Kỳ Anh (Hà Tĩnh)", "thị xã Kỳ Anh (Hà Tĩnh)"]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn province_narrows_and_is_compared_without_diacritics() {
        assert!(same_province(Some("Hà Tĩnh"), "tinh ha tinh"));
        let g = vec!["huyện Kỳ Anh".to_string()];
        let found = vec![
            count("huyện Kỳ Anh", "Hà Tĩnh"),
            count("huyện Kỳ Anh", "Nghệ An"),
        ];
        let r = choose("Ky Anh", "k", Some("ha tinh"), found, &g).unwrap();
        assert_eq!(r.province.as_deref(), Some("Hà Tĩnh"));
    }
}
