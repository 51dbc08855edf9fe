//! Which area a fact is about: the subject of the article, a named or generic area in the
//! clause, a bare province name, a sentence's frame, and `lần lượt` lists.

use super::super::token::TokKind;
use super::*;
use crate::gazetteer::{Area, AreaQuery, Resolution};

/// The subject area, by these rules in order:
/// 1. a unit named with its level word in the title (`Huyện Kỳ Anh tổng kết ...`);
/// 2. a bare unit name in the title (`Đức Cơ: ...`, `Khởi sắc vùng biên Mường Lống`) that the
///    gazetteer knows in the source's province, its level taken from the body (`toàn huyện`,
///    `của xã`) when the name is ambiguous;
/// 3. a unit named with its level word in the lead (three sentences);
/// 4. a bare province name in the title or lead; else the source's province.
pub(super) fn find_subject<'g>(
    gaz: &'g Gazetteer,
    t: &Toks<'_>,
    sents: &[Sentence],
    opts: &ExtractOptions,
    era: Option<Era>,
    title_end: usize,
) -> Option<AreaRef<'g>> {
    let res = Resolver {
        gaz,
        province: opts.province.clone(),
        era,
    };
    // The lead: three sentences after the title, at most a few hundred tokens.
    let first_body = sents
        .iter()
        .position(|s| s.start >= title_end)
        .unwrap_or(sents.len());
    let lead_end = sents
        .get(first_body + 3)
        .map(|s| s.start)
        .unwrap_or(t.len())
        .min(title_end + 400);
    let title = (0, title_end.min(400));
    let lead = (title_end, lead_end);
    let mut fallback: Option<AreaRef<'g>> = None;
    if let Some(r) = named_in(&res, t, title, &mut fallback) {
        return Some(r);
    }
    let bare = bare_title_unit(&res, t, title, title_end);
    let in_lead = named_in(&res, t, lead, &mut fallback);
    match (bare, in_lead) {
        // "Long An có 22 xã đạt chuẩn ..." over a lead on "xã Vĩnh Công, huyện Châu Thành,
        // tỉnh Long An": the province in the title is the context, the lead's unit the subject.
        (Some(b), Some(l))
            if b.level == Level::Province
                && l.level != Level::Province
                && l.province
                    .as_deref()
                    .is_some_and(|p| same_province(gaz, p, &b.name)) =>
        {
            return Some(l)
        }
        (Some(b), _) => return Some(b),
        (None, Some(l)) => return Some(l),
        (None, None) => {}
    }
    if fallback.is_some() {
        return fallback;
    }
    // Bare province names in the title or lead ("Nghệ An: GRDP tăng 8%").
    for (from, end) in [title, lead] {
        for k in from..end {
            if !(t.is_word(k) && t.toks[k].upper)
                || (k > from && t.is_word(k - 1) && t.toks[k - 1].upper)
            {
                continue;
            }
            for n in [3usize, 2] {
                if (k..k + n).all(|j| j < end && t.is_word(j) && t.toks[j].upper) {
                    let name = metric::text_of(t, (k, k + n));
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

/// The first unit named with its level word in tokens `from..end` that the gazetteer resolves;
/// the first unresolved one goes to `fallback`.
fn named_in<'g>(
    res: &Resolver<'g>,
    t: &Toks<'_>,
    (from, end): Range,
    fallback: &mut Option<AreaRef<'g>>,
) -> Option<AreaRef<'g>> {
    let mut foreign: Option<AreaRef<'g>> = None;
    for k in from..end {
        let Some(m) = area::raw_mention_at(t, k) else {
            continue;
        };
        // "huyện Kỳ Anh (Hà Tĩnh)": the bracket names the province.
        let mut local = Resolver {
            gaz: res.gaz,
            province: res.province.clone(),
            era: res.era,
        };
        if local.province.is_none() && t.is_punct(m.end, '(') {
            let close = (m.end + 1..(m.end + 6).min(t.len())).find(|&j| t.is_punct(j, ')'));
            if let Some(c) = close {
                local.province = Some(metric::text_of(t, (m.end + 1, c)));
            }
        }
        let r = local.resolve(t, &m, None);
        if r.unit.is_some() {
            // A unit outside the source's province is the subject only when nothing in it
            // is named ("Đoàn công tác huyện A (tỉnh X) làm việc với huyện B").
            let outside = res.province.as_deref().is_some_and(|p| {
                r.province
                    .as_deref()
                    .is_some_and(|rp| !same_province(res.gaz, rp, p))
            });
            if outside {
                if foreign.is_none() {
                    foreign = Some(r);
                }
                continue;
            }
            // "Đảng bộ xã Ea Mdroh ... ở tỉnh Đắk Lắk": the unit named first is the subject
            // even when the gazetteer spells it otherwise; the province is only its context.
            if r.level == Level::Province {
                if let Some(f) = fallback.as_ref().filter(|f| f.level != Level::Province) {
                    return Some(f.clone());
                }
            }
            return Some(r);
        }
        if !m.committee && fallback.is_none() {
            *fallback = Some(r);
        }
    }
    if fallback.is_none() {
        *fallback = foreign;
    }
    None
}

/// True when two province names denote the same province across the 2025 merges.
fn same_province(gaz: &Gazetteer, a: &str, b: &str) -> bool {
    let key = |n: &str| {
        gaz.find_province(n).map(|p| match p.era {
            Era::Pre2025 => gaz
                .successor_province(p)
                .map(|s| s.code.clone())
                .unwrap_or_else(|| p.code.clone()),
            Era::Post2025 => p.code.clone(),
        })
    };
    match (key(a), key(b)) {
        (Some(x), Some(y)) => x == y,
        _ => crate::text::name_key(a) == crate::text::name_key(b),
    }
}

/// Words that are capitalised in titles without naming a place.
const NOT_PLACE: &[&str] = &[
    "ubnd", "hđnd", "đảng", "bộ", "ban", "đại", "hội", "nông", "thôn", "mới", "ntm", "ocop",
    "xuân", "tết", "việt", "nam", "chủ", "tịch", "bí", "thư",
];

/// Words before a person's name.
const PERSON_TITLES: &[&str] = &[
    "ông",
    "bà",
    "anh",
    "chị",
    "em",
    "cụ",
    "đồng chí",
    "chí",
    "tịch",
    "thư",
    "đế",
    "vua",
    "bác",
    "đốc",
    "trưởng",
    "phó",
    "tướng",
    "sĩ",
    "nhân",
    "hùng",
    "mẹ",
    "cô",
    "thầy",
];

/// A bare unit name in the title, resolved in the source's province; an ambiguous name takes
/// the level the body refers to (`toàn huyện`, `của xã`, `thị xã`).
fn bare_title_unit<'g>(
    res: &Resolver<'g>,
    t: &Toks<'_>,
    (from, end): Range,
    body_start: usize,
) -> Option<AreaRef<'g>> {
    let province = res.province.as_deref()?;
    let all_caps = (from..end)
        .filter(|&k| t.is_word(k))
        .all(|k| t.raw(k).chars().all(|c| !c.is_lowercase()));
    let min_words = if all_caps { 2 } else { 1 };
    let cue = body_level(t, body_start);
    let mut k = from;
    while k < end {
        if !(t.is_word(k) && t.toks[k].upper) {
            k += 1;
            continue;
        }
        // A name after a person's title is a person's ("Chủ tịch Nguyễn Văn A", "Hoàng đế
        // Quang Trung").
        if k > from && PERSON_TITLES.contains(&t.low(k - 1)) {
            k += 1;
            while k < end && t.is_word(k) && t.toks[k].upper {
                k += 1;
            }
            continue;
        }
        let mut run_end = k;
        while run_end < end && run_end - k < 5 && name_token(t, run_end, k) {
            run_end += 1;
        }
        for n in (min_words..=(run_end - k).min(4)).rev() {
            for s in k..=run_end - n {
                if NOT_PLACE.contains(&t.low(s)) && n == 1 {
                    continue;
                }
                let name = metric::text_of(t, (s, s + n));
                if let Some(a) = resolve_bare(res, &name, province, cue) {
                    return Some(res.unit_ref_spelled(a, &name));
                }
            }
        }
        k = run_end.max(k + 1);
    }
    None
}

/// A token that continues a capitalised name run starting at `start` (`Ea H'leo`, `M'Đrắk`).
fn name_token(t: &Toks<'_>, k: usize, start: usize) -> bool {
    match t.get(k) {
        Some(x) if t.is_word(k) => x.upper || (k > start && t.low(k - 1) == "'" && !x.space_before),
        Some(x) => {
            k > start
                && matches!(t.low(k), "'" | "’" | "-")
                && !x.space_before
                && t.get(k + 1).is_some_and(|n| !n.space_before)
        }
        None => false,
    }
}

fn resolve_bare<'g>(
    res: &Resolver<'g>,
    name: &str,
    province: &str,
    cue: Option<&'static str>,
) -> Option<&'g Area> {
    let q = AreaQuery {
        name,
        unit_type: None,
        level: None,
        province: Some(province),
        era: res.era,
    };
    let cands = match res.gaz.resolve(&q) {
        Resolution::Unique(a) => vec![a],
        Resolution::Ambiguous(c) => c,
        Resolution::NotFound => return None,
    };
    // The body's own reference decides the level; a name of another level is not the subject
    // ("Quê hương Hoàng đế Quang Trung" in a report on a district is no ward Quang Trung).
    // "toàn tỉnh" in an article on a district compares it with its province: a province cue
    // says nothing of the subject's level.
    if let Some(c) = cue.filter(|c| *c != "tỉnh") {
        return cands
            .iter()
            .find(|a| a.unit_type == c || (c == "thành phố" && a.unit_type.starts_with(c)))
            .copied();
    }
    if cands.len() == 1 {
        return cands.first().copied();
    }
    [Level::Province, Level::District, Level::Commune]
        .iter()
        .find_map(|l| {
            let at: Vec<_> = cands.iter().filter(|a| a.level == *l).collect();
            (at.len() == 1).then(|| *at[0])
        })
}

/// The level the body refers to without a name (`toàn huyện`, `của xã`, `thị xã đã`): the
/// first such reference in the first few hundred tokens.
fn body_level(t: &Toks<'_>, from: usize) -> Option<&'static str> {
    const WORDS: &[(&str, &str)] = &[
        ("thị xã", "thị xã"),
        ("thị trấn", "thị trấn"),
        ("thành phố", "thành phố"),
        ("huyện", "huyện"),
        ("xã", "xã"),
        ("phường", "phường"),
        ("quận", "quận"),
        ("tỉnh", "tỉnh"),
        ("đặc khu", "đặc khu"),
    ];
    let end = t.len().min(from + 600);
    let mut k = from;
    while k < end {
        let lead = t.any_at(k, &["toàn", "của", "cả", "trên địa bàn", "địa bàn"]);
        if let Some(e) = lead {
            for (w, ty) in WORDS {
                if let Some(after) = t.phrase_at(e, w) {
                    let named = t
                        .get(after)
                        .is_some_and(|x| x.upper && x.kind == TokKind::Word);
                    if !(named || *w == "xã" && t.low(e.wrapping_sub(1)) == "thị") {
                        return Some(ty);
                    }
                }
            }
            k = e;
        } else {
            k += 1;
        }
    }
    None
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
                areas.push(self.resolve_cached(&m));
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
                // "Phó Chủ tịch UBND TP Hải Phòng và 200 đại biểu": a person's office names
                // where they work, not what the number is about.
                let office = || {
                    (k.saturating_sub(4)..k).any(|j| {
                        t.any_at(
                            j,
                            &["chủ tịch", "bí thư", "giám đốc", "ủy viên", "trưởng ban"],
                        )
                        .is_some()
                    })
                };
                // "được thành lập trên cơ sở sáp nhập các phường Thủy Dương, Thủy Phương và
                // xã Thủy Thanh ..., dân số 43.569 người": the merged units are the past.
                let merged = || {
                    (k.saturating_sub(20).max(c.start)..k)
                        .any(|j| t.any_at(j, &["sáp nhập", "hợp nhất"]).is_some())
                        || (t.low(m.end) == "cũ"
                            || (t.is_punct(m.end, '(') && t.low(m.end + 1) == "cũ"))
                };
                if m.end <= at && !office() && !merged() {
                    let r = self.resolve_cached(&m);
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
            if let Some((a, _)) = self.bare_list_unit(k, at, c.start) {
                return Some((a, true));
            }
            if self.names_subject(k, at) {
                return self.subject.clone().map(|a| (a, true));
            }
        }
        if let Some(f) = ctx.frame {
            if let Some(m) = area::raw_mention_at(t, f) {
                return Some((self.resolve_cached(&m), true));
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

    /// `Resolver::resolve` of a mention, remembered for the article: the same mention is asked
    /// for by every figure after it in its sentence (measured: resolving names was a tenth of
    /// the run on real paragraphs).
    pub(super) fn resolve_cached(&self, m: &area::RawMention) -> AreaRef<'g> {
        let subject = self.subject.as_ref().map(|s| s.name.as_str());
        let key = (m.name_start, m.end);
        if let Some((subj, r)) = self.resolved.borrow().get(&key) {
            if subj.as_deref() == subject {
                return r.clone();
            }
        }
        let r = self.res.resolve(&self.t, m, self.subject.as_ref());
        self.resolved
            .borrow_mut()
            .insert(key, (subject.map(str::to_string), r.clone()));
        r
    }

    /// A unit named without its level word inside a list that gave the level once: "huyện
    /// Mang Yang giảm 3,32%, Đak Pơ giảm 1,8%", "các xã A Vao, A Bung": the name at `k`,
    /// resolved at the level of the nearest level word before it in the sentence (within
    /// `lo..k`). Returns the area and the token after the name.
    pub(super) fn bare_list_unit(
        &self,
        k: usize,
        limit: usize,
        lo: usize,
    ) -> Option<(AreaRef<'g>, usize)> {
        let t = &self.t;
        // Cheap refusals first; the gazetteer is asked once per position and article.
        if !(t.is_word(k) && t.toks[k].upper) {
            return None;
        }
        if let Some(hit) = self.bare_seen.borrow().get(&(k, lo)) {
            return hit.clone().filter(|(_, e)| *e <= limit);
        }
        let hit = self.bare_list_unit_uncached(k, t.len(), lo);
        self.bare_seen.borrow_mut().insert((k, lo), hit.clone());
        hit.filter(|(_, e)| *e <= limit)
    }

    fn bare_list_unit_uncached(
        &self,
        k: usize,
        limit: usize,
        lo: usize,
    ) -> Option<(AreaRef<'g>, usize)> {
        let t = &self.t;
        let upper = |j: usize| j < limit && t.is_word(j) && t.toks[j].upper;
        if !upper(k) || (k > 0 && (upper(k - 1) || t.is_num(k - 1))) {
            return None;
        }
        // Only where a list can continue: after a separator or a conjunction.
        let prev = if k > 0 { t.low(k - 1) } else { "" };
        if !matches!(prev, "," | ";" | "và" | ":" | "là" | "(" | "-") {
            return None;
        }
        let mut end = k;
        while end < limit && end - k < 4 {
            let glue = matches!(t.low(end), "'" | "’" | "-")
                && t.get(end + 1).is_some_and(|x| !x.space_before && x.upper);
            if !(upper(end) || glue) {
                break;
            }
            end += 1;
        }
        let from = lo.max(k.saturating_sub(80));
        let level_word = (from..k).rev().find_map(|j| {
            let m = area::raw_mention_at(t, j)?;
            (m.end <= k).then(|| area::level_word_of(&m))
        })?;
        let name = metric::text_of(t, (k, end));
        let province = self.res.province.as_deref();
        let q = AreaQuery {
            name: &name,
            unit_type: Some(level_word),
            level: None,
            province,
            era: self.res.era,
        };
        match self.res.gaz.resolve(&q) {
            Resolution::Unique(a) => Some((self.res.unit_ref_spelled(a, &name), end)),
            // A name the gazetteer spells otherwise ("Đak Pơ" for "Đăk Pơ") still continues
            // the list when a figure follows it at once: it keeps the list's level word.
            _ if t.is_num(end)
                || t.any_at(end, &["giảm", "tăng", "đạt", "có", "là", "với"])
                    .is_some() =>
            {
                let level = area::level_of_type(level_word).unwrap_or(Level::District);
                Some((
                    AreaRef {
                        name: format!("{level_word} {name}"),
                        level,
                        unit: None,
                        province: self.res.province.clone(),
                    },
                    end,
                ))
            }
            _ => None,
        }
    }

    /// The subject named bare at `k` ("Phú Quốc chỉ đón 62.544 lượt khách" in an article on
    /// thành phố Phú Quốc), so that it outweighs a unit named earlier in the sentence.
    pub(super) fn names_subject(&self, k: usize, limit: usize) -> bool {
        let t = &self.t;
        let Some(subj) = self.subject.as_ref() else {
            return false;
        };
        if !(t.is_word(k) && t.toks[k].upper)
            || (k > 0 && t.is_word(k - 1) && t.toks[k - 1].upper)
            || (k > 0
                && matches!(
                    t.low(k - 1),
                    "huyện"
                        | "xã"
                        | "tỉnh"
                        | "phố"
                        | "quận"
                        | "phường"
                        | "trấn"
                        | "tx"
                        | "tp"
                        | "tt"
                        | "."
                        | "khu"
                        | "đảo"
                ))
        {
            return false;
        }
        let bare = match subj.unit {
            Some(u) => u.name.as_str(),
            None => subj.name.split_once(' ').map_or("", |(_, n)| n),
        };
        // Cheap test first: the first word as written (names are capitalised alike).
        if bare.split_whitespace().next() != Some(t.raw(k)) {
            return false;
        }
        let n = bare.split_whitespace().count();
        n > 0
            && k + n <= limit
            && crate::text::name_key(&metric::text_of(t, (k, k + n))) == crate::text::name_key(bare)
            && !(k + n < t.len() && t.is_word(k + n) && t.toks[k + n].upper)
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
