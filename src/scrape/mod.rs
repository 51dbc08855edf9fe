//! Article fields from a news page: title, date, author, sapo, body.
//!
//! [`scrape`] reads metadata from machine-readable markup first (JSON-LD, OpenGraph, meta tags,
//! `time[datetime]`), then visible text. The body comes from the source's CSS [`Selectors`] when
//! they hold, else from the generic extractor: a body selector that matches nothing, or far less
//! than the generic extractor finds, is set aside for that page ([`Article::selector_fallback`])
//! so that a site redesign degrades to the generic body instead of empty articles. Both paths
//! share one clean-up: NFC, lead prefixes stripped, captions/related links/ads/scripts/share
//! widgets dropped, obfuscated or template residue removed, and the byline taken out as the
//! author. The page's own name (`og:site_name`, host) is never the title suffix nor the author.
//!
//! Submodules: `dom` (fast tree builder), `entities` (character references), `dates`, `meta`,
//! `site` (the site's own names), `lead` (the sapo outside the body), `select` (CSS path),
//! `generic` (main-text extractor), `clean` (shared clean-up), `script_body` (bodies inside JS
//! strings).

mod clean;
mod dates;
mod dom;
mod entities;
mod generic;
mod lead;
mod meta;
mod script_body;
mod select;
mod site;

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
    /// Why the source's body selector was not used for this page (it matched nothing, or far
    /// less text than the generic extractor found): the generic body was taken instead. `None`
    /// when the page had no selectors or they held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector_fallback: Option<SelectorFallback>,
}

/// Why a source's body selector was set aside for one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectorFallback {
    /// The body selector matched no element, or an element without text.
    NoMatch,
    /// The selected body held less than a third of the generic extractor's text.
    TooShort,
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

/// A selected body shorter than the generic one by this factor is a selector that drifted
/// (it now picks a teaser, a caption or an empty shell), provided the generic body is at least
/// [`DRIFT_MIN_GENERIC`] bytes long.
const DRIFT_RATIO: usize = 3;
/// See [`DRIFT_RATIO`].
const DRIFT_MIN_GENERIC: usize = 400;

fn text_len(b: &[clean::Block]) -> usize {
    b.iter().map(|x| x.text.len()).sum()
}

/// Scrapes one page. `url` resolves relative links; `selectors` are the source's, if any
/// (selectors that do not parse are ignored here: [`Selectors::validate`] reports them).
/// When the body selector matches nothing, or far less text than the generic extractor finds,
/// the generic body is used and [`Article::selector_fallback`] says why. Never panics.
pub fn scrape(html: &str, url: Option<&url::Url>, selectors: Option<&Selectors>) -> Article {
    let doc = dom::Doc::parse(html);
    let meta = meta::read(&doc, url);

    let mut has_body_selector = false;
    let picked = match selectors.map(select::compile) {
        Some(Ok(c)) => {
            has_body_selector = c.has_body();
            select::apply(html, &c)
        }
        Some(Err(e)) => {
            tracing::warn!(error = %e, "ignoring selectors that do not parse");
            select::Picked::default()
        }
        None => select::Picked::default(),
    };

    let mut fallback = None;
    let blocks = match picked.blocks {
        Some(b) if text_len(&b) > 0 => {
            let generic = generic_blocks(&doc);
            let (sel_len, gen_len) = (text_len(&b), text_len(&generic));
            if gen_len >= DRIFT_MIN_GENERIC && sel_len * DRIFT_RATIO < gen_len {
                fallback = Some(SelectorFallback::TooShort);
                generic
            } else {
                b
            }
        }
        _ => {
            if has_body_selector {
                fallback = Some(SelectorFallback::NoMatch);
            }
            generic_blocks(&doc)
        }
    };
    let lead = match picked.sapo {
        Some(text) => Some(clean::Lead { text, marked: true }),
        None => lead::find(&doc, meta.description.as_deref(), meta.vietnamese),
    };
    let cleaned = clean::finish(blocks, lead);

    let site = &meta.site;
    let title = picked
        .title
        .as_deref()
        .map(entities::decode_fully)
        .and_then(|t| clean::usable(&t))
        .map(|t| site.strip_suffix(&t))
        .or(meta.title);
    let author = picked
        .author
        .as_deref()
        .and_then(|a| {
            let a = clean::nfc(a.trim());
            clean::byline_author(&a, false).or(Some(a))
        })
        .into_iter()
        .chain(cleaned.byline)
        .map(|a| meta::clean_author(&a, site))
        .chain(meta.author)
        .find(|a| !a.is_empty() && a.chars().count() <= 80 && !site.is_site(a));

    // A byline element inside the body container ("<div class=pseudonym>") is the author, not
    // the last paragraph.
    let mut body = cleaned.body;
    if let Some(a) = &author {
        if let Some(i) = body.rfind("\n\n") {
            if body[i + 2..].trim() == a {
                body.truncate(i);
            }
        } else if body.trim() == a {
            body.clear();
        }
    }

    Article {
        title,
        published: match (picked.published, meta.published) {
            // A selected date without its time takes the metadata's time of the same day.
            (Some(p), Some(m))
                if p.time() == chrono::NaiveTime::MIN && m.date_naive() == p.date_naive() =>
            {
                Some(m)
            }
            (p, m) => p.or(m),
        },
        author,
        sapo: cleaned.sapo,
        body,
        canonical_url: meta.canonical_url,
        feeds: meta.feeds,
        selector_fallback: fallback,
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
