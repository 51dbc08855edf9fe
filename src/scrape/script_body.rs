//! Article bodies shipped inside a JavaScript string (Báo Quảng Ngãi's `outputData`).
//!
//! Such a page shows an empty body container and fills it from a script; a plain HTTP scrape
//! must find the string literal and unescape it. Only used when the visible body is too short.

use super::dom::{Doc, Tag, NONE};

/// Variable names known to carry the article HTML.
const NAMES: &[&str] = &["outputData", "articleContent", "contentHtml"];

/// The unescaped HTML of the first known body variable in any `<script>`, if one is found.
pub(crate) fn find(doc: &Doc<'_>) -> Option<String> {
    for i in 0..doc.nodes.len() as u32 {
        if doc.node(i).tag != Tag::Script {
            continue;
        }
        let c = doc.node(i).first_child;
        if c == NONE {
            continue;
        }
        let js = doc.raw_text(c);
        for name in NAMES {
            if let Some(p) = js.find(name) {
                if let Some(s) = string_after(&js[p + name.len()..]) {
                    if s.len() > 40 {
                        return Some(s);
                    }
                }
            }
        }
    }
    None
}

/// Reads the string literal after `=` or `:`, unescaping `\n`, `\"`, `\/`, `\uXXXX`...
fn string_after(s: &str) -> Option<String> {
    let s = s.trim_start();
    let s = s
        .strip_prefix('=')
        .or_else(|| s.strip_prefix(':'))?
        .trim_start();
    let mut chars = s.chars();
    let quote = chars.next().filter(|q| matches!(q, '"' | '\'' | '`'))?;
    let mut out = String::new();
    while let Some(c) = chars.next() {
        if c == quote {
            return Some(out);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => {}
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).ok()?;
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                let code = u32::from_str_radix(&hex, 16).ok()?;
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            other => out.push(other),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_a_js_string() {
        let html = r#"<script>var outputData = "<p>Năm 2025 \"tăng\" mạnh<\/p>\n<p>\u0110\u1ea1t</p>";</script>"#;
        let doc = Doc::parse(html);
        let s = find(&doc).unwrap();
        assert_eq!(s, "<p>Năm 2025 \"tăng\" mạnh</p>\n<p>Đạt</p>");
    }
}
