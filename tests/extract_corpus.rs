//! The extraction corpus: runs the engine on every case of `tests/corpus/*.toml` and compares
//! its facts with the hand-written expectations.
//!
//! The cases were written from EXTRACTION.md, independently of the engine, so this test is the
//! contract's executable form. It prints a readable diff for each failing case and the overall
//! precision / recall / F1, and fails unless every case passes, except the ids listed in
//! `tests/corpus/KNOWN_FAILURES`, which must still fail (a ratchet: the list only shrinks).
//!
//! `CHISO_CORPUS_CASE=<substring>` runs only the cases whose id contains the substring, which
//! is handy while working on one pattern; the ratchet then applies to those cases only.

use chiso::extract::{ExtractOptions, Extractor, Fact, Kind};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// The not-a-fact classes of EXTRACTION.md (plus durations); each needs 3 negative cases.
const NEGATIVE_CLASSES: [&str; 14] = [
    "date",
    "age",
    "phone",
    "document",
    "sports",
    "lottery",
    "weather",
    "price",
    "accident",
    "prize",
    "attendance",
    "award",
    "wip",
    "duration",
];

/// Fewer cases than this means a file failed to load or was emptied by mistake.
const MIN_CASES: usize = 150;
/// Cases needed per not-a-fact class.
const MIN_PER_NEGATIVE_CLASS: usize = 3;
/// Relative tolerance for every float comparison.
const REL_TOL: f64 = 1e-6;

/// One `tests/corpus/*.toml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    case: Vec<Case>,
}

/// One article and the facts it must yield.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    published: Option<String>,
    province: Option<String>,
    title: Option<String>,
    text: String,
    #[serde(default)]
    tags: Vec<String>,
    /// Required, even when empty, so that a forgotten list is not read as a negative case.
    facts: Option<Vec<Expected>>,
    /// Set by the loader: the file the case came from.
    #[serde(skip)]
    file: String,
}

/// One expected fact. Omitted `total`/`plan_pct`/`yoy_pct` must be null; the fields after
/// them are checked only when present.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    area: Option<String>,
    value: f64,
    unit: String,
    total: Option<f64>,
    year: Option<i32>,
    kind: Kind,
    plan_pct: Option<f64>,
    yoy_pct: Option<f64>,
    indicator: Option<String>,
    period: Option<String>,
    value_high: Option<f64>,
    approx: Option<bool>,
    /// Free text for the reader; never compared.
    #[allow(dead_code)]
    note: Option<String>,
}

/// What happened to one case.
struct Outcome {
    matched: usize,
    missing: Vec<usize>,
    unexpected: Vec<usize>,
    bad_spans: Vec<String>,
}

impl Outcome {
    fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.bad_spans.is_empty()
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
}

/// Loads every case, in file-name order then file order.
fn load_cases() -> Vec<Case> {
    let dir = corpus_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let file: CorpusFile = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: invalid corpus file: {e}", path.display()));
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for mut case in file.case {
            case.file = name.clone();
            cases.push(case);
        }
    }
    cases
}

/// Ids listed in KNOWN_FAILURES, with their reasons.
fn known_failures() -> BTreeMap<String, String> {
    let path = corpus_dir().join("KNOWN_FAILURES");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (id, reason) = line.split_once('#').unwrap_or((line, ""));
            let id = id.trim();
            (!id.is_empty()).then(|| (id.to_string(), reason.trim().to_string()))
        })
        .collect()
}

fn case_filter() -> Option<String> {
    std::env::var("CHISO_CORPUS_CASE")
        .ok()
        .filter(|s| !s.is_empty())
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= REL_TOL * a.abs().max(b.abs())
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a, b),
        _ => false,
    }
}

fn same_area(e: &Option<String>, a: &Option<String>) -> bool {
    e.as_deref().map(nfc) == a.as_deref().map(nfc)
}

fn same_unit(e: &str, a: &str) -> bool {
    nfc(e).to_lowercase() == nfc(a).to_lowercase()
}

/// The fields of `e` that `a` gets wrong (empty = a match).
fn differences(e: &Expected, a: &Fact) -> Vec<&'static str> {
    let mut diff = Vec::new();
    if !same_area(&e.area, &a.area) {
        diff.push("area");
    }
    if !close(e.value, a.value) {
        diff.push("value");
    }
    if !same_unit(&e.unit, &a.unit) {
        diff.push("unit");
    }
    if !close_opt(e.total, a.total) {
        diff.push("total");
    }
    if e.year != a.year {
        diff.push("year");
    }
    if e.kind != a.kind {
        diff.push("kind");
    }
    if !close_opt(e.plan_pct, a.plan_pct) {
        diff.push("plan_pct");
    }
    if !close_opt(e.yoy_pct, a.yoy_pct) {
        diff.push("yoy_pct");
    }
    if e.indicator.is_some() && e.indicator != a.indicator {
        diff.push("indicator");
    }
    if e.period.is_some() && e.period != a.period {
        diff.push("period");
    }
    if e.value_high.is_some() && !close_opt(e.value_high, a.value_high) {
        diff.push("value_high");
    }
    if e.approx.is_some_and(|x| x != a.approx) {
        diff.push("approx");
    }
    diff
}

#[allow(clippy::needless_update)] // robust to options added later
fn options(case: &Case) -> ExtractOptions {
    let published = case.published.as_deref().map(|d| {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap_or_else(|e| panic!("{}: bad published date {d:?}: {e}", case.id))
    });
    ExtractOptions {
        published,
        province: case.province.clone(),
        title: case.title.clone(),
        ..Default::default()
    }
}

/// Multiset comparison: each expected fact takes the first unused actual fact it matches.
fn compare(case: &Case, actual: &[Fact]) -> Outcome {
    let expected = case.facts.as_deref().unwrap_or_default();
    let mut used = vec![false; actual.len()];
    let mut missing = Vec::new();
    let mut matched = 0;
    for (i, e) in expected.iter().enumerate() {
        let hit = (0..actual.len()).find(|&j| !used[j] && differences(e, &actual[j]).is_empty());
        match hit {
            Some(j) => {
                used[j] = true;
                matched += 1;
            }
            None => missing.push(i),
        }
    }
    let unexpected = (0..actual.len()).filter(|&j| !used[j]).collect();
    let chars = case.text.chars().count();
    let bad_spans = actual
        .iter()
        .filter(|f| f.span[0] >= f.span[1] || f.span[1] > chars)
        .map(|f| format!("span {:?} outside the text ({chars} chars)", f.span))
        .collect();
    Outcome {
        matched,
        missing,
        unexpected,
        bad_spans,
    }
}

fn show_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn show_expected(e: &Expected) -> String {
    format!(
        "{} | {} {} | total {} | {:?} {} | plan {} yoy {}",
        e.area.as_deref().unwrap_or("-"),
        e.value,
        e.unit,
        show_opt(e.total),
        e.year,
        e.kind.as_str(),
        show_opt(e.plan_pct),
        show_opt(e.yoy_pct),
    )
}

fn show_actual(a: &Fact) -> String {
    format!(
        "{} | {} {} | total {} | {:?} {} | plan {} yoy {} | period {} | {:?}",
        a.area.as_deref().unwrap_or("-"),
        a.value,
        a.unit,
        show_opt(a.total),
        a.year,
        a.kind.as_str(),
        show_opt(a.plan_pct),
        show_opt(a.yoy_pct),
        a.period.as_deref().unwrap_or("-"),
        a.metric,
    )
}

/// The readable diff of one failing case, with the nearest actual fact for each missing one.
fn report(case: &Case, actual: &[Fact], outcome: &Outcome) -> String {
    let expected = case.facts.as_deref().unwrap_or_default();
    let mut out = format!("--- {} ({})\n", case.id, case.file);
    for &i in &outcome.missing {
        let e = &expected[i];
        let _ = writeln!(out, "  missing:    {}", show_expected(e));
        let nearest = outcome
            .unexpected
            .iter()
            .map(|&j| (j, differences(e, &actual[j])))
            .min_by_key(|(_, d)| d.len());
        if let Some((j, diff)) = nearest.filter(|(_, d)| d.len() <= 3) {
            let _ = writeln!(
                out,
                "      nearest {} differs in {}",
                show_actual(&actual[j]),
                diff.join(", ")
            );
        }
    }
    for &j in &outcome.unexpected {
        let a = &actual[j];
        let _ = writeln!(out, "  unexpected: {}", show_actual(a));
        let _ = writeln!(out, "      in: {}", a.sentence.trim());
    }
    for s in &outcome.bad_spans {
        let _ = writeln!(out, "  {s}");
    }
    out
}

#[test]
fn corpus_is_well_formed() {
    let cases = load_cases();
    assert!(
        cases.len() >= MIN_CASES,
        "only {} corpus cases loaded, expected at least {MIN_CASES}",
        cases.len()
    );

    let mut seen = BTreeSet::new();
    for case in &cases {
        assert!(
            seen.insert(case.id.as_str()),
            "duplicate case id {}",
            case.id
        );
        assert!(
            case.facts.is_some(),
            "{} ({}): write `facts = []` for a case with no facts",
            case.id,
            case.file
        );
        assert!(!case.text.trim().is_empty(), "{}: empty text", case.id);
        for tag in &case.tags {
            if let Some(class) = tag.strip_prefix("negative:") {
                assert!(
                    NEGATIVE_CLASSES.contains(&class),
                    "{}: unknown negative class {class:?}",
                    case.id
                );
            }
        }
    }

    for class in NEGATIVE_CLASSES {
        let tag = format!("negative:{class}");
        let n = cases.iter().filter(|c| c.tags.contains(&tag)).count();
        assert!(
            n >= MIN_PER_NEGATIVE_CLASS,
            "not-a-fact class {class}: {n} cases, need {MIN_PER_NEGATIVE_CLASS}"
        );
    }

    for id in known_failures().keys() {
        assert!(
            seen.contains(id.as_str()),
            "KNOWN_FAILURES lists {id}, which is no case id"
        );
    }
}

/// Every `full_name` of the gazetteer files shipped in `data/gazetteer` (current and former
/// units, both eras), read straight from the CSVs so this check does not depend on the engine.
fn gazetteer_full_names() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join("gazetteer");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let Some(col) = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "full_name")
        else {
            continue;
        };
        for record in reader.records() {
            // Compared by the gazetteer's name key, which folds spelling variants the text may
            // keep ("Phú Quý" for "Phú Quí").
            names.insert(chiso::text::name_key(&record.unwrap()[col]));
        }
    }
    names
}

#[test]
fn expected_areas_are_real_units() {
    // A typo in an expected area would make a case fail for the wrong reason.
    let names = gazetteer_full_names();
    assert!(names.len() > 10_000, "gazetteer not found or empty");
    let mut unknown = Vec::new();
    for case in load_cases() {
        for fact in case.facts.as_deref().unwrap_or_default() {
            if let Some(area) = &fact.area {
                if !names.contains(&chiso::text::name_key(&nfc(area))) {
                    unknown.push(format!("{}: {area}", case.id));
                }
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "areas not in data/gazetteer: {unknown:?}"
    );
}

#[test]
fn corpus_matches_expected_facts() {
    let filter = case_filter();
    let cases: Vec<Case> = load_cases()
        .into_iter()
        .filter(|c| filter.as_ref().is_none_or(|f| c.id.contains(f.as_str())))
        .collect();
    assert!(!cases.is_empty(), "no case matches CHISO_CORPUS_CASE");
    let known = known_failures();
    let extractor = Extractor::embedded();

    let (mut tp, mut n_expected, mut n_actual) = (0usize, 0usize, 0usize);
    let mut failed: Vec<&str> = Vec::new();
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut diffs = String::new();

    for case in &cases {
        let actual = extractor.extract(&case.text, &options(case));
        let outcome = compare(case, &actual);
        tp += outcome.matched;
        n_expected += case.facts.as_deref().unwrap_or_default().len();
        n_actual += actual.len();
        let entry = per_file.entry(case.file.as_str()).or_default();
        entry.1 += 1;
        if outcome.passed() {
            entry.0 += 1;
        } else {
            failed.push(case.id.as_str());
            diffs.push_str(&report(case, &actual, &outcome));
        }
    }

    let precision = if n_actual == 0 {
        1.0
    } else {
        tp as f64 / n_actual as f64
    };
    let recall = if n_expected == 0 {
        1.0
    } else {
        tp as f64 / n_expected as f64
    };
    let f1 = if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    };

    println!("{diffs}");
    println!("per file (passed/cases):");
    for (file, (ok, n)) in &per_file {
        println!("  {file:<28} {ok}/{n}");
    }
    println!(
        "corpus: {} cases, {} passed, {} failed; facts expected {n_expected}, reported {n_actual}, matched {tp}",
        cases.len(),
        cases.len() - failed.len(),
        failed.len()
    );
    println!("precision {precision:.4}  recall {recall:.4}  F1 {f1:.4}");

    let failed_set: BTreeSet<&str> = failed.iter().copied().collect();
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let unexpected_failures: Vec<&str> = failed
        .iter()
        .copied()
        .filter(|id| !known.contains_key(*id))
        .collect();
    let now_passing: Vec<&str> = known
        .keys()
        .map(String::as_str)
        .filter(|id| ids.contains(id) && !failed_set.contains(id))
        .collect();

    let mut problems = String::new();
    if !unexpected_failures.is_empty() {
        const SHOWN: usize = 30;
        let more = unexpected_failures.len().saturating_sub(SHOWN);
        let _ = writeln!(
            problems,
            "{} case(s) failed (diffs above): {}{}",
            unexpected_failures.len(),
            unexpected_failures[..unexpected_failures.len().min(SHOWN)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    for id in &now_passing {
        let _ = writeln!(
            problems,
            "{id} passes now: remove {id} from tests/corpus/KNOWN_FAILURES"
        );
    }
    assert!(problems.is_empty(), "{problems}");
}
