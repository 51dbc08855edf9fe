//! `chiso extract` as users and the benchmarks call it: the real binary, real files, stdin,
//! the JSON shapes of EXTRACTION.md's CLI contract, batch mode and its error lines.
//!
//! Texts are written for these tests in the shape of provincial reports.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A report whose one clear fact is 8.850,26 tỷ đồng for huyện Kỳ Anh in "năm qua".
const REPORT: &str = "Năm qua, tổng giá trị sản xuất của huyện Kỳ Anh đạt 8.850,26 tỷ đồng, \
                      đạt 107,79% kế hoạch, tăng 14,62% so với năm trước.\n";

fn chiso() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chiso"))
}

/// Runs the command with `stdin` as standard input.
fn run(mut cmd: Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chiso");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout_json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "chiso failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn facts(v: &Value) -> &Vec<Value> {
    v.get("facts")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no \"facts\" array in {v}"))
}

/// The fact with this value and unit, if any.
fn find<'a>(facts: &'a [Value], value: f64, unit: &str) -> Option<&'a Value> {
    facts.iter().find(|f| {
        f["value"]
            .as_f64()
            .is_some_and(|v| (v - value).abs() <= 1e-6 * value.abs())
            && f["unit"].as_str() == Some(unit)
    })
}

fn write_file(dir: &Path, name: &str, content: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn extract_file_prints_facts_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "ky-anh.txt", REPORT);
    let mut cmd = chiso();
    cmd.args([
        "extract",
        "--published",
        "2024-01-06",
        "--province",
        "Hà Tĩnh",
    ])
    .arg(&path);
    let v = stdout_json(&run(cmd, ""));
    let fact = find(facts(&v), 8850.26, "tỷ đồng").unwrap_or_else(|| panic!("fact missing: {v}"));
    assert_eq!(fact["area"], "huyện Kỳ Anh");
    assert_eq!(fact["year"], 2023);
    assert_eq!(fact["kind"], "actual");
    assert_eq!(fact["plan_pct"].as_f64(), Some(107.79));
    assert_eq!(fact["yoy_pct"].as_f64(), Some(14.62));
    // Every field of the contract is present, null or not.
    for key in [
        "area",
        "area_level",
        "area_code",
        "province",
        "metric",
        "indicator",
        "value",
        "unit",
        "value_base",
        "unit_base",
        "total",
        "year",
        "period",
        "kind",
        "approx",
        "plan_pct",
        "yoy_pct",
        "sentence",
        "span",
    ] {
        assert!(fact.get(key).is_some(), "fact lacks {key}: {fact}");
    }
    // The span points at the number in the text as given (character offsets).
    let span: Vec<usize> = fact["span"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect();
    let number: String = REPORT
        .chars()
        .skip(span[0])
        .take(span[1] - span[0])
        .collect();
    assert_eq!(number, "8.850,26");
}

#[test]
fn extract_reads_stdin_with_dash() {
    let mut cmd = chiso();
    cmd.args(["extract", "--published", "2024-01-06", "-"]);
    let v = stdout_json(&run(cmd, REPORT));
    assert!(
        find(facts(&v), 8850.26, "tỷ đồng").is_some(),
        "fact missing from stdin run: {v}"
    );
}

#[test]
fn published_date_resolves_nam_qua() {
    let year_for = |published: &str| {
        let mut cmd = chiso();
        cmd.args(["extract", "--published", published, "-"]);
        let v = stdout_json(&run(cmd, REPORT));
        let fact = find(facts(&v), 8850.26, "tỷ đồng")
            .unwrap_or_else(|| panic!("fact missing: {v}"))
            .clone();
        fact["year"].as_i64()
    };
    // January–March: the report is about the previous year; later: about the current one.
    assert_eq!(year_for("2024-01-06"), Some(2023));
    assert_eq!(year_for("2024-02-29"), Some(2023));
    assert_eq!(year_for("2024-07-15"), Some(2024));
}

#[test]
fn province_option_resolves_ambiguous_district() {
    // Châu Thành is a district of ten provinces; the source's province decides which.
    let text = "Năm 2023, huyện Châu Thành thu ngân sách đạt 412,5 tỷ đồng.\n";
    for (province, code) in [("Long An", "808"), ("Tiền Giang", "821")] {
        let mut cmd = chiso();
        cmd.args([
            "extract",
            "--province",
            province,
            "--published",
            "2023-12-28",
            "-",
        ]);
        let v = stdout_json(&run(cmd, text));
        let fact = find(facts(&v), 412.5, "tỷ đồng").unwrap_or_else(|| panic!("missing: {v}"));
        assert_eq!(fact["area"], "huyện Châu Thành");
        assert_eq!(fact["province"], province, "{fact}");
        if !fact["area_code"].is_null() {
            assert_eq!(fact["area_code"], code, "{fact}");
        }
    }
}

#[test]
fn batch_keeps_order_and_reports_broken_lines() {
    let dir = tempfile::tempdir().unwrap();
    let good = serde_json::json!({
        "id": "a1", "text": REPORT, "published": "2024-01-06", "province": "Hà Tĩnh"
    });
    let other = serde_json::json!({
        "id": 7,
        "text": "Năm 2022, huyện Đô Lương trồng mới 1.250 ha rừng.",
        "published": null, "province": null
    });
    let empty = serde_json::json!({"id": "e", "text": "", "published": null, "province": null});
    let input = format!("{good}\n{{\"id\": \"broken\", \"text\": \n{other}\n{empty}\n");
    let path = write_file(dir.path(), "in.jsonl", &input);

    let mut cmd = chiso();
    cmd.arg("extract").arg("--batch").arg(&path);
    let out = run(cmd, "");
    assert!(
        out.status.success(),
        "a broken line must not stop the batch: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect();
    assert_eq!(lines.len(), 4, "one output line per input line: {stdout}");

    assert_eq!(lines[0]["id"], "a1");
    assert!(
        find(facts(&lines[0]), 8850.26, "tỷ đồng").is_some(),
        "{}",
        lines[0]
    );

    let id = &lines[1]["id"];
    assert!(
        id.is_null() || id == "broken",
        "error line id: {}",
        lines[1]
    );
    assert!(
        lines[1]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "broken line must give an error message: {}",
        lines[1]
    );
    assert!(lines[1].get("facts").is_none(), "{}", lines[1]);

    assert_eq!(lines[2]["id"], 7, "ids keep their JSON type");
    let fact = find(facts(&lines[2]), 1250.0, "ha").unwrap_or_else(|| panic!("{}", lines[2]));
    assert_eq!(fact["area"], "huyện Đô Lương");
    assert_eq!(fact["year"], 2022);

    assert_eq!(lines[3]["id"], "e");
    assert!(facts(&lines[3]).is_empty());
}

#[test]
fn missing_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khong-co-bai-nay.txt");
    let mut cmd = chiso();
    cmd.arg("extract").arg(&path);
    let out = run(cmd, "");
    assert!(!out.status.success(), "a missing file must fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("khong-co-bai-nay.txt"),
        "the error names the file: {stderr}"
    );
}

#[test]
fn missing_batch_file_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("khong-co.jsonl");
    let mut cmd = chiso();
    cmd.arg("extract").arg("--batch").arg(&path);
    let out = run(cmd, "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("khong-co.jsonl"));
}

#[test]
fn html_input_is_scraped_first() {
    let page = r#"<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Huyện Kỳ Anh tổng kết năm 2023 - Báo Mẫu</title>
<meta property="og:title" content="Huyện Kỳ Anh tổng kết năm 2023">
<meta property="article:published_time" content="2024-01-06T17:30:00+07:00">
<script>var tracking = {"id": 12345, "ratio": "20/21"};</script>
</head><body>
<nav><a href="/">Trang chủ</a> | <a href="/kinh-te">Kinh tế</a> | Hotline: 0912 345 678</nav>
<article>
<h1 class="title">Huyện Kỳ Anh tổng kết năm 2023</h1>
<p class="sapo">Huyện Kỳ Anh (Hà Tĩnh) tổng kết công tác năm 2023.</p>
<div class="content">
<p>Năm 2023, tổng giá trị sản xuất của huyện Kỳ Anh đạt 8.850,26 tỷ đồng, đạt 107,79% kế hoạch, tăng 14,62% so với năm 2022.</p>
<p>Toàn huyện có 20/20 xã đạt chuẩn nông thôn mới.</p>
</div>
</article>
<footer>© 2024 Báo Mẫu. Giấy phép số 123/GP-BTTTT.</footer>
</body></html>
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(dir.path(), "page.html", page);
    let mut cmd = chiso();
    cmd.args(["extract", "--html", "--province", "Hà Tĩnh"])
        .arg(&path);
    let v = stdout_json(&run(cmd, ""));
    let list = facts(&v);
    let fact = find(list, 8850.26, "tỷ đồng").unwrap_or_else(|| panic!("fact missing: {v}"));
    assert_eq!(fact["area"], "huyện Kỳ Anh");
    assert_eq!(fact["year"], 2023);
    let ratio = find(list, 20.0, "xã").unwrap_or_else(|| panic!("ratio missing: {v}"));
    assert_eq!(ratio["total"].as_f64(), Some(20.0));
    // Nothing from the script, navigation or footer.
    for f in list {
        let sentence = f["sentence"].as_str().unwrap_or_default();
        assert!(
            !sentence.contains("tracking") && !sentence.contains("Hotline"),
            "fact from page chrome: {f}"
        );
        assert_ne!(f["value"].as_f64(), Some(12345.0), "{f}");
    }
}
