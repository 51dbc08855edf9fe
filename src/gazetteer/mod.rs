//! Administrative units of Vietnam, before and after the July 2025 reform, and name lookup.
//!
//! (Stub landed first so the extractor can compile against the API; the loader and the
//! resolver follow.)

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
#[derive(Debug, Default)]
pub struct Gazetteer {
    areas: Vec<Area>,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary, parsed once.
    pub fn embedded() -> &'static Gazetteer {
        static G: std::sync::OnceLock<Gazetteer> = std::sync::OnceLock::new();
        G.get_or_init(Gazetteer::default)
    }

    /// Loads a user-supplied copy of `data/gazetteer/`.
    pub fn load_dir(_dir: &std::path::Path) -> Result<Gazetteer, GazetteerError> {
        Ok(Gazetteer::default())
    }

    /// Every unit of both eras (for loading the `areas` table).
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Resolves a name with its context; see the module header for the rules.
    pub fn resolve(&self, _q: &AreaQuery<'_>) -> Resolution<'_> {
        Resolution::NotFound
    }

    /// The unit with this code.
    pub fn get(&self, _era: Era, _level: Level, _code: &str) -> Option<&Area> {
        None
    }

    /// The parent unit of the same era.
    pub fn parent(&self, _area: &Area) -> Option<&Area> {
        None
    }

    /// The province of the same era.
    pub fn province_of(&self, _area: &Area) -> Option<&Area> {
        None
    }

    /// A province by name, either era, preferring post-2025.
    pub fn find_province(&self, _name: &str) -> Option<&Area> {
        None
    }

    /// The post-2025 province a pre-2025 province went into.
    pub fn successor_province(&self, _pre2025_province: &Area) -> Option<&Area> {
        None
    }

    /// The pre-2025 districts of the old communes a 2025 commune was made from.
    pub fn former_districts(&self, _commune_2025: &Area) -> Vec<&Area> {
        Vec::new()
    }

    /// The pre-2025 communes a 2025 commune was made from.
    pub fn former_communes(&self, _commune_2025: &Area) -> Vec<&Area> {
        Vec::new()
    }

    /// Is this `name_key` (without type word) the name of any unit?
    pub fn is_area_name(&self, _key: &str) -> bool {
        false
    }
}
