//! Migrations and a round trip (article + facts, read back through `indicator_series`) on both
//! backends; updates replace facts instead of duplicating them.

mod db_support;

use chiso::extract::{Fact, Kind};
use chiso::store::{self, NewArticle, SaveStatus, SourceRow, Store};
use chrono::{FixedOffset, TimeZone, Utc};
use std::sync::Arc;

fn fact(value: f64, year: i32, kind: Kind) -> Fact {
    Fact {
        area: Some("huyện Kỳ Anh".into()),
        area_level: Some("district".into()),
        area_code: Some("444".into()),
        province: Some("Hà Tĩnh".into()),
        metric: "tổng giá trị sản phẩm".into(),
        indicator: Some("gross_output".into()),
        value,
        value_high: None,
        unit: "tỷ đồng".into(),
        value_base: Some(value * 1e9),
        unit_base: Some("VND".into()),
        total: None,
        year: Some(year),
        period: Some(year.to_string()),
        kind,
        approx: false,
        plan_pct: Some(107.79),
        yoy_pct: Some(14.62),
        sentence: "tổng giá trị sản phẩm đạt 8.850,26 tỷ đồng".into(),
        span: [10, 18],
        from_title: false,
    }
}

fn article(url: &str, body: &str, day: u32) -> NewArticle {
    NewArticle {
        source: "baohatinh".into(),
        url: url.into(),
        title: Some("Huyện Kỳ Anh tổng kết năm".into()),
        published_at: Some(
            FixedOffset::east_opt(7 * 3600)
                .unwrap()
                .with_ymd_and_hms(2024, 1, day, 8, 0, 0)
                .unwrap(),
        ),
        author: Some("Phóng viên".into()),
        sapo: None,
        body: body.into(),
        raw_html: Some(format!("<html><body><p>{body}</p></body></html>")),
        etag: Some("\"v1\"".into()),
        last_modified: None,
        fetched_at: Utc::now(),
        extractor_version: "test".into(),
    }
}

async fn round_trip(store: Arc<dyn Store>, url: &str) {
    let applied = store.migrate().await.expect("migrate");
    assert!(applied >= 1, "first migrate applies the schema");
    assert_eq!(store.migrate().await.expect("migrate again"), 0);
    store
        .sync_sources(&[SourceRow {
            name: "baohatinh".into(),
            province: "Hà Tĩnh".into(),
            base_url: "https://baohatinh.vn".into(),
            enabled: true,
        }])
        .await
        .expect("sources");

    // First report: 2023 actual and a 2024 target.
    let a1 = article("https://baohatinh.vn/a-post1.html", "báo cáo một", 6);
    let alert = |event: &str, key: &str| store::NewAlert {
        channel: "team".into(),
        event: event.into(),
        dedupe_key: key.into(),
        payload: "{}".into(),
    };
    let out = store
        .save_article(
            &a1,
            &[
                fact(8850.26, 2023, Kind::Actual),
                fact(10230.09, 2024, Kind::Target),
            ],
            &[alert("new", "k1"), alert("updated", "k1")],
        )
        .await
        .expect("save");
    assert_eq!(out.status, SaveStatus::New);
    assert_eq!(out.facts, 2);
    assert_eq!(
        store.counts().await.unwrap().alerts,
        1,
        "only the new-event row"
    );

    // Same content again: unchanged, facts not duplicated.
    let again = store
        .save_article(&a1, &[fact(8850.26, 2023, Kind::Actual)], &[])
        .await
        .expect("save again");
    assert_eq!(again.status, SaveStatus::Unchanged);
    assert_eq!(again.article_id, out.article_id);
    assert_eq!(store.article_facts(out.article_id).await.unwrap().len(), 2);

    // Changed content: updated, facts replaced.
    let mut a1b = a1.clone();
    a1b.body = "báo cáo một, bản sửa".into();
    let upd = store
        .save_article(
            &a1b,
            &[
                fact(8850.0, 2023, Kind::Actual),
                fact(10230.09, 2024, Kind::Target),
            ],
            &[
                alert("new", "k2"),
                alert("updated", "k1"),
                alert("updated", "k3"),
            ],
        )
        .await
        .expect("update");
    // The repeated key is dropped, the changed one queued; no "new" row for an update.
    assert_eq!(store.counts().await.unwrap().alerts, 2);
    assert_eq!(upd.status, SaveStatus::Updated);
    let facts = store.article_facts(out.article_id).await.unwrap();
    assert_eq!(facts.len(), 2, "facts replaced, not duplicated");
    assert_eq!(facts[0].value, 8850.0);
    assert_eq!(facts[0].kind, Kind::Actual);
    assert_eq!(facts[0].plan_pct, Some(107.79));

    // A later report disagreeing on 2023 by more than 1 %.
    let a2 = article("https://baohatinh.vn/b-post2.html", "báo cáo hai", 20);
    store
        .save_article(&a2, &[fact(9100.0, 2023, Kind::Actual)], &[])
        .await
        .expect("save second");

    let rows = db_support::indicator_series(url, "huyện Kỳ Anh", "gross_output").await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let actual = rows.iter().find(|r| r.kind == "actual").unwrap();
    assert_eq!(actual.year, Some(2023));
    assert_eq!(actual.value, 9100.0, "most recent report wins");
    assert_eq!(actual.reports, 2);
    assert!(actual.disagree);
    assert_eq!(actual.article_url, "https://baohatinh.vn/b-post2.html");
    let target = rows.iter().find(|r| r.kind == "target").unwrap();
    assert_eq!(target.year, Some(2024));
    assert_eq!(target.reports, 1);
    assert!(!target.disagree);

    let known = store
        .known_urls(&[
            "https://baohatinh.vn/a-post1.html".into(),
            "https://baohatinh.vn/new-post3.html".into(),
        ])
        .await
        .unwrap();
    assert!(known.contains("https://baohatinh.vn/a-post1.html"));
    assert_eq!(known.len(), 1);

    let run = store.start_run("baohatinh", "test").await.unwrap();
    store
        .finish_run(
            run,
            &store::RunStats {
                status: "ok".into(),
                pages_fetched: 3,
                new_articles: 2,
                selector_fallbacks: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let status = store.source_status().await.unwrap();
    let hatinh = status.iter().find(|s| s.name == "baohatinh").unwrap();
    assert_eq!(hatinh.selector_fallbacks, 2);
    assert_eq!(hatinh.last_status.as_deref(), Some("ok"));
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.articles, 2);
    assert_eq!(counts.facts, 3);
    assert_eq!(counts.crawl_runs, 1);
}

#[tokio::test]
async fn sqlite_round_trip() {
    let (_dir, url) = db_support::sqlite_url();
    let store = store::open(&url, 2).await.expect("open sqlite");
    round_trip(store, &url).await;
}

#[tokio::test]
async fn postgres_round_trip() {
    let Some(url) = db_support::postgres_url("postgres_round_trip").await else {
        return;
    };
    let store = store::open(&url, 2).await.expect("open postgres");
    round_trip(store, &url).await;
}

#[tokio::test]
async fn unsupported_url_is_an_error() {
    let err = store::open("mysql://x/y", 1).await.err().expect("error");
    assert!(
        err.to_string().contains("unsupported database URL"),
        "{err}"
    );
}

#[test]
fn migration_files_are_in_step() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}
