//! Administrative units of Vietnam, before and after the July 2025 reform, and name lookup.
//!
//! The data (`data/gazetteer/`, see its README) is compiled into the binary and parsed once
//! (`Gazetteer::embedded`); `Gazetteer::load_dir` reads a user-supplied copy with the same file
//! names. Both eras are loaded side by side: the pre-reform structure (`*_2008_2025.csv` plus
//! the `_former` files of units renamed or dissolved before the reform, valid until 2025-06-30)
//! and the post-reform one (`*_2025.csv`, from 2025-07-01), with the province and commune maps
//! between them and the extra spellings of `aliases.csv`.
//!
//! # Resolution rules (`Gazetteer::resolve`)
//!
//! 1. **Type words.** A leading type word or abbreviation in the name (`huyện`, `H.`, `thị xã`,
//!    `TX`, `TX.`, `thành phố`, `TP`, `TP.`, `quận`/`Q.`, `phường`/`P.`, `xã`/`X.`,
//!    `thị trấn`/`TT`, `tỉnh`, `đặc khu`) and `AreaQuery::unit_type` both filter the unit type;
//!    `thành phố` matches province-level and district-level cities. A bare name matches any
//!    type. If the name without its type word matches nothing, the whole text is tried as a
//!    name (aliases such as "TP HCM"). An unknown `unit_type` word gives `NotFound`.
//! 2. **Names.** Compared by `text::name_key` (NFC/NFD input, both tone placements, apostrophes,
//!    hyphen spacing, case), including the spellings of `aliases.csv`. Only when the exact key
//!    finds no unit at all is `text::ascii_key` tried ("Ky Anh").
//! 3. **Numeric names** ("phường 12", "quận 1") match only with a type word.
//! 4. **Province context** keeps units whose province, in their own era, is the context
//!    province or is linked to it by the 2025 merger map: context "Quảng Bình" (pre-2025 only)
//!    accepts pre-2025 units of Quảng Bình and post-2025 units of Quảng Trị; context "Quảng
//!    Trị" accepts post-2025 Quảng Trị and pre-2025 Quảng Trị and Quảng Bình units. A context
//!    that names no province is ignored (it cannot be applied, and the caller's text may be
//!    noisy), not turned into `NotFound`.
//! 5. **Level and era** restrict when given.
//! 6. **Former units** (renamed/dissolved before the reform) are candidates only when no
//!    current unit of the same era passed the filters.
//! 7. **Both eras** (`era: None`): a pre-2025 unit is dropped when a post-2025 candidate has
//!    the same level, code and name (a commune or province that came through the reform
//!    unchanged is one unit; its post-2025 form is returned). Districts exist only before the
//!    reform, so district candidates are always pre-2025. Everything else that remains counts
//!    as a different unit.
//! 8. **Bare names.** With no type word and no `level`, only the candidates of the highest
//!    level that has any are kept (province > district > commune), as a reader takes a bare
//!    name for the largest unit so named: "Hà Tĩnh" is the province, "Kỳ Anh" the huyện or
//!    the thị xã (not the 2025 xã Kỳ Anh), "Bố Trạch" the pre-2025 huyện when both eras are
//!    asked. Give the type word or `level` (or `era: Some(Post2025)`) to reach smaller units.
//! 9. **Never guess.** One candidate left → `Unique`; several → `Ambiguous` (in file order:
//!    pre-2025 provinces, districts, communes, then post-2025); none → `NotFound`. "Kỳ Anh"
//!    in Hà Tĩnh without a type word is ambiguous (huyện and thị xã); "Châu Thành" without a
//!    province is ambiguous between ten huyện.
//!
//! All lookups are hash lookups on precomputed keys; nothing scans the ~16,000 units.

mod load;
mod resolve;

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use crate::text::{ascii_key, name_key};
use load::OldCommune;

use chrono::NaiveDate;

/// The level of an administrative unit; the district level exists only before the reform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Tỉnh or thành phố trung ương.
    Province,
    /// Huyện, thị xã, quận or provincial city (pre-2025 only).
    District,
    /// Xã, phường, thị trấn or đặc khu.
    Commune,
}

impl Level {
    /// The name used in the database and the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

/// Which code set a unit belongs to: the structure in force until 2025-06-30 or the one from
/// 2025-07-01 (district level abolished, 34 provinces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// 63 provinces, districts, communes; valid until 2025-06-30.
    Pre2025,
    /// 34 provinces and communes, from 2025-07-01.
    Post2025,
}

impl Era {
    /// The label used in the data files and the database ("2008_2025" | "2025").
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Pre2025 => "2008_2025",
            Era::Post2025 => "2025",
        }
    }

    /// The era in force on a date: from 2025-07-01 on, the post-reform structure.
    pub fn of_date(d: NaiveDate) -> Era {
        if d >= reform_date() {
            Era::Post2025
        } else {
            Era::Pre2025
        }
    }
}

/// The first day of the post-reform structure.
pub(crate) fn reform_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap_or_default()
}

/// One administrative unit of one era, as loaded from the gazetteer files.
#[derive(Debug, Clone)]
pub struct Area {
    /// Official statistical code ("42" province, "436" district, "18166" commune).
    pub code: String,
    /// Name without type word: "Kỳ Anh".
    pub name: String,
    /// Lower-case type word: "tỉnh", "thành phố", "huyện", "thị xã", "quận", "xã", "phường",
    /// "thị trấn", "đặc khu" (and "thành phố trung ương" for the six centrally run cities).
    pub unit_type: String,
    /// Type word + name: "huyện Kỳ Anh", "thành phố Hà Nội".
    pub full_name: String,
    /// Province, district or commune.
    pub level: Level,
    /// The code set the unit belongs to.
    pub era: Era,
    /// District for pre-2025 communes, province otherwise, `None` for provinces.
    pub parent_code: Option<String>,
    /// The province of the same era (its own code for a province).
    pub province_code: String,
    /// First day the unit is known with this name (`first_seen`, or 2025-07-01).
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity: 2025-06-30 for pre-reform units, the day before `gone_by` for
    /// former units, `None` for post-2025 units.
    pub valid_to: Option<NaiveDate>,
    /// True for a row of a `*_former.csv` file (renamed or dissolved before the reform).
    pub former: bool,
}

/// A lookup request: a name as written in an article plus whatever context is known.
#[derive(Debug, Clone, Copy)]
pub struct AreaQuery<'a> {
    /// The name, possibly with a level word or abbreviation ("huyện Kỳ Anh", "TX. Kỳ Anh").
    pub name: &'a str,
    /// A level word given separately ("huyện"); the same abbreviations are accepted.
    pub unit_type: Option<&'a str>,
    /// Restricts to one level.
    pub level: Option<Level>,
    /// Province context: a province name of either era, with or without "tỉnh".
    pub province: Option<&'a str>,
    /// Restricts to one era; `None` = both.
    pub era: Option<Era>,
}

impl<'a> AreaQuery<'a> {
    /// A query with only a name and no context.
    pub fn new(name: &'a str) -> Self {
        AreaQuery {
            name,
            unit_type: None,
            level: None,
            province: None,
            era: None,
        }
    }
}

/// The outcome of a lookup: never a guess.
#[derive(Debug)]
pub enum Resolution<'g> {
    /// Exactly one unit matches.
    Unique(&'g Area),
    /// Several different units match; the caller needs more context.
    Ambiguous(Vec<&'g Area>),
    /// Nothing matches.
    NotFound,
}

/// A problem in a gazetteer data file.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A row could not be parsed or refers to something missing.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// All administrative units of both eras with their indexes.
#[derive(Debug)]
pub struct Gazetteer {
    areas: Vec<Area>,
    /// (era, level) slot → code → area index; current units win over former ones.
    /// Codes are zero-padded decimal numbers of a fixed width per level, so the number is the key.
    by_code: [HashMap<u32, u32>; 6],
    /// name_key of names and aliases → area indexes.
    by_name: HashMap<String, Vec<u32>>,
    /// ascii_key of names and aliases → area indexes.
    by_ascii: HashMap<String, Vec<u32>>,
    /// Old province code → new province code.
    province_map: HashMap<String, String>,
    /// New province code → old province codes.
    province_rev: HashMap<String, Vec<String>>,
    /// New commune code → old communes.
    commune_map: OnceLock<HashMap<String, Vec<OldCommune>>>,
    /// The embedded `commune_map_2025.csv`, parsed on first use: only the 2025-to-former lookups
    /// need it, and its 0.8 MB is a good part of every command's start-up and of the daemon's
    /// memory. `None` when the map was parsed at load time (`load_dir`).
    commune_map_text: Option<&'static str>,
}

fn slot(era: Era, level: Level) -> usize {
    let e = match era {
        Era::Pre2025 => 0,
        Era::Post2025 => 3,
    };
    e + match level {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    }
}

impl Gazetteer {
    /// The gazetteer compiled into the binary, parsed on first use and shared afterwards.
    /// The embedded files are checked by the test suite, so a parse failure here is a build
    /// defect; it then yields an empty gazetteer (every lookup `NotFound`) instead of aborting
    /// the daemon, and logs the error.
    pub fn embedded() -> &'static Gazetteer {
        static G: OnceLock<Gazetteer> = OnceLock::new();
        G.get_or_init(|| {
            let names = load::FILES
                .iter()
                .chain(std::iter::once(&load::ALIASES_FILE))
                .map(|f| format!("embedded:{f}"))
                .collect::<Vec<_>>();
            let src = load::embedded_sources();
            let mut g = Self::build(&src, names, false).unwrap_or_else(|e| {
                tracing::error!(error = %e, "embedded gazetteer does not parse");
                Gazetteer::empty()
            });
            g.commune_map_text = Some(src.texts[9]);
            g
        })
    }

    /// Loads a user-supplied copy of `data/gazetteer/` (same file names), so the data can be
    /// updated without rebuilding. Errors name the file and line.
    pub fn load_dir(dir: &Path) -> Result<Gazetteer, GazetteerError> {
        let mut owned = Vec::with_capacity(load::FILES.len() + 1);
        let mut names = Vec::with_capacity(load::FILES.len() + 1);
        for f in load::FILES
            .iter()
            .chain(std::iter::once(&load::ALIASES_FILE))
        {
            let path = dir.join(f);
            let file = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|source| GazetteerError::Io {
                file: file.clone(),
                source,
            })?;
            owned.push(text);
            names.push(file);
        }
        let texts: [&str; 10] = std::array::from_fn(|i| owned[i].as_str());
        let src = load::Sources {
            texts,
            aliases: owned[10].as_str(),
        };
        Self::build(&src, names, true)
    }

    fn empty() -> Gazetteer {
        Gazetteer {
            areas: Vec::new(),
            by_code: Default::default(),
            by_name: HashMap::new(),
            by_ascii: HashMap::new(),
            province_map: HashMap::new(),
            province_rev: HashMap::new(),
            commune_map: OnceLock::new(),
            commune_map_text: None,
        }
    }

    /// Parses the sources and builds every index; the commune map too when
    /// `eager_commune_map`, else it is left for [`Gazetteer::commune_map`] to parse.
    fn build(
        src: &load::Sources<'_>,
        names: Vec<String>,
        eager_commune_map: bool,
    ) -> Result<Gazetteer, GazetteerError> {
        let names: [String; 11] = names.try_into().map_err(|_| GazetteerError::Invalid {
            file: String::new(),
            line: 0,
            message: "internal: wrong number of gazetteer files".to_string(),
        })?;
        let loaded = load::load(src, &names, eager_commune_map)?;
        let mut g = Gazetteer::empty();
        g.areas = loaded.areas;
        g.by_name.reserve(g.areas.len());
        g.by_ascii.reserve(g.areas.len());
        for (i, a) in g.areas.iter().enumerate() {
            let map = &mut g.by_code[slot(a.era, a.level)];
            let Some(code) = code_number(&a.code) else {
                continue;
            };
            match map.get(&code) {
                Some(&j) if !g.areas[j as usize].former => {}
                Some(_) if a.former => {}
                _ => {
                    map.insert(code, u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
        }
        for i in 0..g.areas.len() {
            let key = name_key(&g.areas[i].name);
            g.add_name(key, i);
        }
        for (row, file, line) in loaded.aliases {
            let (Some(level), Some(era)) =
                (load::parse_level(&row.level), load::parse_era(&row.era))
            else {
                return Err(GazetteerError::Invalid {
                    file,
                    line,
                    message: format!("bad level {:?} or era {:?}", row.level, row.era),
                });
            };
            let Some(i) = code_number(&row.code)
                .and_then(|c| g.by_code[slot(era, level)].get(&c))
                .map(|&i| i as usize)
            else {
                return Err(GazetteerError::Invalid {
                    file,
                    line,
                    message: format!(
                        "alias {:?}: no {} {} in era {}",
                        row.alias,
                        level.as_str(),
                        row.code,
                        era.as_str()
                    ),
                });
            };
            g.add_name(name_key(&row.alias), i);
        }
        for (old, new) in &loaded.province_map {
            g.province_rev
                .entry(new.clone())
                .or_default()
                .push(old.clone());
        }
        for olds in g.province_rev.values_mut() {
            olds.sort();
        }
        g.province_map = loaded.province_map;
        if eager_commune_map {
            let _ = g.commune_map.set(loaded.commune_map);
        }
        g.shrink();
        Ok(g)
    }

    /// Drops the spare capacity left by building: the gazetteer lives as long as the process, so
    /// its size is most of an idle daemon's memory.
    fn shrink(&mut self) {
        for a in &mut self.areas {
            for s in [
                &mut a.code,
                &mut a.name,
                &mut a.unit_type,
                &mut a.full_name,
                &mut a.province_code,
            ] {
                s.shrink_to_fit();
            }
            if let Some(p) = a.parent_code.as_mut() {
                p.shrink_to_fit();
            }
        }
        self.areas.shrink_to_fit();
        for m in &mut self.by_code {
            m.shrink_to_fit();
        }
        for m in [&mut self.by_name, &mut self.by_ascii] {
            m.values_mut().for_each(Vec::shrink_to_fit);
            m.shrink_to_fit();
        }
        self.province_rev.values_mut().for_each(Vec::shrink_to_fit);
    }

    /// 2025 commune code → the pre-2025 communes it was made from, parsed on first use for the
    /// embedded gazetteer (the files are checked by the test suite; a parse failure is logged
    /// and leaves the map empty).
    fn commune_map(&self) -> &HashMap<String, Vec<OldCommune>> {
        self.commune_map
            .get_or_init(|| match self.commune_map_text {
                Some(text) => load::parse_commune_map("embedded:commune_map_2025.csv", text)
                    .unwrap_or_else(|e| {
                        tracing::error!(error = %e, "embedded commune map does not parse");
                        HashMap::new()
                    }),
                None => HashMap::new(),
            })
    }

    /// Indexes one spelling of area `i` under its name key and its ASCII key.
    fn add_name(&mut self, key: String, i: usize) {
        let idx = u32::try_from(i).unwrap_or(u32::MAX);
        let ascii = ascii_key(&key);
        let v = self.by_ascii.entry(ascii).or_default();
        if !v.contains(&idx) {
            v.push(idx);
        }
        let v = self.by_name.entry(key).or_default();
        if !v.contains(&idx) {
            v.push(idx);
        }
    }

    fn name_lookup(&self, key: &str) -> &[u32] {
        self.by_name.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    fn ascii_lookup(&self, key: &str) -> &[u32] {
        self.by_ascii.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every unit of both eras, former units included (for loading the `areas` table).
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// The unit with this official code in this era and level. When a former unit shares its
    /// code with a current one (a rename), the current one is returned.
    pub fn get(&self, era: Era, level: Level, code: &str) -> Option<&Area> {
        self.by_code[slot(era, level)]
            .get(&code_number(code)?)
            .map(|&i| &self.areas[i as usize])
    }

    /// The parent unit of the same era: the district of a pre-2025 commune, the province of a
    /// district or a post-2025 commune, `None` for a province.
    pub fn parent(&self, area: &Area) -> Option<&Area> {
        let code = area.parent_code.as_deref()?;
        let level = match (area.level, area.era) {
            (Level::Province, _) => return None,
            (Level::Commune, Era::Pre2025) => Level::District,
            _ => Level::Province,
        };
        self.get(area.era, level, code)
    }

    /// The province of the same era (the area itself for a province).
    pub fn province_of(&self, area: &Area) -> Option<&Area> {
        self.get(area.era, Level::Province, &area.province_code)
    }

    /// A province by name, either era: "Thanh Hoá", "tỉnh Hà Tĩnh", "TP.HCM", "Quảng Bình".
    /// When the name exists in both eras, the post-2025 province is returned; former names
    /// only when no current province has the name; ASCII keys only when nothing else matched.
    pub fn find_province(&self, name: &str) -> Option<&Area> {
        self.find_province_impl(name)
    }

    /// The post-2025 province a pre-2025 province went into (every old province went whole
    /// into one new one). `None` for a post-2025 area or an unknown code.
    pub fn successor_province(&self, pre2025_province: &Area) -> Option<&Area> {
        if pre2025_province.era != Era::Pre2025 || pre2025_province.level != Level::Province {
            return None;
        }
        let new = self.province_map.get(&pre2025_province.code)?;
        self.get(Era::Post2025, Level::Province, new)
    }

    /// The pre-2025 districts of the old communes a 2025 commune was made from (including
    /// communes only partly merged into it), without duplicates, in map order. For the island
    /// đặc khu, which had no communes, the old island district. Empty for anything that is not
    /// a post-2025 commune.
    pub fn former_districts(&self, commune_2025: &Area) -> Vec<&Area> {
        let mut out: Vec<&Area> = Vec::new();
        for old in self.old_communes(commune_2025) {
            if let Some(d) = self.get(Era::Pre2025, Level::District, &old.old_district_code) {
                if !out.iter().any(|o| std::ptr::eq(*o, d)) {
                    out.push(d);
                }
            }
        }
        out
    }

    /// The pre-2025 communes a 2025 commune was made from (including partly merged ones), in
    /// map order. Empty for anything that is not a post-2025 commune.
    pub fn former_communes(&self, commune_2025: &Area) -> Vec<&Area> {
        let mut out: Vec<&Area> = Vec::new();
        for old in self.old_communes(commune_2025) {
            if old.old_code.is_empty() {
                continue;
            }
            if let Some(c) = self.get(Era::Pre2025, Level::Commune, &old.old_code) {
                if !out.iter().any(|o| std::ptr::eq(*o, c)) {
                    out.push(c);
                }
            }
        }
        out
    }

    fn old_communes(&self, commune_2025: &Area) -> &[OldCommune] {
        if commune_2025.era != Era::Post2025 || commune_2025.level != Level::Commune {
            return &[];
        }
        self.commune_map()
            .get(&commune_2025.code)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Is `key` — a `text::name_key`, without type word — the name or alias of any unit of
    /// either era? The extractor uses it to confirm candidate mentions, so it is one hash
    /// lookup. A key written without any diacritic is also checked against the ASCII keys
    /// ("ky anh"). Numeric names ("12") are included: the caller has the type word.
    pub fn is_area_name(&self, key: &str) -> bool {
        self.by_name.contains_key(key) || (key.is_ascii() && self.by_ascii.contains_key(key))
    }
}

/// The number of an official code (`"00004"` → 4); `None` for anything but ASCII digits.
fn code_number(code: &str) -> Option<u32> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    code.parse().ok()
}
