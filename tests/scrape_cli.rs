//! `chiso scrape` through the real binary: one page, and `--batch` with a gzipped page, a
//! relative path, a missing file and a malformed line (error lines; the run goes on, in order).

use serde_json::Value;
use std::io::Write;
use std::process::Command;

const CMS_D: &str = include_str!("fixtures/scrape/cms_d_cantho.html");
const CMS_A: &str = include_str!("fixtures/scrape/cms_a_hatinh.html");

fn chiso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
}

#[test]
fn single_page_prints_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("cantho.html");
    std::fs::write(&page, CMS_D).unwrap();
    let out = chiso().arg("scrape").arg(&page).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["title"],
        "Cần Thơ: Kim ngạch xuất khẩu năm 2025 đạt 3,1 tỷ USD"
    );
    assert_eq!(v["published"], "2026-01-08T18:21:00+07:00");
    assert_eq!(v["author"], "P.Y");
    assert!(v["sapo"]
        .as_str()
        .unwrap()
        .starts_with("Chiều 8-1, Sở Công Thương"));
    let body = v["body"].as_str().unwrap();
    assert!(
        body.starts_with("Trong đó, nhóm hàng nông thủy sản"),
        "{body}"
    );
    assert!(!body.contains("Tin, ảnh"), "{body}");
}

#[test]
fn batch_reads_gzip_and_reports_missing_files_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let gz = pages.join("hatinh.html.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(CMS_A.as_bytes()).unwrap();
    enc.finish().unwrap();
    // Named .html but gzipped: detection is by magic bytes, not by name.
    std::fs::copy(&gz, pages.join("disguised.html")).unwrap();
    std::fs::write(pages.join("cantho.html"), CMS_D).unwrap();

    let jsonl = dir.path().join("in.jsonl");
    let lines = [
        r#"{"id": "a", "url": "https://baohatinh.vn/x-post1.html", "path": "pages/hatinh.html.gz"}"#,
        r#"{"id": 7, "url": null, "path": "pages/does-not-exist.html"}"#,
        r#"{"id": "c", "path": "pages/cantho.html"}"#,
        r#"{"id": "d", "path": "#,
        r#"{"id": "e", "path": "pages/disguised.html"}"#,
    ];
    std::fs::write(&jsonl, lines.join("\n") + "\n").unwrap();

    let out = chiso()
        .arg("scrape")
        .arg("--batch")
        .arg(&jsonl)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5);

    assert_eq!(rows[0]["id"], "a");
    assert_eq!(
        rows[0]["title"],
        "Huyện Can Lộc đạt 18/19 tiêu chí huyện nông thôn mới nâng cao"
    );
    assert_eq!(rows[0]["published"], "2024-01-06T16:35:00+07:00");
    assert_eq!(rows[0]["author"], "Thu Hà");
    let body = rows[0]["body"].as_str().unwrap();
    // In batch mode the body is the text the extractor reads: sapo first, then the body.
    assert!(
        body.starts_with("Năm 2023, huyện Can Lộc hoàn thành 18/19"),
        "{body}"
    );
    assert!(
        body.contains("Sản lượng lương thực cả năm đạt 68.500 tấn"),
        "{body}"
    );
    assert!(rows[0].get("error").is_none());

    assert_eq!(rows[1]["id"], 7);
    assert!(
        rows[1]["error"]
            .as_str()
            .unwrap()
            .contains("does-not-exist"),
        "{}",
        rows[1]
    );
    assert!(rows[1].get("body").is_none());

    assert_eq!(rows[2]["id"], "c");
    assert_eq!(rows[2]["author"], "P.Y");

    assert_eq!(rows[3]["id"], Value::Null);
    assert!(rows[3]["error"].is_string());

    assert_eq!(rows[4]["id"], "e");
    assert_eq!(rows[4]["title"], rows[0]["title"]);
}

#[test]
fn bad_url_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.html");
    std::fs::write(&page, CMS_D).unwrap();
    let out = chiso()
        .args(["scrape", "--url", "not a url"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url"));
}

#[test]
fn source_selectors_that_no_longer_match_are_reported_and_the_body_still_comes_out() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/chiso.toml");
    let run = |html: &str| -> Value {
        let page = dir.path().join("page.html");
        std::fs::write(&page, html).unwrap();
        let out = chiso()
            .arg("--config")
            .arg(&config)
            .args(["scrape", "--source", "baohatinh"])
            .arg(&page)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let held = run(CMS_A);
    assert!(held.get("selector_fallback").is_none(), "{held}");
    // The redesigned page: the body container has a new class.
    let redesigned = run(&CMS_A.replace("article__body zce-content-body", "article-content"));
    assert_eq!(redesigned["selector_fallback"], "no_match");
    assert_eq!(redesigned["body"], held["body"]);
    assert_eq!(redesigned["sapo"], held["sapo"]);
}
