//! Made-up reports, configurations and seeding helpers shared by the alert tests.

use chiso::config::Config;
use chiso::extract::{Fact, Kind};
use chiso::store::{NewArticle, SaveOutcome, SourceRow, Store};
use chrono::{FixedOffset, TimeZone, Utc};
use std::path::Path;

/// A fact of `huyện Kỳ Anh` in the shape the extractor produces.
pub fn fact(metric: &str, indicator: &str, value: f64) -> Fact {
    Fact {
        area: Some("huyện Kỳ Anh".into()),
        area_level: Some("district".into()),
        area_code: Some("444".into()),
        province: Some("Hà Tĩnh".into()),
        metric: metric.into(),
        indicator: Some(indicator.into()),
        value,
        value_high: None,
        unit: "tỷ đồng".into(),
        value_base: Some(value * 1e9),
        unit_base: Some("VND".into()),
        total: None,
        year: Some(2023),
        period: Some("2023".into()),
        kind: Kind::Actual,
        approx: false,
        plan_pct: Some(107.79),
        yoy_pct: Some(14.62),
        sentence: format!("{metric} đạt {value} tỷ đồng"),
        span: [0, 4],
        from_title: false,
    }
}

/// The two facts of a typical year-end report.
pub fn report_facts() -> Vec<Fact> {
    vec![
        fact("tổng giá trị sản phẩm", "gross_output", 8850.26),
        fact("thu ngân sách", "budget_revenue", 312.5),
    ]
}

/// An article of the test source.
pub fn article(url: &str, title: &str) -> NewArticle {
    NewArticle {
        source: "baohatinh".into(),
        url: url.into(),
        title: Some(title.into()),
        published_at: FixedOffset::east_opt(7 * 3600)
            .and_then(|tz| tz.with_ymd_and_hms(2024, 1, 6, 8, 30, 0).single()),
        author: None,
        sapo: None,
        body: format!("{title}. Nội dung bài viết thử."),
        raw_html: None,
        etag: None,
        last_modified: None,
        fetched_at: Utc::now(),
        extractor_version: "test".into(),
    }
}

/// A configuration with one source and the given `[[alert]]` tables (TOML bodies).
pub fn config(db_url: &str, alerts: &[String]) -> (String, Config) {
    let mut text = format!(
        "[database]\nurl = \"{db_url}\"\n\n[http]\ntimeout_s = 5\n\n\
         [[source]]\nname = \"baohatinh\"\nprovince = \"Hà Tĩnh\"\n\
         base_url = \"https://baohatinh.example\"\n"
    );
    for a in alerts {
        text.push_str("\n[[alert]]\n");
        text.push_str(a);
        text.push('\n');
    }
    let config = Config::parse(&text, Path::new("test.toml")).expect("valid test config");
    (text, config)
}

/// An `[[alert]]` body with a name and a URL.
pub fn channel(name: &str, url: &str) -> String {
    format!("name = \"{name}\"\nurl = \"{url}\"")
}

/// Migrates, records the source and saves `n` reports with their outbox rows (only the rows
/// of the event the save will be: what the lead's `save_article` filter keeps).
pub async fn seed(store: &dyn Store, config: &Config, n: usize) -> Vec<SaveOutcome> {
    store.migrate().await.expect("migrate");
    store
        .sync_sources(&[SourceRow {
            name: "baohatinh".into(),
            province: "Hà Tĩnh".into(),
            base_url: "https://baohatinh.example".into(),
            enabled: true,
        }])
        .await
        .expect("sources");
    let mut out = Vec::new();
    for i in 0..n {
        let a = article(
            &format!("https://baohatinh.example/bao-cao-{i}.html"),
            &format!("Huyện Kỳ Anh tổng kết năm, báo cáo số {i}"),
        );
        out.push(save(store, config, &a, &report_facts()).await);
    }
    out
}

/// Saves one article with the outbox rows `outbox_rows` makes for it.
pub async fn save(
    store: &dyn Store,
    config: &Config,
    a: &NewArticle,
    facts: &[Fact],
) -> SaveOutcome {
    let known = store.article_state(&a.url).await.expect("state").is_some();
    let event = if known { "updated" } else { "new" };
    let rows: Vec<_> = chiso::alert::outbox_rows(config, &config.sources[0], a, facts)
        .into_iter()
        .filter(|r| r.event == event)
        .collect();
    store.save_article(a, facts, &rows).await.expect("save")
}
