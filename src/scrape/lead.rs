//! The lead (sapo) of a page without a sapo selector, found outside the body by its markup.
//!
//! Vietnamese CMSes mark the lead with a class (`sapo`, `cms-desc`, `detail-desc`, `pHead`,
//! `chapeau`, `lead`), or with a class that list teasers share (`summary`, `description`,
//! `excerpt`), or only by repeating `og:description`. A candidate right under the headline, or
//! repeating the description, wins over teasers elsewhere on the page. Pages in other languages
//! keep to the first three classes. Leads inside the body (a bold or `h2` first paragraph, a
//! dateline-tagged first paragraph) are the clean-up's business (`clean::finish`).

use super::{clean, dom};

/// Class words that name a lead without doubt.
/// The first three are the ones looked for on pages in other languages too.
const LEAD_CLASSES: &[&str] = &[
    "sapo",
    "cms-desc",
    "detail-desc",
    "phead",
    "chapeau",
    "chappeau",
    "lead",
    "tomtat",
    "tom-tat",
];
/// Class words that name a lead on article pages but also name teasers in lists: trusted when
/// the text repeats the page's description or sits right under the headline.
const MAYBE_LEAD_CLASSES: &[&str] = &[
    "summary",
    "description",
    "desc",
    "excerpt",
    "intro",
    "abstract",
];

/// The lead of pages without a sapo selector: an element whose class names it (`sapo`, `lead`,
/// `summary`, `description`…), preferring one that repeats the page's description or follows
/// the headline closely (list teasers share those classes), else the block whose text is the
/// page's `og:description`.
pub(crate) fn find(
    doc: &dom::Doc<'_>,
    description: Option<&str>,
    vietnamese: bool,
) -> Option<clean::Lead> {
    // Pages in other languages keep to the `sapo` classes of Vietnamese CMSes: their
    // standfirsts and teasers are not what a Vietnamese sapo is, and the generic benchmark
    // scores them as noise.
    let lead_classes = if vietnamese {
        LEAD_CLASSES
    } else {
        &LEAD_CLASSES[..3]
    };
    let desc_key = description
        .filter(|_| vietnamese)
        .map(sapo_key)
        .filter(|k| k.chars().count() >= 40);
    let desc_start: Option<String> = desc_key.as_deref().map(|d| d.chars().take(20).collect());
    let matches_desc = |t: &str| {
        desc_key.as_deref().is_some_and(|d| {
            let k = sapo_key(t);
            let n = d.chars().count().min(k.chars().count()).min(60);
            n >= 30 && k.chars().take(n).eq(d.chars().take(n))
        })
    };
    let mut seen_h1 = false;
    // Elements since the first h1: a lead follows the headline closely, sidebars come later.
    let mut since_h1 = 0usize;
    let mut strong: Vec<(String, bool)> = Vec::new();
    let mut weak: Vec<(String, bool)> = Vec::new();
    let mut desc_block: Option<(String, bool)> = None;
    // A block much longer than the description is a container that starts with it.
    let max_block = desc_key
        .as_deref()
        .map_or(0, |d| d.chars().count() * 13 / 10 + 40);
    let mut it = doc.descendants(0);
    while let Some(i) = it.next() {
        let tag = doc.node(i).tag;
        if seen_h1 && tag != dom::Tag::Text {
            since_h1 += 1;
        }
        match tag {
            dom::Tag::Script
            | dom::Tag::Style
            | dom::Tag::Head
            | dom::Tag::Nav
            | dom::Tag::Footer
            | dom::Tag::A
            | dom::Tag::Template => {
                it.skip_children(i);
                continue;
            }
            dom::Tag::H1 => {
                if !seen_h1 {
                    since_h1 = 0;
                }
                seen_h1 = true;
                it.skip_children(i);
                continue;
            }
            dom::Tag::Text => {
                // The description repeated as text: its block is the lead.
                if let (None, Some(start)) = (&desc_block, &desc_start) {
                    let raw = doc.raw_text(i);
                    if raw.len() >= 30 && starts_like(raw, start) {
                        let b = block_ancestor(doc, i);
                        let t = doc.text_of(b);
                        if t.chars().count() <= max_block && matches_desc(&t) {
                            desc_block = Some((t, set_apart(doc, b)));
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        let Some(c) = doc.attr(i, "class") else {
            continue;
        };
        if c.len() > 200 {
            continue;
        }
        let c = c.to_ascii_lowercase();
        let words = || c.split(|ch: char| ch.is_whitespace() || ch == '_' || ch == '-');
        let is_strong = lead_classes
            .iter()
            .any(|w| c.contains(w) && (w.len() > 4 || words().any(|x| x == *w)));
        let is_maybe = vietnamese
            && !is_strong
            && MAYBE_LEAD_CLASSES.iter().any(|w| words().any(|x| x == *w))
            && !["image", "img", "photo", "caption", "video", "thumb", "item"]
                .iter()
                .any(|w| c.contains(w));
        if !is_strong && !is_maybe {
            continue;
        }
        let t = without_location_stamp(doc, i);
        let n = t.chars().count();
        if !(20..=1500).contains(&n) {
            continue;
        }
        it.skip_children(i);
        if matches_desc(&t) {
            return Some(clean::Lead {
                text: t,
                marked: true,
            });
        }
        if is_strong && strong.len() < 8 {
            strong.push((t, seen_h1));
        } else if is_maybe && weak.len() < 8 && (desc_key.is_none() || (seen_h1 && since_h1 <= 40))
        {
            // With a description that does not repeat it, only right under the headline.
            weak.push((t, seen_h1));
        }
    }
    // The first candidate after the headline; before it only when the page has no h1.
    let first = |v: &mut Vec<(String, bool)>, any: bool| {
        let k = v.iter().position(|(_, after_h1)| *after_h1 || any)?;
        Some(v.swap_remove(k).0)
    };
    // Before the headline (a teaser box above the article) only on pages without an h1, or
    // without a description to tell the article's lead from a teaser.
    let after_h1 = first(&mut strong, false);
    let before_ok = !seen_h1 || desc_key.is_none();
    if let Some(text) = after_h1.or_else(|| first(&mut strong, true).filter(|_| before_ok)) {
        return Some(clean::Lead { text, marked: true });
    }
    if let Some((text, marked)) = desc_block {
        return Some(clean::Lead { text, marked });
    }
    first(&mut weak, !seen_h1).map(|text| clean::Lead { text, marked: true })
}

/// The text of a lead element without a leading location stamp (`<span class="location-stamp">
/// Hà Nội</span>Năm 2025…`, whose separator only CSS draws): a dateline, stripped like
/// `(CTO) - `.
fn without_location_stamp(doc: &dom::Doc<'_>, i: u32) -> String {
    let t = doc.text_of(i);
    let stamp = doc
        .children(i)
        .find(|&c| doc.node(c).tag != dom::Tag::Text || !doc.raw_text(c).trim().is_empty())
        .filter(|&c| {
            doc.attr(c, "class")
                .is_some_and(|k| k.to_ascii_lowercase().contains("location"))
        });
    match stamp {
        Some(c) => {
            let place = doc.text_of(c);
            match t.strip_prefix(place.as_str()) {
                Some(rest) if !place.is_empty() => rest
                    .trim_start_matches(|ch: char| {
                        ch.is_whitespace() || matches!(ch, '-' | '–' | '—')
                    })
                    .to_string(),
                _ => t,
            }
        }
        None => t,
    }
}

/// True when block `b` is set apart from the paragraphs after it: not a plain `<p>`, or a `<p>`
/// whose class differs from the next element's (`p.pHead` before `div#dcontent`), as opposed to
/// the first of a run of `<p class="Normal">` or bare `<p>`s.
fn set_apart(doc: &dom::Doc<'_>, b: u32) -> bool {
    if doc.node(b).tag != dom::Tag::P {
        return true;
    }
    let Some(class) = doc.attr(b, "class").filter(|c| !c.trim().is_empty()) else {
        return false;
    };
    let mut next = doc.node(b).next_sibling;
    while next != dom::NONE && doc.node(next).tag == dom::Tag::Text {
        next = doc.node(next).next_sibling;
    }
    next == dom::NONE || doc.attr(next, "class") != Some(class)
}

/// The nearest block element holding node `i`.
fn block_ancestor(doc: &dom::Doc<'_>, i: u32) -> u32 {
    let mut p = doc.node(i).parent;
    while p != dom::NONE && p != 0 {
        let t = doc.node(p).tag;
        if t.is_block() {
            return p;
        }
        p = doc.node(p).parent;
    }
    doc.node(i).parent
}

/// A cheap test that raw text (its dateline tag aside) begins like a lead key: the first ten
/// letters and digits, lower-cased, without decoding anything.
fn starts_like(raw: &str, key: &str) -> bool {
    let text = clean::strip_lead_prefix(raw.trim_start());
    let mut a = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase);
    key.chars().take(10).all(|k| a.next() == Some(k))
}

/// Lower-case letters and digits of a lead without its dateline tag, to compare leads.
fn sapo_key(s: &str) -> String {
    clean::strip_lead_prefix(&clean::nfc(s.trim()))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(html: &str, desc: Option<&str>) -> Option<(String, bool)> {
        let doc = dom::Doc::parse(html);
        find(&doc, desc, true).map(|l| (l.text, l.marked))
    }

    #[test]
    fn teaser_above_the_headline_is_not_the_lead() {
        let html = "<body><div class=box><p class=sapo>Một tin khác trong hộp tin nổi bật ở đầu trang.</p></div>\
            <h1>Tiêu đề bài viết</h1><h2 class=detail-sapo>Năm 2025, sản lượng lúa của tỉnh đạt 1,2 triệu tấn.</h2></body>";
        assert_eq!(
            lead(html, None).map(|l| l.0).as_deref(),
            Some("Năm 2025, sản lượng lúa của tỉnh đạt 1,2 triệu tấn.")
        );
        // Only the teaser, with a description that it does not repeat: no lead.
        let html = "<body><p class=sapo>Một tin khác trong hộp tin nổi bật ở đầu trang.</p>\
            <h1>Tiêu đề bài viết</h1><p>Nội dung.</p></body>";
        let desc = "Năm 2025, sản lượng lúa của tỉnh đạt 1,2 triệu tấn, tăng 3% so với năm trước.";
        assert_eq!(lead(html, Some(desc)), None);
    }

    #[test]
    fn description_repeated_as_a_plain_first_paragraph_is_unmarked() {
        let desc = "Năm 2025, sản lượng lúa của tỉnh đạt 1,2 triệu tấn, tăng 3% so với năm trước.";
        let html = format!(
            "<body><h1>Tiêu đề</h1><div><p>{desc}</p><p>Đoạn hai của bài viết.</p></div></body>"
        );
        assert_eq!(lead(&html, Some(desc)), Some((desc.to_string(), false)));
        let html = format!(
            "<body><h1>Tiêu đề</h1><p class=pLead>{desc}</p><div id=dcontent><p>Đoạn hai.</p></div></body>"
        );
        assert_eq!(lead(&html, Some(desc)), Some((desc.to_string(), true)));
    }

    #[test]
    fn location_stamp_is_a_dateline() {
        let html = "<body><h1>Tiêu đề</h1><p class=description><span class=location-stamp>Hà Nội</span>Năm 2025, thu ngân sách tăng 18%.</p></body>";
        assert_eq!(
            lead(html, None).map(|l| l.0).as_deref(),
            Some("Năm 2025, thu ngân sách tăng 18%.")
        );
    }
}
