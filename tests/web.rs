//! The web pages and the JSON API (issue 15), through the real `chiso` binary: `chiso serve` on a
//! database filled by `chiso demo` with a configuration of only `[database]` and `[daemon]`,
//! untrusted text escaped on every page, and the view queries on both backends.

mod db_support;
mod web_support;

use chiso::extract::{Fact, Kind};
use chiso::gazetteer::Gazetteer;
use chiso::query::view;
use chiso::store::{self, NewArticle, SourceRow, Store};
use chiso::taxonomy::Taxonomy;
use serde_json::Value;
use std::process::Command;
use std::sync::Arc;
use web_support::{demo_db, sqlite_count, sqlite_dump, Serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_shows_the_demo_database_and_never_writes_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = sqlite_dump(&db).await;
    assert!(before.contains("huyện Thạch Hà"), "{before}");
    let mut s = Serve::start(dir.path(), &db).await;

    // Search: without diacritics, with the level word.
    let hits = s.json("/api/areas?q=huyen%20Thach%20Ha").await;
    assert_eq!(hits[0]["area"], "huyện Thạch Hà", "{hits}");
    assert_eq!(hits[0]["area_code"], "445");
    assert_eq!(hits[0]["area_level"], "district");
    let thach_ha_facts =
        sqlite_count(&db, "SELECT COUNT(*) FROM facts WHERE area_code = '445'").await;
    assert!(thach_ha_facts > 0);
    assert_eq!(hits[0]["facts"], thach_ha_facts);
    let (status, _, page) = s.get("/areas?q=huyen+Thach+Ha").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("<a href=\"/area/445\">huyện Thạch Hà</a>"),
        "{page}"
    );

    // The area page: a chart with both lines and Vietnamese numbers, a table per indicator.
    let (status, ctype, page) = s.get("/area/445").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/html"), "{ctype}");
    let section = page
        .split("<section class=\"series\" id=\"income_per_capita\">")
        .nth(1)
        .and_then(|rest| rest.split("</section>").next())
        .expect("an income_per_capita section");
    assert!(section.contains("data-series=\"actual\""), "{section}");
    assert!(section.contains("data-series=\"target\""), "{section}");
    for v in ["52,4", "56,8", "61,5", "56", "61", "101,43%"] {
        assert!(section.contains(&format!(">{v}<")), "{v} in {section}");
    }
    assert!(page.contains("<td>10.652,7</td>"), "gross output 2024");

    // The same series through the API, with the table's columns.
    let rows = s
        .json("/api/series?area=445&indicator=income_per_capita")
        .await;
    let rows = rows.as_array().unwrap();
    let periods = sqlite_count(
        &db,
        "SELECT COUNT(DISTINCT period) FROM facts \
         WHERE area_code = '445' AND indicator = 'income_per_capita'",
    )
    .await;
    assert_eq!(rows.len() as i64, periods, "{rows:?}");
    let y2023 = rows
        .iter()
        .find(|r| r["period"] == "2023")
        .unwrap_or_else(|| panic!("no 2023 in {rows:?}"));
    assert_eq!(y2023["actual"], 56.8);
    assert_eq!(y2023["target"], 56.0);
    let ach = y2023["achievement_pct"].as_f64().unwrap();
    assert!((ach - 101.428_571).abs() < 1e-3, "{ach}");
    let (status, ctype, csv) = s
        .get("/api/series?area=445&indicator=income_per_capita&format=csv")
        .await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    let header = csv.lines().next().unwrap();
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let mut columns: Vec<&str> = header.split(',').collect();
    columns.sort();
    let mut keys = keys.clone();
    keys.sort();
    assert_eq!(columns, keys, "CSV columns are the JSON fields");
    assert_eq!(
        csv.lines().count(),
        rows.len() + 1,
        "a header and a line per period"
    );

    let pva = s
        .json("/api/plan-vs-actual?area=445&indicator=income_per_capita")
        .await;
    let pva = pva.as_array().unwrap();
    assert!(!pva.is_empty(), "{pva:?}");
    assert!(pva.iter().all(|r| r["area"] == "huyện Thạch Hà"), "{pva:?}");
    let by_name = s
        .json("/api/plan-vs-actual?area=huy%E1%BB%87n%20Th%E1%BA%A1ch%20H%C3%A0&indicator=income_per_capita")
        .await;
    assert_eq!(by_name.as_array().unwrap(), pva);

    let ranking = s
        .json("/api/ranking?indicator=gross_output&year=2024")
        .await;
    assert_eq!(ranking[0]["area"], "huyện Thạch Hà");
    assert_eq!(ranking[0]["value"], 10652.7);
    let (status, _, page) = s.get("/indicator/gross_output?year=2024").await;
    assert_eq!(status, 200);
    assert!(page.contains("10.652,7"), "{page}");

    // Reports and sources.
    let reports = s.json("/api/reports?since=2000-01-01").await;
    let with_facts = sqlite_count(
        &db,
        "SELECT COUNT(*) FROM articles WHERE id IN (SELECT article_id FROM facts)",
    )
    .await;
    assert!(with_facts > 0);
    assert_eq!(
        reports.as_array().unwrap().len() as i64,
        with_facts,
        "{reports}"
    );
    let none = s.json("/api/reports?since=2999-01-01T00:00:00Z").await;
    assert!(none.as_array().unwrap().is_empty());
    let sources = s.json("/api/sources").await;
    assert_eq!(sources[0]["name"], "baodemo");
    assert_eq!(sources[0]["last_status"], "ok");
    let (status, _, home) = s.get("/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains("baodemo") && home.contains("/article/"),
        "{home}"
    );

    // Every fact of every article has its number marked in its sentence.
    let mut marked = 0;
    for r in reports.as_array().unwrap() {
        let id = r["article_id"].as_i64().unwrap();
        let a = s.json(&format!("/api/articles/{id}")).await;
        let facts = a["facts"].as_array().unwrap();
        for f in facts {
            let sentence: Vec<char> = f["sentence"].as_str().unwrap().chars().collect();
            let m = f["mark"]
                .as_array()
                .unwrap_or_else(|| panic!("no mark: {f}"));
            let (ms, me) = (
                m[0].as_u64().unwrap() as usize,
                m[1].as_u64().unwrap() as usize,
            );
            let number: String = sentence[ms..me].iter().collect();
            let plain: f64 = number
                .split('/')
                .next()
                .unwrap_or("")
                .replace('.', "")
                .replace(',', ".")
                .parse()
                .unwrap_or_else(|_| panic!("{number:?} in {f}"));
            assert!(
                (plain - f["value"].as_f64().unwrap()).abs() < 1e-9,
                "{number} vs {f}"
            );
            marked += 1;
        }
        let (status, _, page) = s.get(&format!("/article/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(page.matches("<mark>").count(), facts.len(), "{page}");
    }
    let reported_facts = sqlite_count(&db, "SELECT COUNT(*) FROM facts").await;
    assert_eq!(marked, reported_facts);

    // Errors say what went wrong, as JSON on the API.
    for (path, status, word) in [
        ("/api/series", 400, "area"),
        ("/api/series?area=445", 400, "indicator"),
        ("/api/series?area=99999999&indicator=x", 404, "99999999"),
        ("/api/articles/99999", 404, "99999"),
        ("/api/articles/x", 400, "not a number"),
        ("/api/reports?since=hôm%20qua", 400, "since"),
        ("/api/reports?limit=-1", 400, "limit"),
        ("/api/areas", 400, "q"),
        ("/api/sources?format=xml", 400, "format"),
        ("/api/ranking?indicator=nope", 404, "nope"),
    ] {
        let (got, ctype, body) = s.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(ctype.starts_with("application/json"), "{path}: {ctype}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["status"], status);
        assert!(
            v["error"].as_str().unwrap().contains(word),
            "{path}: {body}"
        );
    }
    for (path, status) in [
        ("/area/99999999", 404),
        ("/article/99999", 404),
        ("/indicator/nope", 404),
        ("/nope", 404),
    ] {
        let (got, ctype, _) = s.get(path).await;
        assert_eq!(got, status, "{path}");
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
    }
    let post = reqwest::Client::new()
        .post(s.url("/api/sources"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status().as_u16(), 405);

    assert_eq!(s.stop(), Some(0), "{}", s.log());
    assert!(
        sqlite_dump(&db).await == before,
        "chiso serve changed the database"
    );
}

#[test]
fn serve_without_an_address_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("web.toml");
    std::fs::write(
        &cfg,
        format!(
            "[database]\nurl = \"sqlite://{}/x.db\"\n[daemon]\nlisten = \"\"\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&cfg)
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("daemon.listen"), "{err}");
}

#[test]
fn serve_on_a_missing_sqlite_file_says_so_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("web.toml");
    let db = dir.path().join("nothing-here.db");
    std::fs::write(
        &cfg,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[daemon]\nlisten = \"127.0.0.1:0\"\n",
            db.display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&cfg)
        .arg("serve")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("database.url") && err.contains("nothing-here.db"),
        "{err}"
    );
    assert!(!db.exists(), "chiso serve created {}", db.display());
}

const HOSTILE_TITLE: &str = "<script>alert(\"t\")</script> 'Kỳ Anh' & \"quotes\"";
const HOSTILE_SENTENCE: &str = "Thu <script>x()</script> đạt 5 \"tỷ\" đồng.";
const HOSTILE_AREA: &str = "xã <img src=x onerror=alert(1)> \"A\"";

fn source() -> SourceRow {
    SourceRow {
        name: "baohatinh".into(),
        province: "Hà Tĩnh".into(),
        base_url: "https://baohatinh.example".into(),
        enabled: true,
    }
}

fn new_article(n: u32, title: &str, body: &str, published: &str) -> NewArticle {
    NewArticle {
        source: "baohatinh".into(),
        url: format!("https://baohatinh.example/bai-post{n}.html"),
        title: Some(title.into()),
        published_at: Some(chrono::DateTime::parse_from_rfc3339(published).unwrap()),
        author: None,
        sapo: None,
        body: body.into(),
        raw_html: None,
        etag: None,
        last_modified: None,
        fetched_at: chrono::Utc::now(),
        extractor_version: "test".into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn fact(
    area: &str,
    code: &str,
    indicator: Option<&str>,
    metric: &str,
    year: i32,
    kind: Kind,
    value: f64,
    sentence: &str,
    span: [usize; 2],
) -> Fact {
    Fact {
        area: Some(area.into()),
        area_level: Some("district".into()),
        area_code: Some(code.into()),
        province: Some("Hà Tĩnh".into()),
        metric: metric.into(),
        indicator: indicator.map(Into::into),
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
        plan_pct: None,
        yoy_pct: None,
        sentence: sentence.into(),
        span,
        from_title: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_sentences_and_names_from_the_web_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hostile.db");
    {
        let s = store::open(&format!("sqlite://{}", db.display()), 2)
            .await
            .unwrap();
        s.migrate().await.unwrap();
        s.sync_sources(&[source()]).await.unwrap();
        let body = format!("Mở đầu. {HOSTILE_SENTENCE}");
        let at = "Mở đầu. Thu <script>x()</script> đạt ".chars().count();
        // A URL that is a script, as a hostile canonical link could make it.
        let mut hostile = new_article(1, HOSTILE_TITLE, &body, "2024-12-20T08:00:00+07:00");
        hostile.url = "javascript:alert('u')".into();
        s.save_article(
            &hostile,
            &[fact(
                HOSTILE_AREA,
                "99001",
                None,
                "thu <b>ngân sách</b>",
                2024,
                Kind::Actual,
                5.0,
                HOSTILE_SENTENCE,
                [at, at + 1],
            )],
            &[],
        )
        .await
        .unwrap();
    }
    let s = Serve::start(dir.path(), &db).await;
    for path in [
        "/",
        "/article/1",
        "/area/99001",
        "/areas?q=%3Cscript%3E%22",
        "/indicator/%3Cscript%3E",
        "/nope%3Cscript%3E",
    ] {
        let (_, ctype, page) = s.get(path).await;
        assert!(ctype.starts_with("text/html"), "{path}: {ctype}");
        assert!(!page.contains("<script"), "{path}: {page}");
        assert!(!page.contains("<img"), "{path}: {page}");
        assert!(!page.contains("<b>"), "{path}: {page}");
        assert!(!page.contains("href=\"javascript:"), "{path}: {page}");
    }
    let (_, _, home) = s.get("/").await;
    assert!(
        home.contains("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &#39;Kỳ Anh&#39; &amp; &quot;quotes&quot;"),
        "{home}"
    );
    let (_, _, article) = s.get("/article/1").await;
    assert!(
        article.contains(
            "Thu &lt;script&gt;x()&lt;/script&gt; đạt <mark>5</mark> &quot;tỷ&quot; đồng."
        ),
        "{article}"
    );
    assert!(
        article.contains("xã &lt;img src=x onerror=alert(1)&gt; &quot;A&quot;"),
        "{article}"
    );
    let (_, _, area) = s.get("/area/99001").await;
    assert!(area.contains("thu &lt;b&gt;ngân sách&lt;/b&gt;"), "{area}");
    // JSON carries the text as data.
    let a = s.json("/api/articles/1").await;
    assert_eq!(a["title"], HOSTILE_TITLE);
    assert_eq!(a["facts"][0]["sentence"], HOSTILE_SENTENCE);
}

/// Two areas, one indicator over two years, one revision that disagrees; the views read the
/// same on both backends.
async fn check_views(s: Arc<dyn Store>) {
    s.migrate().await.unwrap();
    s.sync_sources(&[source()]).await.unwrap();
    let ky_anh = "huyện Kỳ Anh";
    let thach_ha = "huyện Thạch Hà";
    let ind = Some("gross_output");
    let m = "tổng giá trị sản xuất";
    let body = "Giá trị sản xuất đạt 100 tỷ đồng.";
    let a1 = s
        .save_article(
            &new_article(1, "Kỳ Anh 2023", body, "2024-01-05T08:00:00+07:00"),
            &[
                fact(
                    ky_anh,
                    "447",
                    ind,
                    m,
                    2023,
                    Kind::Actual,
                    100.0,
                    body,
                    [21, 24],
                ),
                fact(
                    ky_anh,
                    "447",
                    ind,
                    m,
                    2024,
                    Kind::Target,
                    120.0,
                    body,
                    [21, 24],
                ),
            ],
            &[],
        )
        .await
        .unwrap();
    let _ = a1;
    s.save_article(
        &new_article(2, "Kỳ Anh 2024", body, "2025-01-05T08:00:00+07:00"),
        &[
            fact(
                ky_anh,
                "447",
                ind,
                m,
                2024,
                Kind::Actual,
                126.0,
                body,
                [21, 24],
            ),
            fact(
                ky_anh,
                "447",
                ind,
                m,
                2023,
                Kind::Actual,
                110.0,
                body,
                [21, 24],
            ),
        ],
        &[],
    )
    .await
    .unwrap();
    s.save_article(
        &new_article(3, "Thạch Hà 2024", body, "2025-01-06T08:00:00+07:00"),
        &[fact(
            thach_ha,
            "445",
            ind,
            m,
            2024,
            Kind::Actual,
            300.0,
            body,
            [21, 24],
        )],
        &[],
    )
    .await
    .unwrap();
    let gaz = Gazetteer::embedded();
    let tax = Taxonomy::embedded();

    let v = view::area_view(s.as_ref(), gaz, tax, "447", None)
        .await
        .unwrap();
    assert_eq!(v.area, ky_anh);
    assert_eq!(v.series.len(), 1);
    let t = &v.series[0];
    assert_eq!(t.indicator, "gross_output");
    let periods: Vec<&str> = t.rows.iter().map(|r| r.period.as_str()).collect();
    assert_eq!(periods, ["2023", "2024"]);
    let y2023 = t.rows[0].actual.as_ref().unwrap();
    assert_eq!(y2023.value, 110.0, "the later report wins");
    assert!(y2023.disagree);
    assert_eq!(y2023.reports, 2);
    let y2024 = &t.rows[1];
    assert_eq!(y2024.actual.as_ref().unwrap().value, 126.0);
    assert_eq!(y2024.target.as_ref().unwrap().value, 120.0);
    assert!((y2024.achievement_pct.unwrap() - 105.0).abs() < 1e-9);

    let r = view::ranking(s.as_ref(), tax, "gross_output", None)
        .await
        .unwrap();
    assert_eq!(r.year, Some(2024));
    let order: Vec<(&str, f64)> = r.rows.iter().map(|x| (x.area.as_str(), x.value)).collect();
    assert_eq!(order, [(thach_ha, 300.0), (ky_anh, 126.0)]);
    assert_eq!(r.rows[0].area_code.as_deref(), Some("445"));
    let r2023 = view::ranking(s.as_ref(), tax, "gross_output", Some(2023))
        .await
        .unwrap();
    assert_eq!(r2023.rows.len(), 1);

    let hits = view::search_areas(s.as_ref(), gaz, "ky anh").await.unwrap();
    assert_eq!(hits[0].area_code, "447", "{hits:?}");
    assert_eq!(hits[0].facts, 4);
    assert!(hits.iter().any(|h| h.area == "thị xã Kỳ Anh"), "{hits:?}");

    let a = view::article_view(s.as_ref(), 1).await.unwrap();
    assert_eq!(a.facts.len(), 2);
    assert_eq!(a.facts[0].mark, Some([21, 24]));
    assert!(matches!(
        view::article_view(s.as_ref(), 999).await,
        Err(view::ViewError::NotFound(_))
    ));
    assert!(matches!(
        view::area_view(s.as_ref(), gaz, tax, "00000000", None).await,
        Err(view::ViewError::NotFound(_))
    ));
}

#[tokio::test]
async fn views_on_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    check_views(store::open(&url, 2).await.unwrap()).await;
}

#[tokio::test]
async fn views_on_postgres() {
    let Some(url) = db_support::postgres_url("views_on_postgres").await else {
        return;
    };
    check_views(store::open(&url, 2).await.unwrap()).await;
}
