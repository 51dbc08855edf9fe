//! Article metadata from machine-readable markup, read in one pass over the page.
//!
//! Order of trust (DESIGN.md, the research sheet §6): JSON-LD `NewsArticle`, OpenGraph and
//! `article:published_time`, `time[datetime]`, other date meta tags, and only then visible text
//! (elements whose class names a date or an author). A date-only JSON-LD value is midnight
//! +07:00, unless a later source gives a time on the same day.

use super::clean::{nfc, usable};
use super::dates::{is_date_only, parse_vn_datetime};
use super::dom::{Doc, Tag, NONE};
use super::entities::decode_fully as decode;
use super::site::Site;
use chrono::{DateTime, FixedOffset};
use url::Url;

/// Metadata found in a page, before any per-source selector overrides it.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub author: Option<String>,
    pub description: Option<String>,
    pub canonical_url: Option<String>,
    pub feeds: Vec<String>,
    /// The site's own names: title suffixes and authors that are the paper, not a journalist.
    pub site: Site,
    /// The page is in Vietnamese (`lang`/`og:locale` say so, or the title has Vietnamese
    /// letters): the lead heuristics of Vietnamese CMSes apply.
    pub vietnamese: bool,
}

/// Raw candidates collected in the single pass.
#[derive(Default)]
struct Found<'a> {
    og_title: Option<String>,
    og_url: Option<String>,
    og_description: Option<String>,
    title_tag: Option<String>,
    h1: Vec<String>,
    site_name: Option<String>,
    lang: Option<String>,
    dates: Vec<(u8, String)>,
    meta_author: Option<String>,
    class_author: Vec<String>,
    canonical: Option<&'a str>,
    base: Option<&'a str>,
    feeds: Vec<&'a str>,
    jsonld: Vec<&'a str>,
    visible_dates: Vec<u32>,
}

/// Reads title, date, author, canonical URL and feeds from `doc`.
pub(crate) fn read(doc: &Doc<'_>, url: Option<&Url>) -> Meta {
    let mut f = Found::default();
    let mut it = doc.descendants(0);
    while let Some(i) = it.next() {
        let tag = doc.node(i).tag;
        match tag {
            Tag::Meta => meta_tag(doc, i, &mut f),
            Tag::Link => link_tag(doc, i, &mut f),
            Tag::Base => {
                if f.base.is_none() {
                    f.base = doc.attr(i, "href");
                }
            }
            Tag::Html => {
                if let Some(l) = doc.attr(i, "lang") {
                    set(&mut f.lang, l.to_ascii_lowercase());
                }
            }
            Tag::Title => {
                if f.title_tag.is_none() {
                    f.title_tag = Some(doc.text_of(i));
                }
            }
            Tag::H1 => {
                if f.h1.len() < 4 {
                    let t = doc.text_of(i);
                    if !t.is_empty() {
                        f.h1.push(if t.contains('&') { decode(&t) } else { t });
                    }
                }
                it.skip_children(i);
            }
            Tag::Time => {
                if let Some(d) = doc.attr(i, "datetime") {
                    f.dates.push((3, decode(d)));
                } else {
                    let t = doc.text_of(i);
                    if t.chars().count() <= 80 {
                        f.dates.push((8, t));
                    }
                }
            }
            Tag::Script => {
                if doc
                    .attr(i, "type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
                {
                    let c = doc.node(i).first_child;
                    if c != NONE {
                        f.jsonld.push(doc.raw_text(c));
                    }
                }
                it.skip_children(i);
            }
            Tag::Style | Tag::Svg | Tag::Template => it.skip_children(i),
            Tag::Text | Tag::Document => {}
            _ => class_hints(doc, i, &mut f),
        }
    }

    let mut m = Meta::default();
    let mut ld_title = None;
    let mut ld_author = None;
    for raw in &f.jsonld {
        json_ld(raw, &mut ld_title, &mut ld_author, &mut f.dates);
    }
    m.site = Site::new(f.site_name.as_deref(), url.and_then(Url::host_str));
    m.vietnamese = match f.lang.as_deref() {
        Some(l) if !l.trim().is_empty() => l.trim_start().starts_with("vi"),
        _ => [&f.og_title, &f.title_tag]
            .into_iter()
            .flatten()
            .chain(f.h1.iter())
            .any(|t| has_vietnamese_letters(t)),
    };
    m.title = pick_title(
        &m.site,
        [ld_title, f.og_title.take()],
        &f.h1,
        f.title_tag.take(),
    );

    // Visible date elements come last.
    for &i in &f.visible_dates {
        let t = doc.text_of(i);
        if t.chars().count() <= 80 {
            f.dates.push((9, t));
        }
    }
    m.published = pick_date(&mut f.dates);
    if m.published.is_none_or(is_weak) {
        m.published = scan_date_line(doc, m.published).or(m.published);
    }

    let site = &m.site;
    m.author = [ld_author, f.meta_author.take()]
        .into_iter()
        .flatten()
        .chain(f.class_author.drain(..))
        .map(|a| clean_author(&a, site))
        .find(|a| {
            !a.is_empty() && a.chars().count() <= 80 && !site.is_site(a) && !a.contains("http")
        });
    m.description = f.og_description.take().and_then(|d| usable(&d));

    let base = resolve_base(url, f.base);
    let abs = |href: &str| -> Option<String> {
        let href = decode(href.trim());
        match &base {
            Some(b) => b.join(&href).ok().map(|u| u.to_string()),
            None => Url::parse(&href).ok().map(|u| u.to_string()),
        }
    };
    m.canonical_url = f
        .canonical
        .and_then(abs)
        .or_else(|| f.og_url.as_deref().and_then(abs));
    for h in &f.feeds {
        if let Some(u) = abs(h) {
            if !m.feeds.contains(&u) {
                m.feeds.push(u);
            }
        }
    }
    m
}

fn resolve_base(url: Option<&Url>, base: Option<&str>) -> Option<Url> {
    match (url, base) {
        (Some(u), Some(b)) => u.join(&decode(b)).ok().or_else(|| Some(u.clone())),
        (Some(u), None) => Some(u.clone()),
        (None, Some(b)) => Url::parse(&decode(b)).ok(),
        (None, None) => None,
    }
}

fn meta_tag<'a>(doc: &Doc<'a>, i: u32, f: &mut Found<'a>) {
    let Some(content) = doc.attr(i, "content") else {
        return;
    };
    let key = doc
        .attr(i, "property")
        .or_else(|| doc.attr(i, "name"))
        .or_else(|| doc.attr(i, "itemprop"));
    let class_date = doc.attr(i, "class").is_some_and(|c| c.contains("cms-date"));
    let content = decode(content);
    let Some(key) = key else {
        if class_date {
            f.dates.push((5, content));
        }
        return;
    };
    let key = key.trim().to_ascii_lowercase();
    match key.as_str() {
        "og:title" => set(&mut f.og_title, content),
        "og:site_name" | "application-name" | "al:android:app_name" => {
            set(&mut f.site_name, content)
        }
        "og:locale" | "content-language" | "language" => set(&mut f.lang, content.to_lowercase()),
        "og:url" => set(&mut f.og_url, content),
        "og:description" | "description" => set(&mut f.og_description, content),
        "article:published_time" | "og:article:published_time" => f.dates.push((1, content)),
        "datepublished" | "article:published" | "dc.date.created" => f.dates.push((4, content)),
        "pubdate" | "publishdate" | "publish-date" | "dc.date.issued" | "date" => {
            f.dates.push((6, content))
        }
        "author" | "dc.creator" | "article:author" => set(&mut f.meta_author, content),
        _ if class_date => f.dates.push((5, content)),
        _ => {}
    }
}

fn set(slot: &mut Option<String>, v: String) {
    if slot.is_none() && !v.trim().is_empty() {
        *slot = Some(v);
    }
}

fn link_tag<'a>(doc: &Doc<'a>, i: u32, f: &mut Found<'a>) {
    let (Some(rel), Some(href)) = (doc.attr(i, "rel"), doc.attr(i, "href")) else {
        return;
    };
    let rel = rel.to_ascii_lowercase();
    if rel.split_whitespace().any(|r| r == "canonical") {
        if f.canonical.is_none() {
            f.canonical = Some(href);
        }
    } else if rel.split_whitespace().any(|r| r == "alternate") {
        let ty = doc.attr(i, "type").unwrap_or("").to_ascii_lowercase();
        if ty.contains("rss") || ty.contains("atom") {
            f.feeds.push(href);
        }
    }
}

/// Elements whose class or id says "date" or "author": visible fallbacks.
fn class_hints(doc: &Doc<'_>, i: u32, f: &mut Found<'_>) {
    if let Some(d) = doc
        .attr(i, "itemprop")
        .filter(|p| p.eq_ignore_ascii_case("datePublished"))
        .and_then(|_| doc.attr(i, "content").or_else(|| doc.attr(i, "datetime")))
    {
        f.dates.push((4, decode(d)));
    }
    let Some(class) = doc.attr(i, "class") else {
        return;
    };
    if class.len() > 200 {
        return;
    }
    let c = class.to_ascii_lowercase();
    if f.visible_dates.len() < 8
        && (c.contains("date") || c.contains("time") || c.contains("publish"))
        && !c.contains("update")
    {
        f.visible_dates.push(i);
    }
    if f.class_author.len() < 4
        && (c.contains("author")
            || c.contains("byline")
            || c.contains("tacgia")
            || c.contains("tac-gia")
            || c.contains("pseudonym"))
        && !c.contains("avatar")
    {
        let t = doc.text_of(i);
        if !t.is_empty() && t.chars().count() <= 60 {
            f.class_author.push(t);
        }
    }
}

/// Strips "By", "Tác giả:" and similar from an author field, and a trailing site name
/// ("Thu Hà - Báo Hà Tĩnh", "Minh Anh (baohatinh.vn)").
pub(crate) fn clean_author(a: &str, site: &Site) -> String {
    let a = if a.contains('&') {
        nfc(decode(a).trim())
    } else {
        nfc(a.trim())
    };
    let mut t = a.as_str();
    for p in [
        "By ",
        "by ",
        "Tác giả:",
        "Tác giả ",
        "Theo ",
        "Bài và ảnh:",
        "Bài, ảnh:",
        "Tin và ảnh:",
        "Tin, ảnh:",
        "Bài:",
        "Tin:",
        "Ảnh:",
    ] {
        if let Some(rest) = t.strip_prefix(p) {
            t = rest.trim();
        }
    }
    if let Some(open) = t.rfind('(') {
        if t.ends_with(')') && open > 0 && site.is_site(&t[open + 1..t.len() - 1]) {
            t = t[..open].trim();
        }
    }
    for sep in [" - ", " – ", " | ", " / ", ", "] {
        if let Some(i) = t.rfind(sep) {
            let right = &t[i + sep.len()..];
            // The site, or the date printed beside the name ("Thu Hà | 06/01/2025 14:30").
            if i > 0 && (site.is_site(right) || has_date_shape(right)) {
                t = t[..i].trim();
            }
        }
    }
    // "Ngọc Anh/VOV-Tây Bắc", "Minh Đức/TTXVN": the journalist, then the agency or bureau.
    if let Some(i) = t.find('/') {
        let agency = t[i + 1..].trim();
        let first = agency.split(['-', ' ']).next().unwrap_or("");
        let acronym = first.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && first
                .chars()
                .all(|c| !c.is_alphabetic() || c.is_uppercase());
        if i > 0 && (acronym || site.is_site(agency)) {
            t = t[..i].trim();
        }
    }
    t.to_string()
}

/// A date worth refining: no time of day, or exactly midnight (a CMS that stores the day only
/// and writes it as `T00:00:00`).
fn is_weak(d: DateTime<FixedOffset>) -> bool {
    d.time() == chrono::NaiveTime::MIN
}

/// Picks the most trusted date; a date-only (or midnight) winner is refined by a later same-day
/// date-time.
fn pick_date(dates: &mut [(u8, String)]) -> Option<DateTime<FixedOffset>> {
    dates.sort_by_key(|d| d.0);
    let mut best: Option<DateTime<FixedOffset>> = None;
    for (_, s) in dates.iter() {
        let Some(d) = parse_vn_datetime(s) else {
            continue;
        };
        let weak = is_date_only(s) || is_weak(d);
        match best {
            None => {
                if !weak {
                    return Some(d);
                }
                best = Some(d);
            }
            Some(b) => {
                if !weak && d.date_naive() == b.date_naive() {
                    return Some(d);
                }
            }
        }
    }
    best
}

/// The visible date line of a page whose metadata gave no date, or a date without its time:
/// the first short text (or text with its neighbours, for `<span>06/01/2025</span>
/// <span>14:30</span>`) that reads as a date with a time ("Thứ Hai, 06/01/2025 - 14:30",
/// "06/01/2025 14:30 GMT+7") on the same day as `day` when there is one.
fn scan_date_line(
    doc: &Doc<'_>,
    day: Option<DateTime<FixedOffset>>,
) -> Option<DateTime<FixedOffset>> {
    // Pages full of dated list items stop being searched after this many candidates.
    let mut budget = 200;
    let mut it = doc.descendants(0);
    while let Some(i) = it.next() {
        let node = doc.node(i);
        match node.tag {
            Tag::Script | Tag::Style | Tag::Head | Tag::Template | Tag::Svg | Tag::A => {
                it.skip_children(i);
                continue;
            }
            Tag::Text => {}
            _ => continue,
        }
        let raw = doc.raw_text(i);
        if raw.len() > 300 || !has_date_shape(raw) {
            continue;
        }
        budget -= 1;
        if budget == 0 {
            break;
        }
        let mut texts = vec![doc.text_of(i)];
        let parent = node.parent;
        if parent != NONE {
            let grand = doc.node(parent).parent;
            if grand != NONE && grand != 0 {
                texts.push(doc.text_of(grand));
            }
        }
        for t in texts {
            if t.chars().count() > 120 || is_date_only(&t) {
                continue;
            }
            let Some(d) = parse_vn_datetime(&t) else {
                continue;
            };
            match day {
                Some(w) if d.date_naive() != w.date_naive() => {}
                _ if is_weak(d) => {}
                _ => return Some(d),
            }
        }
    }
    None
}

/// True when `s` has letters only Vietnamese writes: ă, đ, ơ, ư, or a vowel with a tone mark of
/// the Latin Extended Additional block (ạ … ỹ).
fn has_vietnamese_letters(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, 'ă' | 'Ă' | 'đ' | 'Đ' | 'ơ' | 'Ơ' | 'ư' | 'Ư')
            || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
    })
}

/// True when raw text holds a digit, a date separator and another digit (`6/1`, `06-01`,
/// `06.01`): the only texts worth parsing for a date.
fn has_date_shape(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| {
        w[0].is_ascii_digit() && matches!(w[1], b'/' | b'-' | b'.') && w[2].is_ascii_digit()
    })
}

/// The headline: an `<h1>` that agrees with the metadata title is taken as displayed; otherwise
/// JSON-LD or OpenGraph without the site-name suffix, then a plausible `<h1>`, then `<title>`.
fn pick_title(
    site: &Site,
    metas: [Option<String>; 2],
    h1s: &[String],
    title_tag: Option<String>,
) -> Option<String> {
    let metas: Vec<String> = metas
        .into_iter()
        .flatten()
        .filter_map(|t| usable(&t))
        .map(|t| site.strip_suffix(&t))
        .filter(|t| !t.is_empty() && !site.is_own_name(t))
        .collect();
    let tag = title_tag
        .and_then(|t| usable(&t))
        .map(|t| site.strip_suffix(&t))
        .filter(|t| !site.is_own_name(t));
    let h1s: Vec<String> = h1s.iter().filter_map(|t| usable(t)).collect();
    for m in metas.iter().chain(tag.iter()) {
        let m_key = title_key(m);
        for h in &h1s {
            let h_key = title_key(h);
            if h_key == m_key || (m_key.contains(&h_key) && h_key.len() * 2 >= m_key.len()) {
                return Some(h.clone());
            }
            if h_key.starts_with(&m_key) && m_key.len() * 2 >= h_key.len() {
                // Metadata cut short (JSON-LD headlines are often truncated): the h1 is whole.
                return Some(h.clone());
            }
            if h_key.contains(&m_key) && m_key.len() * 2 >= h_key.len() {
                // The h1 holds a label before the headline (a kicker): the metadata is clean.
                return Some(m.clone());
            }
        }
    }
    if let Some(m) = metas.into_iter().next() {
        return Some(m);
    }
    if let Some(h) = h1s
        .into_iter()
        .find(|h| h.chars().count() >= 8 && !site.is_site(h))
    {
        return Some(h);
    }
    tag
}

/// Lower case, letters and digits only: titles compared across h1 and metadata.
fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads headline, datePublished and author from one JSON-LD script.
fn json_ld(
    raw: &str,
    title: &mut Option<String>,
    author: &mut Option<String>,
    dates: &mut Vec<(u8, String)>,
) {
    let raw = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->");
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(v) => walk_ld(&v, title, author, dates, 0),
        Err(_) => {
            // Broken JSON-LD is common; take the date by hand.
            if let Some(p) = raw.find("\"datePublished\"") {
                let rest = &raw[p + 15..];
                let rest = rest.trim_start().trim_start_matches(':').trim_start();
                if let Some(v) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    dates.push((2, v.to_string()));
                }
            }
        }
    }
}

fn walk_ld(
    v: &serde_json::Value,
    title: &mut Option<String>,
    author: &mut Option<String>,
    dates: &mut Vec<(u8, String)>,
    depth: usize,
) {
    use serde_json::Value;
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => {
            for x in items {
                walk_ld(x, title, author, dates, depth + 1);
            }
        }
        Value::Object(o) => {
            if let Some(g) = o.get("@graph") {
                walk_ld(g, title, author, dates, depth + 1);
            }
            let is_article = match o.get("@type") {
                Some(Value::String(t)) => is_article_type(t),
                Some(Value::Array(ts)) => {
                    ts.iter().any(|t| t.as_str().is_some_and(is_article_type))
                }
                _ => false,
            };
            if !is_article {
                return;
            }
            if let Some(Value::String(h)) = o.get("headline") {
                set(title, decode(h));
            }
            if let Some(Value::String(d)) = o.get("datePublished") {
                dates.push((2, d.clone()));
            }
            if author.is_none() {
                *author = ld_author(o.get("author"));
            }
        }
        _ => {}
    }
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article") || t == "BlogPosting" || t == "Report" || t == "LiveBlogPosting"
}

fn ld_author(v: Option<&serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(|x| ld_author(Some(x))).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        Value::Object(o) => {
            if o.get("@type").and_then(Value::as_str) == Some("Organization") {
                return None;
            }
            o.get("name").and_then(Value::as_str).map(str::to_string)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_date_only_refined_by_visible_time() {
        let html = r#"<html><head><script type="application/ld+json">
            {"@context":"https://schema.org","@type":"NewsArticle","headline":"Tiêu đề","datePublished":"2026-01-08"}
            </script></head><body><span class="pubdate">08/01/2026 - 18:21</span></body></html>"#;
        let doc = Doc::parse(html);
        let m = read(&doc, None);
        assert_eq!(m.title.as_deref(), Some("Tiêu đề"));
        assert_eq!(
            m.published.unwrap().to_rfc3339(),
            "2026-01-08T18:21:00+07:00"
        );
    }

    #[test]
    fn titles_from_h1_and_metadata() {
        let site = Site::new(Some("Báo Hà Tĩnh"), None);
        let t = |metas: [Option<&str>; 2], h1s: &[&str], tag: Option<&str>| {
            pick_title(
                &site,
                metas.map(|m| m.map(str::to_string)),
                &h1s.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                tag.map(str::to_string),
            )
        };
        let full = "Hà Tĩnh thu ngân sách đạt 21.450 tỷ đồng, tăng 18% so với năm 2024";
        // A truncated JSON-LD headline: the h1 is whole.
        assert_eq!(
            t(
                [
                    Some("Hà Tĩnh thu ngân sách đạt 21.450 tỷ đồng, tăng 18%..."),
                    None
                ],
                &["Báo Hà Tĩnh", full],
                None
            )
            .as_deref(),
            Some(full)
        );
        // An h1 with a kicker before the headline: the metadata.
        assert_eq!(
            t(
                [None, Some(&format!("{full} - Báo Hà Tĩnh"))],
                &[&format!("Video {full}")],
                None
            )
            .as_deref(),
            Some(full)
        );
        // No metadata: the h1 that is not the site's logo, else <title> without its suffix.
        assert_eq!(
            t([None, None], &["Báo Hà Tĩnh", full], None).as_deref(),
            Some(full)
        );
        assert_eq!(
            t([None, None], &[], Some(&format!("{full} | Báo Hà Tĩnh"))).as_deref(),
            Some(full)
        );
        assert_eq!(
            t([Some("Báo Hà Tĩnh"), None], &[], Some("Báo Hà Tĩnh")),
            None
        );
    }

    #[test]
    fn author_names_without_site_agency_or_date() {
        let site = Site::new(Some("Báo Hà Tĩnh"), Some("baohatinh.vn"));
        assert_eq!(
            clean_author("Tác giả: Thu Hà | 06/01/2025 14:30", &site),
            "Thu Hà"
        );
        assert_eq!(clean_author("Thu Hà - Báo Hà Tĩnh", &site), "Thu Hà");
        assert_eq!(clean_author("Minh Anh (baohatinh.vn)", &site), "Minh Anh");
        assert_eq!(clean_author("Ngọc Anh/VOV-Tây Bắc", &site), "Ngọc Anh");
        assert_eq!(clean_author("Minh Đức/TTXVN", &site), "Minh Đức");
        assert_eq!(clean_author("Hà - Linh", &site), "Hà - Linh");
        assert_eq!(clean_author("Ho&#224;ng Lam", &site), "Hoàng Lam");
    }

    #[test]
    fn og_and_published_time_and_feeds() {
        let html = r#"<head><meta property="og:title" content="A &amp; B">
            <meta property="article:published_time" content="2024-01-06T16:35:00+07:00">
            <link rel="canonical" href="/bai-viet-post1.html">
            <link rel="alternate" type="application/rss+xml" href="/rss/home.rss">
            <meta name="author" content="Hà Linh"></head>"#;
        let doc = Doc::parse(html);
        let u = Url::parse("https://example.vn/x/y.html").unwrap();
        let m = read(&doc, Some(&u));
        assert_eq!(m.title.as_deref(), Some("A & B"));
        assert_eq!(
            m.published.unwrap().to_rfc3339(),
            "2024-01-06T16:35:00+07:00"
        );
        assert_eq!(
            m.canonical_url.as_deref(),
            Some("https://example.vn/bai-viet-post1.html")
        );
        assert_eq!(m.feeds, vec!["https://example.vn/rss/home.rss".to_string()]);
        assert_eq!(m.author.as_deref(), Some("Hà Linh"));
    }
}
