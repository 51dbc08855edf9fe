//! Paragraphs, sentences and clauses over the token list.
//!
//! Attributes (`đạt 107,79% kế hoạch`, `tăng 14,62%`) belong to the fact of their clause, and
//! a period stated once governs the following sentences, so the engine needs both levels.
//! Clauses end at `;`, at list bullets (`- `, `+ `, `• ` at the start of a line or after `;`,
//! or ` - ` before a capitalised word, as flattened lists show), and at sentence ends; sentences
//! end at `.`, `!`, `?` and line breaks. Dots inside numbers never split (the tokenizer keeps
//! them in the number), nor do the abbreviations `TP.`, `TX.`, `TT.`.

use super::token::{TokKind, Toks};

/// One clause: tokens `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clause {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Index of its sentence.
    pub sent: usize,
    /// Starts with a list bullet.
    pub bullet: bool,
}

/// One sentence: tokens `start..end`, clauses `clauses.0..clauses.1`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sentence {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Index of its paragraph.
    pub para: usize,
    /// Range of its clauses in the clause list.
    pub clauses: (usize, usize),
    /// Starts a paragraph.
    pub para_start: bool,
}

/// Abbreviations followed by a dot that does not end a sentence.
const ABBREV: &[&str] = &[
    "tp", "tx", "tt", "ths", "ts", "pgs", "gs", "bs", "q", "p", "h", "tr", "nxb",
];

fn is_bullet_char(w: &str) -> bool {
    matches!(w, "-" | "+" | "•" | "*" | "·" | "●" | "▪" | "►" | "–")
}

/// Splits the tokens into sentences and clauses.
pub(crate) fn segment(t: &Toks<'_>, sents: &mut Vec<Sentence>, clauses: &mut Vec<Clause>) {
    sents.clear();
    clauses.clear();
    let n = t.len();
    let mut para = 0usize;
    let mut sent_start = 0usize;
    let mut clause_start = 0usize;
    let mut clause_bullet = false;
    let mut para_start = true;
    let mut i = 0usize;

    // Closes the current clause at `end` (exclusive).
    fn close_clause(
        clauses: &mut Vec<Clause>,
        start: usize,
        end: usize,
        sent: usize,
        bullet: bool,
    ) {
        if end > start {
            clauses.push(Clause {
                start,
                end,
                sent,
                bullet,
            });
        }
    }

    while i < n {
        let tok = t.toks[i];
        if i > sent_start && tok.nl_before {
            // Paragraph break ends the sentence.
            close_clause(clauses, clause_start, i, sents.len(), clause_bullet);
            push_sentence(sents, clauses, sent_start, i, para, para_start);
            para += 1;
            para_start = true;
            sent_start = i;
            clause_start = i;
            clause_bullet = false;
        } else if i > 0 && tok.nl_before {
            para += 1;
            para_start = true;
        }
        if i == clause_start {
            if tok.kind == TokKind::Punct && is_bullet_char(t.low(i)) {
                clause_bullet = true;
                clause_start = i + 1;
                i += 1;
                continue;
            }
            // "1." / "a)" list markers at the start of a line.
            if tok.nl_before
                && (t.is_num(i) || (t.is_word(i) && t.low(i).chars().count() == 1))
                && (t.is_punct(i + 1, ')')
                    || (t.is_punct(i + 1, '.') && t.get(i + 2).is_some_and(|x| x.space_before)))
            {
                clause_bullet = true;
                clause_start = i + 2;
                i += 2;
                continue;
            }
        }
        if tok.kind == TokKind::Punct {
            let w = t.low(i);
            let ends_sentence = match w {
                "!" | "?" => true,
                "." => {
                    let abbrev = i > 0 && t.is_word(i - 1) && ABBREV.contains(&t.low(i - 1));
                    let next_glued = t
                        .get(i + 1)
                        .is_some_and(|x| !x.space_before && x.kind != TokKind::Punct);
                    // "... trong năm 2019.Thu ngân sách": a missing space after a full stop
                    // (common in pasted reports) still ends the sentence before a capitalised
                    // word, unlike "TP.Hà Tĩnh" or "5.892".
                    let missing_space = next_glued
                        && t.get(i + 1)
                            .is_some_and(|x| x.upper && x.kind == TokKind::Word)
                        && t.low(i + 1).chars().count() >= 2
                        && i > 0
                        && ((t.is_num(i - 1) && t.low(i - 1).len() == 4)
                            || (t.is_word(i - 1)
                                && !t.toks[i - 1].upper
                                && t.low(i - 1).chars().count() >= 3));
                    !abbrev && (!next_glued || missing_space)
                }
                _ => false,
            };
            if ends_sentence {
                // Swallow runs of closing punctuation ("...", ".)", ".\"").
                let mut j = i + 1;
                while j < n
                    && t.toks[j].kind == TokKind::Punct
                    && !t.toks[j].space_before
                    && !t.toks[j].nl_before
                {
                    j += 1;
                }
                close_clause(clauses, clause_start, j, sents.len(), clause_bullet);
                push_sentence(sents, clauses, sent_start, j, para, para_start);
                para_start = false;
                sent_start = j;
                clause_start = j;
                clause_bullet = false;
                i = j;
                continue;
            }
            // "Bà Rịa - Vũng Tàu" is one name: a capitalised word, a dash, two capitalised
            // words. "huyện Kỳ Anh - Tổng giá trị ..." starts a list item.
            let upper_word = |k: usize| t.is_word(k) && t.toks[k].upper;
            let joins_name = i > 0 && upper_word(i - 1) && upper_word(i + 1) && upper_word(i + 2);
            let bullet_mid = is_bullet_char(w)
                && tok.space_before
                && !joins_name
                && t.get(i + 1).is_some_and(|x| x.space_before && x.upper);
            if w == ";" || bullet_mid {
                close_clause(clauses, clause_start, i, sents.len(), clause_bullet);
                clause_start = i + 1;
                clause_bullet = bullet_mid;
                // "; -" : the bullet after a semicolon belongs to the new clause.
                if w == ";"
                    && t.get(i + 1).is_some_and(|x| x.kind == TokKind::Punct)
                    && is_bullet_char(t.low(i + 1))
                {
                    clause_bullet = true;
                    clause_start = i + 2;
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    close_clause(clauses, clause_start, n, sents.len(), clause_bullet);
    push_sentence(sents, clauses, sent_start, n, para, para_start);
}

fn push_sentence(
    sents: &mut Vec<Sentence>,
    clauses: &[Clause],
    start: usize,
    end: usize,
    para: usize,
    para_start: bool,
) {
    if end <= start {
        return;
    }
    let idx = sents.len();
    let first = clauses
        .iter()
        .rposition(|c| c.sent != idx)
        .map(|p| p + 1)
        .unwrap_or(0);
    sents.push(Sentence {
        start,
        end,
        para,
        clauses: (first, clauses.len()),
        para_start,
    });
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn split(s: &str) -> (Vec<String>, Vec<String>) {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        let (mut ss, mut cs) = (Vec::new(), Vec::new());
        segment(&t, &mut ss, &mut cs);
        let txt = |a: usize, b: usize| s[v[a].start as usize..v[b - 1].end as usize].to_string();
        (
            ss.iter().map(|x| txt(x.start, x.end)).collect(),
            cs.iter().map(|x| txt(x.start, x.end)).collect(),
        )
    }

    #[test]
    fn sentences_and_clauses() {
        let (s, c) = split("Năm 2023, thu 8.850,26 tỷ đồng; tăng 5%. Huyện có 5 xã.\nDòng mới");
        assert_eq!(
            s,
            [
                "Năm 2023, thu 8.850,26 tỷ đồng; tăng 5%.",
                "Huyện có 5 xã.",
                "Dòng mới"
            ]
        );
        assert_eq!(c[0], "Năm 2023, thu 8.850,26 tỷ đồng");
        assert_eq!(c[1], "tăng 5%.");
    }

    #[test]
    fn inline_bullets_split_clauses() {
        let (_, c) =
            split("Mục tiêu năm 2024 - Thu ngân sách: 193,65 tỷ đồng; - Xây dựng 7 trường");
        assert_eq!(
            c,
            [
                "Mục tiêu năm 2024",
                "Thu ngân sách: 193,65 tỷ đồng",
                "Xây dựng 7 trường"
            ]
        );
    }

    #[test]
    fn abbreviation_dot_does_not_split() {
        let (s, _) = split("TP. Hà Tĩnh có 10 phường.");
        assert_eq!(s.len(), 1);
    }
}
