//! End-to-end checks of the engine on sentences written for them.

use crate::extract::{ExtractOptions, Extractor, Fact, Kind};
use chrono::NaiveDate;

fn run(text: &str, published: &str, province: &str) -> Vec<Fact> {
    let opts = ExtractOptions {
        published: NaiveDate::parse_from_str(published, "%Y-%m-%d").ok(),
        province: Some(province.to_string()),
        title: None,
    };
    Extractor::embedded().extract(text, &opts)
}

fn brief(f: &Fact) -> (f64, String, Option<i32>, Kind) {
    (f.value, f.unit.clone(), f.year, f.kind)
}

#[test]
fn old_level_in_a_change_is_not_a_fact() {
    let f = run(
        "Năm 2023, tỷ lệ hộ nghèo của huyện Kỳ Anh giảm từ 5,2% xuống còn 3,8%.",
        "2024-01-10",
        "Hà Tĩnh",
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(brief(&f[0]), (3.8, "%".into(), Some(2023), Kind::Actual));
    assert_eq!(f[0].area.as_deref(), Some("huyện Kỳ Anh"));
}

#[test]
fn a_year_in_passing_does_not_govern_later_sentences() {
    let text =
        "Năm 2023, huyện Kỳ Anh thu ngân sách 200 tỷ đồng. Dự án cầu dự kiến hoàn thành năm 2025. \
                Toàn huyện có 5.000 hộ kinh doanh.";
    let f = run(text, "2024-01-10", "Hà Tĩnh");
    let last = f.last().unwrap();
    assert_eq!(
        brief(last),
        (5000.0, "hộ kinh doanh".into(), Some(2023), Kind::Actual)
    );
}

#[test]
fn later_clauses_inherit_an_explicit_area() {
    let text = "Năm 2024, GRDP của Nghệ An tăng 7,5%; công nghiệp tăng 11,2%.";
    let f = run(text, "2025-01-05", "Hà Tĩnh");
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(
        f.iter().all(|x| x.area.as_deref() == Some("tỉnh Nghệ An")),
        "{f:?}"
    );
    assert_eq!(f[1].value, 11.2);
}

#[test]
fn headline_repeats_are_dropped() {
    let text =
        "Kỳ Anh thu ngân sách 200 tỷ đồng\nNăm 2023, huyện Kỳ Anh thu ngân sách 200 tỷ đồng.";
    let f = run(text, "2024-01-10", "Hà Tĩnh");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].year, Some(2023));
}

#[test]
fn list_under_a_target_heading() {
    let text = "Một số chỉ tiêu chủ yếu năm 2025:\n- Thu ngân sách 300 tỷ đồng;\n- Tỷ lệ hộ nghèo dưới 2%.\nNăm 2024, huyện Kỳ Anh có 20 xã đạt chuẩn nông thôn mới.";
    let f = run(text, "2024-12-20", "Hà Tĩnh");
    let kinds: Vec<_> = f.iter().map(|x| (x.value, x.kind)).collect();
    assert_eq!(kinds[0], (300.0, Kind::Target));
    assert_eq!(kinds.last().copied(), Some((20.0, Kind::Actual)));
}

#[test]
fn spans_point_into_the_text_as_given() {
    let text = "Năm 2023, huyện\u{a0}Kỳ Anh có 5.892 học viên.";
    let f = run(text, "2024-01-10", "Hà Tĩnh");
    let [s, e] = f[0].span;
    let got: String = text.chars().skip(s).take(e - s).collect();
    assert_eq!(got, "5.892");
}
