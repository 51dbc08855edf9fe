//! Printing a trend and the listings: a table for people (Vietnamese number formatting), CSV
//! and JSON for programs (plain numbers with a decimal point).

use super::series::{Trend, TrendPoint};
use std::io::{self, Write};

/// Output formats of `chiso trend` and `chiso query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, Vietnamese numbers (`8.850,26`).
    #[default]
    Table,
    /// Comma-separated, one header line.
    Csv,
    /// One JSON document.
    Json,
}

pub use crate::text::vn_number;

/// A percentage the Vietnamese way, signed ("+14,62%").
pub fn vn_pct(v: Option<f64>, signed: bool) -> String {
    match v {
        Some(v) if signed && v > 0.0 => format!("+{}%", vn_number(v, 2)),
        Some(v) => format!("{}%", vn_number(v, 2)),
        None => String::new(),
    }
}

fn vn_point(p: Option<&TrendPoint>) -> String {
    match p {
        Some(p) if p.disagree => format!("{} *", vn_number(p.value, 2)),
        Some(p) => vn_number(p.value, 2),
        None => String::new(),
    }
}

/// Writes rows as aligned columns (widths counted in characters, so diacritics align).
pub fn write_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("  "))?;
    for r in rows {
        writeln!(out, "{}", line(r.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

/// Prints a trend in one of the formats.
pub fn write_trend(out: &mut dyn Write, t: &Trend, format: Format) -> io::Result<()> {
    match format {
        Format::Table => write_trend_table(out, t),
        Format::Csv => write_trend_csv(out, t),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, t)?;
            writeln!(out)
        }
    }
}

fn write_trend_table(out: &mut dyn Write, t: &Trend) -> io::Result<()> {
    let place = match &t.province {
        Some(p) => format!("{} ({p})", t.area),
        None => t.area.clone(),
    };
    writeln!(
        out,
        "{place} — {} [{}], {}",
        t.indicator_name, t.indicator, t.unit
    )?;
    let header = [
        "period",
        "actual",
        "growth",
        "reported growth",
        "target",
        "achieved",
        "reported % of plan",
        "reports",
    ];
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            let reports = r.actual.as_ref().or(r.target.as_ref()).map(|p| p.reports);
            vec![
                r.period.clone(),
                vn_point(r.actual.as_ref()),
                vn_pct(r.growth_pct, true),
                vn_pct(r.reported_growth_pct, true),
                vn_point(r.target.as_ref()),
                vn_pct(r.achievement_pct, false),
                vn_pct(r.reported_plan_pct, false),
                reports.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    write_table(out, &header, &rows)?;
    if t.rows.is_empty() {
        writeln!(out, "(no facts in this range)")?;
    }
    if t.rows
        .iter()
        .flat_map(|r| [r.actual.as_ref(), r.target.as_ref()])
        .flatten()
        .any(|p| p.disagree)
    {
        writeln!(
            out,
            "* reports of this period disagree by more than 1 %; the most recent one is shown"
        )?;
    }
    Ok(())
}

/// Header of `chiso trend --format csv`.
pub const TREND_CSV_HEADER: [&str; 17] = [
    "area",
    "province",
    "indicator",
    "period",
    "year",
    "actual",
    "target",
    "unit",
    "actual_base",
    "target_base",
    "unit_base",
    "growth_pct",
    "reported_growth_pct",
    "achievement_pct",
    "reported_plan_pct",
    "reports",
    "disagree",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn write_trend_csv(out: &mut dyn Write, t: &Trend) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(TREND_CSV_HEADER)?;
    for r in &t.rows {
        let a = r.actual.as_ref();
        let tg = r.target.as_ref();
        let any = a.or(tg);
        w.write_record([
            t.area.clone(),
            t.province.clone().unwrap_or_default(),
            t.indicator.clone(),
            r.period.clone(),
            opt(r.year),
            opt(a.map(|p| p.value)),
            opt(tg.map(|p| p.value)),
            t.unit.clone(),
            opt(a.and_then(|p| p.value_base)),
            opt(tg.and_then(|p| p.value_base)),
            opt(any.and_then(|p| p.unit_base.clone())),
            opt(r.growth_pct),
            opt(r.reported_growth_pct),
            opt(r.achievement_pct),
            opt(r.reported_plan_pct),
            opt(any.map(|p| p.reports)),
            opt(any.map(|p| p.disagree)),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(vn_number(8850.26, 2), "8.850,26");
        assert_eq!(vn_number(1_234_567.0, 2), "1.234.567");
        assert_eq!(vn_number(-0.5, 2), "-0,5");
        assert_eq!(vn_number(100.0, 2), "100");
        assert_eq!(vn_pct(Some(14.62), true), "+14,62%");
        assert_eq!(vn_pct(Some(-3.0), true), "-3%");
    }

    #[test]
    fn table_columns_align_on_characters() {
        let mut out = Vec::new();
        let rows = vec![vec!["Kỳ Anh".to_string(), "1".to_string()]];
        write_table(&mut out, &["area", "n"], &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "area    n");
        assert_eq!(lines[2], "Kỳ Anh  1");
    }
}
