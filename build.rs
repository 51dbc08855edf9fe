//! Precomputes the comparison keys of the embedded gazetteer (`text::name_key` and
//! `text::ascii_key` of every unit name and alias, in load order) so that a start does not
//! normalise ~17,000 names: that was a third of the gazetteer's start-up, which is on the
//! critical path of every short command (`chiso trend` at 1,000,000 facts). The key code is
//! `src/text.rs` itself, so the two can never disagree; a unit test checks the output.

#[allow(dead_code)]
#[path = "src/text.rs"]
mod text;

use std::fmt::Write as _;
use std::path::Path;

/// Unit files in the order `gazetteer::load::FILES` reads them (the maps carry no names).
const UNIT_FILES: [&str; 8] = [
    "provinces_2008_2025.csv",
    "provinces_2008_2025_former.csv",
    "districts_2008_2025.csv",
    "districts_2008_2025_former.csv",
    "communes_2008_2025.csv",
    "communes_2008_2025_former.csv",
    "provinces_2025.csv",
    "communes_2025.csv",
];

fn column(dir: &Path, file: &str, name: &str) -> Vec<String> {
    let path = dir.join(file);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let at = header
        .split(',')
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{file}: no column {name:?}"));
    lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').nth(at).unwrap_or_default().to_string())
        .collect()
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/text.rs");
    let dir = Path::new("data/gazetteer");
    let mut names: Vec<String> = Vec::new();
    for f in UNIT_FILES {
        names.extend(column(dir, f, "name"));
    }
    let units = names.len();
    names.extend(column(dir, "aliases.csv", "alias"));
    let mut out = String::with_capacity(names.len() * 24);
    for n in &names {
        let key = text::name_key(n);
        let ascii = text::ascii_key(&key);
        let _ = writeln!(out, "{key}\t{ascii}");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("gazetteer_keys.txt");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
    let dest = dest.with_file_name("gazetteer_units.rs");
    let units = format!(
        "/// The number of units of the embedded gazetteer, counted by build.rs.\n\
         const EMBEDDED_UNITS: usize = {units};\n"
    );
    std::fs::write(&dest, units).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
