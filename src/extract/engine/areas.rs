//! Which area a fact is about: the subject of the article, a named or generic area in the
//! clause, a bare province name, a sentence's frame, and `lần lượt` lists.

use super::*;

/// The subject area: the first area named in the title or the lead, else the source province.
pub(super) fn find_subject<'g>(
    gaz: &'g Gazetteer,
    t: &Toks<'_>,
    sents: &[Sentence],
    opts: &ExtractOptions,
    era: Option<Era>,
) -> Option<AreaRef<'g>> {
    let res = Resolver {
        gaz,
        province: opts.province.clone(),
        era,
    };
    let title_norm = opts.title.as_deref().map(Normalized::new);
    let mut title_toks = Vec::new();
    if let Some(n) = &title_norm {
        tokenize(&n.text, &mut title_toks);
    }
    // The lead: three sentences, at most a few hundred tokens.
    let lead_end = sents.get(3).map(|s| s.start).unwrap_or(t.len()).min(400);
    let mut fallback: Option<AreaRef<'g>> = None;
    let regions: [(Toks<'_>, usize); 2] = [
        match &title_norm {
            Some(n) => (
                Toks {
                    toks: &title_toks,
                    lower: &n.lower,
                    text: &n.text,
                },
                title_toks.len().min(400),
            ),
            None => (
                Toks {
                    toks: &[],
                    lower: "",
                    text: "",
                },
                0,
            ),
        },
        (
            Toks {
                toks: t.toks,
                lower: t.lower,
                text: t.text,
            },
            lead_end,
        ),
    ];
    for (rt, end) in regions.iter() {
        for k in 0..*end {
            if let Some(m) = area::raw_mention_at(rt, k) {
                // "huyện Kỳ Anh (Hà Tĩnh)": the bracket names the province.
                let mut local = Resolver {
                    gaz,
                    province: res.province.clone(),
                    era,
                };
                if local.province.is_none() && rt.is_punct(m.end, '(') {
                    let close =
                        (m.end + 1..(m.end + 6).min(rt.len())).find(|&j| rt.is_punct(j, ')'));
                    if let Some(c) = close {
                        local.province = Some(metric::text_of(rt, (m.end + 1, c)));
                    }
                }
                let r = local.resolve(rt, &m, None);
                if r.unit.is_some() {
                    return Some(r);
                }
                if m.committee {
                    continue;
                }
                if fallback.is_none() {
                    fallback = Some(r);
                }
            }
        }
    }
    if fallback.is_some() {
        return fallback;
    }
    // Bare province names in the title or lead ("Nghệ An: GRDP tăng 8%").
    for (rt, end) in regions.iter() {
        for k in 0..*end {
            if !(rt.is_word(k) && rt.toks[k].upper)
                || (k > 0 && rt.is_word(k - 1) && rt.toks[k - 1].upper)
            {
                continue;
            }
            for n in [3usize, 2] {
                if (k..k + n).all(|j| rt.is_word(j) && rt.toks[j].upper) {
                    let name = metric::text_of(rt, (k, k + n));
                    if let Some(p) = res.province_named(&name) {
                        return Some(res.unit_ref(p));
                    }
                }
            }
        }
    }
    let p = opts.province.as_deref()?;
    res.province_named(p).map(|a| res.unit_ref(a))
}

impl<'a, 'g> Article<'a, 'g> {
    /// "huyện A và huyện B lần lượt đạt X và Y": X is A's, Y is B's.
    pub(super) fn respectively(&mut self, c: &Clause, clause_first: usize) {
        let t = &self.t;
        let Some(ll) = (c.start..c.end).find(|&k| t.phrase_at(k, "lần lượt").is_some()) else {
            return;
        };
        let n = self.out.len() - clause_first;
        if n < 2 {
            return;
        }
        let mut areas = Vec::new();
        let mut k = c.start;
        while k < ll {
            if let Some(m) = area::raw_mention_at(t, k) {
                areas.push(self.res.resolve(t, &m, self.subject.as_ref()));
                k = m.end;
            } else {
                k += 1;
            }
        }
        if areas.len() != n {
            return;
        }
        for (f, a) in self.out[clause_first..].iter_mut().zip(areas) {
            f.area = Some(a.name.clone());
            f.area_level = Some(a.level.as_str().to_string());
            f.area_code = a.unit.map(|u| u.code.clone());
            f.province = a.province.clone();
        }
    }

    /// The area of the number at `at`: the nearest named or generic area before it in its
    /// clause, else the sentence frame, else the subject.
    /// The area and whether the text named it explicitly (not the default subject).
    pub(super) fn area_for(
        &self,
        at: usize,
        c: &Clause,
        ctx: &SentCtx<'_>,
    ) -> Option<(AreaRef<'g>, bool)> {
        let t = &self.t;
        let mut k = at;
        // An area names its number within a few dozen words; bounding the walk keeps long
        // clauses linear.
        let lo = c.start.max(at.saturating_sub(80));
        // Areas in brackets are asides: "tỉnh Quảng Trị (sau hợp nhất với tỉnh Quảng Bình)".
        let mut depth = 0i32;
        while k > lo {
            k -= 1;
            if t.is_punct(k, ')') {
                depth += 1;
            } else if t.is_punct(k, '(') {
                depth -= 1;
            }
            if depth > 0 {
                continue;
            }
            if let Some(m) = area::raw_mention_at(t, k) {
                if m.end <= at {
                    let r = self.res.resolve(t, &m, self.subject.as_ref());
                    if r.unit.is_some() || !m.committee {
                        return Some((r, true));
                    }
                }
            }
            if let Some((lvl, e)) = area::generic_at(t, k) {
                if e <= at {
                    return self.generic(lvl).map(|a| (a, true));
                }
            }
            if let Some(p) = self.bare_province(k, at) {
                return Some((p, true));
            }
        }
        if let Some(f) = ctx.frame {
            if let Some(m) = area::raw_mention_at(t, f) {
                return Some((self.res.resolve(t, &m, self.subject.as_ref()), true));
            }
        }
        self.subject.clone().map(|a| (a, false))
    }

    /// A province named without its level word (`Nghệ An có ...`, `GRDP của Hà Tĩnh`), as
    /// national papers write; not inside a person's name (`Nguyễn Thái Bình`) nor after a level
    /// word (`thành phố Hà Tĩnh` is the city).
    pub(super) fn bare_province(&self, k: usize, limit: usize) -> Option<AreaRef<'g>> {
        let t = &self.t;
        let cap = |j: usize| j < limit && t.is_word(j) && t.toks[j].upper;
        if !cap(k) || !cap(k + 1) {
            return None;
        }
        if k > 0 {
            let prev = t.low(k - 1);
            let after_level = matches!(
                prev,
                "phố"
                    | "tp"
                    | "tỉnh"
                    | "huyện"
                    | "xã"
                    | "quận"
                    | "phường"
                    | "trấn"
                    | "tx"
                    | "tt"
                    | "ủy"
                    | "khu"
                    | "thôn"
                    | "bản"
                    | "làng"
            ) || (prev == "."
                && matches!(t.low(k.saturating_sub(2)), "tp" | "tx" | "tt"));
            if after_level || (t.is_word(k - 1) && t.toks[k - 1].upper) {
                return None;
            }
        }
        for n in [3usize, 2] {
            if (k..k + n).all(cap) {
                let name = metric::text_of(t, (k, k + n));
                if let Some(p) = self.res.province_named(&name) {
                    return Some(self.res.unit_ref(p));
                }
            }
        }
        None
    }

    pub(super) fn generic(&self, lvl: Option<Level>) -> Option<AreaRef<'g>> {
        let subj = self.subject.as_ref()?;
        match lvl {
            Some(l) if rank(l) < rank(subj.level) => {
                self.res.ancestor(subj, l).or_else(|| Some(subj.clone()))
            }
            _ => Some(subj.clone()),
        }
    }
}

/// Provinces above districts above communes.
pub(super) fn rank(l: Level) -> u8 {
    match l {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    }
}
