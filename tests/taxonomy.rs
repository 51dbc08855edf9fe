//! The shipped indicator taxonomy: it loads, covers the seed article's keys, maps metric
//! phrases to the right indicator, and rejects broken files with errors naming file and key.

use chiso::taxonomy::{Taxonomy, TaxonomyError, BASE_UNITS};

fn key(phrase: &str) -> Option<&'static str> {
    Taxonomy::embedded()
        .match_metric(phrase)
        .map(|i| i.key.as_str())
}

const SEED_KEYS: [&str; 21] = [
    "new_party_members",
    "targets_met",
    "gross_output",
    "income_per_capita",
    "agri_output",
    "grain_output",
    "rice_yield",
    "ntm_communes",
    "ntm_district_criteria",
    "ntm_advanced_communes_new",
    "ntm_advanced_communes",
    "ntm_model_villages",
    "ocop_products",
    "ocop_products_4star",
    "ocop_products_3star",
    "output_per_hectare",
    "budget_revenue",
    "national_standard_schools_new",
    "cultural_villages_rate",
    "waste_treated_rate",
    "online_services_rate",
];

#[test]
fn embedded_file_loads_with_enough_indicators() {
    let t = Taxonomy::embedded();
    assert!(t.len() >= 60, "only {} indicators", t.len());
    // Also through the public parser, so a load error shows up as an error, not an empty set.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/indicators.toml"),
    )
    .unwrap();
    let parsed = Taxonomy::from_toml(&text, "config/indicators.toml").unwrap();
    assert_eq!(parsed.len(), t.len());
    for ind in t.iter() {
        assert!(BASE_UNITS.contains(&ind.base_unit.as_str()), "{}", ind.key);
        assert!(!ind.aliases.is_empty(), "{}", ind.key);
        if ind.kind.as_deref() == Some("rate") {
            assert_eq!(ind.base_unit, "%", "{}", ind.key);
        }
    }
}

#[test]
fn every_seed_key_is_present() {
    let t = Taxonomy::embedded();
    for k in SEED_KEYS {
        assert!(t.get(k).is_some(), "missing {k}");
    }
    assert!(t.get("no_such_indicator").is_none());
    for k in [
        "grdp",
        "grdp_growth",
        "grdp_per_capita",
        "budget_expenditure",
        "total_investment",
        "exports",
        "imports",
        "retail_sales",
        "tourists",
        "tourism_revenue",
        "industrial_production_index",
        "industrial_output",
        "new_enterprises",
        "poverty_rate",
        "poor_households",
        "near_poor_rate",
        "health_insurance_rate",
        "forest_cover",
        "clean_water_rate",
        "trained_labour_rate",
        "jobs_created",
        "labour_exported",
        "ntm_districts",
        "ntm_model_communes",
        "ocop_products_5star",
        "rice_area",
        "rice_output",
        "cattle",
        "pigs",
        "poultry",
        "aquaculture_area",
        "aquaculture_output",
        "national_standard_schools",
        "cultural_families",
        "fdi_capital",
        "investment_projects",
        "population",
        "urbanisation_rate",
        "hospital_beds_per_10k",
        "doctors_per_10k",
        "child_malnutrition_rate",
        "houses_supported",
        "rural_roads_km",
        "electrified_households_rate",
    ] {
        assert!(t.get(k).is_some(), "missing {k}");
    }
}

#[test]
fn specific_indicators_beat_general_ones() {
    assert_eq!(key("sản phẩm OCOP 4 sao"), Some("ocop_products_4star"));
    assert_eq!(key("sản phẩm OCOP 3 sao"), Some("ocop_products_3star"));
    assert_eq!(key("sản phẩm OCOP"), Some("ocop_products"));
    assert_eq!(
        key("xã đạt chuẩn NTM nâng cao"),
        Some("ntm_advanced_communes")
    );
    assert_eq!(key("xã đạt chuẩn NTM"), Some("ntm_communes"));
    assert_eq!(key("tốc độ tăng trưởng GRDP"), Some("grdp_growth"));
    assert_eq!(key("GRDP"), Some("grdp"));
    assert_eq!(key("GRDP bình quân đầu người"), Some("grdp_per_capita"));
    assert_eq!(key("tỷ lệ hộ nghèo"), Some("poverty_rate"));
    assert_eq!(key("hộ nghèo"), Some("poor_households"));
    assert_eq!(key("tỷ lệ hộ cận nghèo"), Some("near_poor_rate"));
    assert_eq!(
        key("tổng kim ngạch xuất, nhập khẩu hàng hóa"),
        Some("trade_total")
    );
    assert_eq!(key("kim ngạch xuất khẩu"), Some("exports"));
    assert_eq!(
        key("lượt khách du lịch quốc tế"),
        Some("international_tourists")
    );
    assert_eq!(key("tổng đàn trâu, bò"), Some("cattle_buffaloes"));
    assert_eq!(
        key("trường đạt chuẩn quốc gia"),
        Some("national_standard_schools")
    );
    assert_eq!(
        key("tỷ lệ trường đạt chuẩn quốc gia"),
        Some("national_standard_schools_rate")
    );
}

#[test]
fn seed_style_phrases_map_to_their_keys() {
    for (phrase, want) in [
        ("kết nạp đảng viên mới", "new_party_members"),
        ("chỉ tiêu kinh tế - xã hội đạt và vượt kế hoạch", "targets_met"),
        ("tổng giá trị sản phẩm", "gross_output"),
        ("tổng giá trị sản phẩm theo giá hiện hành", "gross_output"),
        ("thu nhập bình quân đầu người", "income_per_capita"),
        ("giá trị sản phẩm lĩnh vực nông nghiệp", "agri_output"),
        ("tổng sản lượng cây lương thực có hạt", "grain_output"),
        ("sản lượng lương thực có hạt", "grain_output"),
        ("năng suất lúa", "rice_yield"),
        ("xã đạt chuẩn nông thôn mới", "ntm_communes"),
        ("tiêu chí huyện nông thôn mới hoàn thành", "ntm_district_criteria"),
        ("xã đạt nông thôn mới nâng cao mới trong năm", "ntm_advanced_communes_new"),
        ("xã đạt nông thôn mới nâng cao", "ntm_advanced_communes"),
        ("thôn đạt chuẩn khu dân cư nông thôn mới kiểu mẫu", "ntm_model_villages"),
        ("sản phẩm OCOP (lũy kế)", "ocop_products"),
        ("giá trị sản xuất trên đơn vị diện tích", "output_per_hectare"),
        ("thu ngân sách", "budget_revenue"),
        ("trường đạt chuẩn quốc gia xây dựng thêm", "national_standard_schools_new"),
        ("tỷ lệ thôn văn hóa", "cultural_villages_rate"),
        ("tỷ lệ thôn văn hoá", "cultural_villages_rate"),
        (
            "tỷ lệ chất thải rắn sinh hoạt được phân loại, thu gom và xử lý đạt tiêu chuẩn",
            "waste_treated_rate",
        ),
        (
            "tỷ lệ thủ tục hành chính đủ điều kiện được triển khai dịch vụ công trực tuyến toàn trình",
            "online_services_rate",
        ),
    ] {
        assert_eq!(key(phrase), Some(want), "{phrase}");
    }
}

#[test]
fn phrases_outside_the_taxonomy_stay_unmatched() {
    for phrase in [
        "lớp đảng viên mới",
        "học viên lớp đảng viên mới",
        "lớp sơ cấp lý luận chính trị",
        "chuyển đảng chính thức",
        "tặng Huy hiệu Đảng",
        "sản phẩm OCOP được hỗ trợ xây dựng phương án",
        "xã đạt tiêu chuẩn cơ sở vững mạnh toàn diện",
        "",
    ] {
        assert_eq!(key(phrase), None, "{phrase}");
    }
    // Whole words only: an alias inside a longer word does not count.
    assert_eq!(key("GRDPX"), None);
}

#[test]
fn accent_free_text_falls_back_to_ascii_keys() {
    assert_eq!(key("ty le ho ngheo"), Some("poverty_rate"));
    assert_eq!(key("san pham OCOP 4 sao"), Some("ocop_products_4star"));
}

#[test]
fn nfd_and_spacing_do_not_matter() {
    use unicode_normalization::UnicodeNormalization;
    let nfd: String = "tỷ lệ hộ nghèo".nfd().collect();
    assert_eq!(key(&nfd), Some("poverty_rate"));
    assert_eq!(key("  Tỷ\u{00A0}lệ   HỘ nghèo "), Some("poverty_rate"));
}

fn write_temp(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my-indicators.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const ONE: &str = r#"
[[indicator]]
key = "rice_yield"
name = "Năng suất lúa"
aliases = ["năng suất lúa bình quân"]
unit = "tạ/ha"
base_unit = "kg/ha"
"#;

#[test]
fn duplicate_key_names_file_and_key() {
    let text = format!(
        "{ONE}{}",
        ONE.replace("năng suất lúa bình quân", "năng suất")
    );
    let (_dir, path) = write_temp(&text);
    let err = Taxonomy::from_file(&path).unwrap_err();
    assert!(matches!(err, TaxonomyError::DuplicateKey { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("my-indicators.toml"), "{msg}");
    assert!(msg.contains("rice_yield"), "{msg}");
    assert!(msg.contains(":10:"), "line of the second key: {msg}");
}

#[test]
fn unknown_field_names_file_key_and_field() {
    let text = ONE.replace("unit = \"tạ/ha\"", "unit = \"tạ/ha\"\nunits = \"tạ\"");
    let (_dir, path) = write_temp(&text);
    let err = Taxonomy::from_file(&path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, TaxonomyError::UnknownField { .. }), "{err:?}");
    assert!(msg.contains("my-indicators.toml"), "{msg}");
    assert!(msg.contains("rice_yield") && msg.contains("units"), "{msg}");
}

#[test]
fn alias_claimed_twice_is_an_error() {
    let other = ONE
        .replace("rice_yield", "rice_yield_2")
        .replace("Năng suất lúa\"", "Năng suất\"")
        .replace("năng suất lúa bình quân", "Năng suất lúa bình quân");
    let (_dir, path) = write_temp(&format!("{ONE}{other}"));
    let err = Taxonomy::from_file(&path).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, TaxonomyError::DuplicateAlias { .. }),
        "{err:?}"
    );
    assert!(
        msg.contains("rice_yield_2") && msg.contains("rice_yield\""),
        "{msg}"
    );
}

#[test]
fn missing_file_and_bad_toml_are_errors() {
    let err = Taxonomy::from_file(std::path::Path::new("/nonexistent/ind.toml")).unwrap_err();
    assert!(matches!(err, TaxonomyError::Io { .. }));
    let err = Taxonomy::from_toml("[[indicator]\nkey=", "broken.toml").unwrap_err();
    assert!(err.to_string().contains("broken.toml"));
    let err = Taxonomy::from_toml(
        &ONE.replace("aliases = [\"năng suất lúa bình quân\"]\n", ""),
        "x.toml",
    )
    .unwrap_err();
    assert!(err.to_string().contains("rice_yield"), "{err}");
}

/// On-CPU time of this thread in ns (Linux `schedstat`), so the report means something on a
/// busy machine; falls back to 0 elsewhere.
fn cpu_ns() -> u128 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Throughput report for the hot paths; run with
/// `cargo test --release --test taxonomy -- --ignored --nocapture`. Prints wall and CPU time,
/// asserts nothing.
#[test]
#[ignore]
fn report_hot_path_speed() {
    use chiso::gazetteer::{AreaQuery, Gazetteer, Resolution};
    use chiso::text::{ascii_key, name_key};
    use std::time::Instant;
    let report = |what: &str, n: usize, wall: std::time::Duration, cpu: u128| {
        println!(
            "{what}: {n} in {wall:?} wall, {:.3} ms CPU ({:.0} ns CPU each)",
            cpu as f64 / 1e6,
            cpu as f64 / n.max(1) as f64
        );
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gazetteer");
    let (t0, c0) = (Instant::now(), cpu_ns());
    let g = Gazetteer::load_dir(&dir).unwrap();
    report("gazetteer load_dir", 1, t0.elapsed(), cpu_ns() - c0);
    let (t0, c0) = (Instant::now(), cpu_ns());
    let tax = Taxonomy::embedded();
    report("taxonomy load", 1, t0.elapsed(), cpu_ns() - c0);
    let phrases = [
        "tỷ lệ chất thải rắn sinh hoạt được phân loại, thu gom và xử lý đạt tiêu chuẩn",
        "sản phẩm OCOP 4 sao",
        "tốc độ tăng trưởng GRDP",
        "một cụm từ không thuộc danh mục nào cả",
        "thu ngân sách",
    ];
    let n = 200_000;
    let (t0, c0) = (Instant::now(), cpu_ns());
    let mut hits = 0usize;
    for i in 0..n {
        hits += usize::from(tax.match_metric(phrases[i % phrases.len()]).is_some());
    }
    report("match_metric calls", n, t0.elapsed(), cpu_ns() - c0);
    assert!(hits > 0);
    let names = [
        "Thanh Hoá",
        "huyện Kỳ Anh",
        "Phan Rang - Tháp Chàm",
        "Đắk Lắk",
        "Hà Tĩnh",
    ];
    let (t0, c0) = (Instant::now(), cpu_ns());
    let mut len = 0usize;
    for i in 0..n {
        len += name_key(names[i % names.len()]).len() + ascii_key(names[i % names.len()]).len();
    }
    report("name_key+ascii_key pairs", n, t0.elapsed(), cpu_ns() - c0);
    assert!(len > 0);
    let (t0, c0) = (Instant::now(), cpu_ns());
    let mut found = 0usize;
    for i in 0..n / 10 {
        let q = AreaQuery {
            province: Some("Hà Tĩnh"),
            ..AreaQuery::new(names[i % names.len()])
        };
        found += usize::from(!matches!(g.resolve(&q), Resolution::NotFound));
    }
    report("resolve calls", n / 10, t0.elapsed(), cpu_ns() - c0);
    assert!(found > 0);
}
