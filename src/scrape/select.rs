//! The per-source path: article fields picked by CSS selectors from the configuration.
//!
//! Selectors need a spec-exact DOM, so this path parses with html5ever (`scraper`); it is taken
//! only for sources that configure selectors. Built-in noise (scripts, captions, related links,
//! ads, tag lists) is removed from the body on top of the source's own `remove` list.

use super::clean::Block;
use super::dates::parse_vn_datetime;
use super::{SelectorError, Selectors};
use chrono::{DateTime, FixedOffset};
use ego_tree::iter::Edge;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Noise removed from every selected body, whatever the source configures.
const BUILTIN_NOISE: &str = "script, style, noscript, template, iframe, svg, figcaption, button, \
    form, input, select, textarea, h1, .ads_middle, [id^=adsWeb_], .related-news, a.cms-relate, \
    .sc-related-articles, .c-box, table.rl, .drelated, .pCaption, .iCaption, .image_desc, \
    .onecms__tags, .article__tag, .block_tag, .sc-empty-layer";

static NOISE: LazyLock<Option<Selector>> = LazyLock::new(|| Selector::parse(BUILTIN_NOISE).ok());

/// Compiled selectors of one source.
pub(crate) struct Compiled {
    title: Option<Selector>,
    published: Option<Selector>,
    author: Option<Selector>,
    body: Option<Selector>,
    sapo: Option<Selector>,
    remove: Vec<Selector>,
}

fn one(field: &str, s: &Option<String>) -> Result<Option<Selector>, SelectorError> {
    match s {
        None => Ok(None),
        Some(s) => Selector::parse(s).map(Some).map_err(|e| SelectorError {
            field: field.to_string(),
            selector: s.clone(),
            message: e.to_string(),
        }),
    }
}

/// Compiles every selector, naming the first field that does not parse.
pub(crate) fn compile(sel: &Selectors) -> Result<Compiled, SelectorError> {
    let mut remove = Vec::with_capacity(sel.remove.len());
    for (k, r) in sel.remove.iter().enumerate() {
        if let Some(s) = one(&format!("remove[{k}]"), &Some(r.clone()))? {
            remove.push(s);
        }
    }
    Ok(Compiled {
        title: one("title", &sel.title)?,
        published: one("published", &sel.published)?,
        author: one("author", &sel.author)?,
        body: one("body", &sel.body)?,
        sapo: one("sapo", &sel.sapo)?,
        remove,
    })
}

impl Compiled {
    /// True when the source names its body container.
    pub(crate) fn has_body(&self) -> bool {
        self.body.is_some()
    }
}

/// What the selectors found; `None` fields fall back to metadata or the generic extractor.
#[derive(Default)]
pub(crate) struct Picked {
    pub title: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub author: Option<String>,
    pub sapo: Option<String>,
    pub blocks: Option<Vec<Block>>,
}

/// Applies compiled selectors to a page.
pub(crate) fn apply(html: &str, c: &Compiled) -> Picked {
    let doc = Html::parse_document(html);
    let first = |s: &Option<Selector>| s.as_ref().and_then(|s| doc.select(s).next());
    let mut p = Picked {
        title: first(&c.title).map(text_of),
        author: first(&c.author).map(text_of),
        ..Picked::default()
    };
    if let Some(e) = first(&c.published) {
        let v = e.value();
        p.published = v
            .attr("datetime")
            .or_else(|| v.attr("content"))
            .and_then(parse_vn_datetime)
            .or_else(|| parse_vn_datetime(&text_of(e)));
    }
    let sapo_el = first(&c.sapo);
    p.sapo = sapo_el.map(text_of).filter(|s| !s.is_empty());

    if let Some(body) = first(&c.body) {
        let mut skip: HashSet<ego_tree::NodeId> = HashSet::new();
        for s in c.remove.iter().chain(NOISE.as_ref()) {
            for e in body.select(s) {
                skip.insert(e.id());
            }
        }
        if let Some(s) = sapo_el {
            skip.insert(s.id());
        }
        p.blocks = Some(blocks_of(body, &skip));
    }
    p
}

/// Whitespace-collapsed text of an element.
fn text_of(e: ElementRef<'_>) -> String {
    let mut out = String::new();
    for t in e.text() {
        push_plain(&mut out, t);
    }
    out.trim().to_string()
}

fn push_plain(out: &mut String, t: &str) {
    let starts_space = t.starts_with(|c: char| c.is_whitespace());
    if starts_space && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    let mut first = true;
    for w in t.split_whitespace() {
        if !first {
            out.push(' ');
        }
        out.push_str(w);
        first = false;
    }
    if !first && t.ends_with(|c: char| c.is_whitespace()) {
        out.push(' ');
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "blockquote"
            | "pre"
            | "section"
            | "article"
            | "figure"
            | "header"
            | "footer"
            | "br"
            | "hr"
            | "center"
    )
}

/// True when an element is aligned to `side` ("center", "right") by its `align` attribute or
/// its inline style.
fn aligned(e: &scraper::node::Element, side: &str) -> bool {
    e.attr("align")
        .is_some_and(|a| a.eq_ignore_ascii_case(side))
        || e.attr("style").is_some_and(|s| {
            s.to_ascii_lowercase()
                .replace(' ', "")
                .contains(&format!("text-align:{side}"))
        })
}

/// A centred paragraph holding only italic text: a photo caption (`<p style="text-align:
/// center"><em>…</em></p>` after the image).
fn is_caption_p(n: ego_tree::NodeRef<'_, Node>) -> bool {
    let Node::Element(e) = n.value() else {
        return false;
    };
    if e.name() != "p" {
        return false;
    }
    if !aligned(e, "center") {
        return false;
    }
    let mut italic = false;
    for c in n.children() {
        match c.value() {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Element(ce) if matches!(ce.name(), "em" | "i") => italic = true,
            Node::Element(ce) if ce.name() == "br" => {}
            _ => return false,
        }
    }
    italic
}

fn blocks_of(body: ElementRef<'_>, skip: &HashSet<ego_tree::NodeId>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut cur = String::new();
    let mut right = false;
    let mut bold_depth = 0u32;
    let mut bold_len = 0usize;
    let mut link_depth = 0u32;
    let mut link_len = 0usize;
    let mut heading = false;
    let mut skipping: Option<ego_tree::NodeId> = None;
    let mut flush = |cur: &mut String,
                     right: &mut bool,
                     bold_len: &mut usize,
                     link_len: &mut usize,
                     heading: &mut bool| {
        let t = cur.trim();
        if !t.is_empty() {
            blocks.push(Block {
                text: t.to_string(),
                right: *right,
                bold: *bold_len * 10 >= t.len() * 9,
                heading: *heading,
                link: *link_len * 10 >= t.len() * 9,
            });
        }
        cur.clear();
        *right = false;
        *bold_len = 0;
        *link_len = 0;
        *heading = false;
    };
    for edge in body.traverse() {
        match edge {
            Edge::Open(n) => {
                if skipping.is_some() {
                    continue;
                }
                if (skip.contains(&n.id()) || is_caption_p(n)) && n.id() != body.id() {
                    skipping = Some(n.id());
                    continue;
                }
                match n.value() {
                    Node::Text(t) => {
                        let before = cur.len();
                        push_plain(&mut cur, t);
                        if bold_depth > 0 {
                            bold_len += cur.len() - before;
                        }
                        if link_depth > 0 {
                            link_len += cur.len() - before;
                        }
                    }
                    Node::Element(e) => {
                        let name = e.name();
                        if is_block(name) {
                            flush(
                                &mut cur,
                                &mut right,
                                &mut bold_len,
                                &mut link_len,
                                &mut heading,
                            );
                            heading = matches!(name, "h2" | "h3" | "h4" | "h5" | "h6");
                            if name == "p" {
                                right = aligned(e, "right");
                            }
                        }
                        if name == "strong" || name == "b" {
                            bold_depth += 1;
                        }
                        if name == "a" {
                            link_depth += 1;
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(s) = skipping {
                    if s == n.id() {
                        skipping = None;
                    }
                    continue;
                }
                if let Node::Element(e) = n.value() {
                    let name = e.name();
                    if name == "strong" || name == "b" {
                        bold_depth = bold_depth.saturating_sub(1);
                    }
                    if name == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    if is_block(name) {
                        flush(
                            &mut cur,
                            &mut right,
                            &mut bold_len,
                            &mut link_len,
                            &mut heading,
                        );
                    } else if name == "td" || name == "li" {
                        cur.push(' ');
                    }
                }
            }
        }
    }
    flush(
        &mut cur,
        &mut right,
        &mut bold_len,
        &mut link_len,
        &mut heading,
    );
    blocks
}
