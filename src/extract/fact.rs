//! The fact: one indicator of one administrative area for one period.
//!
//! This struct is the contract between extraction, storage, alerts and exports; its JSON field
//! names are fixed by EXTRACTION.md (acceptance checks read them), so rename nothing here.

use serde::{Deserialize, Serialize};

/// Whether a number reports something achieved or something planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Achieved, reported or estimated.
    Actual,
    /// Plan, goal, forecast.
    Target,
}

impl Kind {
    /// The lower-case name used in JSON and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Actual => "actual",
            Kind::Target => "target",
        }
    }
}

/// One extracted indicator value. Optional fields are `null` in JSON when unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// Most specific administrative unit, with its level word: `huyện Kỳ Anh`.
    pub area: Option<String>,
    /// `province`, `district` or `commune`.
    pub area_level: Option<String>,
    /// Gazetteer code when the unit was resolved.
    pub area_code: Option<String>,
    /// Province the area belongs to, when known.
    pub province: Option<String>,
    /// The indicator phrase as written.
    pub metric: String,
    /// Canonical key from the indicator taxonomy, when the phrase is in it.
    pub indicator: Option<String>,
    /// The number, Vietnamese formatting decoded (the low end of a range).
    pub value: f64,
    /// The high end of a range (`từ 5 đến 7%`), else null.
    #[serde(default)]
    pub value_high: Option<f64>,
    /// Unit as written, lower case, NFC.
    pub unit: String,
    /// Value in the base unit (VND, kg, ha, kg/ha, %, count) where one is defined.
    pub value_base: Option<f64>,
    /// The base unit of `value_base`.
    pub unit_base: Option<String>,
    /// Denominator of a ratio such as `20/21 chỉ tiêu`.
    pub total: Option<f64>,
    /// The year the number describes (not the publication year).
    pub year: Option<i32>,
    /// `2023`, `2024-H1`, `2024-Q3`, `2024-9M`, `2021/2025`.
    pub period: Option<String>,
    /// Actual or target.
    pub kind: Kind,
    /// True for `khoảng`, `gần`, `hơn`, `trên`, `ước đạt`, `ước tính`.
    #[serde(default)]
    pub approx: bool,
    /// Percentage of plan attached to the fact (`đạt 107,79% kế hoạch` → 107.79).
    pub plan_pct: Option<f64>,
    /// Signed growth versus the previous period, in percent.
    pub yoy_pct: Option<f64>,
    /// The source sentence.
    pub sentence: String,
    /// Character (not byte) offsets `[start, end)` of the number in the text as given, or in
    /// the title when `from_title` is set.
    pub span: [usize; 2],
    /// The number stands in the title (given apart from the text) and nowhere in the body:
    /// `sentence` is the title and `span` points into it. Omitted from JSON when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_title: bool,
}
