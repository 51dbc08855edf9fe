//! Article fields from a news page: title, date, author, sapo, body.
//!
//! [`scrape`] reads metadata from machine-readable markup first (JSON-LD, OpenGraph, meta tags,
//! `time[datetime]`), then visible text. The body comes from the source's CSS [`Selectors`] when
//! it has them, else from the generic extractor. Both paths share one clean-up: NFC, lead prefixes
//! stripped, captions/related links/ads/scripts dropped, obfuscated or template residue removed,
//! and the byline taken out as the author.
//!
//! Submodules: `dom` (fast tree builder), `dates`, `meta`, `select` (CSS path), `generic`
//! (main-text extractor), `clean` (shared clean-up), `script_body` (bodies inside JS strings).

mod clean;
mod dates;
mod dom;
mod entities;
mod generic;
mod meta;
mod script_body;
mod select;

pub use clean::strip_lead_prefix;
pub use dates::{parse_vn_datetime, vietnam};

use chrono::{DateTime, FixedOffset};

/// The `[source.selectors]` table of the config file: CSS selectors for one source's pages.
///
/// Every field is optional; a missing field falls back to metadata (title, date, author) or to the
/// generic extractor (body).
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// The headline element.
    pub title: Option<String>,
    /// The element holding the publication date (its `datetime`/`content` or its text).
    pub published: Option<String>,
    /// The author element.
    pub author: Option<String>,
    /// The article body container.
    pub body: Option<String>,
    /// The lead paragraph (sapo), kept apart from the body.
    pub sapo: Option<String>,
    /// Elements inside the body to drop (related links, ads, captions...).
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A CSS selector of the configuration that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("selector `{field}` ({selector:?}) does not parse: {message}")]
pub struct SelectorError {
    /// The field: `body`, `title`, `remove[1]`...
    pub field: String,
    /// The selector as written.
    pub selector: String,
    /// The CSS parser's message.
    pub message: String,
}

impl Selectors {
    /// Checks that every selector parses, so a bad config fails at load time rather than
    /// silently falling back to the generic extractor on every page.
    pub fn validate(&self) -> Result<(), SelectorError> {
        select::compile(self).map(|_| ())
    }
}

/// The fields of one article page.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Article {
    /// Headline (NFC), from the selectors, JSON-LD, `og:title`, `h1` or `<title>`.
    pub title: Option<String>,
    /// Publication instant with its offset (+07:00 when the page gives no zone).
    pub published: Option<DateTime<FixedOffset>>,
    /// Author or byline, without prefixes such as "Tin, ảnh:".
    pub author: Option<String>,
    /// The lead paragraph, without its dateline prefix such as `(CTO) - `.
    pub sapo: Option<String>,
    /// Body text: paragraphs separated by blank lines, NFC, without the sapo.
    pub body: String,
    /// `<link rel=canonical>` or `og:url`, absolute.
    pub canonical_url: Option<String>,
    /// `<link rel=alternate>` RSS/Atom hrefs, absolute: discovery uses them to find feeds.
    pub feeds: Vec<String>,
}

impl Article {
    /// The text the indicator extractor reads: the sapo, then the body.
    pub fn text(&self) -> String {
        match &self.sapo {
            Some(s) if !self.body.is_empty() => format!("{s}\n\n{}", self.body),
            Some(s) => s.clone(),
            None => self.body.clone(),
        }
    }
}

/// Below this many characters a generic body is retried with fewer removals.
const SHORT_BODY: usize = 250;

/// Scrapes one page. `url` resolves relative links; `selectors` are the source's, if any
/// (selectors that do not parse are ignored here: [`Selectors::validate`] reports them).
/// Never panics.
pub fn scrape(html: &str, url: Option<&url::Url>, selectors: Option<&Selectors>) -> Article {
    let doc = dom::Doc::parse(html);
    let meta = meta::read(&doc, url);

    let picked = match selectors.map(select::compile) {
        Some(Ok(c)) => select::apply(html, &c),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "ignoring selectors that do not parse");
            select::Picked::default()
        }
        None => select::Picked::default(),
    };

    let blocks = match picked.blocks {
        Some(b) if !b.is_empty() => b,
        _ => generic_blocks(&doc),
    };
    let sapo = picked.sapo.or_else(|| find_sapo(&doc));
    let cleaned = clean::finish(blocks, sapo);

    let title = picked
        .title
        .as_deref()
        .and_then(clean::usable)
        .or(meta.title);
    let author = picked
        .author
        .as_deref()
        .and_then(|a| {
            let a = clean::nfc(a.trim());
            clean::byline_author(&a, false).or(Some(a))
        })
        .filter(|a| !a.is_empty())
        .or(cleaned.byline)
        .or(meta.author);

    Article {
        title,
        published: picked.published.or(meta.published),
        author,
        sapo: cleaned.sapo,
        body: cleaned.body,
        canonical_url: meta.canonical_url,
        feeds: meta.feeds,
    }
}

/// The generic body: strict first, lenient when that leaves too little, then a body hidden in
/// a script string.
fn generic_blocks(doc: &dom::Doc<'_>) -> Vec<clean::Block> {
    let len = |b: &[clean::Block]| b.iter().map(|x| x.text.len()).sum::<usize>();
    let strict = generic::extract(doc, true);
    if len(&strict) >= SHORT_BODY {
        return strict;
    }
    let lenient = generic::extract(doc, false);
    let best = if len(&lenient) > len(&strict) {
        lenient
    } else {
        strict
    };
    if len(&best) >= SHORT_BODY {
        return best;
    }
    match script_body::find(doc) {
        Some(html) => {
            // Wrapped so the fragment's paragraphs have a container to score.
            let wrapped = format!("<body><div>{html}</div></body>");
            let inner = dom::Doc::parse(&wrapped);
            let b = generic::extract(&inner, false);
            if len(&b) > len(&best) {
                b
            } else {
                best
            }
        }
        None => best,
    }
}

/// The sapo of pages without selectors: an element whose class names it.
fn find_sapo(doc: &dom::Doc<'_>) -> Option<String> {
    let mut it = doc.descendants(0);
    while let Some(i) = it.next() {
        let tag = doc.node(i).tag;
        if matches!(tag, dom::Tag::Script | dom::Tag::Style | dom::Tag::Head) {
            it.skip_children(i);
            continue;
        }
        if tag == dom::Tag::Text {
            continue;
        }
        if let Some(c) = doc.attr(i, "class") {
            let c = c.to_ascii_lowercase();
            if c.contains("sapo") || c.contains("cms-desc") || c.contains("detail-desc") {
                let t = doc.text_of(i);
                if t.chars().count() >= 20 {
                    return Some(t);
                }
            }
        }
    }
    None
}
