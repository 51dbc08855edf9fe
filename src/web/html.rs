//! HTML written by hand, escaped at one place: every string that reaches a page goes through
//! [`esc`] (titles, sentences and names come from the web). The layout is one page with its
//! style sheet inline: no JavaScript, no build step, no CDN.

use crate::text::vn_number;
use std::fmt::Write;

/// Escapes text for an HTML element or a quoted attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters pass).
pub fn url_arg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A number the Vietnamese way with up to two decimals (`8.850,26`), empty for `None`.
pub fn num(v: Option<f64>) -> String {
    v.map(|v| vn_number(v, 2)).unwrap_or_default()
}

/// A percentage the Vietnamese way (`+14,62%`), empty for `None`.
pub fn pct(v: Option<f64>, signed: bool) -> String {
    crate::query::format::vn_pct(v, signed)
}

/// A whole HTML page: the title (escaped here) and a body already made of escaped parts.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{} · chiso</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header><a class=\"brand\" href=\"/\">chỉ số</a>\
         <nav><a href=\"/\">Báo cáo mới (reports)</a> <a href=\"/areas\">Địa bàn (areas)</a></nav>\
         <form action=\"/areas\" method=\"get\"><input type=\"search\" name=\"q\" \
         placeholder=\"huyện Thạch Hà\" aria-label=\"Tìm địa bàn (search areas)\">\
         <button type=\"submit\">Tìm</button></form></header>\n<main>\n{body}\n</main>\n\
         </body>\n</html>\n",
        esc(title)
    )
}

/// Links to the CSV and JSON forms of a table (an API URL without `format`).
pub fn downloads(api: &str) -> String {
    let sep = if api.contains('?') { "&amp;" } else { "?" };
    format!(
        "<p class=\"dl\">Tải về (download): <a href=\"{0}{sep}format=csv\">CSV</a> · \
         <a href=\"{0}\">JSON</a></p>",
        esc(api)
    )
}

/// A table: header cells are `(Vietnamese label, English key)`; row cells are already escaped
/// HTML.
pub fn table(class: &str, header: &[(&str, &str)], rows: &[Vec<String>]) -> String {
    let mut out = format!("<table class=\"{}\"><thead><tr>", esc(class));
    for (vi, en) in header {
        let _ = write!(out, "<th>{}<br><small>{}</small></th>", esc(vi), esc(en));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A link with escaped target and text.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// A link to a stored URL (an article's): only `http:` and `https:` targets become links, so
/// that a `javascript:` URL read from the web is shown as text, never followed.
pub fn ext_link(href: &str, text: &str) -> String {
    let lower = href.trim_start().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            esc(href),
            esc(text)
        )
    } else {
        esc(text)
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
margin:0;color:#1d2430;background:#fafbfc}header{display:flex;gap:1.5rem;align-items:center;\
padding:.6rem 1.2rem;background:#12355b;color:#fff;flex-wrap:wrap}header a{color:#fff}\
.brand{font-weight:700;font-size:1.2rem;text-decoration:none}nav a{margin-right:1rem}\
main{padding:1rem 1.2rem;max-width:1200px}table{border-collapse:collapse;margin:.5rem 0 1rem;\
font-size:.92rem;background:#fff}th,td{border:1px solid #d6dbe1;padding:.25rem .5rem;\
vertical-align:top}th{background:#eef2f6;text-align:left}th small{font-weight:400;color:#5a6472}\
.n{display:block;text-align:right;font-variant-numeric:tabular-nums}mark{background:#ffe066;padding:0 .1em}\
.dl{font-size:.85rem;color:#5a6472}.disagree{color:#b3261e;font-weight:700}\
svg.chart{background:#fff;border:1px solid #d6dbe1;max-width:100%;height:auto}\
.chart .actual{stroke:#12355b;fill:none;stroke-width:2}.chart .target{stroke:#d9822b;fill:none;\
stroke-width:2;stroke-dasharray:6 4}.chart .pa{fill:#12355b}.chart .pt{fill:#d9822b}\
.chart text{font-size:11px;fill:#3a4350}.chart .grid{stroke:#e3e7ec}\
section.series{margin-bottom:2rem}.muted{color:#5a6472}.ok{color:#1e7b34}.failed{color:#b3261e}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert(\"x\")</script> & 'y'"),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            ext_link("https://a.vn/x?a=1&b=\"", "bài"),
            "<a href=\"https://a.vn/x?a=1&amp;b=&quot;\" rel=\"noopener noreferrer\">bài</a>"
        );
        assert_eq!(ext_link("javascript:alert(1)", "<b>"), "&lt;b&gt;");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            url_arg("huyện Kỳ Anh&x"),
            "huy%E1%BB%87n%20K%E1%BB%B3%20Anh%26x"
        );
    }

    #[test]
    fn numbers_are_vietnamese() {
        assert_eq!(num(Some(8850.256)), "8.850,26");
        assert_eq!(num(None), "");
        assert_eq!(pct(Some(14.62), true), "+14,62%");
    }
}
