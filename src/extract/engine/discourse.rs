//! Discourse state across paragraphs: which area the text is about.
//!
//! Rules (LABELING.md, "Area"): the article's subject comes from the title and the lead; a
//! section (after a heading line, or a paragraph opened with `*`) that names another unit in
//! its first sentence switches the subject until the next section; a plain paragraph that
//! names a unit at its start switches it for that paragraph only; a section naming no unit
//! returns to the article's subject. The period and the actual/target mode are carried by the
//! walk in `engine` (stated periods govern the sentences that follow; target headings cover
//! the list below them).

use super::*;

/// The subject of the article, of the current section and of the current paragraph.
pub(super) struct Sections<'g> {
    article: Option<AreaRef<'g>>,
    section: Option<AreaRef<'g>>,
}

impl<'g> Sections<'g> {
    /// Starts with the article's subject.
    pub fn new(article: Option<AreaRef<'g>>) -> Self {
        Sections {
            section: article.clone(),
            article,
        }
    }

    /// The subject of a new paragraph that names `named` at its start (if any); `section` when
    /// the paragraph opens a section.
    pub fn paragraph(&mut self, named: Option<AreaRef<'g>>, section: bool) -> Option<AreaRef<'g>> {
        if section {
            self.section = named.or_else(|| self.article.clone());
            return self.section.clone();
        }
        // A paragraph that names a larger unit ("UBND tỉnh X công nhận xã Y") still speaks
        // of the section's subject.
        let current = self.section.as_ref().map(|a| areas::rank(a.level));
        named
            .filter(|n| current.is_none_or(|c| areas::rank(n.level) >= c))
            .or_else(|| self.section.clone())
    }
}

impl<'a, 'g> Article<'a, 'g> {
    /// A paragraph of one short sentence without a final stop and without numbers: a heading.
    pub(super) fn is_heading_line(&self, sents: &[Sentence], si: usize) -> bool {
        let Some(s) = sents.get(si) else {
            return false;
        };
        let t = &self.t;
        let one = sents.get(si + 1).is_none_or(|n| n.para != s.para)
            && (si == 0 || sents[si - 1].para != s.para);
        let n = s.end.saturating_sub(s.start);
        let last = s.end.saturating_sub(1);
        one && n > 0
            && n <= 12
            && !(t.is_punct(last, '.') || t.is_punct(last, ';') || t.is_punct(last, ':'))
            && !(s.start..s.end).any(|k| t.is_num(k))
    }

    /// The unit a paragraph's first sentence names within its first `span` tokens, before any
    /// number: the subject of what follows.
    pub(super) fn paragraph_subject(&self, s: &Sentence, span: usize) -> Option<AreaRef<'g>> {
        let t = &self.t;
        let end = s.end.min(s.start + span);
        let mut depth = 0i32;
        for k in s.start..end {
            if t.is_num(k) {
                return None;
            }
            if t.is_punct(k, '(') {
                depth += 1;
            } else if t.is_punct(k, ')') {
                depth -= 1;
            }
            if depth > 0 {
                continue;
            }
            if let Some(m) = area::raw_mention_at(t, k) {
                let r = self.resolve_cached(&m);
                if r.unit.is_some() || !m.committee {
                    return Some(r);
                }
            }
        }
        None
    }
}
