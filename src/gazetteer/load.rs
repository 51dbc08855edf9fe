//! Parsing of the gazetteer CSV files (`data/gazetteer/`) into `Area`s and the raw maps.
//!
//! The same code reads the copy embedded in the binary and a user-supplied directory, so the
//! two can never drift apart. Every error names the file and the line.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{reform_date, Area, Era, GazetteerError, Level};

/// Names of the files read, in load order; `load_dir` and the embedded copy use the same list.
pub(crate) const FILES: [&str; 10] = [
    "provinces_2008_2025.csv",
    "provinces_2008_2025_former.csv",
    "districts_2008_2025.csv",
    "districts_2008_2025_former.csv",
    "communes_2008_2025.csv",
    "communes_2008_2025_former.csv",
    "provinces_2025.csv",
    "communes_2025.csv",
    "province_map_2025.csv",
    "commune_map_2025.csv",
];

/// The aliases file, read last because it refers to the units.
pub(crate) const ALIASES_FILE: &str = "aliases.csv";

/// The texts of all files, in the order of `FILES`, plus the aliases.
pub(crate) struct Sources<'a> {
    pub texts: [&'a str; 10],
    pub aliases: &'a str,
}

/// The embedded copy of the data directory.
pub(crate) fn embedded_sources() -> Sources<'static> {
    Sources {
        texts: [
            include_str!("../../data/gazetteer/provinces_2008_2025.csv"),
            include_str!("../../data/gazetteer/provinces_2008_2025_former.csv"),
            include_str!("../../data/gazetteer/districts_2008_2025.csv"),
            include_str!("../../data/gazetteer/districts_2008_2025_former.csv"),
            include_str!("../../data/gazetteer/communes_2008_2025.csv"),
            include_str!("../../data/gazetteer/communes_2008_2025_former.csv"),
            include_str!("../../data/gazetteer/provinces_2025.csv"),
            include_str!("../../data/gazetteer/communes_2025.csv"),
            include_str!("../../data/gazetteer/province_map_2025.csv"),
            include_str!("../../data/gazetteer/commune_map_2025.csv"),
        ],
        aliases: include_str!("../../data/gazetteer/aliases.csv"),
    }
}

/// One row of any unit file; the columns a file lacks stay empty.
#[derive(Debug)]
struct UnitRow {
    code: String,
    name: String,
    unit_type: String,
    full_name: String,
    province_code: String,
    district_code: String,
    first_seen: String,
    gone_by: String,
}

/// The columns read from unit files; a trailing `?` marks a column some files lack.
const UNIT_COLUMNS: [&str; 8] = [
    "code",
    "name",
    "type",
    "full_name",
    "province_code?",
    "district_code?",
    "first_seen?",
    "gone_by?",
];

/// One row of `aliases.csv`.
#[derive(Debug)]
pub(crate) struct AliasRow {
    pub level: String,
    pub era: String,
    pub code: String,
    pub alias: String,
}

/// A pre-2025 commune that went (wholly or partly) into a 2025 commune.
#[derive(Debug, Clone)]
pub(crate) struct OldCommune {
    /// Empty for the island districts that had no communes.
    pub old_code: String,
    pub old_district_code: String,
}

/// Everything read from the files, before indexing.
pub(crate) struct Loaded {
    pub areas: Vec<Area>,
    /// Old province code → new province code.
    pub province_map: HashMap<String, String>,
    /// New commune code → the old communes it was made from, in file order.
    pub commune_map: HashMap<String, Vec<OldCommune>>,
    pub aliases: Vec<(AliasRow, String, u64)>,
}

/// The most columns `each_row` hands over (values live in a stack array).
const MAX_COLUMNS: usize = 8;

/// Reads all rows of a CSV text, calling `f` with the values of `columns` (in that order; an
/// absent optional column gives "") and the line number. Columns are looked up by header name
/// once, so a reordered user copy still loads; values are borrowed, not copied.
fn each_row<F>(file: &str, text: &str, columns: &[&str], mut f: F) -> Result<(), GazetteerError>
where
    F: FnMut(&[&str], u64) -> Result<(), String>,
{
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| invalid(file, 1, &e.to_string()))?
        .clone();
    let mut index: Vec<Option<usize>> = Vec::with_capacity(columns.len());
    for col in columns {
        let (name, optional) = match col.strip_suffix('?') {
            Some(n) => (n, true),
            None => (*col, false),
        };
        let at = headers.iter().position(|h| h == name);
        if at.is_none() && !optional {
            return Err(invalid(file, 1, &format!("missing column {name:?}")));
        }
        index.push(at);
    }
    let mut record = csv::StringRecord::new();
    if columns.len() > MAX_COLUMNS {
        return Err(invalid(file, 0, "internal: too many columns requested"));
    }
    loop {
        let more = rdr.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            invalid(file, line, &e.to_string())
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let mut values: [&str; MAX_COLUMNS] = [""; MAX_COLUMNS];
        for (slot, at) in values.iter_mut().zip(&index) {
            *slot = at.and_then(|i| record.get(i)).unwrap_or("");
        }
        f(&values[..index.len()], line).map_err(|m| invalid(file, line, &m))?;
    }
    Ok(())
}

fn invalid(file: &str, line: u64, message: &str) -> GazetteerError {
    GazetteerError::Invalid {
        file: file.to_string(),
        line,
        message: message.to_string(),
    }
}

fn parse_date(s: &str, column: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|e| format!("bad {column} {s:?}: {e}"))
}

/// Which kind of unit a file holds.
struct FileKind {
    level: Level,
    era: Era,
    former: bool,
}

fn file_kind(index: usize) -> Option<FileKind> {
    let (level, era, former) = match index {
        0 => (Level::Province, Era::Pre2025, false),
        1 => (Level::Province, Era::Pre2025, true),
        2 => (Level::District, Era::Pre2025, false),
        3 => (Level::District, Era::Pre2025, true),
        4 => (Level::Commune, Era::Pre2025, false),
        5 => (Level::Commune, Era::Pre2025, true),
        6 => (Level::Province, Era::Post2025, false),
        7 => (Level::Commune, Era::Post2025, false),
        _ => return None,
    };
    Some(FileKind { level, era, former })
}

/// Turns a unit row into an `Area`, checking the columns its level needs.
fn area_from_row(row: UnitRow, kind: &FileKind) -> Result<Area, String> {
    if row.code.is_empty() || row.name.is_empty() || row.unit_type.is_empty() {
        return Err("empty code, name or type".to_string());
    }
    let last_pre_day = reform_date().pred_opt().unwrap_or_default();
    let (parent_code, province_code) = match (kind.level, kind.era) {
        (Level::Province, _) => (None, row.code.clone()),
        (Level::District, _) | (Level::Commune, Era::Post2025) => {
            if row.province_code.is_empty() {
                return Err("empty province_code".to_string());
            }
            (Some(row.province_code.clone()), row.province_code)
        }
        (Level::Commune, Era::Pre2025) => {
            if row.province_code.is_empty() || row.district_code.is_empty() {
                return Err("empty province_code or district_code".to_string());
            }
            (Some(row.district_code), row.province_code)
        }
    };
    let (valid_from, valid_to) = match kind.era {
        Era::Post2025 => (Some(reform_date()), None),
        Era::Pre2025 => {
            let from = parse_date(&row.first_seen, "first_seen")?;
            let to = if kind.former {
                parse_date(&row.gone_by, "gone_by")?.and_then(|d| d.pred_opt())
            } else {
                Some(last_pre_day)
            };
            (from, to)
        }
    };
    Ok(Area {
        code: row.code,
        name: row.name,
        unit_type: row.unit_type,
        full_name: row.full_name,
        level: kind.level,
        era: kind.era,
        parent_code,
        province_code,
        valid_from,
        valid_to,
        former: kind.former,
    })
}

/// Parses all files (the commune map only when `eager_commune_map`: the embedded one is parsed on
/// first use). `names` are the file names used in errors (a path for `load_dir`).
pub(crate) fn load(
    src: &Sources<'_>,
    names: &[String; 11],
    eager_commune_map: bool,
) -> Result<Loaded, GazetteerError> {
    let mut areas = Vec::with_capacity(16_500);
    let mut province_map = HashMap::new();
    let mut commune_map: HashMap<String, Vec<OldCommune>> = HashMap::new();
    for (i, text) in src.texts.iter().enumerate() {
        let file = names[i].as_str();
        if let Some(kind) = file_kind(i) {
            each_row(file, text, &UNIT_COLUMNS, |v, _| {
                let row = UnitRow {
                    code: v[0].to_string(),
                    name: v[1].to_string(),
                    unit_type: v[2].to_string(),
                    full_name: v[3].to_string(),
                    province_code: v[4].to_string(),
                    district_code: v[5].to_string(),
                    first_seen: v[6].to_string(),
                    gone_by: v[7].to_string(),
                };
                areas.push(area_from_row(row, &kind)?);
                Ok(())
            })?;
        } else if i == 8 {
            each_row(file, text, &["old_code", "new_code"], |v, _| {
                if v[0].is_empty() || v[1].is_empty() {
                    return Err("empty old_code or new_code".to_string());
                }
                province_map.insert(v[0].to_string(), v[1].to_string());
                Ok(())
            })?;
        } else if eager_commune_map {
            commune_map = parse_commune_map(file, text)?;
        }
    }
    let mut aliases = Vec::with_capacity(1_100);
    let alias_file = names[10].as_str();
    let cols = ["level", "era", "code", "alias"];
    each_row(alias_file, src.aliases, &cols, |v, line| {
        if v[3].is_empty() || v[2].is_empty() {
            return Err("empty alias or code".to_string());
        }
        let row = AliasRow {
            level: v[0].to_string(),
            era: v[1].to_string(),
            code: v[2].to_string(),
            alias: v[3].to_string(),
        };
        aliases.push((row, alias_file.to_string(), line));
        Ok(())
    })?;
    Ok(Loaded {
        areas,
        province_map,
        commune_map,
        aliases,
    })
}

/// Parses `commune_map_2025.csv`: 2025 commune code → the pre-2025 communes it was made from.
pub(crate) fn parse_commune_map(
    file: &str,
    text: &str,
) -> Result<HashMap<String, Vec<OldCommune>>, GazetteerError> {
    let mut commune_map: HashMap<String, Vec<OldCommune>> = HashMap::with_capacity(3_400);
    let cols = ["old_code", "old_district_code", "new_code"];
    each_row(file, text, &cols, |v, _| {
        if v[2].is_empty() {
            return Err("empty new_code".to_string());
        }
        let old = OldCommune {
            old_code: v[0].to_string(),
            old_district_code: v[1].to_string(),
        };
        match commune_map.get_mut(v[2]) {
            Some(list) => list.push(old),
            None => {
                commune_map.insert(v[2].to_string(), vec![old]);
            }
        }
        Ok(())
    })?;
    commune_map.values_mut().for_each(Vec::shrink_to_fit);
    commune_map.shrink_to_fit();
    Ok(commune_map)
}

/// Parses the `level` column of aliases.csv.
pub(crate) fn parse_level(s: &str) -> Option<Level> {
    match s {
        "province" => Some(Level::Province),
        "district" => Some(Level::District),
        "commune" => Some(Level::Commune),
        _ => None,
    }
}

/// Parses the `era` column of aliases.csv.
pub(crate) fn parse_era(s: &str) -> Option<Era> {
    match s {
        "2008_2025" => Some(Era::Pre2025),
        "2025" => Some(Era::Post2025),
        _ => None,
    }
}
