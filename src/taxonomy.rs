//! The indicator taxonomy: canonical keys, Vietnamese names, aliases and units.
//!
//! `config/indicators.toml` lists every indicator chiso knows (`[[indicator]]` tables with
//! `key`, `name`, `aliases`, `unit`, `base_unit`, optional `kind = "rate"` and optional
//! `exclude`). The file is compiled into the binary (`Taxonomy::embedded`) and can be replaced
//! at run time (`Taxonomy::from_file`). Loading is strict because a silent mistake here
//! mislabels data for good: unknown fields, duplicate keys, one alias claimed by two
//! indicators and unknown base units are errors that name the file, the line and the key.
//!
//! `match_metric` maps a metric phrase from an article to an indicator. It runs thousands of
//! times per second in the extractor, so all aliases are compiled at load time into one
//! Aho-Corasick automaton over their `text::name_key`s (a second one over `text::ascii_key`s
//! serves text typed without diacritics).

use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::{ascii_key, name_key};

/// Base units values may be converted to; anything else in `base_unit` is a load error.
pub const BASE_UNITS: [&str; 18] = [
    "VND",
    "USD",
    "kg",
    "ha",
    "kg/ha",
    "VND/ha",
    "VND/person",
    "VND/person/year",
    "VND/person/month",
    "USD/person/year",
    "%",
    "count",
    "person",
    "km",
    "m2",
    "kWh",
    "per10k",
    "score",
];

/// The fields an `[[indicator]]` table may have.
const FIELDS: [&str; 7] = [
    "key",
    "name",
    "aliases",
    "unit",
    "base_unit",
    "kind",
    "exclude",
];

/// One indicator of the taxonomy.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Indicator {
    /// Canonical key stored with each fact ("grdp_growth"); stable across releases.
    pub key: String,
    /// Vietnamese name, also matched like an alias.
    pub name: String,
    /// Phrases used for it in reports, abbreviations included ("GRDP", "NTM", "OCOP").
    pub aliases: Vec<String>,
    /// Canonical unit as written in reports ("tỷ đồng", "tạ/ha", "%").
    pub unit: String,
    /// Base unit values are converted to (one of `BASE_UNITS`).
    pub base_unit: String,
    /// `Some("rate")` for growth and percentage indicators.
    #[serde(default)]
    pub kind: Option<String>,
    /// Phrases that veto this indicator when the metric phrase contains them ("phương án"
    /// keeps "sản phẩm OCOP được hỗ trợ xây dựng phương án" from counting as OCOP products).
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// A problem in an indicator file. Every variant names the file (`origin`) and, where one
/// exists, the line and the indicator key, so a user can fix their copy.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Not valid TOML, or not the expected shape.
    #[error("{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What the parser said (with its own line and column).
        message: String,
    },
    /// A field the taxonomy does not know (often a typo of a known one).
    #[error("{file}:{line}: indicator {key:?}: unknown field {field:?}")]
    UnknownField {
        /// The file.
        file: String,
        /// Line of the indicator's `key =` (0 when unknown).
        line: usize,
        /// The indicator key.
        key: String,
        /// The unknown field.
        field: String,
    },
    /// Two indicators with one key.
    #[error("{file}:{line}: duplicate indicator key {key:?}")]
    DuplicateKey {
        /// The file.
        file: String,
        /// Line of the second occurrence.
        line: usize,
        /// The key.
        key: String,
    },
    /// One alias (compared by `name_key`) claimed by two indicators.
    #[error("{file}:{line}: indicator {key:?}: alias {alias:?} already belongs to {other:?}")]
    DuplicateAlias {
        /// The file.
        file: String,
        /// Line of the indicator claiming it second.
        line: usize,
        /// That indicator's key.
        key: String,
        /// The alias.
        alias: String,
        /// The indicator that claimed it first.
        other: String,
    },
    /// `base_unit` not in `BASE_UNITS`.
    #[error("{file}:{line}: indicator {key:?}: unknown base_unit {base_unit:?}")]
    BadBaseUnit {
        /// The file.
        file: String,
        /// Line of the indicator's key.
        line: usize,
        /// The indicator key.
        key: String,
        /// The rejected value.
        base_unit: String,
    },
    /// A missing or mistyped field, an empty key or alias list, a bad `kind`.
    #[error("{file}:{line}: indicator {key:?}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// Line of the indicator's key.
        line: usize,
        /// The indicator key ("" when missing).
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// One pattern of the automata: which indicator, and how long in characters / words.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    indicator: usize,
    chars: usize,
    words: usize,
}

/// An automaton over alias keys with the pattern table it indexes.
#[derive(Debug)]
struct Matcher {
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
}

/// The loaded taxonomy with its alias matchers.
#[derive(Debug)]
pub struct Taxonomy {
    indicators: Vec<Indicator>,
    by_key: std::collections::HashMap<String, usize>,
    /// `name_key`s of each indicator's `exclude` phrases.
    excludes: Vec<Vec<String>>,
    exact: Option<Matcher>,
    ascii: Option<Matcher>,
}

/// The 1-based line of `key = "<key>"` in the text, for error messages (0 if not found).
fn line_of_key(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with("key") && t.contains(&needle)
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}

fn build_matcher(
    patterns: Vec<(String, Pattern)>,
    origin: &str,
) -> Result<Option<Matcher>, TaxonomyError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(patterns.iter().map(|(k, _)| k.as_str()))
        .map_err(|e| TaxonomyError::Parse {
            file: origin.to_string(),
            message: format!("cannot build the alias matcher: {e}"),
        })?;
    Ok(Some(Matcher {
        ac,
        patterns: patterns.into_iter().map(|(_, p)| p).collect(),
    }))
}

/// True when the byte range `[start, end)` of `s` is bounded by non-alphanumeric characters.
fn whole_words(s: &str, start: usize, end: usize) -> bool {
    let before_ok = s[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric());
    let after_ok = s[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    before_ok && after_ok
}

/// True when `needle` occurs in `hay` as whole words ("hồ sơ" is not inside "hồ sơn").
fn contains_words(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle)
        .any(|(at, m)| whole_words(hay, at, at + m.len()))
}

impl Taxonomy {
    /// The taxonomy compiled into the binary (`config/indicators.toml`), parsed once. The file
    /// is checked by the test suite; if it ever failed to parse, the error is logged and an
    /// empty taxonomy (every phrase unmatched) is used rather than aborting the daemon.
    pub fn embedded() -> &'static Taxonomy {
        static T: OnceLock<Taxonomy> = OnceLock::new();
        T.get_or_init(|| {
            Taxonomy::from_toml(
                include_str!("../config/indicators.toml"),
                "embedded:config/indicators.toml",
            )
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "embedded taxonomy does not load");
                Taxonomy::empty()
            })
        })
    }

    fn empty() -> Taxonomy {
        Taxonomy {
            indicators: Vec::new(),
            by_key: Default::default(),
            excludes: Vec::new(),
            exact: None,
            ascii: None,
        }
    }

    /// Loads a user's taxonomy file (same format as `config/indicators.toml`).
    pub fn from_file(path: &Path) -> Result<Taxonomy, TaxonomyError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TaxonomyError::Io {
            file: file.clone(),
            source,
        })?;
        Self::from_toml(&text, &file)
    }

    /// Parses and checks a taxonomy; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Taxonomy, TaxonomyError> {
        let file = || origin.to_string();
        let root: toml::Table = toml::from_str(text).map_err(|e| TaxonomyError::Parse {
            file: file(),
            message: e.to_string(),
        })?;
        if let Some(other) = root.keys().find(|k| *k != "indicator") {
            return Err(TaxonomyError::Parse {
                file: file(),
                message: format!("unknown top-level field {other:?} (expected [[indicator]])"),
            });
        }
        let Some(list) = root.get("indicator").and_then(|v| v.as_array()) else {
            return Err(TaxonomyError::Parse {
                file: file(),
                message: "no [[indicator]] tables".to_string(),
            });
        };
        let mut tax = Taxonomy::empty();
        let mut alias_owner: std::collections::HashMap<String, usize> = Default::default();
        let mut exact = Vec::new();
        let mut ascii = Vec::new();
        for value in list {
            let key = value
                .get("key")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_string();
            let line = line_of_key(text, &key);
            let invalid = |message: String| TaxonomyError::Invalid {
                file: file(),
                line,
                key: key.clone(),
                message,
            };
            let Some(table) = value.as_table() else {
                return Err(invalid("[[indicator]] entry is not a table".to_string()));
            };
            if let Some(field) = table.keys().find(|f| !FIELDS.contains(&f.as_str())) {
                return Err(TaxonomyError::UnknownField {
                    file: file(),
                    line,
                    key,
                    field: field.clone(),
                });
            }
            let ind: Indicator = value
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| invalid(e.message().to_string()))?;
            if ind.key.is_empty()
                || !ind
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(invalid(
                    "key must be non-empty snake_case ASCII".to_string(),
                ));
            }
            if tax.by_key.contains_key(&ind.key) {
                // The line of the second occurrence.
                let second = text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| {
                        let t = l.trim_start();
                        t.starts_with("key") && t.contains(&format!("\"{}\"", ind.key))
                    })
                    .nth(1)
                    .map(|(i, _)| i + 1)
                    .unwrap_or(line);
                return Err(TaxonomyError::DuplicateKey {
                    file: file(),
                    line: second,
                    key: ind.key,
                });
            }
            if !BASE_UNITS.contains(&ind.base_unit.as_str()) {
                return Err(TaxonomyError::BadBaseUnit {
                    file: file(),
                    line,
                    key: ind.key,
                    base_unit: ind.base_unit,
                });
            }
            if ind.kind.as_deref().is_some_and(|k| k != "rate") {
                return Err(invalid(format!(
                    "kind must be \"rate\", not {:?}",
                    ind.kind
                )));
            }
            if ind.aliases.is_empty() || ind.unit.trim().is_empty() || ind.name.trim().is_empty() {
                return Err(invalid(
                    "name, unit and at least one alias are required".to_string(),
                ));
            }
            let idx = tax.indicators.len();
            let mut own: Vec<String> = Vec::new();
            for alias in std::iter::once(&ind.name).chain(ind.aliases.iter()) {
                let k = name_key(alias);
                if k.is_empty() {
                    return Err(invalid("empty alias".to_string()));
                }
                if own.contains(&k) {
                    continue;
                }
                if let Some(&other) = alias_owner.get(&k) {
                    return Err(TaxonomyError::DuplicateAlias {
                        file: file(),
                        line,
                        key: ind.key,
                        alias: alias.clone(),
                        other: tax.indicators[other].key.clone(),
                    });
                }
                alias_owner.insert(k.clone(), idx);
                own.push(k);
            }
            for k in own {
                let pattern = Pattern {
                    indicator: idx,
                    chars: k.chars().count(),
                    words: k.split(' ').count(),
                };
                let a = ascii_key(&k);
                if !ascii
                    .iter()
                    .any(|(x, p): &(String, Pattern)| *x == a && p.indicator == idx)
                {
                    ascii.push((a, pattern));
                }
                exact.push((k, pattern));
            }
            tax.excludes.push(
                ind.exclude
                    .iter()
                    .map(|e| name_key(e))
                    .filter(|e| !e.is_empty())
                    .collect(),
            );
            tax.by_key.insert(ind.key.clone(), idx);
            tax.indicators.push(ind);
        }
        tax.exact = build_matcher(exact, origin)?;
        tax.ascii = build_matcher(ascii, origin)?;
        Ok(tax)
    }

    /// The indicator with this key.
    pub fn get(&self, key: &str) -> Option<&Indicator> {
        self.by_key.get(key).map(|&i| &self.indicators[i])
    }

    /// All indicators in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter()
    }

    /// Number of indicators.
    pub fn len(&self) -> usize {
        self.indicators.len()
    }

    /// True when there is no indicator.
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
    }

    /// The indicator whose name or alias best matches a metric phrase as written in an
    /// article. Rules: aliases are compared by `name_key` on whole words; the longest alias
    /// contained in the phrase wins ("sản phẩm OCOP 4 sao" → `ocop_products_4star`, not
    /// `ocop_products`); on equal length, the alias with more words, then the more specific
    /// indicator (a key extending the other's, `ocop_products_4star` over `ocop_products`),
    /// then the earlier match. An indicator whose `exclude` phrase occurs in the phrase is
    /// skipped. Only a phrase written without any diacritic is compared by `ascii_key`, and
    /// only when the exact keys found nothing (accent-free text; with accents, ASCII keys
    /// would confuse distinct words such as "lúa" and "lụa").
    pub fn match_metric(&self, phrase: &str) -> Option<&Indicator> {
        let key = name_key(phrase);
        if key.is_empty() {
            return None;
        }
        if let Some(i) = self.best(self.exact.as_ref(), &key) {
            return Some(&self.indicators[i]);
        }
        if key.is_ascii() {
            let a = ascii_key(&key);
            if let Some(i) = self.best(self.ascii.as_ref(), &a) {
                return Some(&self.indicators[i]);
            }
        }
        None
    }

    /// The preferred indicator among all whole-word matches of `m` in `key`.
    fn best(&self, m: Option<&Matcher>, key: &str) -> Option<usize> {
        let m = m?;
        let mut best: Option<(Pattern, usize)> = None;
        for hit in m.ac.find_overlapping_iter(key) {
            if !whole_words(key, hit.start(), hit.end()) {
                continue;
            }
            let p = m.patterns[hit.pattern().as_usize()];
            let excluded = self.excludes[p.indicator]
                .iter()
                .any(|e| contains_words(key, e));
            if excluded {
                continue;
            }
            let better = match best {
                None => true,
                Some((b, b_start)) => self.prefer(p, hit.start(), b, b_start),
            };
            if better {
                best = Some((p, hit.start()));
            }
        }
        best.map(|(p, _)| p.indicator)
    }

    /// Is match `a` (at `a_start`) preferred over match `b`?
    fn prefer(&self, a: Pattern, a_start: usize, b: Pattern, b_start: usize) -> bool {
        if a.chars != b.chars {
            return a.chars > b.chars;
        }
        if a.words != b.words {
            return a.words > b.words;
        }
        if a.indicator != b.indicator {
            let (ka, kb) = (
                &self.indicators[a.indicator].key,
                &self.indicators[b.indicator].key,
            );
            let a_extends = ka.len() > kb.len() && ka.starts_with(kb.as_str());
            let b_extends = kb.len() > ka.len() && kb.starts_with(ka.as_str());
            if a_extends != b_extends {
                return a_extends;
            }
        }
        a_start < b_start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[[indicator]]
key = "ocop_products"
name = "Sản phẩm OCOP"
aliases = ["sản phẩm OCOP"]
unit = "sản phẩm"
base_unit = "count"
exclude = ["phương án"]

[[indicator]]
key = "ocop_products_4star"
name = "Sản phẩm OCOP 4 sao"
aliases = ["OCOP 4 sao"]
unit = "sản phẩm"
base_unit = "count"
"#;

    #[test]
    fn longest_whole_word_alias_wins() {
        let t = Taxonomy::from_toml(SMALL, "small.toml").unwrap();
        assert_eq!(t.len(), 2);
        let key = |p: &str| t.match_metric(p).map(|i| i.key.as_str());
        assert_eq!(key("sản phẩm OCOP 4 sao"), Some("ocop_products_4star"));
        assert_eq!(key("các sản phẩm OCOP"), Some("ocop_products"));
        assert_eq!(key("san pham ocop"), Some("ocop_products"));
        assert_eq!(key("sản phẩm OCOPX"), None);
        assert_eq!(key("sản phẩm OCOP được hỗ trợ xây dựng phương án"), None);
        assert_eq!(key("sản phẩm OCOP phương ánh"), Some("ocop_products"));
        assert_eq!(key(""), None);
    }

    #[test]
    fn bad_base_unit_and_kind_are_rejected() {
        let bad = SMALL.replacen("base_unit = \"count\"", "base_unit = \"pieces\"", 1);
        let err = Taxonomy::from_toml(&bad, "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.toml") && err.contains("pieces"), "{err}");
        let bad = SMALL.replacen("exclude", "kind = \"speed\"\nexclude", 1);
        let err = Taxonomy::from_toml(&bad, "bad.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("ocop_products") && err.contains("kind"),
            "{err}"
        );
    }
}
