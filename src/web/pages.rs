//! The HTML pages: the latest reports and the sources' health (`/`), the area search
//! (`/areas?q=`), an area's series (`/area/{code}`), an indicator's ranking
//! (`/indicator/{key}?year=`) and an article's facts with their sentences (`/article/{id}`).
//! Labels are Vietnamese with the English key (the API's field name) beneath.

use super::html::{downloads, esc, ext_link, link, num, page, pct, table, url_arg};
use super::{chart, html_response, status_of, Web};
use crate::query::view::{self, ViewError};
use crate::store::ListFilter;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use std::fmt::Write;

/// Reports listed on the home page.
const HOME_REPORTS: i64 = 50;

/// Query parameters of the pages.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    /// Search text (`/areas`).
    pub q: Option<String>,
    /// Year (`/indicator/{key}`).
    pub year: Option<String>,
}

fn error_page(e: ViewError) -> Response {
    let status = status_of(&e);
    if let ViewError::Store(err) = &e {
        tracing::warn!("web: {err}");
    }
    html_response(
        status,
        page(
            "Lỗi",
            &format!(
                "<h1>{} {}</h1><p>{}</p>",
                status.as_u16(),
                esc(status.canonical_reason().unwrap_or("")),
                esc(&e.to_string())
            ),
        ),
    )
}

fn ok(body: String) -> Response {
    html_response(StatusCode::OK, body)
}

/// A time in Vietnam, to the minute (`05/12/2026 16:30`).
fn vn_time(t: Option<DateTime<FixedOffset>>) -> String {
    t.map(|t| {
        t.with_timezone(&crate::scrape::vietnam())
            .format("%d/%m/%Y %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn vn_utc(t: Option<DateTime<Utc>>) -> String {
    vn_time(t.map(|t| t.fixed_offset()))
}

/// Any path without a route.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    error_page(ViewError::NotFound(format!(
        "no page at {}: try / or /areas",
        uri.path()
    )))
}

/// `/`: the latest reports and every source's health.
pub async fn home(State(web): State<Web>) -> Response {
    let run = async {
        let reports = web
            .store
            .list_reports(&ListFilter {
                limit: Some(HOME_REPORTS),
                ..Default::default()
            })
            .await?;
        let sources = web.store.source_status().await?;
        let mut body = String::from(
            "<h1>Báo cáo mới nhất <small class=\"muted\">(latest reports)</small></h1>",
        );
        body.push_str(&downloads("/api/reports"));
        let rows: Vec<Vec<String>> = reports
            .iter()
            .map(|r| {
                vec![
                    link(
                        &format!("/article/{}", r.article_id),
                        r.title.as_deref().unwrap_or(&r.url),
                    ),
                    esc(&r.source),
                    esc(&r.source_province),
                    esc(r.areas.as_deref().unwrap_or("")),
                    format!("<span class=\"n\">{}</span>", r.facts),
                    esc(&vn_time(r.published_at)),
                    esc(&vn_utc(Some(r.first_seen_at))),
                ]
            })
            .collect();
        body.push_str(&table(
            "reports",
            &[
                ("Bài báo", "title"),
                ("Báo", "source"),
                ("Tỉnh", "source_province"),
                ("Địa bàn", "areas"),
                ("Số chỉ tiêu", "facts"),
                ("Ngày đăng", "published_at"),
                ("Thấy lần đầu", "first_seen_at"),
            ],
            &rows,
        ));
        if reports.is_empty() {
            body.push_str("<p class=\"muted\">Chưa có bài nào (no articles yet).</p>");
        }
        body.push_str("<h2>Nguồn tin <small class=\"muted\">(sources)</small></h2>");
        body.push_str(&downloads("/api/sources"));
        let rows: Vec<Vec<String>> = sources
            .iter()
            .map(|s| {
                let status = s.last_status.as_deref().unwrap_or("");
                vec![
                    esc(&s.name),
                    esc(&s.province),
                    if s.enabled {
                        "có".into()
                    } else {
                        "không".into()
                    },
                    esc(&vn_utc(s.last_started)),
                    format!("<span class=\"{0}\">{0}</span>", esc(status)),
                    esc(&vn_utc(s.next_run_at)),
                    s.consecutive_failures.to_string(),
                    s.articles.to_string(),
                    s.facts.to_string(),
                ]
            })
            .collect();
        body.push_str(&table(
            "sources",
            &[
                ("Nguồn", "name"),
                ("Tỉnh", "province"),
                ("Bật", "enabled"),
                ("Lần chạy cuối", "last_started"),
                ("Kết quả", "last_status"),
                ("Lần chạy tới", "next_run_at"),
                ("Lỗi liên tiếp", "consecutive_failures"),
                ("Bài", "articles"),
                ("Chỉ tiêu", "facts"),
            ],
            &rows,
        ));
        Ok::<_, ViewError>(ok(page("Báo cáo mới", &body)))
    };
    run.await.unwrap_or_else(error_page)
}

/// `/areas?q=`: units by name, both structures, with their fact counts.
pub async fn areas(State(web): State<Web>, Query(p): Query<PageParams>) -> Response {
    let run = async {
        let q = p.q.as_deref().unwrap_or("").trim().to_string();
        let mut body = format!(
            "<h1>Tìm địa bàn <small class=\"muted\">(areas)</small></h1>\
             <form action=\"/areas\" method=\"get\"><input type=\"search\" name=\"q\" value=\"{}\" \
             placeholder=\"huyen Thach Ha\" aria-label=\"q\"> <button type=\"submit\">Tìm \
             (search)</button></form>",
            esc(&q)
        );
        if q.is_empty() {
            body.push_str(
                "<p class=\"muted\">Gõ tên có hoặc không dấu, có hoặc không có cấp \
                 (\"huyen Thach Ha\", \"Thạch Hà\", \"xa Ky Ninh\").</p>",
            );
            return Ok(ok(page("Địa bàn", &body)));
        }
        let hits = view::search_areas(web.store.as_ref(), (web.gazetteer)(), &q).await?;
        body.push_str(&downloads(&format!("/api/areas?q={}", url_arg(&q))));
        let rows: Vec<Vec<String>> = hits
            .iter()
            .map(|h| {
                vec![
                    link(&format!("/area/{}", url_arg(&h.area_code)), &h.area),
                    esc(&h.area_code),
                    esc(level_vi(&h.area_level)),
                    esc(h.province.as_deref().unwrap_or("")),
                    esc(if h.era == "2025" {
                        "sau 2025 (2025)"
                    } else if h.former {
                        "2008–2025, tên cũ (former)"
                    } else {
                        "2008–2025"
                    }),
                    format!("<span class=\"n\">{}</span>", h.facts),
                ]
            })
            .collect();
        let _ = write!(
            body,
            "<p>{} địa bàn (units) cho “{}”.</p>",
            hits.len(),
            esc(&q)
        );
        body.push_str(&table(
            "areas",
            &[
                ("Địa bàn", "area"),
                ("Mã", "area_code"),
                ("Cấp", "area_level"),
                ("Tỉnh", "province"),
                ("Cơ cấu hành chính", "era"),
                ("Số chỉ tiêu", "facts"),
            ],
            &rows,
        ));
        Ok::<_, ViewError>(ok(page(&format!("Địa bàn: {q}"), &body)))
    };
    run.await.unwrap_or_else(error_page)
}

fn level_vi(level: &str) -> &'static str {
    match level {
        "province" => "tỉnh (province)",
        "district" => "huyện (district)",
        "commune" => "xã (commune)",
        _ => "",
    }
}

/// A cell with a number, right-aligned; a star and a class when the reports disagree.
fn num_cell(v: Option<f64>, disagree: bool) -> String {
    if disagree && v.is_some() {
        format!(
            "<span class=\"disagree\" title=\"Các bài báo lệch nhau hơn 1% (reports disagree)\">{} *</span>",
            esc(&num(v))
        )
    } else {
        esc(&num(v))
    }
}

/// `/area/{code}`: a chart and a table per indicator.
pub async fn area(State(web): State<Web>, Path(code): Path<String>) -> Response {
    let run = async {
        let v = view::area_view(
            web.store.as_ref(),
            (web.gazetteer)(),
            web.taxonomy,
            &code,
            None,
        )
        .await?;
        let mut body = format!(
            "<h1>{} <small class=\"muted\">{} · mã {}</small></h1>",
            esc(&v.area),
            esc(v.province.as_deref().unwrap_or("")),
            esc(&v.area_code)
        );
        if v.series.is_empty() {
            body.push_str("<p class=\"muted\">Chưa có chỉ tiêu nào (no facts).</p>");
        }
        for t in &v.series {
            let api = format!(
                "/api/series?area={}&indicator={}",
                url_arg(&v.area_code),
                url_arg(&t.indicator)
            );
            let _ = write!(
                body,
                "<section class=\"series\" id=\"{}\"><h2>{} <small class=\"muted\">({}, {})</small></h2>",
                esc(&t.indicator),
                esc(&t.indicator_name),
                link(&format!("/indicator/{}", url_arg(&t.indicator)), &t.indicator),
                esc(&t.unit)
            );
            body.push_str(&chart::svg(t));
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    let mut links = Vec::new();
                    if let Some(a) = &r.actual {
                        links.push(ext_link(&a.article_url, "thực hiện"));
                    }
                    if let Some(p) = &r.target {
                        links.push(ext_link(&p.article_url, "kế hoạch"));
                    }
                    vec![
                        esc(&r.period),
                        num_cell(
                            r.actual.as_ref().map(|p| p.value),
                            r.actual.as_ref().is_some_and(|p| p.disagree),
                        ),
                        esc(&pct(r.growth_pct.or(r.reported_growth_pct), true)),
                        num_cell(
                            r.target.as_ref().map(|p| p.value),
                            r.target.as_ref().is_some_and(|p| p.disagree),
                        ),
                        esc(&pct(r.achievement_pct.or(r.reported_plan_pct), false)),
                        r.actual
                            .as_ref()
                            .or(r.target.as_ref())
                            .map_or(0, |p| p.reports)
                            .to_string(),
                        links.join(" · "),
                    ]
                })
                .collect();
            body.push_str(&table(
                "periods",
                &[
                    ("Kỳ", "period"),
                    ("Thực hiện", "actual"),
                    ("Tăng trưởng", "growth_pct"),
                    ("Kế hoạch", "target"),
                    ("Đạt kế hoạch", "achievement_pct"),
                    ("Số bài", "reports"),
                    ("Bài báo", "article_url"),
                ],
                &rows,
            ));
            body.push_str(&downloads(&api));
            body.push_str("</section>");
        }
        Ok::<_, ViewError>(ok(page(&v.area, &body)))
    };
    run.await.unwrap_or_else(error_page)
}

/// `/indicator/{key}?year=`: the areas that report it, ranked, with a chart.
pub async fn indicator(
    State(web): State<Web>,
    Path(key): Path<String>,
    Query(p): Query<PageParams>,
) -> Response {
    let run = async {
        let year = super::api::parse_year(&p.year)?;
        let r = view::ranking(web.store.as_ref(), web.taxonomy, &key, year).await?;
        let mut body = format!(
            "<h1>{} <small class=\"muted\">({}){}</small></h1>",
            esc(&r.indicator_name),
            esc(&r.indicator),
            r.year.map(|y| format!(" · năm {y}")).unwrap_or_default()
        );
        let _ = write!(
            body,
            "<form action=\"/indicator/{}\" method=\"get\">Năm (year): <input name=\"year\" \
             size=\"5\" value=\"{}\"> <button type=\"submit\">Xem</button></form>",
            esc(&url_arg(&key)),
            r.year.map(|y| y.to_string()).unwrap_or_default()
        );
        body.push_str(&ranking_chart(&r));
        let rows: Vec<Vec<String>> = r
            .rows
            .iter()
            .map(|x| {
                vec![
                    x.rank.to_string(),
                    match &x.area_code {
                        Some(c) => link(&format!("/area/{}", url_arg(c)), &x.area),
                        None => esc(&x.area),
                    },
                    esc(x.province.as_deref().unwrap_or("")),
                    esc(&x.period),
                    num_cell(Some(x.value), x.disagree),
                    esc(&x.unit),
                    esc(&pct(x.growth_pct, true)),
                    esc(&num(x.target)),
                    esc(&pct(x.achievement_pct, false)),
                    x.reports.to_string(),
                    ext_link(&x.article_url, "bài báo"),
                ]
            })
            .collect();
        body.push_str(&table(
            "ranking",
            &[
                ("Hạng", "rank"),
                ("Địa bàn", "area"),
                ("Tỉnh", "province"),
                ("Kỳ", "period"),
                ("Thực hiện", "value"),
                ("Đơn vị", "unit"),
                ("Tăng trưởng", "growth_pct"),
                ("Kế hoạch", "target"),
                ("Đạt kế hoạch", "achievement_pct"),
                ("Số bài", "reports"),
                ("Nguồn", "article_url"),
            ],
            &rows,
        ));
        let mut api = format!("/api/ranking?indicator={}", url_arg(&key));
        if let Some(y) = r.year {
            let _ = write!(api, "&year={y}");
        }
        body.push_str(&downloads(&api));
        Ok::<_, ViewError>(ok(page(&r.indicator_name, &body)))
    };
    run.await.unwrap_or_else(error_page)
}

/// Horizontal bars of the first 30 areas of a ranking.
fn ranking_chart(r: &view::Ranking) -> String {
    const SHOWN: usize = 30;
    let rows: Vec<&view::RankRow> = r.rows.iter().take(SHOWN).collect();
    if rows.is_empty() {
        return "<p class=\"muted\">Không có số liệu năm này (no values this year).</p>".into();
    }
    let max = rows
        .iter()
        .map(|x| x.value.abs())
        .fold(0.0, f64::max)
        .max(1e-9);
    let h = 22 * rows.len() + 10;
    let mut out = format!(
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 {h}\" \
         width=\"720\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(&r.indicator_name)
    );
    for (i, x) in rows.iter().enumerate() {
        let y = 5 + 22 * i;
        let w = 400.0 * x.value.abs() / max;
        let _ = write!(
            out,
            "<text x=\"205\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect class=\"pa\" x=\"210\" y=\"{y}\" width=\"{w:.1}\" height=\"16\"/>\
             <text x=\"{:.1}\" y=\"{}\">{} {}</text>",
            y + 12,
            esc(&x.area),
            215.0 + w,
            y + 12,
            esc(&num(Some(x.value))),
            esc(&x.unit)
        );
    }
    out.push_str("</svg>");
    out
}

/// The sentence with the number between `<mark>` tags (each part escaped).
fn marked(sentence: &str, mark: Option<[usize; 2]>) -> String {
    let Some([s, e]) = mark else {
        return esc(sentence);
    };
    let chars: Vec<char> = sentence.chars().collect();
    if s >= e || e > chars.len() {
        return esc(sentence);
    }
    let part = |a: usize, b: usize| esc(&chars[a..b].iter().collect::<String>());
    format!(
        "{}<mark>{}</mark>{}",
        part(0, s),
        part(s, e),
        part(e, chars.len())
    )
}

/// `/article/{id}`: the article's facts with the sentence of each, the number marked.
pub async fn article(State(web): State<Web>, Path(id): Path<String>) -> Response {
    let run = async {
        let id: i64 = id
            .parse()
            .map_err(|_| ViewError::BadRequest(format!("article id {id:?} is not a number")))?;
        let v = view::article_view(web.store.as_ref(), id).await?;
        let a = &v.article;
        let title = a.title.clone().unwrap_or_else(|| a.url.clone());
        let mut body = format!(
            "<h1>{}</h1><p class=\"muted\">{} · {} · {}</p>",
            esc(&title),
            esc(&a.source),
            esc(&vn_time(a.published_at)),
            ext_link(&a.url, &a.url)
        );
        let _ = write!(
            body,
            "<h2>{} chỉ tiêu <small class=\"muted\">(facts)</small></h2>",
            v.facts.len()
        );
        let rows: Vec<Vec<String>> = v
            .facts
            .iter()
            .map(|f| {
                let x = &f.fact;
                let area = match (&x.area, &x.area_code) {
                    (Some(name), Some(code)) => link(&format!("/area/{}", url_arg(code)), name),
                    (Some(name), None) => esc(name),
                    _ => String::new(),
                };
                vec![
                    area,
                    match &x.indicator {
                        Some(k) => link(&format!("/indicator/{}", url_arg(k)), k),
                        None => esc(&x.metric),
                    },
                    format!("<span class=\"n\">{}</span>", esc(&num(Some(x.value)))),
                    esc(&x.unit),
                    esc(x.period.as_deref().unwrap_or("")),
                    esc(if x.kind.as_str() == "target" {
                        "kế hoạch (target)"
                    } else {
                        "thực hiện (actual)"
                    }),
                    format!(
                        "<span class=\"sentence\">{}</span>",
                        marked(&x.sentence, f.mark)
                    ),
                ]
            })
            .collect();
        body.push_str(&table(
            "facts",
            &[
                ("Địa bàn", "area"),
                ("Chỉ tiêu", "indicator"),
                ("Giá trị", "value"),
                ("Đơn vị", "unit"),
                ("Kỳ", "period"),
                ("Loại", "kind"),
                ("Câu gốc", "sentence"),
            ],
            &rows,
        ));
        body.push_str(&downloads(&format!("/api/articles/{id}")));
        Ok::<_, ViewError>(ok(page(&title, &body)))
    };
    run.await.unwrap_or_else(error_page)
}

#[cfg(test)]
mod tests {
    use super::marked;

    #[test]
    fn the_number_is_marked_and_everything_escaped() {
        assert_eq!(
            marked("<b>Thu đạt 1.250 tỷ</b>", Some([11, 16])),
            "&lt;b&gt;Thu đạt <mark>1.250</mark> tỷ&lt;/b&gt;"
        );
        assert_eq!(marked("a<b", Some([5, 9])), "a&lt;b");
        assert_eq!(marked("a<b", None), "a&lt;b");
    }
}
