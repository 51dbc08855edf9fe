//! Every kind of configuration error gives one clear message naming the file, the key and the
//! line, and exit code 2; the shipped configuration validates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VALID_SOURCE: &str = r#"
[[source]]
name = "baohatinh"
province = "Hà Tĩnh"
base_url = "https://baohatinh.vn"
"#;

fn chiso(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env_remove("CHISO_CONFIG")
        .env_remove("CHISO_DATABASE_URL")
        .output()
        .expect("run chiso")
}

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let p = dir.path().join("chiso.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `config check` on `text` and returns stderr after asserting exit code 2 and that the
/// message names the file, the line and each of `needles`.
fn rejects(text: &str, line: usize, needles: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, text);
    let out = chiso(&["config", "check"], &path);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "exit code for {text:?}: {err}");
    let at = format!("{}:{line}:", path.display());
    assert!(err.contains(&at), "expected {at:?} in {err:?}");
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in {err:?}");
    }
    assert_eq!(err.lines().count(), 1, "one message: {err:?}");
    err
}

#[test]
fn unknown_key() {
    rejects(
        "[http]\nuser_agnt = \"x\"\n",
        2,
        &["http.user_agnt", "unknown field"],
    );
    rejects(
        &format!("{VALID_SOURCE}feed = [\"/rss\"]\n"),
        6,
        &["source[0].feed"],
    );
}

#[test]
fn wrong_type() {
    rejects(
        "[http]\ntimeout_s = \"thirty\"\n",
        2,
        &["http.timeout_s", "invalid type"],
    );
    rejects("[database]\nurl = 5\n", 2, &["database.url"]);
}

#[test]
fn bad_cron() {
    rejects(
        &format!("{VALID_SOURCE}schedule = \"*/5 * * * *\"\n"),
        6,
        &["source[0]", "schedule", "cron"],
    );
}

#[test]
fn bad_regex() {
    rejects(
        &format!("{VALID_SOURCE}article_pattern = '-post(\\d+\\.html$'\n"),
        6,
        &["article_pattern", "regular expression"],
    );
}

#[test]
fn bad_css_selector() {
    let text =
        format!("{VALID_SOURCE}[source.selectors]\ntitle = \"h1\"\nremove = [\"div[\", \"p\"]\n");
    rejects(&text, 8, &["selectors.remove[0]", "CSS selector"]);
}

#[test]
fn bad_url() {
    rejects(
        "[[source]]\nname = \"x\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"ftp://x.vn\"\n",
        4,
        &["base_url", "http"],
    );
    rejects(
        "[[source]]\nname = \"x\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"not a url\"\n",
        4,
        &["base_url", "invalid URL"],
    );
    rejects(
        "[[alert]]\nurl = \"carrier-pigeon://x\"\n",
        2,
        &["alert[0]", "scheme"],
    );
}

#[test]
fn duplicate_source_name() {
    rejects(
        &format!("{VALID_SOURCE}{VALID_SOURCE}"),
        8,
        &["duplicate source name", "baohatinh"],
    );
}

#[test]
fn unreadable_file() {
    let out = chiso(&["config", "check"], Path::new("/nonexistent/chiso.toml"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("/nonexistent/chiso.toml"), "{err}");
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn toml_syntax_error_names_line() {
    rejects("[http]\ntimeout_s = = 3\n", 2, &[]);
}

#[test]
fn shipped_config_validates_and_summarises() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/chiso.toml");
    let out = chiso(&["config", "check"], &path);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("OK"));
    let sources = text
        .lines()
        .find(|l| l.starts_with("sources:"))
        .expect("sources line");
    let n: usize = sources
        .trim_start_matches("sources:")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n >= 12, "at least 12 provincial papers: {sources}");
    for name in ["baohatinh", "baonghean", "baocantho", "Thanh Hóa"] {
        assert!(text.contains(name), "{name} in summary");
    }
}

#[test]
fn config_path_from_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, VALID_SOURCE);
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["sources"])
        .env("CHISO_CONFIG", &path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("baohatinh"));
}

#[test]
fn db_migrate_creates_sqlite_file_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &format!("[database]\nurl = \"sqlite://state/sub/chiso.db\"\n{VALID_SOURCE}"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["--config"])
        .arg(&path)
        .args(["db", "migrate"])
        .env_remove("CHISO_DATABASE_URL")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("state/sub/chiso.db").exists());
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 sources"));
}

#[test]
fn shipped_config_covers_the_34_provinces_and_documents_each_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = chiso::config::Config::load(&root.join("config/chiso.toml")).unwrap();
    let provinces: std::collections::BTreeSet<&str> =
        config.sources.iter().map(|s| s.province.as_str()).collect();
    let csv = std::fs::read_to_string(root.join("data/gazetteer/provinces_2025.csv")).unwrap();
    let expected: std::collections::BTreeSet<&str> = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert_eq!(expected.len(), 34);
    assert_eq!(
        provinces, expected,
        "one paper per province of the 2025 structure"
    );
    // Every source says what its settings rest on, in the comment just above it.
    let text = std::fs::read_to_string(root.join("config/chiso.toml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.trim() == "[[source]]" {
            let above = lines[..i].iter().rev().take_while(|l| l.starts_with('#'));
            let note: Vec<&str> = above.copied().collect();
            assert!(
                note.iter()
                    .any(|n| n.contains("(cfg)") || n.contains("(url)") || n.contains("(page)")),
                "source at line {} has no note on its evidence: {note:?}",
                i + 1
            );
        }
    }
}

#[test]
fn archive_url_without_a_year_and_backfill_keys() {
    rejects(
        &format!("{VALID_SOURCE}archive_url = \"/luu-tru/{{month}}/\"\n"),
        6,
        &["source[0]", "archive_url", "{year}"],
    );
    rejects(
        "[backfill]\nmax_requests_per_hour = -1\n",
        2,
        &["backfill.max_requests_per_hour"],
    );
    rejects(
        "[backfill]\nmax_request = 5\n",
        2,
        &["backfill.max_request"],
    );
}

#[test]
fn zero_concurrent_runs() {
    rejects(
        "[schedule]\nmax_concurrent_runs = 0\n",
        2,
        &["schedule.max_concurrent_runs", "at least 1"],
    );
}
