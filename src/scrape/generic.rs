//! The generic main-text extractor, for sources without selectors.
//!
//! A readability-style scorer over the compact tree of [`super::dom`]: one bottom-up pass counts
//! text, link text, commas and a few element kinds per node; paragraphs score their ancestors;
//! the best container is chosen (climbing when several good candidates share an ancestor) and
//! joined with its siblings of similar score; the output walk then skips boilerplate (link-heavy
//! lists, share/related/comment blocks, captions, forms) inside it. Every step is linear in the
//! page size, which keeps the whole scrape near the cost of tokenizing.

use super::clean::{has_base64_run, Block};
use super::dom::{push_collapsed, push_space, Doc, Tag, NONE};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

fn ac(words: &[&str]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(words)
        .expect("constant patterns")
}

/// Class/id words of page furniture: never the article.
static UNLIKELY: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "-ad-",
        "ai2html",
        "banner",
        "breadcrumb",
        "combx",
        "comment",
        "community",
        "cover-wrap",
        "disqus",
        "extra",
        "footer",
        "gdpr",
        "legends",
        "menu",
        "related",
        "remark",
        "replies",
        "rss",
        "shoutbox",
        "sidebar",
        "skyscraper",
        "social",
        "sponsor",
        "supplemental",
        "ad-break",
        "agegate",
        "pagination",
        "pager",
        "popup",
        "yom-remote",
        "newsletter",
        "subscribe",
        "share",
        "sharing",
        "recommend",
        "promo",
        "cookie",
        "modal",
        "signup",
        "caption",
        "masthead",
        "navbar",
        "topbar",
        "tags",
        "trending",
        "outbrain",
        "taboola",
        "byline",
        "author-bio",
        "read-more",
        "readmore",
        "most-popular",
        "mostpopular",
        "ads_",
        "adsweb",
        "advert",
        "print",
        "image_desc",
        "pullquote",
        "leftside",
        "rightside",
        "toolbar",
        "breaking",
        "paywall",
        "login",
    ])
});
/// Class/id words of related-news, "read more" and comment blocks: never the article, even when
/// the class also says `article` or `content` (`box-related-content`, `article-comments`), which
/// rescues the words of [`UNLIKELY`]. Vietnamese sites name them `tin-lien-quan`,
/// `cung-chuyen-muc`, `tin-khac`, `binh-luan`.
static STRONG_UNLIKELY: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "related",
        "lienquan",
        "lien-quan",
        "lien_quan",
        "cungchuyenmuc",
        "cung-chuyen-muc",
        "tinkhac",
        "tin-khac",
        "other-news",
        "othernews",
        "news-other",
        "more-news",
        "xemthem",
        "xem-them",
        "docthem",
        "doc-them",
        "docnhieu",
        "doc-nhieu",
        "most-read",
        "comments",
        "comment-",
        "-comment",
        "comment_",
        "binhluan",
        "binh-luan",
    ])
});
/// Class/id words of short furniture inside articles: bylines, dates, credits, share bars.
static SHORT_FURNITURE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "author",
        "byline",
        "date",
        "posted",
        "credit",
        "caption",
        "share",
        "meta",
        "tags",
        "copyright",
        "timestamp",
        "dateline",
        "pseudonym",
        "tacgia",
        "tac-gia",
    ])
});
/// Below this many characters an element classed as [`SHORT_FURNITURE`] is dropped.
const SHORT_FURNITURE_LEN: u32 = 120;

/// Class/id words that rescue an element matched by [`UNLIKELY`].
static MAYBE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "and", "article", "body", "column", "content", "main", "shadow", "entry", "story",
    ])
});
static POSITIVE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
        "blog", "story", "detail", "sapo", "fck",
    ])
});
static NEGATIVE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    ac(&[
        "-ad-",
        "hidden",
        "banner",
        "combx",
        "comment",
        "com-",
        "contact",
        "footer",
        "gdpr",
        "masthead",
        "media",
        "meta",
        "outbrain",
        "promo",
        "related",
        "scroll",
        "share",
        "shoutbox",
        "sidebar",
        "skyscraper",
        "sponsor",
        "shopping",
        "tags",
        "widget",
        "caption",
        "credit",
        "byline",
        "author",
        "newsletter",
        "social",
        "relate",
        "nav",
        "ads",
    ])
});

#[derive(Clone, Copy, Default)]
struct Stats {
    text: u32,
    link: u32,
    commas: u32,
    p: u16,
    img: u16,
    li: u16,
    input: u16,
    embed: u16,
    heading: u32,
    block_child: bool,
}

/// Per-node working state.
struct Work<'d, 'a> {
    doc: &'d Doc<'a>,
    removed: Vec<bool>,
    stats: Vec<Stats>,
    score: Vec<f32>,
    scored: Vec<bool>,
}

/// Extracts the main text of `doc` as blocks. `aggressive` removes unlikely candidates by class;
/// the caller retries without it when the result is short.
pub(crate) fn extract(doc: &Doc<'_>, aggressive: bool) -> Vec<Block> {
    let n = doc.nodes.len();
    let mut w = Work {
        doc,
        removed: vec![false; n],
        stats: vec![Stats::default(); n],
        score: vec![0.0; n],
        scored: vec![false; n],
    };
    w.mark_removed(aggressive);
    w.count();
    let Some(top) = w.score_paragraphs() else {
        return Vec::new();
    };
    let parts = w.with_siblings(top);
    let mut out = Emitter {
        w: &w,
        blocks: Vec::new(),
        cur: String::new(),
        right: false,
        heading: false,
        bold_len: 0,
        bold_depth: 0,
        link_len: 0,
        link_depth: 0,
    };
    for p in parts {
        out.walk(p, true);
        out.flush();
    }
    out.blocks
}

impl Work<'_, '_> {
    fn class_id(&self, i: u32) -> (&str, &str) {
        (
            self.doc.attr(i, "class").unwrap_or(""),
            self.doc.attr(i, "id").unwrap_or(""),
        )
    }

    /// Readability's class weight: ±25 for the class and for the id.
    fn class_weight(&self, i: u32) -> f32 {
        let (c, id) = self.class_id(i);
        let mut w = 0.0;
        for s in [c, id] {
            if s.is_empty() {
                continue;
            }
            if NEGATIVE.is_match(s) {
                w -= 25.0;
            }
            if POSITIVE.is_match(s) {
                w += 25.0;
            }
        }
        w
    }

    fn mark_removed(&mut self, aggressive: bool) {
        let doc = self.doc;
        for i in 1..doc.nodes.len() as u32 {
            let node = doc.node(i);
            let parent = node.parent as usize;
            if self.removed[parent] {
                self.removed[i as usize] = true;
                continue;
            }
            let drop = match node.tag {
                Tag::Text | Tag::Document | Tag::Html | Tag::Body => false,
                Tag::Script
                | Tag::Style
                | Tag::Noscript
                | Tag::Template
                | Tag::Svg
                | Tag::Math
                | Tag::Iframe
                | Tag::Object
                | Tag::Embed
                | Tag::Canvas
                | Tag::Select
                | Tag::Option
                | Tag::Textarea
                | Tag::Button
                | Tag::Input
                | Tag::Head
                | Tag::Title
                | Tag::Nav
                | Tag::Aside
                | Tag::Footer
                | Tag::Dialog
                | Tag::Figcaption
                | Tag::Figure
                | Tag::Menu
                | Tag::Label => true,
                _ => self.hidden_or_unlikely(i, aggressive),
            };
            self.removed[i as usize] = drop;
        }
    }

    fn hidden_or_unlikely(&self, i: u32, aggressive: bool) -> bool {
        let doc = self.doc;
        if doc.has_attr(i, "hidden") {
            return true;
        }
        if let Some(st) = doc.attr(i, "style") {
            let st = st.to_ascii_lowercase();
            let st: String = st.chars().filter(|c| !c.is_whitespace()).collect();
            if st.contains("display:none") || st.contains("visibility:hidden") {
                return true;
            }
        }
        if doc.attr(i, "aria-hidden") == Some("true") {
            return true;
        }
        if let Some(role) = doc.attr(i, "role") {
            if matches!(
                role,
                "menu"
                    | "menubar"
                    | "complementary"
                    | "navigation"
                    | "alert"
                    | "alertdialog"
                    | "dialog"
            ) {
                return true;
            }
        }
        if !aggressive || doc.node(i).tag == Tag::A {
            return false;
        }
        let (c, id) = self.class_id(i);
        if c.is_empty() && id.is_empty() {
            return false;
        }
        if STRONG_UNLIKELY.is_match(c) || STRONG_UNLIKELY.is_match(id) {
            return true;
        }
        if doc.node(i).tag == Tag::Article {
            return false;
        }
        let key_hit = |s: &str| UNLIKELY.is_match(s) && !MAYBE.is_match(s);
        key_hit(c) || key_hit(id)
    }

    /// One bottom-up pass: children follow parents in `nodes`, so a reverse scan sees every
    /// child before its parent.
    fn count(&mut self) {
        let doc = self.doc;
        for i in (1..doc.nodes.len()).rev() {
            if self.removed[i] {
                continue;
            }
            let node = doc.nodes[i];
            let mut s = self.stats[i];
            match node.tag {
                Tag::Text => {
                    let raw = doc.raw_text(i as u32);
                    if !has_base64_run(raw, 200) {
                        let (chars, commas) = text_measure(raw);
                        s.text = chars;
                        s.commas = commas;
                        // Bare text between `<br>`s in a container is a paragraph too.
                        if chars >= 25 && is_bare_text_parent(doc.node(node.parent).tag) {
                            s.p += 1;
                        }
                    }
                }
                Tag::A => s.link = s.text,
                Tag::P => s.p += 1,
                // A div holding only inline content is a paragraph too (readability's div→p).
                Tag::Div | Tag::Section if !s.block_child && s.text > 0 => s.p += 1,
                Tag::Img | Tag::Picture => s.img += 1,
                Tag::Li => s.li += 1,
                Tag::Input | Tag::Select | Tag::Textarea => s.input += 1,
                Tag::Iframe | Tag::Video | Tag::Audio | Tag::Object | Tag::Embed => s.embed += 1,
                t if t.is_heading() => s.heading = s.text,
                _ => {}
            }
            self.stats[i] = s;
            let p = node.parent as usize;
            if p < self.stats.len() {
                let ps = &mut self.stats[p];
                ps.text += s.text;
                ps.link += s.link;
                ps.commas += s.commas;
                ps.p = ps.p.saturating_add(s.p);
                ps.img = ps.img.saturating_add(s.img);
                ps.li = ps.li.saturating_add(s.li);
                ps.input = ps.input.saturating_add(s.input);
                ps.embed = ps.embed.saturating_add(s.embed);
                ps.heading += s.heading;
                if node.tag.is_block() && node.tag != Tag::Br || node.tag == Tag::Img {
                    ps.block_child = true;
                }
            }
        }
    }

    fn link_density(&self, i: u32) -> f32 {
        let s = &self.stats[i as usize];
        if s.text == 0 {
            0.0
        } else {
            s.link as f32 / s.text as f32
        }
    }

    fn init_score(&mut self, i: u32) {
        let iu = i as usize;
        if self.scored[iu] {
            return;
        }
        self.scored[iu] = true;
        let base = match self.doc.node(i).tag {
            Tag::Div | Tag::Article | Tag::Section | Tag::Main => 5.0,
            Tag::Pre | Tag::Td | Tag::Blockquote => 3.0,
            Tag::Address
            | Tag::Ol
            | Tag::Ul
            | Tag::Dl
            | Tag::Dd
            | Tag::Dt
            | Tag::Li
            | Tag::Form => -3.0,
            t if t.is_heading() => -5.0,
            Tag::Th => -5.0,
            _ => 0.0,
        };
        self.score[iu] = base + self.class_weight(i);
    }

    /// Scores paragraphs into their ancestors and returns the best candidate.
    fn score_paragraphs(&mut self) -> Option<u32> {
        let doc = self.doc;
        let mut candidates: Vec<u32> = Vec::new();
        for i in 1..doc.nodes.len() as u32 {
            let iu = i as usize;
            if self.removed[iu] {
                continue;
            }
            let tag = doc.node(i).tag;
            let is_para = match tag {
                Tag::P | Tag::Pre | Tag::Td => true,
                Tag::Div | Tag::Section | Tag::Article => !self.stats[iu].block_child,
                Tag::Text => {
                    let parent = doc.node(i).parent;
                    is_bare_text_parent(doc.node(parent).tag)
                        && self.stats[parent as usize].block_child
                }
                _ => false,
            };
            if !is_para {
                continue;
            }
            let st = self.stats[iu];
            if st.text < 25 {
                continue;
            }
            let content = 1.0 + st.commas as f32 + (st.text as f32 / 100.0).min(3.0);
            let mut anc = doc.node(i).parent;
            let mut level = 0;
            while anc != NONE && anc != 0 && level < 5 {
                if doc.node(anc).tag == Tag::Html {
                    break;
                }
                if !self.scored[anc as usize] {
                    self.init_score(anc);
                    candidates.push(anc);
                }
                let div = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f32 * 3.0,
                };
                self.score[anc as usize] += content / div;
                anc = doc.node(anc).parent;
                level += 1;
            }
        }
        if candidates.is_empty() {
            return None;
        }
        for &c in &candidates {
            let ld = self.link_density(c);
            self.score[c as usize] *= 1.0 - ld;
        }
        let mut sorted = candidates.clone();
        sorted.sort_by(|a, b| self.score[*b as usize].total_cmp(&self.score[*a as usize]));
        let mut top = sorted[0];
        let top_score = self.score[top as usize];

        // Several near-equal candidates under one ancestor: the ancestor is the article.
        let alts: Vec<u32> = sorted
            .iter()
            .skip(1)
            .take(4)
            .copied()
            .filter(|&c| self.score[c as usize] / top_score >= 0.75)
            .collect();
        if alts.len() >= 3 {
            let mut anc = doc.node(top).parent;
            while anc != NONE && anc != 0 && doc.node(anc).tag != Tag::Body {
                let contained = alts.iter().filter(|&&a| self.is_ancestor(anc, a)).count();
                if contained >= 3 {
                    top = anc;
                    break;
                }
                anc = doc.node(anc).parent;
            }
        }
        if !self.scored[top as usize] {
            self.init_score(top);
        }

        // Climb while the parent scores higher.
        let mut last = self.score[top as usize];
        let threshold = last / 3.0;
        let mut parent = doc.node(top).parent;
        while parent != NONE && parent != 0 && doc.node(parent).tag != Tag::Body {
            if !self.scored[parent as usize] {
                parent = doc.node(parent).parent;
                continue;
            }
            let ps = self.score[parent as usize];
            if ps < threshold {
                break;
            }
            if ps > last {
                top = parent;
                break;
            }
            last = ps;
            parent = doc.node(parent).parent;
        }

        // An only child stands for its parent.
        loop {
            let parent = doc.node(top).parent;
            if parent == NONE || parent == 0 || doc.node(parent).tag == Tag::Body {
                break;
            }
            let elements = doc
                .children(parent)
                .filter(|&c| doc.node(c).tag != Tag::Text && !self.removed[c as usize])
                .count();
            if elements != 1 {
                break;
            }
            top = parent;
            if !self.scored[top as usize] {
                self.init_score(top);
            }
        }
        Some(top)
    }

    fn is_ancestor(&self, anc: u32, mut i: u32) -> bool {
        while i != NONE {
            if i == anc {
                return true;
            }
            i = self.doc.node(i).parent;
        }
        false
    }

    /// The top candidate plus siblings that look like more of the article.
    fn with_siblings(&self, top: u32) -> Vec<u32> {
        let doc = self.doc;
        let parent = doc.node(top).parent;
        if parent == NONE {
            return vec![top];
        }
        let top_score = self.score[top as usize];
        let threshold = (top_score * 0.2).max(10.0);
        let top_class = doc.attr(top, "class").unwrap_or("");
        let mut out = Vec::new();
        for s in doc.children(parent) {
            if s == top {
                out.push(s);
                continue;
            }
            let node = doc.node(s);
            if node.tag == Tag::Text || self.removed[s as usize] {
                continue;
            }
            let mut bonus = 0.0;
            if !top_class.is_empty() && doc.attr(s, "class") == Some(top_class) {
                bonus = top_score * 0.2;
            }
            let append = if self.scored[s as usize] && self.score[s as usize] + bonus >= threshold {
                true
            } else if node.tag == Tag::P {
                let st = self.stats[s as usize];
                let ld = self.link_density(s);
                if st.text > 80 {
                    ld < 0.25
                } else if st.text > 0 && ld == 0.0 {
                    let t = doc.text_of(s);
                    t.ends_with('.') || t.contains(". ")
                } else {
                    false
                }
            } else {
                false
            };
            if append {
                out.push(s);
            }
        }
        out
    }

    /// Readability's "clean conditionally": drops link lists, image galleries, forms and
    /// negatively classed blocks inside the article.
    fn is_junk(&self, i: u32) -> bool {
        let doc = self.doc;
        let tag = doc.node(i).tag;
        if !matches!(
            tag,
            Tag::Div
                | Tag::Section
                | Tag::Table
                | Tag::Ul
                | Tag::Ol
                | Tag::Header
                | Tag::Form
                | Tag::Dl
                | Tag::Other
                | Tag::Span
                | Tag::P
                | Tag::Blockquote
        ) {
            return false;
        }
        let st = self.stats[i as usize];
        if st.text < SHORT_FURNITURE_LEN {
            let (c, id) = self.class_id(i);
            if SHORT_FURNITURE.is_match(c) || SHORT_FURNITURE.is_match(id) {
                return true;
            }
        }
        let weight = self.class_weight(i);
        let score = if self.scored[i as usize] {
            self.score[i as usize]
        } else {
            0.0
        };
        if tag == Tag::P || tag == Tag::Span || tag == Tag::Blockquote {
            // Short link-only paragraphs ("Read more: …").
            return st.text > 0 && st.text < 200 && self.link_density(i) > 0.8;
        }
        if weight + score < 0.0 {
            return true;
        }
        if st.commas >= 10 {
            return false;
        }
        let is_list = matches!(tag, Tag::Ul | Tag::Ol);
        let p = st.p as f32;
        let img = st.img as f32;
        let li = st.li as f32 - 100.0;
        let ld = self.link_density(i);
        let heading_density = if st.text == 0 {
            0.0
        } else {
            st.heading as f32 / st.text as f32
        };
        (img > 1.0 && p / img < 0.5)
            || (!is_list && li > p)
            || (st.input as f32 > (p / 3.0).floor())
            || (!is_list && heading_density < 0.9 && st.text < 25 && (st.img == 0 || st.img > 2))
            || (!is_list && weight < 25.0 && ld > 0.2)
            || (weight >= 25.0 && ld > 0.5)
            || ((st.embed == 1 && st.text < 75) || st.embed > 1)
            || (is_list && ld > 0.5)
    }
}

/// Containers whose direct text (between `<br>`s) reads as paragraphs.
fn is_bare_text_parent(t: Tag) -> bool {
    matches!(
        t,
        Tag::Div
            | Tag::Section
            | Tag::Article
            | Tag::Main
            | Tag::Td
            | Tag::Blockquote
            | Tag::Center
    )
}

/// Counts characters (not bytes, not whitespace) and commas of raw text.
fn text_measure(raw: &str) -> (u32, u32) {
    let mut chars = 0u32;
    let mut commas = 0u32;
    for &b in raw.as_bytes() {
        if b & 0xC0 != 0x80 && !b.is_ascii_whitespace() {
            chars += 1;
        }
        if b == b',' {
            commas += 1;
        }
    }
    (chars, commas)
}

/// Walks the chosen subtrees and writes blocks.
struct Emitter<'w, 'd, 'a> {
    w: &'w Work<'d, 'a>,
    blocks: Vec<Block>,
    cur: String,
    right: bool,
    heading: bool,
    bold_len: usize,
    bold_depth: u32,
    link_len: usize,
    link_depth: u32,
}

impl Emitter<'_, '_, '_> {
    fn flush(&mut self) {
        let t = self.cur.trim();
        if !t.is_empty() {
            let bold = self.bold_len * 10 >= t.len() * 9;
            let link = self.link_len * 10 >= t.len() * 9;
            self.blocks.push(Block {
                text: t.to_string(),
                right: self.right,
                bold,
                heading: self.heading,
                link,
            });
        }
        self.cur.clear();
        self.right = false;
        self.heading = false;
        self.bold_len = 0;
        self.link_len = 0;
    }

    fn walk(&mut self, i: u32, is_root: bool) {
        let doc = self.w.doc;
        let node = *doc.node(i);
        if self.w.removed[i as usize] {
            return;
        }
        match node.tag {
            Tag::Text => {
                let before = self.cur.len();
                push_collapsed(&mut self.cur, doc.raw_text(i));
                if self.bold_depth > 0 {
                    self.bold_len += self.cur.len() - before;
                }
                if self.link_depth > 0 {
                    self.link_len += self.cur.len() - before;
                }
                return;
            }
            Tag::Br => {
                self.flush();
                return;
            }
            Tag::H1 => return,
            _ => {}
        }
        if !is_root && self.w.is_junk(i) {
            return;
        }
        if node.tag == Tag::P && is_caption_p(doc, i) {
            return;
        }
        let block = node.tag.is_block();
        if block {
            self.flush();
            if node.tag == Tag::P {
                self.right = is_right(doc, i);
            }
            self.heading = node.tag.is_heading();
        }
        let bold = matches!(node.tag, Tag::Strong | Tag::B);
        if bold {
            self.bold_depth += 1;
        }
        let link = node.tag == Tag::A;
        if link {
            self.link_depth += 1;
        }
        let mut c = node.first_child;
        while c != NONE {
            self.walk(c, false);
            c = doc.node(c).next_sibling;
        }
        if bold {
            self.bold_depth -= 1;
        }
        if link {
            self.link_depth -= 1;
        }
        if block {
            self.flush();
        } else if matches!(node.tag, Tag::Td | Tag::Th | Tag::Li) {
            push_space(&mut self.cur);
        }
    }
}

/// A centred paragraph holding only italic text: the caption under a photo in the CMSes that
/// write `<p style="text-align:center"><em>…</em></p>` after the image.
fn is_caption_p(doc: &Doc<'_>, i: u32) -> bool {
    let centred = doc
        .attr(i, "align")
        .is_some_and(|a| a.eq_ignore_ascii_case("center"))
        || doc.attr(i, "style").is_some_and(|s| {
            s.to_ascii_lowercase()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .contains("text-align:center")
        });
    if !centred {
        return false;
    }
    let mut italic = false;
    for c in doc.children(i) {
        match doc.node(c).tag {
            Tag::Text => {
                if !doc.raw_text(c).trim().is_empty() {
                    return false;
                }
            }
            Tag::Em | Tag::I => italic = true,
            Tag::Br => {}
            _ => return false,
        }
    }
    italic
}

/// True when a paragraph is right-aligned (`style="text-align: right"` or `align="right"`).
pub(crate) fn is_right(doc: &Doc<'_>, i: u32) -> bool {
    if doc
        .attr(i, "align")
        .is_some_and(|a| a.eq_ignore_ascii_case("right"))
    {
        return true;
    }
    doc.attr(i, "style").is_some_and(|s| {
        let s: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        s.contains("text-align:right")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(html: &str) -> String {
        let doc = Doc::parse(html);
        extract(&doc, true)
            .into_iter()
            .map(|b| b.text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn picks_the_paragraph_cluster_and_drops_link_lists() {
        let para = "This is a sentence of the article, with commas, and enough words to count. ";
        let html = format!(
            "<body><nav><a href=/>Home</a></nav><div class=menu><a>One</a><a>Two</a></div>\
             <div class=story><h1>Title</h1><p>{para}</p><p>{para}</p>\
             <ul class=links><li><a href=/a>Link one</a><li><a href=/b>Link two</a></ul>\
             <p>{para}</p><figure><img src=x><figcaption>Photo: someone</figcaption></figure></div>\
             <div class=sidebar><p>Sidebar text, with a comma, that is long enough to be scored.</p></div>\
             <footer>Copyright</footer></body>"
        );
        let body = body_of(&html);
        assert_eq!(body.matches("This is a sentence").count(), 3, "{body}");
        assert!(!body.contains("Link one"), "{body}");
        assert!(!body.contains("Photo"), "{body}");
        assert!(!body.contains("Sidebar"), "{body}");
        assert!(!body.contains("Title"), "{body}");
    }
}
