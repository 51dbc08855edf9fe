//! Administrative units of Vietnam, before and after the July 2025 reform, and name lookup.
//! (Placeholder on main: the full module lands from the `extract` branch.)

/// Administrative level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Tỉnh or centrally governed city.
    Province,
    /// Huyện, thị xã, quận, provincial city (until June 2025).
    District,
    /// Xã, phường, thị trấn, đặc khu.
    Commune,
}

impl Level {
    /// Name used in the database and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

/// Which administrative structure a unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Era {
    /// Until 30 June 2025.
    Pre2025,
    /// From 1 July 2025.
    Post2025,
}

impl Era {
    /// Name used in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Era::Pre2025 => "2008_2025",
            Era::Post2025 => "2025",
        }
    }
}

/// One administrative unit.
#[derive(Debug, Clone)]
pub struct Area {
    /// Official code.
    pub code: String,
    /// Name without type word.
    pub name: String,
    /// Type word.
    pub unit_type: String,
    /// Type word + name.
    pub full_name: String,
    /// Level.
    pub level: Level,
    /// Era.
    pub era: Era,
    /// Parent unit code.
    pub parent_code: Option<String>,
    /// Province code.
    pub province_code: String,
    /// First day known valid.
    pub valid_from: Option<chrono::NaiveDate>,
    /// Last day valid.
    pub valid_to: Option<chrono::NaiveDate>,
    /// Renamed or dissolved before the reform.
    pub former: bool,
}

/// The administrative units (placeholder on main until the full module merges).
pub struct Gazetteer {
    areas: Vec<Area>,
}

impl Gazetteer {
    /// The built-in gazetteer.
    pub fn embedded() -> &'static Gazetteer {
        static EMPTY: Gazetteer = Gazetteer { areas: Vec::new() };
        &EMPTY
    }

    /// Every unit of both eras.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }
}
