//! `chiso trend --chart FILE.svg|FILE.png`: actual and target lines over the periods.
//!
//! Drawn with plotters. The text is laid out with DejaVu Sans (shipped in `assets/fonts`, free
//! licence beside it) so that Vietnamese diacritics render in PNG; SVG names the family and lets
//! the viewer's font draw the text. The PNG is encoded here (not by plotters' `image` encoder)
//! so that the title can also be written as a `tEXt` chunk that programs and tests can read.

use super::series::Trend;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::OnceLock;

/// The font compiled in for chart text.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Family name under which the font is registered and which the SVG names.
const FAMILY: &str = "DejaVu Sans";

/// Chart size in pixels.
pub const SIZE: (u32, u32) = (960, 540);

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The file name ends neither in `.svg` nor in `.png`.
    #[error("chart file {0:?} must end in .svg or .png")]
    Extension(String),
    /// There is nothing to draw.
    #[error("no values to draw")]
    Empty,
    /// The shipped font did not load (a build defect).
    #[error("the chart font does not load")]
    Font,
    /// plotters failed while drawing.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// PNG encoding failed.
    #[error("cannot encode PNG: {0}")]
    Png(#[from] png::EncodingError),
}

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn register_font() -> Result<(), ChartError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// The chart title: area (province) — Vietnamese indicator name.
pub fn title(t: &Trend) -> String {
    match &t.province {
        Some(p) => format!("{} ({p}) — {}", t.area, t.indicator_name),
        None => format!("{} — {}", t.area, t.indicator_name),
    }
}

/// Draws the trend into `path`, SVG or PNG by the extension.
pub fn write_chart(t: &Trend, path: &Path) -> Result<(), ChartError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let shown = path.display().to_string();
    let io = |source| ChartError::Io {
        path: shown.clone(),
        source,
    };
    match ext.as_deref() {
        Some("svg") => {
            let mut svg = String::new();
            {
                let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
                draw(&root, t)?;
                root.present().map_err(draw_err)?;
            }
            std::fs::write(path, svg).map_err(io)
        }
        Some("png") => {
            let (w, h) = SIZE;
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, SIZE).into_drawing_area();
                draw(&root, t)?;
                root.present().map_err(draw_err)?;
            }
            let file = std::fs::File::create(path).map_err(io)?;
            let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            enc.add_itxt_chunk("Title".to_string(), title(t))?;
            let mut writer = enc.write_header()?;
            writer.write_image_data(&buf)?;
            writer.finish()?;
            Ok(())
        }
        _ => Err(ChartError::Extension(shown)),
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    t: &Trend,
) -> Result<(), ChartError> {
    register_font()?;
    let actual: Vec<(usize, f64)> = t
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.actual.as_ref().map(|p| (i, p.value)))
        .collect();
    let target: Vec<(usize, f64)> = t
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.target.as_ref().map(|p| (i, p.value)))
        .collect();
    if actual.is_empty() && target.is_empty() {
        return Err(ChartError::Empty);
    }
    let values = actual.iter().chain(&target).map(|(_, v)| *v);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.05).max(1e-9);
    let y_lo = if lo >= 0.0 {
        (lo - pad).max(0.0)
    } else {
        lo - pad
    };
    let n = t.rows.len();
    root.fill(&WHITE).map_err(draw_err)?;
    let labels: Vec<String> = t.rows.iter().map(|r| r.period.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(title(t), (FAMILY, 26))
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), y_lo..(hi + pad))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_labels(n.min(20))
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| super::format::vn_number(*y, 2))
        .y_desc(t.unit.as_str())
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .draw()
        .map_err(draw_err)?;
    let blue = RGBColor(31, 119, 180);
    let orange = RGBColor(255, 127, 14);
    let as_f = |pts: &[(usize, f64)]| -> Vec<(f64, f64)> {
        pts.iter().map(|(i, v)| (*i as f64, *v)).collect()
    };
    if !actual.is_empty() {
        chart
            .draw_series(LineSeries::new(as_f(&actual), blue.stroke_width(3)))
            .map_err(draw_err)?
            .label("thực hiện (actual)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(3))
            });
        chart
            .draw_series(
                as_f(&actual)
                    .into_iter()
                    .map(|p| Circle::new(p, 4, blue.filled())),
            )
            .map_err(draw_err)?;
    }
    if !target.is_empty() {
        chart
            .draw_series(LineSeries::new(as_f(&target), orange.stroke_width(2)))
            .map_err(draw_err)?
            .label("kế hoạch (target)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], orange.stroke_width(2))
            });
        chart
            .draw_series(
                as_f(&target)
                    .into_iter()
                    .map(|p| Circle::new(p, 4, orange.filled())),
            )
            .map_err(draw_err)?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font((FAMILY, 14))
        .draw()
        .map_err(draw_err)?;
    Ok(())
}
