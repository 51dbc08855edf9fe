//! A small, fast HTML tree builder for the generic extractor and the metadata pass.
//!
//! html5ever builds a spec-exact DOM but costs about 2 ms per average news page, more than the
//! whole budget of the scrape stage (see `benches/article_extraction.sh`). This module scans the
//! page once with `memchr`, keeps every string as a byte range into the source (nothing is copied
//! or decoded until it is read), and applies only the tree-construction rules that change what
//! text belongs to which block: void elements, raw-text elements (`script`, `style`, `title`,
//! `textarea`), implied end tags of `p`, `li`, `dt`/`dd`, table cells and rows, and end tags that
//! close the nearest matching open element. Misnested markup yields a plausible tree, never a
//! panic.

use memchr::memchr;

use super::entities::decode_entity;

/// "No node": the index used for missing parents, children and siblings.
pub(crate) const NONE: u32 = u32::MAX;

/// Element names the extractor distinguishes; every other name is [`Tag::Other`].
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    Text,
    Document,
    Html,
    Head,
    Body,
    Title,
    Meta,
    Link,
    Base,
    Script,
    Style,
    Noscript,
    Template,
    Svg,
    Math,
    Iframe,
    Object,
    Embed,
    Canvas,
    P,
    Div,
    Span,
    A,
    Br,
    Hr,
    Img,
    Figure,
    Figcaption,
    Picture,
    Video,
    Audio,
    Source,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Table,
    Thead,
    Tbody,
    Tfoot,
    Tr,
    Td,
    Th,
    Caption,
    Blockquote,
    Pre,
    Code,
    Article,
    Section,
    Main,
    Aside,
    Nav,
    Header,
    Footer,
    Form,
    Input,
    Button,
    Select,
    Option,
    Textarea,
    Label,
    Time,
    Strong,
    B,
    Em,
    I,
    Address,
    Center,
    Dialog,
    Menu,
    Other,
}

impl Tag {
    /// Maps an ASCII-lowercased element name to its tag.
    fn from_lower(name: &[u8]) -> Tag {
        match name {
            b"html" => Tag::Html,
            b"head" => Tag::Head,
            b"body" => Tag::Body,
            b"title" => Tag::Title,
            b"meta" => Tag::Meta,
            b"link" => Tag::Link,
            b"base" => Tag::Base,
            b"script" => Tag::Script,
            b"style" => Tag::Style,
            b"noscript" => Tag::Noscript,
            b"template" => Tag::Template,
            b"svg" => Tag::Svg,
            b"math" => Tag::Math,
            b"iframe" => Tag::Iframe,
            b"object" => Tag::Object,
            b"embed" => Tag::Embed,
            b"canvas" => Tag::Canvas,
            b"p" => Tag::P,
            b"div" => Tag::Div,
            b"span" => Tag::Span,
            b"a" => Tag::A,
            b"br" => Tag::Br,
            b"hr" => Tag::Hr,
            b"img" => Tag::Img,
            b"figure" => Tag::Figure,
            b"figcaption" => Tag::Figcaption,
            b"picture" => Tag::Picture,
            b"video" => Tag::Video,
            b"audio" => Tag::Audio,
            b"source" => Tag::Source,
            b"h1" => Tag::H1,
            b"h2" => Tag::H2,
            b"h3" => Tag::H3,
            b"h4" => Tag::H4,
            b"h5" => Tag::H5,
            b"h6" => Tag::H6,
            b"ul" => Tag::Ul,
            b"ol" => Tag::Ol,
            b"li" => Tag::Li,
            b"dl" => Tag::Dl,
            b"dt" => Tag::Dt,
            b"dd" => Tag::Dd,
            b"table" => Tag::Table,
            b"thead" => Tag::Thead,
            b"tbody" => Tag::Tbody,
            b"tfoot" => Tag::Tfoot,
            b"tr" => Tag::Tr,
            b"td" => Tag::Td,
            b"th" => Tag::Th,
            b"caption" => Tag::Caption,
            b"blockquote" => Tag::Blockquote,
            b"pre" => Tag::Pre,
            b"code" => Tag::Code,
            b"article" => Tag::Article,
            b"section" => Tag::Section,
            b"main" => Tag::Main,
            b"aside" => Tag::Aside,
            b"nav" => Tag::Nav,
            b"header" => Tag::Header,
            b"footer" => Tag::Footer,
            b"form" => Tag::Form,
            b"input" => Tag::Input,
            b"button" => Tag::Button,
            b"select" => Tag::Select,
            b"option" => Tag::Option,
            b"textarea" => Tag::Textarea,
            b"label" => Tag::Label,
            b"time" => Tag::Time,
            b"strong" => Tag::Strong,
            b"b" => Tag::B,
            b"em" => Tag::Em,
            b"i" => Tag::I,
            b"address" => Tag::Address,
            b"center" => Tag::Center,
            b"dialog" => Tag::Dialog,
            b"menu" => Tag::Menu,
            _ => Tag::Other,
        }
    }

    /// Elements that never have children.
    fn is_void(self) -> bool {
        matches!(
            self,
            Tag::Meta
                | Tag::Link
                | Tag::Base
                | Tag::Br
                | Tag::Hr
                | Tag::Img
                | Tag::Input
                | Tag::Source
                | Tag::Embed
        )
    }

    /// Elements whose content is raw text up to the matching end tag.
    fn is_raw_text(self) -> bool {
        matches!(self, Tag::Script | Tag::Style | Tag::Title | Tag::Textarea)
    }

    /// Block-level elements: they end an open `p` and start a new line of text.
    pub(crate) fn is_block(self) -> bool {
        matches!(
            self,
            Tag::P
                | Tag::Div
                | Tag::H1
                | Tag::H2
                | Tag::H3
                | Tag::H4
                | Tag::H5
                | Tag::H6
                | Tag::Ul
                | Tag::Ol
                | Tag::Li
                | Tag::Dl
                | Tag::Dt
                | Tag::Dd
                | Tag::Table
                | Tag::Tr
                | Tag::Td
                | Tag::Th
                | Tag::Caption
                | Tag::Blockquote
                | Tag::Pre
                | Tag::Article
                | Tag::Section
                | Tag::Main
                | Tag::Aside
                | Tag::Nav
                | Tag::Header
                | Tag::Footer
                | Tag::Form
                | Tag::Figure
                | Tag::Figcaption
                | Tag::Address
                | Tag::Center
                | Tag::Hr
                | Tag::Br
                | Tag::Menu
                | Tag::Dialog
        )
    }

    /// Headings `h1`–`h6`.
    pub(crate) fn is_heading(self) -> bool {
        matches!(
            self,
            Tag::H1 | Tag::H2 | Tag::H3 | Tag::H4 | Tag::H5 | Tag::H6
        )
    }

    /// Block elements whose start tag implies `</p>` (the HTML "close a p element" rule).
    fn closes_p(self) -> bool {
        self.is_block() && !matches!(self, Tag::Br | Tag::Td | Tag::Th | Tag::Tr | Tag::Caption)
    }
}

/// One node: an element or a run of text, linked to its parent, first child and next sibling.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    /// The element's tag, or [`Tag::Text`].
    pub tag: Tag,
    /// Index of the parent node ([`NONE`] for the document).
    pub parent: u32,
    /// Index of the first child, or [`NONE`].
    pub first_child: u32,
    /// Index of the next sibling, or [`NONE`].
    pub next_sibling: u32,
    /// Text nodes: byte range of the raw (undecoded) text. Elements: range of their attributes
    /// in [`Doc::attrs`].
    pub start: u32,
    /// End of the range above.
    pub end: u32,
}

/// One attribute as byte ranges into the source; the name is ASCII-lowercased on lookup.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr {
    name: (u32, u32),
    value: (u32, u32),
}

/// A parsed page: the source and its nodes in document order (a parent precedes its children).
pub(crate) struct Doc<'a> {
    /// The page source.
    pub src: &'a str,
    /// All nodes; index 0 is the document.
    pub nodes: Vec<Node>,
    attrs: Vec<Attr>,
}

/// Pages larger than this are cut (u32 ranges, and no real article is that big).
const MAX_LEN: usize = 64 * 1024 * 1024;
/// Deeper markup is attached to the deepest allowed ancestor instead of nesting further.
const MAX_DEPTH: usize = 512;

impl<'a> Doc<'a> {
    /// Parses a page. Never panics; garbage in gives some tree out.
    pub(crate) fn parse(src: &'a str) -> Doc<'a> {
        let src = if src.len() > MAX_LEN {
            let mut cut = MAX_LEN;
            while !src.is_char_boundary(cut) {
                cut -= 1;
            }
            &src[..cut]
        } else {
            src
        };
        let mut b = Builder {
            doc: Doc {
                src,
                nodes: Vec::with_capacity(src.len() / 40 + 16),
                attrs: Vec::with_capacity(src.len() / 60 + 16),
            },
            last_child: Vec::with_capacity(src.len() / 40 + 16),
            stack: Vec::with_capacity(64),
        };
        b.push_node(Tag::Document, NONE, 0, 0);
        b.stack.push((0, Tag::Document, 0));
        b.run();
        b.doc
    }

    /// The node at `i`.
    #[inline]
    pub(crate) fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    /// Iterates over the children of `i`.
    pub(crate) fn children(&self, i: u32) -> Children<'_, 'a> {
        Children {
            doc: self,
            next: self.node(i).first_child,
        }
    }

    /// The raw text of a text node (entities not decoded).
    #[inline]
    pub(crate) fn raw_text(&self, i: u32) -> &'a str {
        let n = self.node(i);
        self.src.get(n.start as usize..n.end as usize).unwrap_or("")
    }

    /// The raw value of attribute `name` (lowercase) of element `i`, if present.
    pub(crate) fn attr(&self, i: u32, name: &str) -> Option<&'a str> {
        let n = self.node(i);
        if n.tag == Tag::Text || n.tag == Tag::Document {
            return None;
        }
        let attrs = self.attrs.get(n.start as usize..n.end as usize)?;
        attrs.iter().find_map(|a| {
            let an = self.src.get(a.name.0 as usize..a.name.1 as usize)?;
            if an.eq_ignore_ascii_case(name) {
                self.src.get(a.value.0 as usize..a.value.1 as usize)
            } else {
                None
            }
        })
    }

    /// True when element `i` has attribute `name`, with or without a value.
    pub(crate) fn has_attr(&self, i: u32, name: &str) -> bool {
        self.attr(i, name).is_some()
    }

    /// Iterates over the indices of `i` and all its descendants, in document order.
    pub(crate) fn descendants(&self, i: u32) -> Descendants<'_, 'a> {
        Descendants {
            doc: self,
            root: i,
            next: i,
        }
    }

    /// The decoded, whitespace-collapsed text of `i` and its descendants, skipping raw-text
    /// elements other than `title`.
    pub(crate) fn text_of(&self, i: u32) -> String {
        let mut out = String::new();
        let mut it = self.descendants(i);
        while let Some(d) = it.next() {
            let n = self.node(d);
            match n.tag {
                Tag::Text => {
                    let parent = self.node(n.parent).tag;
                    if !matches!(parent, Tag::Script | Tag::Style | Tag::Textarea) {
                        push_collapsed(&mut out, self.raw_text(d));
                    }
                }
                Tag::Script | Tag::Style | Tag::Template | Tag::Svg => it.skip_children(d),
                t if t.is_block() => push_space(&mut out),
                _ => {}
            }
        }
        out.trim().to_string()
    }
}

/// Iterator over a node's children.
pub(crate) struct Children<'d, 'a> {
    doc: &'d Doc<'a>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        self.next = self.doc.node(cur).next_sibling;
        Some(cur)
    }
}

/// Pre-order iterator over a subtree; [`Descendants::skip_children`] prunes the last node.
pub(crate) struct Descendants<'d, 'a> {
    doc: &'d Doc<'a>,
    root: u32,
    next: u32,
}

impl Descendants<'_, '_> {
    /// Do not descend into `i` (the node just returned).
    pub(crate) fn skip_children(&mut self, i: u32) {
        self.next = self.after(i);
    }

    fn after(&self, mut i: u32) -> u32 {
        loop {
            if i == self.root {
                return NONE;
            }
            let n = self.doc.node(i);
            if n.next_sibling != NONE {
                return n.next_sibling;
            }
            i = n.parent;
            if i == NONE {
                return NONE;
            }
        }
    }
}

impl Iterator for Descendants<'_, '_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        let n = self.doc.node(cur);
        self.next = if n.first_child != NONE {
            n.first_child
        } else {
            self.after(cur)
        };
        Some(cur)
    }
}

struct Builder<'a> {
    doc: Doc<'a>,
    last_child: Vec<u32>,
    /// Open elements: index, tag, and a hash of the name for [`Tag::Other`] (custom elements
    /// must be closed by their own name).
    stack: Vec<(u32, Tag, u32)>,
}

impl<'a> Builder<'a> {
    fn push_node(&mut self, tag: Tag, parent: u32, start: u32, end: u32) -> u32 {
        let idx = self.doc.nodes.len() as u32;
        self.doc.nodes.push(Node {
            tag,
            parent,
            first_child: NONE,
            next_sibling: NONE,
            start,
            end,
        });
        self.last_child.push(NONE);
        if parent != NONE {
            let p = parent as usize;
            let last = self.last_child[p];
            if last == NONE {
                self.doc.nodes[p].first_child = idx;
            } else {
                self.doc.nodes[last as usize].next_sibling = idx;
            }
            self.last_child[p] = idx;
        }
        idx
    }

    fn current(&self) -> u32 {
        self.stack.last().map_or(0, |s| s.0)
    }

    fn text(&mut self, start: usize, end: usize) {
        if end > start {
            let parent = self.current();
            // Merge with a preceding text sibling (after a dropped comment, for example).
            let last = self.last_child[parent as usize];
            if last != NONE {
                let ln = &mut self.doc.nodes[last as usize];
                if ln.tag == Tag::Text && ln.end as usize == start {
                    ln.end = end as u32;
                    return;
                }
            }
            self.push_node(Tag::Text, parent, start as u32, end as u32);
        }
    }

    /// Pops up to and including the nearest open `tag`, unless a `stop` element comes first.
    fn close(&mut self, tag: Tag, stop: &[Tag]) -> bool {
        self.close_named(tag, 0, stop)
    }

    /// [`Builder::close`] for a tag with a name hash (non-zero only for [`Tag::Other`]).
    fn close_named(&mut self, tag: Tag, hash: u32, stop: &[Tag]) -> bool {
        for k in (1..self.stack.len()).rev() {
            let (_, t, h) = self.stack[k];
            if t == tag && h == hash {
                self.stack.truncate(k);
                return true;
            }
            if stop.contains(&t) {
                return false;
            }
        }
        false
    }

    fn run(&mut self) {
        let src = self.doc.src;
        let bytes = src.as_bytes();
        let len = bytes.len();
        let mut pos = 0usize;
        let mut text_start = 0usize;
        while pos < len {
            let Some(off) = memchr(b'<', &bytes[pos..]) else {
                break;
            };
            let lt = pos + off;
            let next = bytes.get(lt + 1).copied().unwrap_or(0);
            if next == b'!' {
                self.text(text_start, lt);
                if bytes[lt..].starts_with(b"<!--") {
                    pos = find(bytes, lt + 4, b"-->").map_or(len, |e| e + 3);
                } else {
                    pos = memchr(b'>', &bytes[lt..]).map_or(len, |e| lt + e + 1);
                }
                text_start = pos;
            } else if next == b'?' {
                self.text(text_start, lt);
                pos = memchr(b'>', &bytes[lt..]).map_or(len, |e| lt + e + 1);
                text_start = pos;
            } else if next == b'/' {
                let name_start = lt + 2;
                if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
                    pos = lt + 1;
                    continue;
                }
                self.text(text_start, lt);
                let name_end = scan_name(bytes, name_start);
                let name = &bytes[name_start..name_end];
                let tag = lower_tag(name);
                pos = memchr(b'>', &bytes[name_end..]).map_or(len, |e| name_end + e + 1);
                text_start = pos;
                if tag == Tag::Other {
                    self.close_named(Tag::Other, name_hash(name), &[]);
                } else {
                    self.end_tag(tag);
                }
            } else if next.is_ascii_alphabetic() {
                self.text(text_start, lt);
                pos = self.start_tag(lt + 1);
                text_start = pos;
            } else {
                pos = lt + 1;
            }
        }
        self.text(text_start, len);
    }

    fn end_tag(&mut self, tag: Tag) {
        match tag {
            Tag::Other | Tag::Document | Tag::Text => {}
            Tag::Br => {
                let parent = self.current();
                self.push_node(Tag::Br, parent, 0, 0);
            }
            Tag::P => {
                self.close(
                    Tag::P,
                    &[Tag::Div, Tag::Td, Tag::Th, Tag::Li, Tag::Blockquote],
                );
            }
            Tag::Li => {
                self.close(Tag::Li, &[Tag::Ul, Tag::Ol]);
            }
            Tag::Td | Tag::Th => {
                self.close(tag, &[Tag::Table]);
            }
            Tag::Tr => {
                self.close(Tag::Tr, &[Tag::Table]);
            }
            Tag::Html | Tag::Body | Tag::Head => {}
            _ => {
                self.close(tag, &[]);
            }
        }
    }

    /// Parses a start tag whose name begins at `name_start`; returns the position after it (and
    /// after the raw text of raw-text elements).
    fn start_tag(&mut self, name_start: usize) -> usize {
        let src = self.doc.src;
        let bytes = src.as_bytes();
        let len = bytes.len();
        let name_end = scan_name(bytes, name_start);
        let tag = lower_tag(&bytes[name_start..name_end]);
        let hash = if tag == Tag::Other {
            name_hash(&bytes[name_start..name_end])
        } else {
            0
        };

        // Attributes.
        let attr_begin = self.doc.attrs.len() as u32;
        let mut p = name_end;
        let mut self_closing = false;
        loop {
            while p < len && (bytes[p].is_ascii_whitespace() || bytes[p] == b'/') {
                if bytes[p] == b'/' {
                    self_closing = true;
                }
                p += 1;
            }
            if p >= len {
                break;
            }
            if bytes[p] == b'>' {
                p += 1;
                break;
            }
            self_closing = false;
            let an_start = p;
            while p < len
                && !bytes[p].is_ascii_whitespace()
                && bytes[p] != b'='
                && bytes[p] != b'>'
                && !(bytes[p] == b'/' && p > an_start)
            {
                p += 1;
            }
            let an_end = p;
            while p < len && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            let mut value = (p as u32, p as u32);
            if p < len && bytes[p] == b'=' {
                p += 1;
                while p < len && bytes[p].is_ascii_whitespace() {
                    p += 1;
                }
                if p < len && (bytes[p] == b'"' || bytes[p] == b'\'') {
                    let q = bytes[p];
                    let v_start = p + 1;
                    let v_end = memchr(q, &bytes[v_start..]).map_or(len, |e| v_start + e);
                    value = (v_start as u32, v_end as u32);
                    p = (v_end + 1).min(len);
                } else {
                    let v_start = p;
                    while p < len && !bytes[p].is_ascii_whitespace() && bytes[p] != b'>' {
                        p += 1;
                    }
                    value = (v_start as u32, p as u32);
                }
            }
            if an_end > an_start && self.doc.attrs.len() - (attr_begin as usize) < 64 {
                self.doc.attrs.push(Attr {
                    name: (an_start as u32, an_end as u32),
                    value,
                });
            }
        }
        let attr_end = self.doc.attrs.len() as u32;

        match tag {
            Tag::Html | Tag::Body | Tag::Head => {
                // Keep one of each; later duplicates only contribute their children.
                if self.stack.iter().any(|s| s.1 == tag) {
                    return p;
                }
                if tag == Tag::Body {
                    self.close(Tag::Head, &[]);
                }
            }
            _ => {}
        }
        if tag.closes_p() {
            self.close(
                Tag::P,
                &[
                    Tag::Div,
                    Tag::Td,
                    Tag::Th,
                    Tag::Li,
                    Tag::Blockquote,
                    Tag::Table,
                ],
            );
        }
        match tag {
            Tag::Li => {
                self.close(Tag::Li, &[Tag::Ul, Tag::Ol, Tag::Menu]);
            }
            Tag::Dt | Tag::Dd => {
                let _ = self.close(Tag::Dd, &[Tag::Dl]) || self.close(Tag::Dt, &[Tag::Dl]);
            }
            Tag::Td | Tag::Th => {
                let _ = self.close(Tag::Td, &[Tag::Tr, Tag::Table])
                    || self.close(Tag::Th, &[Tag::Tr, Tag::Table]);
            }
            Tag::Tr => {
                self.close(Tag::Tr, &[Tag::Table]);
            }
            Tag::Option => {
                self.close(Tag::Option, &[Tag::Select]);
            }
            t if t.is_heading() => {
                if let Some(&(_, top, _)) = self.stack.last() {
                    if top.is_heading() {
                        self.stack.pop();
                    }
                }
            }
            _ => {}
        }

        let parent = self.current();
        let idx = self.push_node(tag, parent, attr_begin, attr_end);
        if tag.is_void() {
            return p;
        }
        if tag.is_raw_text() {
            let end_pat: &[u8] = match tag {
                Tag::Script => b"</script",
                Tag::Style => b"</style",
                Tag::Title => b"</title",
                _ => b"</textarea",
            };
            let close = find_ci(bytes, p, end_pat).unwrap_or(len);
            if close > p {
                self.push_node(Tag::Text, idx, p as u32, close as u32);
            }
            return if close >= len {
                len
            } else {
                memchr(b'>', &bytes[close..]).map_or(len, |e| close + e + 1)
            };
        }
        if self_closing
            && matches!(
                tag,
                Tag::Other | Tag::Svg | Tag::Math | Tag::Div | Tag::Span
            )
        {
            return p;
        }
        if self.stack.len() < MAX_DEPTH {
            self.stack.push((idx, tag, hash));
        }
        p
    }
}

fn scan_name(bytes: &[u8], mut p: usize) -> usize {
    while p < bytes.len() && !bytes[p].is_ascii_whitespace() && bytes[p] != b'>' && bytes[p] != b'/'
    {
        p += 1;
    }
    p
}

/// FNV-1a of the ASCII-lowercased name, never 0.
fn name_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name {
        h ^= u32::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0100_0193);
    }
    h.max(1)
}

fn lower_tag(name: &[u8]) -> Tag {
    if name.len() > 10 {
        return Tag::Other;
    }
    let mut buf = [0u8; 10];
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Tag::from_lower(&buf[..name.len()])
}

/// Finds `pat` in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes.get(from..)?, pat).map(|i| from + i)
}

/// Finds `pat` (lowercase ASCII starting with `<`) case-insensitively at or after `from`.
fn find_ci(bytes: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    let mut p = from;
    while p < bytes.len() {
        let i = p + memchr(b'<', &bytes[p..])?;
        if bytes.len() >= i + pat.len()
            && bytes[i..i + pat.len()]
                .iter()
                .zip(pat)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        {
            return Some(i);
        }
        p = i + 1;
    }
    None
}

/// Appends a single space unless the buffer is empty or already ends in whitespace.
pub(crate) fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

/// Appends `raw` HTML text with entities decoded and whitespace runs (including no-break
/// spaces) collapsed to one space.
pub(crate) fn push_collapsed(out: &mut String, raw: &str) {
    let mut pending_space = false;
    let mut rest = raw;
    let flush = |out: &mut String, pending: &mut bool| {
        if *pending {
            push_space(out);
            *pending = false;
        }
    };
    while !rest.is_empty() {
        // Fast path: copy a run with no whitespace and no entity.
        let run_end = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace() || b == b'&' || b == 0xC2)
            .unwrap_or(rest.len());
        if run_end > 0 {
            flush(out, &mut pending_space);
            out.push_str(&rest[..run_end]);
            rest = &rest[run_end..];
            continue;
        }
        let b = rest.as_bytes()[0];
        if b.is_ascii_whitespace() {
            pending_space = true;
            rest = &rest[1..];
        } else if b == 0xC2 {
            // U+00A0 is C2 A0 in UTF-8; other C2 xx characters are copied.
            if rest.as_bytes().get(1) == Some(&0xA0) {
                pending_space = true;
            } else {
                flush(out, &mut pending_space);
                out.push_str(&rest[..2.min(rest.len())]);
            }
            rest = rest.get(2..).unwrap_or("");
        } else {
            let (ch, used) = decode_entity(rest);
            match ch {
                Some((c, None)) if c.is_whitespace() => pending_space = true,
                Some((c, second)) => {
                    flush(out, &mut pending_space);
                    out.push(c);
                    if let Some(c2) = second {
                        out.push(c2);
                    }
                }
                None => {
                    flush(out, &mut pending_space);
                    out.push('&');
                }
            }
            rest = rest.get(used..).unwrap_or("");
        }
    }
    if pending_space {
        push_space(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags_under(doc: &Doc, i: u32) -> Vec<Tag> {
        doc.children(i).map(|c| doc.node(c).tag).collect()
    }

    #[test]
    fn implied_p_end_and_void_elements() {
        let doc = Doc::parse("<body><p>one<br>two<p>three<div>four</div></body>");
        let body = doc
            .descendants(0)
            .find(|&i| doc.node(i).tag == Tag::Body)
            .unwrap();
        assert_eq!(tags_under(&doc, body), vec![Tag::P, Tag::P, Tag::Div]);
        assert_eq!(doc.text_of(body), "one two three four");
    }

    #[test]
    fn script_content_is_raw_and_attributes_are_read() {
        let doc = Doc::parse(
            "<div CLASS='a b' id=x data-v=\"1 &amp; 2\"><script>if (a<b) {}</p></script>t</div>",
        );
        let div = doc.node(0).first_child;
        assert_eq!(doc.attr(div, "class"), Some("a b"));
        assert_eq!(doc.attr(div, "id"), Some("x"));
        assert_eq!(
            super::super::entities::decode(doc.attr(div, "data-v").unwrap()),
            "1 & 2"
        );
        assert_eq!(tags_under(&doc, div), vec![Tag::Script, Tag::Text]);
        assert_eq!(doc.text_of(div), "t");
    }

    #[test]
    fn entities_and_spaces() {
        let mut s = String::new();
        push_collapsed(
            &mut s,
            "A&nbsp;&amp; B\u{a0}\n C&#7853;&#x1EAD; &bogus; &lt",
        );
        assert_eq!(s, "A & B Cậậ &bogus; <");
    }

    #[test]
    fn list_items_and_cells_close_implicitly() {
        let doc = Doc::parse("<ul><li>a<li>b</ul><table><tr><td>1<td>2<tr><td>3</table>");
        let ul = doc.node(0).first_child;
        assert_eq!(tags_under(&doc, ul), vec![Tag::Li, Tag::Li]);
        let table = doc.node(ul).next_sibling;
        assert_eq!(tags_under(&doc, table), vec![Tag::Tr, Tag::Tr]);
    }

    #[test]
    fn custom_elements_close_by_name() {
        let doc = Doc::parse("<x-a><p>in</p></x-a><x-b>b</x-b><p>after</p>");
        assert_eq!(tags_under(&doc, 0), vec![Tag::Other, Tag::Other, Tag::P]);
    }

    #[test]
    fn garbage_does_not_panic() {
        for s in [
            "<",
            "</",
            "<a",
            "<a b='",
            "<!--",
            "<script>",
            "&#",
            "&#x110000;",
            "<<>>",
        ] {
            let doc = Doc::parse(s);
            let _ = doc.text_of(0);
        }
    }
}
