//! Scale benchmark for `chiso trend` (issue 7) and the web view (issue 15): fills a database with
//! generated facts (default 1,000,000) through the public store API, then times trends of random
//! area × indicator series, both as a library call and as the whole `chiso trend` process, and
//! the area page and `/api/series` both as library calls and as HTTP requests to the web
//! routes served on 127.0.0.1.
//!
//! ```text
//! cargo bench --bench trend_scale -- [--url sqlite:///tmp/chiso-1m.db | postgres://...]
//!     [--schema trend_bench] [--facts 1000000] [--queries 200] [--cli 20] [--web 200]
//! ```
//!
//! A database that already holds the facts is reused (the fill takes minutes). The facts are
//! made up: ~700 pre-2025 districts of the embedded gazetteer, 20 indicator keys, 16 years;
//! each generated article reports one district and one year: 20 actuals, 20 targets for the
//! next year and 10 revisions of the year before (50 facts).

use chiso::extract::{Fact, Kind};
use chiso::gazetteer::{Era, Gazetteer, Level};
use chiso::query::series::KindFilter;
use chiso::query::{load_trend, TrendRequest};
use chiso::store::{self, NewArticle, SourceRow, Store};
use chiso::taxonomy::Taxonomy;
use std::sync::Arc;
use std::time::{Duration, Instant};

const INDICATORS: usize = 20;
const FACTS_PER_ARTICLE: usize = 50;
const FIRST_YEAR: i32 = 2010;
const YEARS: i32 = 16;

struct Opts {
    url: String,
    schema: Option<String>,
    facts: usize,
    queries: usize,
    cli: usize,
    web: usize,
}

fn opts() -> Opts {
    let mut o = Opts {
        url: "sqlite:///tmp/chiso-trend-1m.db".into(),
        schema: None,
        facts: 1_000_000,
        queries: 200,
        cli: 20,
        web: 200,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--url" => o.url = v,
            "--schema" => o.schema = Some(v),
            "--facts" => o.facts = v.parse().expect("--facts N"),
            "--queries" => o.queries = v.parse().expect("--queries N"),
            "--cli" => o.cli = v.parse().expect("--cli N"),
            "--web" => o.web = v.parse().expect("--web N"),
            // `cargo bench` passes `--bench`; anything else unknown is ignored too.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// A small deterministic generator (xorshift), so that two runs fill the same data.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// (full name, province, code) of the districts used.
type District = (String, String, String);

fn districts() -> Vec<District> {
    let g = Gazetteer::embedded();
    g.areas()
        .iter()
        .filter(|a| a.era == Era::Pre2025 && a.level == Level::District && !a.former)
        .filter_map(|a| {
            Some((
                a.full_name.clone(),
                g.province_of(a)?.name.clone(),
                a.code.clone(),
            ))
        })
        .collect()
}

fn fact(area: &District, ind: usize, year: i32, kind: Kind, value: f64) -> Fact {
    Fact {
        area: Some(area.0.clone()),
        area_level: Some("district".into()),
        area_code: Some(area.2.clone()),
        province: Some(area.1.clone()),
        metric: format!("chỉ tiêu số {ind}"),
        indicator: Some(format!("ind_{ind:02}")),
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
        yoy_pct: Some(5.0),
        sentence: format!(
            "Năm {year}, chỉ tiêu số {ind} của {} đạt {value} tỷ đồng.",
            area.0
        ),
        span: [0, 4],
        from_title: false,
    }
}

fn article_facts(i: usize, d: &[District], rng: &mut Rng) -> (NewArticle, Vec<Fact>) {
    let area = &d[i % d.len()];
    let year = FIRST_YEAR + ((i / d.len()) as i32 % YEARS);
    let mut facts = Vec::with_capacity(FACTS_PER_ARTICLE);
    for ind in 0..INDICATORS {
        let v = 100.0 + rng.below(10_000) as f64 / 10.0;
        facts.push(fact(area, ind, year, Kind::Actual, v));
        facts.push(fact(area, ind, year + 1, Kind::Target, v * 1.08));
        if ind % 2 == 0 {
            facts.push(fact(area, ind, year - 1, Kind::Actual, v * 0.93));
        }
    }
    let day = 1 + (i % 28) as u32;
    let published = format!("{}-12-{day:02}T08:00:00+07:00", year);
    let a = NewArticle {
        source: format!("src{}", i % 10),
        url: format!("https://bench.example/bai-{i}.html"),
        title: Some(format!("Báo cáo {} năm {year}", area.0)),
        published_at: chrono::DateTime::parse_from_rfc3339(&published).ok(),
        author: None,
        sapo: None,
        body: format!("bài {i}"),
        raw_html: None,
        etag: None,
        last_modified: None,
        fetched_at: chrono::Utc::now(),
        extractor_version: "bench".into(),
    };
    (a, facts)
}

async fn fill(s: &Arc<dyn Store>, d: &[District], facts: usize) {
    let have = s.counts().await.expect("counts").facts as usize;
    if have >= facts {
        println!("reusing database: {have} facts");
        return;
    }
    let sources: Vec<SourceRow> = (0..10)
        .map(|i| SourceRow {
            name: format!("src{i}"),
            province: "Hà Tĩnh".into(),
            base_url: "https://bench.example".into(),
            enabled: true,
        })
        .collect();
    s.sync_sources(&sources).await.expect("sources");
    let articles = facts.div_ceil(FACTS_PER_ARTICLE);
    let start_at = have / FACTS_PER_ARTICLE;
    let t0 = Instant::now();
    // SQLite has one writer: concurrent transactions would fail with "database is locked".
    let workers = match s.backend() {
        store::Backend::Sqlite => 1,
        store::Backend::Postgres => 4,
    };
    let mut tasks = Vec::new();
    for w in 0..workers {
        let s = s.clone();
        let d = d.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (w as u64 + 1));
            for i in (start_at..articles).filter(|i| i % workers == w) {
                let (a, f) = article_facts(i, &d, &mut rng);
                s.save_article(&a, &f, &[]).await.expect("save");
            }
        }));
    }
    for t in tasks {
        t.await.expect("fill task");
    }
    let n = s.counts().await.expect("counts").facts;
    println!("filled {n} facts in {:.1} s", t0.elapsed().as_secs_f64());
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name}: n={} median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        times.len(),
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.95).as_secs_f64() * 1e3,
        pick(1.0).as_secs_f64() * 1e3
    );
}

async fn pg_schema_url(url: &str, schema: &str) -> String {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
        .execute(&mut conn)
        .await
        .expect("schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = opts();
    let url = match &o.schema {
        Some(schema) if o.url.starts_with("postgres") => pg_schema_url(&o.url, schema).await,
        _ => o.url.clone(),
    };
    let s = store::open(&url, 5).await.expect("open");
    s.migrate().await.expect("migrate");
    let d = districts();
    println!("{} districts, {} indicators", d.len(), INDICATORS);
    fill(&s, &d, o.facts).await;

    let mut rng = Rng(42);
    let gaz = Gazetteer::embedded();
    let tax = Taxonomy::embedded();
    let mut lib = Vec::with_capacity(o.queries);
    let mut rows = 0;
    let pick = |rng: &mut Rng| {
        let area = &d[rng.below(d.len())];
        TrendRequest {
            area: chiso::text::strip_diacritics(&area.0),
            province: Some(area.1.clone()),
            indicator: format!("ind_{:02}", rng.below(INDICATORS)),
            kind: KindFilter::Both,
            from_year: None,
            to_year: None,
        }
    };
    // One warm-up query (gazetteer parse, connection).
    let warm = pick(&mut rng);
    let _ = load_trend(s.as_ref(), gaz, tax, &warm).await;
    for _ in 0..o.queries {
        let r = pick(&mut rng);
        let t0 = Instant::now();
        let t = load_trend(s.as_ref(), gaz, tax, &r).await;
        lib.push(t0.elapsed());
        if let Ok(t) = t {
            rows += t.rows.len();
        }
    }
    println!("{} periods in {} trends", rows, o.queries);
    summary("load_trend (library, warm)", lib);

    if o.cli > 0 {
        let dir = std::env::temp_dir().join(format!("chiso-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let config = dir.join("chiso.toml");
        let srcs: String = (0..10)
            .map(|i| {
                format!("[[source]]\nname = \"src{i}\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"https://bench.example\"\n")
            })
            .collect();
        std::fs::write(&config, format!("[database]\nurl = \"{url}\"\n{srcs}")).expect("config");
        let mut cli = Vec::with_capacity(o.cli);
        for _ in 0..o.cli {
            let r = pick(&mut rng);
            let t0 = Instant::now();
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
                .arg("--config")
                .arg(&config)
                .args(["trend", "--area", &r.area, "--indicator", &r.indicator])
                .args(["--province", r.province.as_deref().unwrap_or("")])
                .output()
                .expect("run chiso");
            cli.push(t0.elapsed());
            if !out.status.success() {
                eprintln!(
                    "chiso trend failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        summary("chiso trend (whole process)", cli);
        let _ = std::fs::remove_dir_all(&dir);
    }

    if o.web > 0 {
        web(&s, &d, o.web).await;
    }
}

/// The area page and `/api/series`: as library calls (`query::view`), then as HTTP requests to
/// the web routes on the daemon's listener (request sent to last byte read, over loopback).
async fn web(s: &Arc<dyn Store>, d: &[District], n: usize) {
    use chiso::query::view;
    let gaz = Gazetteer::embedded();
    let tax = Taxonomy::embedded();
    let mut rng = Rng(7);
    let mut pick = || {
        (
            d[rng.below(d.len())].2.clone(),
            format!("ind_{:02}", rng.below(INDICATORS)),
        )
    };
    let (code, _) = pick();
    let warm = view::area_view(s.as_ref(), gaz, tax, &code, None)
        .await
        .expect("area view");
    println!(
        "area page of {}: {} series, {} periods",
        warm.area,
        warm.series.len(),
        warm.series.iter().map(|t| t.rows.len()).sum::<usize>()
    );
    let (mut area_lib, mut series_lib) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let (code, ind) = pick();
        let t0 = Instant::now();
        let v = view::area_view(s.as_ref(), gaz, tax, &code, None).await;
        area_lib.push(t0.elapsed());
        assert!(
            v.is_ok_and(|v| !v.series.is_empty()),
            "area {code} has no series"
        );
        let t0 = Instant::now();
        let v = view::area_view(s.as_ref(), gaz, tax, &code, Some(&ind))
            .await
            .expect("series");
        let rows: Vec<view::PeriodRow> = v
            .series
            .iter()
            .flat_map(|t| view::period_rows(&code, t))
            .collect();
        series_lib.push(t0.elapsed());
        assert!(!rows.is_empty());
    }
    summary("area_view, every indicator (library)", area_lib);
    let mut sql = Vec::new();
    for _ in 0..n {
        let (code, _) = pick();
        let t0 = Instant::now();
        let rows = s.area_facts(&code, None).await.expect("area facts");
        sql.push(t0.elapsed());
        assert!(!rows.is_empty());
    }
    summary("  of which the facts query (store.area_facts)", sql);
    summary(
        "area_view + period_rows, one indicator (library)",
        series_lib,
    );

    // Server time: the router called in-process, from the request to the last byte of the body.
    let router = chiso::web::site(chiso::web::Web {
        store: Arc::clone(s),
        gazetteer: Gazetteer::embedded,
        taxonomy: tax,
    });
    let call = |path: String| {
        let mut router = router.clone();
        async move {
            use http_body_util::BodyExt;
            let req = axum::http::Request::get(path.as_str())
                .body(axum::body::Body::empty())
                .expect("request");
            let t0 = Instant::now();
            let resp = tower_service::Service::call(&mut router, req)
                .await
                .expect("infallible");
            assert!(resp.status().is_success(), "{path}: {}", resp.status());
            let body = resp.into_body().collect().await.expect("body").to_bytes();
            assert!(!body.is_empty());
            t0.elapsed()
        }
    };
    let (mut area_srv, mut series_srv) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let (code, ind) = pick();
        area_srv.push(call(format!("/area/{code}")).await);
        series_srv.push(call(format!("/api/series?area={code}&indicator={ind}")).await);
    }
    summary("/area/{code} server time (router in-process)", area_srv);
    summary("/api/series server time (router in-process)", series_srv);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = chiso::web::site(chiso::web::Web {
        store: Arc::clone(s),
        gazetteer: Gazetteer::embedded,
        taxonomy: tax,
    });
    let (_stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(chiso::daemon::http::serve_router(
        listener,
        router,
        stop,
        chiso::daemon::http::Limits::default(),
    ));
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        async move {
            let t0 = Instant::now();
            let r = client
                .get(format!("http://{addr}{path}"))
                .send()
                .await
                .expect("GET");
            let status = r.status();
            let body = r.bytes().await.expect("body");
            assert!(status.is_success(), "{path}: {status}");
            (t0.elapsed(), body.len())
        }
    };
    let _ = get(format!("/area/{code}")).await;
    let (mut area_http, mut series_http, mut bytes) = (Vec::new(), Vec::new(), 0);
    for _ in 0..n {
        let (code, ind) = pick();
        let (t, len) = get(format!("/area/{code}")).await;
        area_http.push(t);
        bytes += len;
        let (t, _) = get(format!("/api/series?area={code}&indicator={ind}")).await;
        series_http.push(t);
    }
    println!("area pages: {} KB on average", bytes / n / 1024);
    summary("GET /area/{code} (HTTP, loopback)", area_http);
    summary(
        "GET /api/series?area=&indicator= (HTTP, loopback)",
        series_http,
    );
}
