//! A trend as an inline SVG chart: the actual and target lines over the periods, the values in
//! Vietnamese formatting on the points and in their tooltips. Written by hand (a few dozen
//! elements) so that a page needs no script and no file beside it.

use super::html::{esc, num};
use crate::query::series::{Trend, TrendPoint};
use std::fmt::Write;

const W: f64 = 720.0;
const H: f64 = 260.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 45.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 40.0;

/// The SVG element of a trend (empty when no period has a value).
pub fn svg(t: &Trend) -> String {
    let values: Vec<f64> = t
        .rows
        .iter()
        .flat_map(|r| [&r.actual, &r.target])
        .filter_map(|p| p.as_ref().map(|p| p.value))
        .collect();
    if values.is_empty() {
        return String::new();
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // From zero, unless the values differ and sit far above it: then from a little below the
    // lowest, so that the change between periods shows.
    let lo = if min > 0.0 && hi > min && min > 0.5 * hi {
        min - 0.2 * (hi - min).max(min * 0.05)
    } else {
        min.min(0.0)
    };
    if hi <= lo {
        hi = lo + 1.0;
    }
    let n = t.rows.len();
    let x = |i: usize| {
        if n == 1 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (W - LEFT - RIGHT) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" \
         width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{}\">",
        esc(&format!("{} ({})", t.indicator_name, t.unit))
    );
    // Grid and y labels: the lowest value, the middle and the highest.
    for v in [lo, (lo + hi) / 2.0, hi] {
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - RIGHT,
            LEFT - 6.0,
            y(v) + 4.0,
            esc(&num(Some(v))),
            y = y(v)
        );
    }
    for (i, r) in t.rows.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(i),
            H - BOTTOM + 18.0,
            esc(&r.period)
        );
    }
    // Actual labels above their points, target labels below, so that close values stay legible.
    for (kind, class, dot, dy) in [
        ("actual", "actual", "pa", -8.0),
        ("target", "target", "pt", 16.0),
    ] {
        let points: Vec<(usize, &TrendPoint)> = t
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                if kind == "actual" {
                    r.actual.as_ref().map(|p| (i, p))
                } else {
                    r.target.as_ref().map(|p| (i, p))
                }
            })
            .collect();
        if points.is_empty() {
            continue;
        }
        let path: Vec<String> = points
            .iter()
            .map(|(i, p)| format!("{:.1},{:.1}", x(*i), y(p.value)))
            .collect();
        let _ = write!(
            out,
            "<g data-series=\"{kind}\"><polyline class=\"{class}\" points=\"{}\"/>",
            path.join(" ")
        );
        for (i, p) in &points {
            let label = num(Some(p.value));
            let _ = write!(
                out,
                "<circle class=\"{dot}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{} {}: {} {}\
                 </title></circle><text class=\"v\" data-period=\"{}\" x=\"{:.1}\" y=\"{:.1}\" \
                 text-anchor=\"middle\">{}</text>",
                x(*i),
                y(p.value),
                esc(kind_vi(kind)),
                esc(&t.rows[*i].period),
                esc(&label),
                esc(&t.unit),
                esc(&t.rows[*i].period),
                x(*i),
                y(p.value) + dy,
                esc(&label)
            );
        }
        out.push_str("</g>");
    }
    let _ = write!(
        out,
        "<g class=\"legend\"><line class=\"actual\" x1=\"{LEFT}\" x2=\"{}\" y1=\"12\" y2=\"12\"/>\
         <text x=\"{}\" y=\"16\">Thực hiện (actual)</text><line class=\"target\" x1=\"{}\" \
         x2=\"{}\" y1=\"12\" y2=\"12\"/><text x=\"{}\" y=\"16\">Kế hoạch (target)</text>\
         <text x=\"{}\" y=\"16\" text-anchor=\"end\">{}</text></g></svg>",
        LEFT + 24.0,
        LEFT + 30.0,
        LEFT + 160.0,
        LEFT + 184.0,
        LEFT + 190.0,
        W - RIGHT,
        esc(&t.unit)
    );
    out
}

fn kind_vi(kind: &str) -> &'static str {
    if kind == "actual" {
        "Thực hiện"
    } else {
        "Kế hoạch"
    }
}
