//! The web pages in a real browser: headless Chromium (Debian's `chromium`, which `.ci/run`
//! installs) loads each page of `chiso serve` on a database filled by `chiso demo`, the test reads
//! the DOM the browser built and writes a screenshot of each page to
//! `target/tmp/web-screenshots/` (the test's artifacts).
//!
//! Chromium's console goes to its stderr (`--enable-logging=stderr`): a page with a console
//! message fails the test. A control page with a script error proves that such messages are seen.
//! Without Chromium the test says it was skipped, except under `CI=true`, where it fails. The
//! browser is found as `$CHISO_TEST_CHROMIUM`, else `chromium`, `chromium-browser` or
//! `google-chrome` on the `PATH`.

mod web_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use web_support::{demo_db, Serve};

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CHISO_TEST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// What the browser made of one page.
struct Loaded {
    /// The DOM after loading, serialised.
    dom: String,
    /// Console messages Chromium logged.
    console: Vec<String>,
}

/// Loads `url` in a fresh headless Chromium (its own profile folder, so that tests running at
/// once do not share one) and returns the DOM; with `screenshot`, also writes a PNG of the page.
fn load(browser: &Path, profile: &Path, url: &str, screenshot: Option<&Path>) -> Loaded {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,3000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    match screenshot {
        Some(p) => cmd.arg(format!("--screenshot={}", p.display())),
        None => cmd.arg("--dump-dom"),
    };
    let out = cmd.arg(url).output().expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Loaded {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        console,
    }
}

/// The text of a DOM fragment without its tags.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_headless_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("pages_in_headless_chromium needs Chromium and CI=true: install `chromium`");
        }
        eprintln!("skipped: pages_in_headless_chromium needs Chromium (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let db = demo_db(dir.path());
    let s = Serve::start(dir.path(), &db).await;

    // The control: a script error is seen on the console.
    let control_page = dir.path().join("control.html");
    std::fs::write(
        &control_page,
        "<html><body><script>console.error('control-message')</script></body></html>",
    )
    .unwrap();
    let control = load(
        &browser,
        &profile,
        &format!("file://{}", control_page.display()),
        None,
    );
    assert!(
        control
            .console
            .iter()
            .any(|l| l.contains("control-message")),
        "Chromium's console is not visible: {:?}",
        control.console
    );

    let reports = s.json("/api/reports").await;
    let article_id = reports[0]["article_id"].as_i64().unwrap();
    let facts = s.json(&format!("/api/articles/{article_id}")).await["facts"]
        .as_array()
        .unwrap()
        .len();
    let pages = [
        ("home", "/".to_string()),
        ("areas", "/areas?q=huyen+Thach+Ha".to_string()),
        ("area", "/area/445".to_string()),
        ("indicator", "/indicator/gross_output".to_string()),
        ("article", format!("/article/{article_id}")),
    ];
    let mut doms = std::collections::HashMap::new();
    for (name, path) in &pages {
        let url = s.url(path);
        let page = load(&browser, &profile, &url, None);
        assert!(
            page.console.is_empty(),
            "{path}: console: {:?}",
            page.console
        );
        assert!(page.dom.contains("</main>"), "{path}: {}", page.dom);
        let shot = shots.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&shot);
        let shown = load(&browser, &profile, &url, Some(&shot));
        assert!(
            shown.console.is_empty(),
            "{path}: console: {:?}",
            shown.console
        );
        let png = std::fs::read(&shot).unwrap_or_default();
        assert!(
            png.len() > 1000 && png.starts_with(b"\x89PNG"),
            "{path}: no screenshot at {}",
            shot.display()
        );
        doms.insert(*name, page.dom);
    }

    // The search, typed without diacritics and with the level word, finds huyện Thạch Hà first.
    let first_row = doms["areas"]
        .split("<tbody>")
        .nth(1)
        .and_then(|b| b.split("</tr>").next())
        .expect("a result row");
    assert!(
        first_row.contains("href=\"/area/445\"") && text(first_row).contains("huyện Thạch Hà"),
        "{first_row}"
    );

    // The area page: a chart with the actual and the target line and the right numbers.
    let section = doms["area"]
        .split("id=\"income_per_capita\"")
        .nth(1)
        .and_then(|b| b.split("</section>").next())
        .expect("the income_per_capita section");
    assert!(section.contains("<polyline class=\"actual\""), "{section}");
    assert!(section.contains("<polyline class=\"target\""), "{section}");
    let shown = text(section);
    for v in ["52,4", "56,8", "61,5", "101,43%"] {
        assert!(shown.contains(v), "{v} not shown: {shown}");
    }
    assert!(text(&doms["indicator"]).contains("10.652,7"));

    // The article page: every fact's number highlighted.
    let marks: Vec<String> = doms["article"]
        .split("<mark>")
        .skip(1)
        .filter_map(|m| m.split("</mark>").next())
        .map(str::to_string)
        .collect();
    assert_eq!(marks.len(), facts, "{}", doms["article"]);
    assert!(
        marks.iter().all(|m| m.chars().any(|c| c.is_ascii_digit())),
        "{marks:?}"
    );
}
