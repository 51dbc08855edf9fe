//! `chiso reprocess` rebuilds facts from stored pages without the network.

mod db_support;

use chiso::store::{self, NewArticle, ReprocessFilter};
use std::process::Command;

const PAGE: &str = r#"<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Huyện Kỳ Anh: có thêm 3 xã đạt chuẩn nông thôn mới</title>
<meta property="article:published_time" content="2024-01-01T06:30:00+07:00"></head>
<body><article><h1 class="article__title">Huyện Kỳ Anh: có thêm 3 xã đạt chuẩn nông thôn mới</h1>
<div class="article__body">
<p>Năm 2023, tổng giá trị sản phẩm của huyện Kỳ Anh đạt 8.850,26 tỷ đồng, đạt 107,79% kế hoạch, tăng 14,62% so với năm 2022.</p>
<p>Thu nhập bình quân đầu người đạt 49,09 triệu đồng/người/năm.</p>
</div></article></body></html>"#;

#[tokio::test]
async fn reprocess_rebuilds_facts_from_raw_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let url = format!("sqlite://{}", db.display());
    let config = dir.path().join("chiso.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"{url}\"\n[[source]]\nname = \"baohatinh\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"https://baohatinh.vn\"\n"
        ),
    )
    .unwrap();
    // The database as an old chiso left it: the page stored, no facts.
    let status = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&config)
        .args(["db", "migrate"])
        .env_remove("CHISO_DATABASE_URL")
        .status()
        .unwrap();
    assert!(status.success());
    let s = store::open(&url, 1).await.unwrap();
    let saved = s
        .save_article(
            &NewArticle {
                source: "baohatinh".into(),
                url: "https://baohatinh.vn/ky-anh-post1.html".into(),
                title: Some("old title".into()),
                published_at: None,
                author: None,
                sapo: None,
                body: "old text".into(),
                raw_html: Some(PAGE.into()),
                etag: None,
                last_modified: None,
                fetched_at: chrono::Utc::now(),
                extractor_version: "0".into(),
            },
            &[],
            &[],
        )
        .await
        .unwrap();
    assert!(s.article_facts(saved.article_id).await.unwrap().is_empty());

    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&config)
        .args(["reprocess", "--source", "baohatinh"])
        .env_remove("CHISO_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("reprocessed 1 article"));

    let facts = s.article_facts(saved.article_id).await.unwrap();
    let gross = facts
        .iter()
        .find(|f| (f.value - 8850.26).abs() < 1e-9)
        .unwrap_or_else(|| panic!("gross output fact in {facts:?}"));
    assert_eq!(gross.unit, "tỷ đồng");
    assert_eq!(gross.year, Some(2023));
    assert_eq!(gross.plan_pct, Some(107.79));
    // The re-scraped title replaced the stale one.
    let pages = s
        .raw_pages(&ReprocessFilter::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        pages[0].title.as_deref(),
        Some("Huyện Kỳ Anh: có thêm 3 xã đạt chuẩn nông thôn mới")
    );
    // The headline's own figure is a fact (the body does not repeat it), dated by the day in
    // Vietnam (1 January 2024 at 06:30 is 31 December 2023 in UTC).
    let headline = facts
        .iter()
        .find(|f| f.value == 3.0 && f.unit == "xã")
        .unwrap_or_else(|| panic!("headline fact in {facts:?}"));
    assert_eq!(headline.year, Some(2024));
    assert_eq!(headline.area.as_deref(), Some("huyện Kỳ Anh"));

    // `extract --batch` given the stored title, text and day returns the same facts.
    let a = &pages[0];
    let text = a.body.clone();
    let line = serde_json::json!({
        "id": 1,
        "title": a.title,
        "text": text,
        "published": a.published_at.map(|p| chiso::extract::vietnam_day(p).to_string()),
        "province": "Hà Tĩnh",
    });
    let batch = dir.path().join("in.jsonl");
    std::fs::write(&batch, format!("{line}\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["extract", "--batch"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let key = |f: &chiso::extract::Fact| {
        (
            f.area.clone(),
            f.value.to_bits(),
            f.unit.clone(),
            f.year,
            f.kind,
        )
    };
    let batch_facts: Vec<chiso::extract::Fact> =
        serde_json::from_value(v["facts"].clone()).unwrap();
    let mut want: Vec<_> = batch_facts.iter().map(key).collect();
    let mut got: Vec<_> = facts.iter().map(key).collect();
    want.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    got.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    assert_eq!(got, want, "reprocess and extract --batch disagree");

    // An unknown source is an error, nothing changes.
    let bad = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&config)
        .args(["reprocess", "--source", "nope"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("nope"));
}
