//! Trend analysis on both backends: series with conflicting reports, plan vs actual across two
//! articles, ambiguous and diacritic-free area names, every output format, charts and exports.
//!
//! The reports are written by us in the shape of district year-end reports: one article sets the
//! 2024 plan and gives 2023, a later one revises 2023 in another unit, a third gives 2024.

mod db_support;

use chiso::extract::{Fact, Kind};
use chiso::gazetteer::Gazetteer;
use chiso::query::area::AreaError;
use chiso::query::series::KindFilter;
use chiso::query::{load_trend, ListFilter, TrendError, TrendRequest};
use chiso::store::{self, NewArticle, SourceRow, Store};
use chiso::taxonomy::Taxonomy;
use std::process::Command;
use std::sync::Arc;

const IND: &str = "production_value";
const HUYEN: &str = "huyện Kỳ Anh";
const THI_XA: &str = "thị xã Kỳ Anh";

#[allow(clippy::too_many_arguments)]
fn fact(
    area: &str,
    metric: &str,
    year: i32,
    kind: Kind,
    value: f64,
    unit: &str,
    base: f64,
    yoy: Option<f64>,
    plan: Option<f64>,
) -> Fact {
    Fact {
        area: Some(area.into()),
        area_level: Some("district".into()),
        area_code: None,
        province: Some("Hà Tĩnh".into()),
        metric: metric.into(),
        indicator: Some(IND.into()),
        value,
        value_high: None,
        unit: unit.into(),
        value_base: Some(base),
        unit_base: Some("VND".into()),
        total: None,
        year: Some(year),
        period: Some(year.to_string()),
        kind,
        approx: false,
        plan_pct: plan,
        yoy_pct: yoy,
        sentence: format!("Năm {year}, {metric} của {area} đạt {value} {unit}."),
        span: [0, 3],
        from_title: false,
    }
}

fn article(n: u32, published: &str) -> NewArticle {
    NewArticle {
        source: "baohatinh".into(),
        url: format!("https://baohatinh.example/ky-anh-post{n}.html"),
        title: Some(format!("Kỳ Anh: báo cáo số {n}")),
        published_at: Some(chrono::DateTime::parse_from_rfc3339(published).unwrap()),
        author: None,
        sapo: None,
        body: format!("bài {n}"),
        raw_html: None,
        etag: None,
        last_modified: None,
        fetched_at: chrono::Utc::now(),
        extractor_version: "test".into(),
    }
}

const M: &str = "giá trị sản xuất";

/// Three reports on huyện Kỳ Anh, one also on thị xã Kỳ Anh. Returns the number of facts.
async fn fill(s: &Arc<dyn Store>) -> usize {
    s.migrate().await.unwrap();
    s.sync_sources(&[SourceRow {
        name: "baohatinh".into(),
        province: "Hà Tĩnh".into(),
        base_url: "https://baohatinh.example".into(),
        enabled: true,
    }])
    .await
    .unwrap();
    let a1 = vec![
        fact(
            HUYEN,
            M,
            2022,
            Kind::Actual,
            7722.0,
            "tỷ đồng",
            7.722e12,
            None,
            None,
        ),
        fact(
            HUYEN,
            M,
            2023,
            Kind::Actual,
            8850.26,
            "tỷ đồng",
            8.85026e12,
            Some(14.62),
            Some(107.79),
        ),
        fact(
            HUYEN,
            M,
            2024,
            Kind::Target,
            9500.0,
            "tỷ đồng",
            9.5e12,
            None,
            None,
        ),
        fact(
            THI_XA,
            M,
            2023,
            Kind::Actual,
            5100.0,
            "tỷ đồng",
            5.1e12,
            None,
            None,
        ),
    ];
    // A later report revises 2023 in another unit (9 nghìn tỷ = 9.000 tỷ: 1.7 % apart).
    let a2 = vec![fact(
        HUYEN,
        M,
        2023,
        Kind::Actual,
        9.0,
        "nghìn tỷ đồng",
        9.0e12,
        None,
        None,
    )];
    let a3 = vec![fact(
        HUYEN,
        M,
        2024,
        Kind::Actual,
        10260.0,
        "tỷ đồng",
        1.026e13,
        Some(14.0),
        Some(108.0),
    )];
    let mut n = 0;
    for (i, (when, facts)) in [
        ("2023-12-20T08:00:00+07:00", a1),
        ("2024-01-08T09:00:00+07:00", a2),
        ("2025-01-10T10:00:00+07:00", a3),
    ]
    .into_iter()
    .enumerate()
    {
        n += facts.len();
        s.save_article(&article(i as u32 + 1, when), &facts, &[])
            .await
            .unwrap();
    }
    n
}

fn req(area: &str) -> TrendRequest {
    TrendRequest {
        area: area.into(),
        province: None,
        indicator: IND.into(),
        kind: KindFilter::Both,
        from_year: None,
        to_year: None,
    }
}

async fn check_series(url: &str) {
    let s = store::open(url, 2).await.unwrap();
    fill(&s).await;
    let gaz = Gazetteer::embedded();
    let tax = Taxonomy::embedded();

    // Diacritic-free with level word: one series.
    let t = load_trend(s.as_ref(), gaz, tax, &req("huyen Ky Anh"))
        .await
        .unwrap();
    assert_eq!(t.area, HUYEN);
    assert_eq!(t.province.as_deref(), Some("Hà Tĩnh"));
    assert_eq!(
        t.unit, "tỷ đồng",
        "display unit = unit of the latest report"
    );
    let periods: Vec<&str> = t.rows.iter().map(|r| r.period.as_str()).collect();
    assert_eq!(periods, ["2022", "2023", "2024"]);
    // Conflicting reports of 2023: the later one (9 nghìn tỷ) wins, shown as 9.000 tỷ.
    let y23 = t.rows[1].actual.as_ref().unwrap();
    assert!((y23.value - 9000.0).abs() < 1e-6, "{}", y23.value);
    assert_eq!(y23.reports, 2);
    assert!(y23.disagree);
    assert!(y23.article_url.ends_with("post2.html"));
    assert!((t.rows[1].growth_pct.unwrap() - (9000.0 / 7722.0 - 1.0) * 100.0).abs() < 1e-9);
    // 2024: target from the first article, actual from the third.
    let y24 = &t.rows[2];
    assert!((y24.target.as_ref().unwrap().value - 9500.0).abs() < 1e-9);
    assert!((y24.achievement_pct.unwrap() - 108.0).abs() < 1e-9);
    assert!((y24.growth_pct.unwrap() - 14.0).abs() < 1e-9);
    assert_eq!(y24.reported_growth_pct, Some(14.0));
    // Indicator name: taxonomy name, else the phrase of the reports (diacritics kept).
    let expected_name = tax
        .get(IND)
        .map(|i| i.name.clone())
        .unwrap_or(M.to_string());
    assert_eq!(t.indicator_name, expected_name);

    // Year range and kind filters.
    let mut r = req("Kỳ Anh");
    r.province = Some("Ha Tinh".into());
    r.from_year = Some(2024);
    r.kind = KindFilter::Target;
    let err = load_trend(s.as_ref(), gaz, tax, &r).await.unwrap_err();
    assert!(
        matches!(err, TrendError::Area(AreaError::Ambiguous { .. })),
        "{err}"
    );
    r.area = "huyện Kỳ Anh".into();
    let t = load_trend(s.as_ref(), gaz, tax, &r).await.unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].period, "2024");
    // Growth of the first row shown still uses the year before the range.
    assert!(t.rows[0].growth_pct.is_some());

    // Ambiguous without level word: both units have facts; the error lists them.
    match load_trend(s.as_ref(), gaz, tax, &req("Ky Anh")).await {
        Err(TrendError::Area(AreaError::Ambiguous { candidates, .. })) => {
            assert_eq!(
                candidates,
                ["huyện Kỳ Anh (Hà Tĩnh)", "thị xã Kỳ Anh (Hà Tĩnh)"]
            );
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
    match load_trend(s.as_ref(), gaz, tax, &req("Cẩm Xuyên")).await {
        Err(TrendError::Area(AreaError::NotFound { .. })) => {}
        other => panic!("expected not found, got {other:?}"),
    }

    // The views agree: indicator_series has the revised 2023 value and the disagreement.
    let view = db_support::indicator_series(url, HUYEN, IND).await;
    let v23 = view
        .iter()
        .find(|r| r.year == Some(2023) && r.kind == "actual")
        .unwrap();
    assert_eq!((v23.reports, v23.disagree, v23.value), (2, true, 9.0));

    // plan_vs_actual: the 2024 target of the first article beside the actual of the third.
    let pva = s.plan_vs_actual(Some(HUYEN), Some(IND)).await.unwrap();
    assert_eq!(pva.len(), 1, "{pva:?}");
    let p = &pva[0];
    assert_eq!(p.period.as_deref(), Some("2024"));
    assert_eq!((p.target_value, p.actual_value), (9500.0, 10260.0));
    assert!((p.ratio.unwrap() - 1.08).abs() < 1e-9);
    assert!(p.target_article_url.ends_with("post1.html"));
    assert!(p.actual_article_url.ends_with("post3.html"));

    // Listings.
    let areas = s.list_areas(&ListFilter::default()).await.unwrap();
    assert_eq!(areas.len(), 2);
    let reports = s
        .list_reports(&ListFilter {
            limit: Some(10),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(reports.len(), 3);
    let first = reports
        .iter()
        .find(|r| r.url.ends_with("post1.html"))
        .unwrap();
    assert_eq!(first.facts, 4);
    assert_eq!(first.areas.as_deref(), Some("huyện Kỳ Anh,thị xã Kỳ Anh"));
    let inds = s.list_indicators(&ListFilter::default()).await.unwrap();
    assert_eq!(inds.len(), 1);
    assert_eq!((inds[0].facts, inds[0].areas), (6, 2));
}

#[tokio::test]
async fn series_plan_and_names_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    check_series(&url).await;
}

#[tokio::test]
async fn series_plan_and_names_postgres() {
    let Some(url) = db_support::postgres_url("trend_series").await else {
        return;
    };
    check_series(&url).await;
}

fn chiso(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("CHISO_DATABASE_URL")
        .output()
        .unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

async fn check_cli(url: &str) {
    let s = store::open(url, 2).await.unwrap();
    let facts = fill(&s).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("chiso.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{url}\"\n[[source]]\nname = \"baohatinh\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"https://baohatinh.example\"\n"
        ),
    )
    .unwrap();
    let cfg = config.as_path();
    let base = ["trend", "--area", "huyen ky anh", "--indicator", IND];

    // Table: Vietnamese numbers, disagreement marked.
    let table = ok(&chiso(cfg, &base));
    assert!(table.contains("huyện Kỳ Anh (Hà Tĩnh)"), "{table}");
    assert!(table.contains("10.260"), "{table}");
    assert!(table.contains("9.000 *"), "{table}");
    assert!(table.contains("108%"), "{table}");

    // CSV: one header and one line per period, plain numbers.
    let csv_out = ok(&chiso(cfg, &[&base[..], &["--format", "csv"]].concat()));
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        chiso::query::format::TREND_CSV_HEADER
    );
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(recs.len(), 3);
    assert_eq!(&recs[2][3], "2024");
    assert_eq!(&recs[2][5], "10260");
    assert_eq!(&recs[2][6], "9500");

    // JSON: the whole trend.
    let json = ok(&chiso(
        cfg,
        &[&base[..], &["--format", "json", "--kind", "actual"]].concat(),
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["area"], HUYEN);
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"][1]["actual"]["reports"], 2);

    // Ambiguous name: an error listing both candidates.
    let amb = chiso(cfg, &["trend", "--area", "Ky Anh", "--indicator", IND]);
    assert!(!amb.status.success());
    let err = String::from_utf8_lossy(&amb.stderr);
    assert!(
        err.contains("huyện Kỳ Anh (Hà Tĩnh)") && err.contains("thị xã Kỳ Anh (Hà Tĩnh)"),
        "{err}"
    );

    // Charts: valid SVG and PNG with the title.
    let title_name = Taxonomy::embedded()
        .get(IND)
        .map(|i| i.name.clone())
        .unwrap_or(M.to_string());
    let title = format!("huyện Kỳ Anh (Hà Tĩnh) — {title_name}");
    let svg = dir.path().join("ky-anh.svg");
    ok(&chiso(
        cfg,
        &[&base[..], &["--chart", svg.to_str().unwrap()]].concat(),
    ));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..80.min(text.len())]);
    assert!(text.trim_end().ends_with("</svg>"));
    assert!(text.contains(&title), "title missing from SVG");
    assert!(
        text.matches("<polyline").count() >= 2,
        "actual and target lines"
    );
    let png_path = dir.path().join("ky-anh.png");
    ok(&chiso(
        cfg,
        &[&base[..], &["--chart", png_path.to_str().unwrap()]].concat(),
    ));
    let dec = png::Decoder::new(std::fs::File::open(&png_path).unwrap());
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).unwrap();
    assert_eq!((frame.width, frame.height), chiso::query::chart::SIZE);
    let info = reader.info();
    let chunk = info
        .utf8_text
        .iter()
        .find(|c| c.keyword == "Title")
        .unwrap();
    assert_eq!(chunk.get_text().unwrap(), title);
    // Something was drawn: not a blank white image.
    assert!(buf[..frame.buffer_size()].iter().any(|&b| b < 128));

    // Export: as many rows as the facts table, in both formats.
    let counted = s.counts().await.unwrap().facts;
    assert_eq!(counted as usize, facts);
    let csv_export = ok(&chiso(cfg, &["export", "--format", "csv"]));
    let mut rdr = csv::Reader::from_reader(csv_export.as_bytes());
    assert!(rdr.headers().unwrap().iter().any(|h| h == "sentence"));
    assert_eq!(rdr.records().count() as i64, counted);
    let jsonl = ok(&chiso(cfg, &["export", "--format", "jsonl"]));
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as i64, counted);
    assert!(lines
        .iter()
        .all(|l| l["article_url"].as_str().unwrap().starts_with("https://")));
    let none = ok(&chiso(
        cfg,
        &["export", "--format", "jsonl", "--since", "2999-01-01"],
    ));
    assert_eq!(none.lines().count(), 0);

    // Listings in every format.
    let areas = ok(&chiso(cfg, &["query", "areas", "--province", "ha tinh"]));
    assert!(areas.contains(HUYEN) && areas.contains(THI_XA), "{areas}");
    let inds = ok(&chiso(cfg, &["query", "indicators", "--format", "csv"]));
    assert!(
        inds.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("{IND},6,2,")),
        "{inds}"
    );
    let reports = ok(&chiso(cfg, &["query", "reports", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&reports).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn cli_formats_charts_and_export_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    check_cli(&url).await;
}

#[tokio::test]
async fn cli_formats_charts_and_export_postgres() {
    let Some(url) = db_support::postgres_url("trend_cli").await else {
        return;
    };
    check_cli(&url).await;
}
