//! Tables flattened into text: a header row `Chỉ tiêu | Đơn vị | KH 2024 | TH 2024 | % KH` and
//! rows of cells separated by `|` (tabs arrive as `|` from normalisation).
//!
//! Each value cell of a row becomes a fact whose kind and year come from its column header
//! (`KH 2024` target, `TH 2024` / `ƯTH 2024` / `2023` actual); `% KH` and `So với 2018 (%)`
//! columns become the plan percentage and the growth of the row's actual value.

use super::number::parse_number;
use super::token::{TokKind, Toks};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Col {
    /// The indicator name.
    Metric,
    /// The unit.
    Unit,
    /// A value of a year (`None`: the year of the context); `target` for plans.
    Value { year: Option<i32>, target: bool },
    /// Percentage of plan.
    PlanPct,
    /// Ratio to the previous period in percent (`106,2` = +6.2%).
    YoyRatio,
    /// Growth in percent (`tăng 6,2`).
    YoyPct,
    /// Row number or anything else.
    Other,
}

/// One value of a row.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// The number token.
    pub tok: usize,
    /// The value.
    pub value: f64,
    /// Year of the column, if it names one.
    pub year: Option<i32>,
    /// Target column.
    pub target: bool,
    /// Plan percentage (actual cells only).
    pub plan_pct: Option<f64>,
    /// Growth (actual cells only).
    pub yoy_pct: Option<f64>,
}

/// One table row turned into values.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Tokens of the metric cell.
    pub metric: (usize, usize),
    /// Tokens of the unit cell.
    pub unit: (usize, usize),
    /// The row's tokens.
    pub span: (usize, usize),
    /// Value cells.
    pub cells: Vec<Cell>,
}

/// Splits tokens `from..to` at `|` into cell ranges.
fn cells(t: &Toks<'_>, from: usize, to: usize, out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut s = from;
    for k in from..to {
        if t.is_punct(k, '|') {
            out.push((s, k));
            s = k + 1;
        }
    }
    out.push((s, to));
}

fn year_in(t: &Toks<'_>, r: (usize, usize)) -> Option<i32> {
    (r.0..r.1).find_map(|k| {
        let w = t.low(k);
        if t.is_num(k) && w.len() == 4 {
            w.parse::<i32>().ok().filter(|y| (1990..=2100).contains(y))
        } else {
            None
        }
    })
}

/// Classifies a header cell.
fn column(t: &Toks<'_>, r: (usize, usize)) -> Col {
    let has = |p: &str| (r.0..r.1).any(|k| t.phrase_at(k, p).is_some_and(|e| e <= r.1));
    let first = t.low(r.0);
    let year = year_in(t, r);
    if has("chỉ tiêu") && year.is_none() || has("nội dung") || has("danh mục") {
        return Col::Metric;
    }
    if has("đơn vị") || first == "đvt" {
        return Col::Unit;
    }
    if has("%") && (has("kh") || has("kế hoạch") || has("dự toán")) {
        return Col::PlanPct;
    }
    if has("so với") || has("so cùng kỳ") || (has("%") && has("cùng kỳ")) {
        return Col::YoyRatio;
    }
    if has("tăng") && has("%") {
        return Col::YoyPct;
    }
    if has("kh") || has("kế hoạch") || has("mục tiêu") || has("chỉ tiêu") || has("dự toán")
    {
        return Col::Value { year, target: true };
    }
    if has("th")
        || has("ưth")
        || has("thực hiện")
        || has("ước")
        || has("năm")
        || (year.is_some() && r.1 - r.0 == 1)
    {
        return Col::Value {
            year,
            target: false,
        };
    }
    Col::Other
}

/// Finds the tables among paragraphs (`paras`: token ranges of lines) and returns their rows
/// with the index of the paragraph before the header (the table's heading), if any.
pub(crate) fn find_tables(t: &Toks<'_>, paras: &[(usize, usize)]) -> Vec<(Option<usize>, Row)> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut p = 0;
    while p < paras.len() {
        let (a, b) = paras[p];
        cells(t, a, b, &mut buf);
        if buf.len() < 3 {
            p += 1;
            continue;
        }
        let cols: Vec<Col> = buf.iter().map(|&r| column(t, r)).collect();
        let metric_col = cols.iter().position(|c| *c == Col::Metric);
        let unit_col = cols.iter().position(|c| *c == Col::Unit);
        let has_values = cols.iter().any(|c| matches!(c, Col::Value { .. }));
        let (Some(mc), true) = (metric_col, has_values) else {
            p += 1;
            continue;
        };
        let heading = p.checked_sub(1);
        let mut q = p + 1;
        while q < paras.len() {
            let (ra, rb) = paras[q];
            cells(t, ra, rb, &mut buf);
            if buf.len() != cols.len() {
                break;
            }
            let mut row = Row {
                metric: buf[mc],
                unit: unit_col.map(|u| buf[u]).unwrap_or((buf[mc].1, buf[mc].1)),
                span: (ra, rb),
                cells: Vec::new(),
            };
            let mut plan = None;
            let mut yoy = None;
            for (ci, &r) in buf.iter().enumerate() {
                let Some(v) = single_number(t, r) else {
                    continue;
                };
                match cols[ci] {
                    Col::Value { year, target } => row.cells.push(Cell {
                        tok: r.0,
                        value: v,
                        year,
                        target,
                        plan_pct: None,
                        yoy_pct: None,
                    }),
                    Col::PlanPct => plan = Some(v),
                    Col::YoyRatio => yoy = Some(if v > 30.0 { v - 100.0 } else { v }),
                    Col::YoyPct => yoy = Some(v),
                    _ => {}
                }
            }
            // Attributes belong to the last actual value of the row.
            if let Some(c) = row.cells.iter_mut().rev().find(|c| !c.target) {
                c.plan_pct = plan;
                c.yoy_pct = yoy.map(super::number::tidy);
            }
            if !row.cells.is_empty() && row.metric.1 > row.metric.0 {
                out.push((heading, row));
            }
            q += 1;
        }
        p = q;
    }
    out
}

/// The value of a cell holding exactly one number (a `-` sign allowed).
fn single_number(t: &Toks<'_>, r: (usize, usize)) -> Option<f64> {
    let (mut a, b) = r;
    let neg = t.is_punct(a, '-') && b > a + 1;
    if neg {
        a += 1;
    }
    if b != a + 1 || t.get(a).map(|x| x.kind) != Some(TokKind::Num) {
        return None;
    }
    let v = parse_number(t.low(a))?.value;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    #[test]
    fn header_and_rows() {
        let s = "Chỉ tiêu | Đơn vị | KH 2024 | TH 2024 | % KH\nThu ngân sách | tỷ đồng | 180 | 195,4 | 108,6";
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        let nl = v.iter().skip(1).position(|x| x.nl_before).unwrap() + 1;
        let rows = find_tables(&t, &[(0, nl), (nl, v.len())]);
        assert_eq!(rows.len(), 1);
        let cells = &rows[0].1.cells;
        assert_eq!(
            (cells[0].value, cells[0].target, cells[0].year),
            (180.0, true, Some(2024))
        );
        assert_eq!((cells[1].value, cells[1].plan_pct), (195.4, Some(108.6)));
    }
}
