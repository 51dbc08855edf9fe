//! Gazetteer lookups against the embedded data: levels, spellings, eras, merges, ambiguity.

use chiso::gazetteer::{Area, AreaQuery, Era, Gazetteer, Level, Resolution};
use unicode_normalization::UnicodeNormalization;

fn g() -> &'static Gazetteer {
    Gazetteer::embedded()
}

fn unique<'g>(r: Resolution<'g>) -> &'g Area {
    match r {
        Resolution::Unique(a) => a,
        other => panic!("expected Unique, got {other:?}"),
    }
}

fn ambiguous<'g>(r: Resolution<'g>) -> Vec<&'g Area> {
    match r {
        Resolution::Ambiguous(v) => v,
        other => panic!("expected Ambiguous, got {other:?}"),
    }
}

fn in_province<'a>(name: &'a str, province: &'a str) -> AreaQuery<'a> {
    AreaQuery {
        province: Some(province),
        ..AreaQuery::new(name)
    }
}

#[test]
fn embedded_data_has_every_unit() {
    let areas = g().areas();
    let count = |era: Era, level: Level, former: bool| {
        areas
            .iter()
            .filter(|a| a.era == era && a.level == level && a.former == former)
            .count()
    };
    assert_eq!(count(Era::Pre2025, Level::Province, false), 63);
    assert_eq!(count(Era::Pre2025, Level::District, false), 696);
    assert_eq!(count(Era::Pre2025, Level::Commune, false), 10_035);
    assert_eq!(count(Era::Pre2025, Level::District, true), 51);
    assert_eq!(count(Era::Pre2025, Level::Commune, true), 1_578);
    assert_eq!(count(Era::Post2025, Level::Province, false), 34);
    assert_eq!(count(Era::Post2025, Level::Commune, false), 3_321);
}

#[test]
fn ky_anh_is_resolved_by_its_level_word() {
    let huyen = unique(g().resolve(&in_province("huyện Kỳ Anh", "Hà Tĩnh")));
    assert_eq!(huyen.code, "447");
    assert_eq!(huyen.unit_type, "huyện");
    assert_eq!(huyen.level, Level::District);
    assert_eq!(huyen.era, Era::Pre2025);
    let thi_xa = unique(g().resolve(&in_province("thị xã Kỳ Anh", "Hà Tĩnh")));
    assert_eq!(thi_xa.code, "449");
    assert_eq!(thi_xa.full_name, "thị xã Kỳ Anh");
    // The level word may come separately.
    let q = AreaQuery {
        unit_type: Some("huyện"),
        ..in_province("Kỳ Anh", "Hà Tĩnh")
    };
    assert_eq!(unique(g().resolve(&q)).code, "447");
}

#[test]
fn ky_anh_without_level_word_is_ambiguous() {
    let cands = ambiguous(g().resolve(&in_province("Kỳ Anh", "Hà Tĩnh")));
    let mut codes: Vec<&str> = cands.iter().map(|a| a.code.as_str()).collect();
    codes.sort();
    // huyện 447 and thị xã 449: a bare name means the largest units of that name.
    assert_eq!(codes, ["447", "449"]);
    // Restricted to districts, still two units in one province: never guess.
    let q = AreaQuery {
        level: Some(Level::District),
        ..in_province("Kỳ Anh", "Hà Tĩnh")
    };
    assert_eq!(ambiguous(g().resolve(&q)).len(), 2);
    // After the reform only xã Kỳ Anh has the name.
    let q = AreaQuery {
        era: Some(Era::Post2025),
        ..in_province("Kỳ Anh", "Hà Tĩnh")
    };
    assert_eq!(unique(g().resolve(&q)).code, "18775");
    // With the commune level, both eras' communes of that name (none before 2025).
    let q = AreaQuery {
        level: Some(Level::Commune),
        ..in_province("Kỳ Anh", "Hà Tĩnh")
    };
    assert_eq!(unique(g().resolve(&q)).code, "18775");
}

#[test]
fn chau_thanh_is_ambiguous_across_ten_provinces() {
    let q = AreaQuery {
        level: Some(Level::District),
        ..AreaQuery::new("Châu Thành")
    };
    let cands = ambiguous(g().resolve(&q));
    assert_eq!(cands.len(), 10);
    assert!(cands.iter().all(|a| a.unit_type == "huyện"));
    let mut provinces: Vec<&str> = cands.iter().map(|a| a.province_code.as_str()).collect();
    provinces.sort();
    provinces.dedup();
    assert_eq!(provinces.len(), 10);
    // A bare name gives the same ten huyện (the largest units of that name).
    assert_eq!(
        ambiguous(g().resolve(&AreaQuery::new("Châu Thành"))).len(),
        10
    );
    // Communes of that name only when asked for.
    let q = AreaQuery {
        level: Some(Level::Commune),
        ..AreaQuery::new("Châu Thành")
    };
    let communes = ambiguous(g().resolve(&q));
    assert!(communes.iter().all(|a| a.level == Level::Commune));
    // The province settles it.
    let q = AreaQuery {
        level: Some(Level::District),
        ..in_province("Châu Thành", "Bến Tre")
    };
    assert_eq!(unique(g().resolve(&q)).province_code, "83");
}

#[test]
fn decomposed_input_is_accepted() {
    let nfd: String = "huyện Kỳ Anh".nfd().collect();
    let prov: String = "Hà Tĩnh".nfd().collect();
    assert_ne!(nfd, "huyện Kỳ Anh");
    assert_eq!(unique(g().resolve(&in_province(&nfd, &prov))).code, "447");
    assert_eq!(
        g().find_province(&prov).map(|p| p.code.as_str()),
        Some("42")
    );
}

#[test]
fn both_tone_placements_match() {
    let a = g().find_province("Thanh Hoá").map(|p| p.code.clone());
    let b = g().find_province("Thanh Hóa").map(|p| p.code.clone());
    assert_eq!(a.as_deref(), Some("38"));
    assert_eq!(a, b);
    let hoa = g().find_province("tỉnh Hòa Bình").map(|p| p.code.clone());
    assert_eq!(hoa.as_deref(), Some("17"));
    assert_eq!(g().find_province("Hoà Bình").map(|p| p.code.clone()), hoa);
    // A district written in the other style: huyện Minh Hóa (Quảng Bình).
    let q = AreaQuery {
        era: Some(Era::Pre2025),
        ..in_province("huyện Minh Hoá", "Quảng Bình")
    };
    assert_eq!(unique(g().resolve(&q)).code, "452");
}

#[test]
fn find_province_prefers_post_reform_and_knows_aliases() {
    let ht = g()
        .find_province("tỉnh Hà Tĩnh")
        .map(|p| (p.code.as_str(), p.era));
    assert_eq!(ht, Some(("42", Era::Post2025)));
    let hcm = g()
        .find_province("TP.HCM")
        .map(|p| (p.code.as_str(), p.era));
    assert_eq!(hcm, Some(("79", Era::Post2025)));
    let qb = g()
        .find_province("Quảng Bình")
        .map(|p| (p.code.as_str(), p.era));
    assert_eq!(qb, Some(("44", Era::Pre2025)));
    assert!(g().find_province("Quảng Bìnhh").is_none());
}

#[test]
fn commune_of_2025_leads_back_to_its_former_districts() {
    // xã Cẩm Bình (Hà Tĩnh, 2025) was made from communes of thành phố Hà Tĩnh and huyện Cẩm Xuyên.
    let cam_binh = g()
        .get(Era::Post2025, Level::Commune, "18685")
        .expect("xã Cẩm Bình exists");
    assert_eq!(cam_binh.full_name, "xã Cẩm Bình");
    let mut districts: Vec<&str> = g()
        .former_districts(cam_binh)
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    districts.sort();
    assert_eq!(districts, ["436", "446"]);
    let mut communes: Vec<&str> = g()
        .former_communes(cam_binh)
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    communes.sort();
    assert_eq!(communes, ["18112", "18685", "18691", "18694"]);
    // xã Kỳ Anh (2025) comes from huyện Kỳ Anh only.
    let xa = unique(g().resolve(&AreaQuery {
        era: Some(Era::Post2025),
        ..in_province("xã Kỳ Anh", "Hà Tĩnh")
    }));
    let ds = g().former_districts(xa);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].full_name, "huyện Kỳ Anh");
    // Not a 2025 commune: nothing.
    let huyen = g()
        .get(Era::Pre2025, Level::District, "447")
        .expect("huyện Kỳ Anh");
    assert!(g().former_districts(huyen).is_empty());
}

#[test]
fn quang_binh_context_spans_the_merger() {
    // huyện Bố Trạch (Quảng Bình, before) and xã Bố Trạch (Quảng Trị, after).
    let bare = unique(g().resolve(&in_province("Bố Trạch", "Quảng Bình")));
    assert_eq!(bare.code, "455");
    let xa = unique(g().resolve(&in_province("xã Bố Trạch", "Quảng Bình")));
    assert_eq!(xa.code, "19141");
    let post = unique(g().resolve(&AreaQuery {
        era: Some(Era::Post2025),
        ..in_province("Bố Trạch", "Quảng Bình")
    }));
    assert_eq!(
        (post.code.as_str(), post.province_code.as_str()),
        ("19141", "44")
    );
    assert_eq!(
        g().province_of(post).map(|p| p.name.as_str()),
        Some("Quảng Trị")
    );
    // Context "Quảng Trị" still accepts the pre-2025 Quảng Bình district.
    let pre = unique(g().resolve(&in_province("huyện Bố Trạch", "Quảng Trị")));
    assert_eq!(pre.code, "455");
    // A different province rules it out.
    assert!(matches!(
        g().resolve(&in_province("huyện Bố Trạch", "Hà Tĩnh")),
        Resolution::NotFound
    ));
}

#[test]
fn successor_and_parents() {
    let qb = g()
        .get(Era::Pre2025, Level::Province, "44")
        .expect("Quảng Bình");
    assert_eq!(
        g().successor_province(qb).map(|p| p.name.as_str()),
        Some("Quảng Trị")
    );
    let commune = g()
        .get(Era::Pre2025, Level::Commune, "18775")
        .expect("thị trấn Kỳ Đồng");
    let district = g().parent(commune).expect("district");
    assert_eq!(district.code, "447");
    let province = g().parent(district).expect("province");
    assert_eq!(province.code, "42");
    assert!(g().parent(province).is_none());
    assert_eq!(
        g().province_of(commune).map(|p| p.code.as_str()),
        Some("42")
    );
}

#[test]
fn abbreviations_of_level_words() {
    for (name, code) in [
        ("TX. Kỳ Anh", "449"),
        ("TX Kỳ Anh", "449"),
        ("H. Kỳ Anh", "447"),
        ("TP Hà Tĩnh", "436"),
        ("TP. Hà Tĩnh", "436"),
    ] {
        let q = AreaQuery {
            level: Some(Level::District),
            ..in_province(name, "Hà Tĩnh")
        };
        assert_eq!(unique(g().resolve(&q)).code, code, "{name}");
    }
    let vinh = unique(g().resolve(&AreaQuery {
        era: Some(Era::Pre2025),
        ..AreaQuery::new("TP. Vinh")
    }));
    assert_eq!(vinh.full_name, "thành phố Vinh");
}

#[test]
fn numeric_names_need_their_type_word() {
    let q = in_province("phường 12", "Bà Rịa - Vũng Tàu");
    let p = unique(g().resolve(&q));
    assert_eq!((p.code.as_str(), p.unit_type.as_str()), ("26542", "phường"));
    assert_eq!(
        unique(g().resolve(&in_province("P.12", "BR-VT"))).code,
        "26542"
    );
    assert!(matches!(
        g().resolve(&in_province("12", "Bà Rịa - Vũng Tàu")),
        Resolution::NotFound
    ));
    assert_eq!(unique(g().resolve(&AreaQuery::new("quận 1"))).code, "760");
}

#[test]
fn ascii_fallback_only_when_nothing_exact() {
    let q = AreaQuery {
        level: Some(Level::District),
        ..in_province("huyen Ky Anh", "Ha Tinh")
    };
    assert_eq!(unique(g().resolve(&q)).code, "447");
    assert!(g().is_area_name("kỳ anh"));
    assert!(g().is_area_name("ky anh"));
    assert!(!g().is_area_name("chỉ tiêu"));
}

#[test]
fn kept_units_collapse_across_eras() {
    // Hà Tĩnh kept code 42 through the reform: one unit, reported in its 2025 form.
    let ht = unique(g().resolve(&AreaQuery::new("tỉnh Hà Tĩnh")));
    assert_eq!((ht.code.as_str(), ht.era), ("42", Era::Post2025));
    // Restricting the era gives the other one.
    let pre = unique(g().resolve(&AreaQuery {
        era: Some(Era::Pre2025),
        ..AreaQuery::new("tỉnh Hà Tĩnh")
    }));
    assert_eq!(pre.era, Era::Pre2025);
    assert_eq!(pre.valid_to, chrono::NaiveDate::from_ymd_opt(2025, 6, 30));
}

#[test]
fn former_units_only_when_no_current_one() {
    // huyện Lộc Hà (Hà Tĩnh) was dissolved before 2025-01-04.
    let loc_ha = unique(g().resolve(&AreaQuery {
        level: Some(Level::District),
        ..in_province("Lộc Hà", "Hà Tĩnh")
    }));
    assert!(loc_ha.former);
    assert_eq!(loc_ha.code, "448");
    assert!(loc_ha
        .valid_to
        .is_some_and(|d| d < chrono::NaiveDate::from_ymd_opt(2025, 1, 4).unwrap()));
}

#[test]
fn load_dir_reports_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/gazetteer");
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let copy = Gazetteer::load_dir(dir.path()).unwrap();
    assert_eq!(copy.areas().len(), g().areas().len());
    // The commune map, parsed at load time here and on first use in the embedded copy, agrees
    // for every 2025 commune.
    let mut mapped = 0;
    for (a, b) in copy.areas().iter().zip(g().areas()) {
        let old = |g: &Gazetteer, x| -> Vec<String> {
            g.former_communes(x)
                .iter()
                .map(|c| c.code.clone())
                .collect()
        };
        assert_eq!(old(&copy, a), old(g(), b), "{}", a.full_name);
        mapped += usize::from(!old(g(), b).is_empty());
    }
    assert!(
        mapped > 3_000,
        "{mapped} communes of 2025 with former communes"
    );
    // A broken commune map is reported at load time by `load_dir`.
    let map = dir.path().join("commune_map_2025.csv");
    let saved = std::fs::read_to_string(&map).unwrap();
    let mut lines: Vec<&str> = saved.lines().collect();
    lines[1] = "00001,001,01,,01,0,1,x,a,b";
    std::fs::write(&map, lines.join("\n")).unwrap();
    let err = Gazetteer::load_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("commune_map_2025.csv:2"), "{err}");
    std::fs::write(&map, saved).unwrap();
    // Break line 3 of the district file.
    let file = dir.path().join("districts_2008_2025.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[2] = "999,01,,huyện,huyện ,2020-02-25";
    std::fs::write(&file, lines.join("\n")).unwrap();
    let err = Gazetteer::load_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("districts_2008_2025.csv:3"), "{err}");
}

#[test]
fn curated_province_aliases() {
    let hcm = unique(g().resolve(&AreaQuery::new("TP.HCM")));
    assert_eq!((hcm.code.as_str(), hcm.era), ("79", Era::Post2025));
    let hue = unique(g().resolve(&AreaQuery::new("Thừa Thiên - Huế")));
    assert_eq!(hue.code, "46");
    // "Sài Gòn" is a pre-2025 alias of the city and, since 2025, a phường.
    let city = unique(g().resolve(&AreaQuery::new("Sài Gòn")));
    assert_eq!((city.code.as_str(), city.era), ("79", Era::Pre2025));
    let ward = unique(g().resolve(&AreaQuery::new("phường Sài Gòn")));
    assert_eq!((ward.level, ward.era), (Level::Commune, Era::Post2025));
    // The bare name of a province and of its capital city: the province.
    let ht = unique(g().resolve(&AreaQuery::new("Hà Tĩnh")));
    assert_eq!(ht.level, Level::Province);
}

#[test]
fn unknown_or_empty_queries_are_not_found() {
    assert!(matches!(
        g().resolve(&AreaQuery::new("")),
        Resolution::NotFound
    ));
    assert!(matches!(
        g().resolve(&AreaQuery::new("Xứ Sở Thần Tiên")),
        Resolution::NotFound
    ));
    let q = AreaQuery {
        unit_type: Some("làng"),
        ..AreaQuery::new("Kỳ Anh")
    };
    assert!(matches!(g().resolve(&q), Resolution::NotFound));
    // An unknown province context is ignored rather than turning every lookup into a miss.
    let q = AreaQuery {
        level: Some(Level::District),
        ..in_province("huyện Kỳ Anh", "Atlantis")
    };
    assert_eq!(unique(g().resolve(&q)).code, "447");
}

#[test]
fn era_of_date_switches_on_reform_day() {
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    assert_eq!(Era::of_date(d(2025, 6, 30)), Era::Pre2025);
    assert_eq!(Era::of_date(d(2025, 7, 1)), Era::Post2025);
    assert_eq!(Era::Pre2025.as_str(), "2008_2025");
    assert_eq!(Level::Commune.as_str(), "commune");
}

#[test]
fn island_special_zone_leads_back_to_its_island_district() {
    // đặc khu Côn Đảo (2025) was huyện Côn Đảo, which had no communes.
    let con_dao = g()
        .get(Era::Post2025, Level::Commune, "26732")
        .expect("đặc khu Côn Đảo");
    assert_eq!(con_dao.unit_type, "đặc khu");
    let ds = g().former_districts(con_dao);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].code, "755");
    assert!(g().former_communes(con_dao).is_empty());
    let q = AreaQuery {
        unit_type: Some("đặc khu"),
        ..AreaQuery::new("Côn Đảo")
    };
    assert_eq!(unique(g().resolve(&q)).code, "26732");
}
