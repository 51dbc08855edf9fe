//! Text clean-up shared by the selector path and the generic extractor.
//!
//! Both paths produce a list of [`Block`]s (paragraphs, headings, list items); this module turns
//! them into the article's sapo, body and byline: NFC, lead prefixes such as `(CTO) - ` stripped,
//! obfuscated (base64-like) runs and template residue (`{{ }}`, `{title}`) dropped, share widgets,
//! "Xem thêm:" lines and the related-news or comment furniture after headings such as "Tin liên
//! quan" dropped, the trailing byline ("Tin, ảnh: P.Y", a bold or right-aligned name) taken out
//! as the author, a bold or heading first paragraph taken as the lead when nothing else is, and
//! the sapo not repeated in the body.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// One block of article text with the layout hints the clean-up needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    /// Whitespace-collapsed text.
    pub text: String,
    /// Right-aligned paragraph (`text-align: right` or `align=right`): where bylines sit.
    pub right: bool,
    /// All of the text is bold (`strong`/`b`).
    pub bold: bool,
    /// A heading (`h2`–`h6`).
    pub heading: bool,
    /// Nearly all of the text is inside links: a "see also" line or a related-news item.
    pub link: bool,
}

/// Removes a dateline tag at the start of a lead: a parenthesised tag of 2–30 characters
/// (`(Baohatinh.vn) - `, `(CTO) - `) or a bare upper-case tag of 2–6 letters (`QTO - `),
/// followed by a hyphen or dash. Text without such a prefix is returned unchanged.
pub fn strip_lead_prefix(s: &str) -> &str {
    let t = s.trim_start();
    let after_tag = if let Some(inner) = t.strip_prefix('(') {
        match inner.find(')') {
            Some(close) => {
                let n = inner[..close].chars().count();
                if (2..=30).contains(&n) && !inner[..close].contains('(') {
                    Some(&inner[close + 1..])
                } else {
                    None
                }
            }
            None => None,
        }
    } else {
        // A bare tag: upper-case letters ("QTO", "TTXVN"), or a site name with a dot
        // ("VOV.VN", "Baonghean.vn").
        let end = t
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
            .map_or(t.len(), |(i, _)| i);
        let tag = &t[..end];
        let n = tag.chars().count();
        let upper = (2..=6).contains(&n)
            && tag.chars().any(char::is_alphabetic)
            && tag
                .chars()
                .all(|c| (c.is_uppercase() && c.is_alphabetic()) || c == '&');
        let dotted = (4..=24).contains(&n)
            && tag.contains('.')
            && tag.chars().next().is_some_and(char::is_uppercase)
            && tag.chars().all(|c| c.is_alphanumeric() || c == '.');
        if upper || dotted {
            Some(&t[end..])
        } else {
            None
        }
    };
    let Some(rest) = after_tag else {
        return s;
    };
    let rest = rest.trim_start();
    let Some(first) = rest.chars().next() else {
        return s;
    };
    if matches!(first, '-' | '–' | '—') {
        rest[first.len_utf8()..].trim_start()
    } else {
        s
    }
}

/// True when `s` holds a run of at least `min` base64 characters (`[A-Za-z0-9+/=]`): the shape of
/// Báo Thanh Hóa's obfuscated body, which must be dropped rather than emitted as text.
pub(crate) fn has_base64_run(s: &str, min: usize) -> bool {
    if s.len() < min {
        return false;
    }
    let mut run = 0usize;
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=' {
            run += 1;
            if run >= min {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// True when `s` is unrendered template residue: `{{ … }}` markers.
pub(crate) fn has_mustache(s: &str) -> bool {
    s.contains("{{") || s.contains("}}")
}

/// Removes single-brace placeholders such as `{title}`, `{publish}` and `{head}`.
pub(crate) fn strip_placeholders(s: &str) -> String {
    if !s.contains('{') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises to NFC (some sites serve decomposed Vietnamese).
pub(crate) fn nfc(s: &str) -> String {
    if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

/// A usable title or meta value: NFC, trimmed, not template residue.
pub(crate) fn usable(s: &str) -> Option<String> {
    let t = strip_placeholders(s.trim());
    if t.is_empty() || has_mustache(&t) || has_base64_run(&t, 200) {
        return None;
    }
    Some(nfc(&t))
}

/// Byline prefixes, longest first: what precedes the author's name at the end of a report.
const BYLINE_PREFIXES: &[&str] = &[
    "Bài và ảnh:",
    "Bài, ảnh:",
    "Bài và ảnh",
    "Bài, ảnh",
    "Tin và ảnh:",
    "Tin, ảnh:",
    "Tin, ảnh",
    "Tin và ảnh",
    "Bài:",
    "Tin:",
    "Tác giả:",
    "Theo ",
];

/// The author named by a byline such as `Tin, ảnh: P.Y`, if `s` is one.
pub(crate) fn byline_author(s: &str, right_or_bold: bool) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 80 {
        return None;
    }
    for p in BYLINE_PREFIXES {
        if let Some(rest) = strip_prefix_ci(t, p) {
            let name = rest.trim_start_matches([':', ' ']).trim();
            if !name.is_empty() {
                return Some(name.to_string());
            }
        }
    }
    // A short right-aligned bold line without a prefix is a byline too ("Minh Anh").
    if right_or_bold && t.chars().count() <= 40 && !t.ends_with(['.', ':', '?', '!']) {
        return Some(t.to_string());
    }
    None
}

fn strip_prefix_ci<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    if head.to_lowercase() == prefix.to_lowercase() {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// The outcome of the clean-up: sapo, body and an author found in the body.
#[derive(Debug, Default)]
pub(crate) struct Cleaned {
    pub sapo: Option<String>,
    pub body: String,
    pub byline: Option<String>,
}

/// A lead found beside the body. `marked` leads were named by their markup (a class such as
/// `sapo`, a heading, bold text); an unmarked one only repeats the page's description and stays
/// in the body when it is the body's plain first paragraph.
#[derive(Debug, Clone)]
pub(crate) struct Lead {
    pub text: String,
    pub marked: bool,
}

/// Headings that open the furniture after an article: related news, comments, "read more".
const TAIL_HEADINGS: &[&str] = &[
    "tin liên quan",
    "bài liên quan",
    "tin bài liên quan",
    "bài viết liên quan",
    "tin cùng chuyên mục",
    "cùng chuyên mục",
    "tin khác",
    "các tin khác",
    "tin đã đưa",
    "các tin đã đưa",
    "xem thêm",
    "đọc thêm",
    "có thể bạn quan tâm",
    "bạn có thể quan tâm",
    "tin mới",
    "tin mới nhất",
    "tin mới cập nhật",
    "đọc nhiều",
    "tin đọc nhiều",
    "đọc nhiều nhất",
    "tin nổi bật",
    "tin tiêu điểm",
    "bình luận",
    "ý kiến bạn đọc",
    "ý kiến",
    "gửi bình luận",
    "gửi ý kiến",
    "video liên quan",
    "chủ đề",
    "từ khóa",
    "từ khoá",
    "tags",
    "related",
    "related news",
    "related articles",
    "more news",
    "comments",
];

/// Share widgets and tools that leak into a body as lines of their own.
const WIDGET_LINES: &[&str] = &[
    "chia sẻ",
    "chia sẻ bài viết",
    "chia sẻ:",
    "facebook",
    "zalo",
    "twitter",
    "email",
    "in bài",
    "in bài viết",
    "bản in",
    "gửi email",
    "copy link",
    "sao chép liên kết",
    "lưu bài",
    "lưu tin",
    "theo dõi",
    "thích",
    "bình luận (0)",
    "0 bình luận",
    "nghe bài viết",
    "nghe đọc bài",
    "cỡ chữ",
    "share",
    "tweet",
    "print",
];

/// Prefixes of single "see also" lines inside a body.
const SEE_ALSO: &[&str] = &[
    "xem thêm:",
    "đọc thêm:",
    "tin liên quan:",
    "bài liên quan:",
    "từ khóa:",
    "từ khoá:",
    "tags:",
    "tag:",
    "chủ đề:",
    ">>",
    "=>",
    "-->",
    "->",
    "➤",
    "▶",
];

fn lower_key(s: &str) -> String {
    s.trim().trim_end_matches([':', '.']).trim().to_lowercase()
}

/// Drops share widgets, "see also" lines, and the related-news or comment block that a body
/// container sometimes holds after (or inside) the article.
fn drop_furniture(kept: &mut Vec<Block>) {
    kept.retain(|b| {
        let k = lower_key(&b.text);
        let n = b.text.chars().count();
        if n <= 40 && WIDGET_LINES.contains(&k.as_str()) {
            return false;
        }
        let lower = b.text.trim_start().to_lowercase();
        !(n <= 250 && SEE_ALSO.iter().any(|p| lower.starts_with(p)))
    });
    let mut i = 0;
    while i < kept.len() {
        let b = &kept[i];
        let is_tail =
            b.text.chars().count() <= 40 && TAIL_HEADINGS.contains(&lower_key(&b.text).as_str());
        if !is_tail {
            i += 1;
            continue;
        }
        let rest_is_furniture = kept[i + 1..]
            .iter()
            .all(|x| x.link || x.heading || x.text.chars().count() <= 60);
        if i * 2 >= kept.len() || rest_is_furniture {
            kept.truncate(i);
            break;
        }
        // Inside the article: the heading and the linked items under it.
        kept.remove(i);
        while i < kept.len() && kept[i].link {
            kept.remove(i);
        }
    }
    // A run of link-only lines closing the body is a related-news list.
    let mut end = kept.len();
    while end > 0 && kept[end - 1].link && kept[end - 1].text.chars().count() <= 200 {
        end -= 1;
    }
    if kept.len() - end >= 2 {
        kept.truncate(end);
    }
}

/// A byline without a prefix: a short, all-bold or right-aligned closing line of two to five
/// capitalised words ("NGỌC ANH", "Minh Châu"), no sentence punctuation.
fn bare_name(b: &Block) -> Option<String> {
    let t = b.text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if !(b.bold || b.right)
        || t.chars().count() > 40
        || !(2..=5).contains(&words.len())
        || t.ends_with(['.', ':', '?', '!', ','])
    {
        return None;
    }
    words
        .iter()
        .all(|w| w.chars().next().is_some_and(char::is_uppercase))
        .then(|| t.to_string())
}

/// Cleans the blocks of a body and the lead found beside it.
pub(crate) fn finish(blocks: Vec<Block>, lead: Option<Lead>) -> Cleaned {
    let mut kept: Vec<Block> = Vec::with_capacity(blocks.len());
    for mut b in blocks {
        if has_base64_run(&b.text, 200) || has_mustache(&b.text) {
            continue;
        }
        let t = strip_placeholders(&b.text);
        if t.is_empty() {
            continue;
        }
        b.text = nfc(&t);
        kept.push(b);
    }
    drop_furniture(&mut kept);

    // Byline: the last block when it is short and right-aligned/bold or starts like a byline.
    let mut byline = None;
    if let Some(last) = kept.last() {
        if let Some(a) = byline_author(&last.text, last.right && last.bold) {
            if last.right || last.bold || BYLINE_PREFIXES.iter().any(|p| last.text.starts_with(p)) {
                byline = Some(a);
                kept.pop();
            }
        } else if let Some(a) = bare_name(last) {
            byline = Some(a);
            kept.pop();
        }
    }

    let clean_lead = |s: &str| strip_lead_prefix(&nfc(s.trim())).to_string();
    let mut sapo = lead
        .filter(|l| {
            // An unmarked lead that is the body's own plain first paragraph stays in the body.
            l.marked
                || !kept.first().is_some_and(|f| {
                    !f.bold
                        && !f.heading
                        && same_text(&clean_lead(&l.text), strip_lead_prefix(&f.text))
                })
        })
        .map(|l| clean_lead(&l.text))
        .filter(|s| !s.is_empty() && !has_base64_run(s, 200) && !has_mustache(s));

    if let Some(first) = kept.first_mut() {
        let stripped = strip_lead_prefix(&first.text);
        if stripped.len() != first.text.len() {
            let stripped = stripped.to_string();
            if sapo.is_none() {
                // A lead paragraph with a dateline tag is the sapo (Cần Thơ's first `p`).
                sapo = Some(stripped);
                kept.remove(0);
            } else {
                first.text = stripped;
            }
        }
    }
    if sapo.is_none() {
        // A bold or heading first paragraph is the lead (`<p><strong>…</strong></p>`,
        // `<h2>…</h2>` above the text).
        if let Some(first) = kept.first() {
            let n = first.text.chars().count();
            if (first.bold || first.heading)
                && !first.link
                && (60..=1200).contains(&n)
                && kept.len() > 1
            {
                sapo = Some(first.text.clone());
                kept.remove(0);
            }
        }
    }
    if let Some(s) = &sapo {
        // The lead repeated in the body, also behind a dateline the sapo lost ("Hà TĩnhNăm…").
        let repeats = |b: &Block| {
            same_text(s, strip_lead_prefix(&b.text))
                || (b.text.ends_with(s.as_str()) && b.text.len() - s.len() <= 60)
        };
        kept.retain(|b| !repeats(b));
    }

    let mut body = String::new();
    for b in &kept {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&b.text);
    }
    Cleaned { sapo, body, byline }
}

/// Compares two texts ignoring whitespace differences.
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_prefixes() {
        assert_eq!(strip_lead_prefix("(Baohatinh.vn) - Sáng nay"), "Sáng nay");
        assert_eq!(strip_lead_prefix("(CTO) - Chiều 8-1"), "Chiều 8-1");
        assert_eq!(strip_lead_prefix("(CTO)- Chiều 8-1"), "Chiều 8-1");
        assert_eq!(strip_lead_prefix("QTO - Năm 2025"), "Năm 2025");
        assert_eq!(strip_lead_prefix("(QBĐT) – Năm 2025"), "Năm 2025");
        assert_eq!(strip_lead_prefix("(Chinhphu.vn) — Hôm nay"), "Hôm nay");
        assert_eq!(strip_lead_prefix("Năm 2025 - tăng"), "Năm 2025 - tăng");
        assert_eq!(
            strip_lead_prefix("(một ghi chú rất dài hơn ba mươi ký tự ở đây) - x"),
            "(một ghi chú rất dài hơn ba mươi ký tự ở đây) - x"
        );
        assert_eq!(strip_lead_prefix("(A) - x"), "(A) - x");
        assert_eq!(strip_lead_prefix("UBND tỉnh"), "UBND tỉnh");
        assert_eq!(strip_lead_prefix("VOV.VN - Niên vụ"), "Niên vụ");
        assert_eq!(strip_lead_prefix("Baonghean.vn - Sáng 6/1"), "Sáng 6/1");
        assert_eq!(strip_lead_prefix("TTXVN - Sáng 6/1"), "Sáng 6/1");
        assert_eq!(strip_lead_prefix("GD&TĐ - Sáng 6/1"), "Sáng 6/1");
        assert_eq!(
            strip_lead_prefix("Năm 2025 - năm bản lề"),
            "Năm 2025 - năm bản lề"
        );
    }

    #[test]
    fn base64_runs() {
        let blob = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==".repeat(10);
        assert!(has_base64_run(&format!("x {blob} y"), 200));
        assert!(!has_base64_run(&"từ ngữ bình thường ".repeat(30), 200));
    }

    #[test]
    fn placeholders() {
        assert_eq!(strip_placeholders("{title} {publish}"), "");
        assert_eq!(strip_placeholders("Giá {x} là { 5 }"), "Giá là { 5 }");
    }

    #[test]
    fn bylines() {
        assert_eq!(
            byline_author("Tin, ảnh: P.Y", false).as_deref(),
            Some("P.Y")
        );
        assert_eq!(
            byline_author("Bài và ảnh: Minh Anh", false).as_deref(),
            Some("Minh Anh")
        );
        assert_eq!(byline_author("Lê Hoa", true).as_deref(), Some("Lê Hoa"));
        assert_eq!(byline_author("Sản lượng lúa tăng.", true), None);
    }

    #[test]
    fn furniture_and_bare_bylines() {
        let b = |text: &str| Block {
            text: text.into(),
            ..Default::default()
        };
        let para = "Năm 2025, sản lượng lúa của tỉnh đạt 1,2 triệu tấn, tăng 3% so với năm trước.";
        let blocks = vec![
            b(para),
            b("Chia sẻ"),
            b("Xem thêm: Giá lúa tăng mạnh đầu năm"),
            b(para),
            Block {
                text: "Minh Châu".into(),
                right: true,
                ..Default::default()
            },
            b("Tin liên quan"),
            Block {
                text: "Một bài khác về giá lúa".into(),
                link: true,
                ..Default::default()
            },
        ];
        let c = finish(blocks, None);
        assert_eq!(c.body, format!("{para}\n\n{para}"));
        assert_eq!(c.byline.as_deref(), Some("Minh Châu"));
    }

    #[test]
    fn finish_takes_lead_paragraph_as_sapo_and_byline_as_author() {
        let blocks = vec![
            Block {
                text: "(CTO) - Chiều 8-1, hội nghị.".into(),
                ..Default::default()
            },
            Block {
                text: "Năm 2025, thành phố đạt 10 chỉ tiêu.".into(),
                ..Default::default()
            },
            Block {
                text: "Tin, ảnh: P.Y".into(),
                right: true,
                bold: true,
                ..Default::default()
            },
        ];
        let c = finish(blocks, None);
        assert_eq!(c.sapo.as_deref(), Some("Chiều 8-1, hội nghị."));
        assert_eq!(c.body, "Năm 2025, thành phố đạt 10 chỉ tiêu.");
        assert_eq!(c.byline.as_deref(), Some("P.Y"));
    }
}
