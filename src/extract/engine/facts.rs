//! Assembling a fact: metric, period, kind, area and span for a quantity that is a level or
//! a standalone growth rate.

use super::*;

impl<'a, 'g> Article<'a, 'g> {
    /// A level fact and the end of its metric phrase (attributes may follow it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn level_fact(
        &mut self,
        q: &Quantity,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        neg: &Context,
        lo: usize,
        clause_first: usize,
    ) -> Option<(Fact, usize)> {
        let t = &self.t;
        // "200 đại biểu đại diện cho 1.450 đảng viên của 37 tổ chức cơ sở đảng": what the
        // delegates represent is the membership, not the attendance.
        let represented = || {
            (q.cue_start.saturating_sub(12).max(c.start)..q.cue_start)
                .any(|k| t.any_at(k, &["đại diện cho", "thay mặt cho"]).is_some())
        };
        if (neg.blocks(q.unit.class) && !represented())
            || q.unit.price_like
            || negative::in_progress(t, lo, q.cue_start)
            || negative::structural(
                t,
                c.start.max(lo.saturating_sub(12)),
                q.cue_start,
                q.end,
                &q.unit.written,
                q.total.is_some(),
            )
        {
            return None;
        }
        let mentions = ctx.mentions;
        let skip = |i: usize| self.skip_at(mentions, i, s.start);
        let before = metric::before_phrase(t, lo, q.cue_start, &skip);
        let has_before = before.1 > before.0;
        let metric_range: Range = match q.unit.class {
            UnitClass::Count => {
                let noun_start = q.num_end + scale_len(t, q.num_end);
                let after = metric::after_phrase(t, noun_start, c.end);
                if metric::ends_with_cho(t, lo, q.cue_start) && has_before {
                    before
                } else if after.1 > noun_start + 1 || !has_before {
                    after
                } else {
                    before
                }
            }
            _ if !has_before => {
                // "có 21.340 ha cà phê", "100% số xã đạt chuẩn": the metric follows.
                let mut k = q.end;
                if matches!(t.low(k), "số" | "các") {
                    k += 1;
                }
                metric::after_phrase(t, k, c.end)
            }
            _ => before,
        };
        // "Toàn huyện có 15 xã và 01 thị trấn": the composition of a unit, not a result (a
        // count of units is a fact when something is said of them: "15 xã đạt chuẩn").
        // "có 12 xã và 01 thị trấn": the second count of the same composition.
        let composition_before = matches!(t.low(q.cue_start.wrapping_sub(1)), "có" | "gồm")
            || (matches!(t.low(q.cue_start.wrapping_sub(1)), "và" | ",")
                && (q.cue_start.saturating_sub(5)..q.cue_start.saturating_sub(1)).any(|k| {
                    t.is_num(k)
                        && matches!(t.low(k.wrapping_sub(1)), "có" | "gồm")
                        && match_unit(t, k + 1)
                            .is_some_and(|u| u.level_noun && u.end + 1 == q.cue_start)
                }));
        if q.unit.level_noun
            && composition_before
            && (q.end >= c.end
                || t.is_punct(q.end, ',')
                || t.is_punct(q.end, '.')
                || t.is_punct(q.end, ';')
                || t.low(q.end) == "và")
        {
            return None;
        }
        // "2 sản phẩm được chuyển hồ sơ đánh giá cấp tỉnh": not yet achieved.
        if (q.end..(q.end + 4).min(c.end)).any(|k| {
            t.any_at(k, &["được chuyển hồ sơ", "chuyển hồ sơ", "đang chờ"])
                .is_some()
        }) {
            return None;
        }
        // "mỗi công lãi 2 triệu đồng": money per unit of something is a rate of one holding.
        if q.unit.class == UnitClass::Money
            && (q.cue_start.saturating_sub(3).max(c.start)..q.cue_start).any(|k| t.low(k) == "mỗi")
        {
            return None;
        }
        // "với giá 4,2 tỷ đồng", "giá lúa 7.000 đồng": the price of one good.
        if q.unit.class == UnitClass::Money && t.low(q.cue_start.wrapping_sub(1)) == "giá" {
            return None;
        }
        // "năm 2023 đạt 1.120 tỷ đồng, năm 2024 ước đạt 1.260 tỷ đồng", "tăng từ X lên Y",
        // "lần lượt đạt X và Y": a number without a phrase of its own continues the metric of
        // the clause's previous fact.
        // Lists of units, one per clause ("huyện A đạt 10.858 tỷ đồng; huyện B đạt 5.696
        // tỷ đồng"), continue the metric of the sentence's previous fact.
        let inherited = if metric_range.1 <= metric_range.0 {
            let prev = self
                .out
                .get(clause_first..)
                .and_then(|fs| fs.last())
                .or_else(|| self.out.get(ctx.sent_first..).and_then(|fs| fs.last()));
            // "nuôi tôm 1.916 ha, đạt 5.300 tấn": a second figure of the same subject in
            // another unit continues the clause's metric too.
            let same_clause = self.out.len() > clause_first;
            match prev {
                Some(prev) if prev.unit_base == q.unit.base || same_clause => {
                    Some(prev.metric.clone())
                }
                _ => return None,
            }
        } else {
            None
        };
        // "đường dài 5 km", "cầu rộng 12 m": the size of one object.
        if q.unit.class == UnitClass::Measure
            && matches!(
                t.low(q.cue_start.wrapping_sub(1)),
                "dài" | "rộng" | "cao" | "sâu" | "nặng" | "dày"
            )
        {
            return None;
        }
        // A national figure quoted for comparison is not a fact of the article's area.
        if (q.cue_start.saturating_sub(8).max(lo)..q.cue_start)
            .any(|k| t.phrase_at(k, "cả nước").is_some() || t.phrase_at(k, "toàn quốc").is_some())
        {
            return None;
        }
        // A score is an indicator only for an index (PCI, PAPI...), not one candidate's exam.
        // ("11 điểm ô nhiễm": points of a map, counted like places.)
        if q.unit.written == "điểm"
            && !(q.value.fract() == 0.0
                && t.get(q.end).is_some_and(|x| t.is_word(q.end) && !x.upper))
            && !t.contains_any(
                c.start,
                c.end,
                &[
                    "chỉ số",
                    "pci",
                    "papi",
                    "par",
                    "sipas",
                    "dti",
                    "ict",
                    "năng lực",
                ],
            )
        {
            return None;
        }
        let metric = match inherited {
            Some(m) => m,
            None => metric::text_of(t, metric_range),
        };
        let ml = if metric_range.1 > metric_range.0 {
            t.lower
                .get(t.toks[metric_range.0].start as usize..t.toks[metric_range.1 - 1].end as usize)
                .unwrap_or("")
        } else {
            ""
        };
        // "giá hiện hành", "giá so sánh" name a price basis, not the price of a good.
        let basis = ml.contains("giá hiện hành") || ml.contains("giá so sánh");
        if (ml.starts_with("giá ") && !ml.starts_with("giá trị") && !basis)
            || ml == "giá"
            || ml.contains("tuổi")
        {
            return None;
        }
        let value_base = q.unit.base.as_ref().map(|_| tidy(q.value * q.unit.factor));
        // The object after a measured unit belongs to the level ("2.150 ha rừng, đạt 72% kế
        // hoạch"): attributes may follow it.
        let object_end = metric::object_phrase(t, q.end, c.end).1;
        Some((
            self.make_fact(q, metric, q.value, value_base, None, c, s, ctx),
            metric_range.1.max(object_end),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn growth_fact(
        &mut self,
        q: &Quantity,
        g: f64,
        attr_start: usize,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        neg: &Context,
        lo: usize,
    ) -> Option<Fact> {
        let t = &self.t;
        if neg.blocks(UnitClass::Percent)
            || negative::structural(
                t,
                c.start.max(lo.saturating_sub(12)),
                attr_start,
                q.end,
                &q.unit.written,
                false,
            )
        {
            return None;
        }
        let mentions = ctx.mentions;
        let skip = |i: usize| self.skip_at(mentions, i, s.start);
        let r = metric::before_phrase(t, lo, attr_start, &skip);
        let mut metric = if r.1 > r.0 {
            metric::text_of(t, r)
        } else {
            // "huyện A giảm 3,32%, B giảm 1,8%": a list continues the sentence's metric.
            let named = (lo..attr_start).any(|k| self.skip_at(mentions, k, s.start).is_some());
            match self.out.get(ctx.sent_first..).and_then(|fs| fs.last()) {
                Some(prev) if named && prev.unit == q.unit.written => prev.metric.clone(),
                // The list's first item: the sentence opened on what is measured ("Tỷ lệ hộ
                // nghèo của các địa phương đều giảm ...; cụ thể huyện A giảm 3,32%").
                None if named && c.start > s.start => {
                    let head = metric::after_phrase(t, s.start, c.start);
                    let m = metric::text_of(t, head);
                    if m.is_empty() {
                        return None;
                    }
                    m
                }
                _ => return None,
            }
        };
        let ml = metric.to_lowercase();
        if (ml.contains("grdp") || ml.contains("tổng sản phẩm") || ml == "kinh tế")
            && !ml.starts_with("tăng trưởng")
            && !ml.starts_with("tốc độ")
        {
            metric = format!("tăng trưởng {metric}");
        }
        let high = q.high.map(|h| if g < 0.0 { -h } else { h });
        Some(self.make_fact(q, metric, g, Some(tidy(g)), high, c, s, ctx))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn make_fact(
        &mut self,
        q: &Quantity,
        metric: String,
        value: f64,
        value_base: Option<f64>,
        high_override: Option<f64>,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
    ) -> Fact {
        let (per, deadline) = self.period_for(q.first, q.end, c, s, ctx);
        let stated =
            per.is_some() && (ctx.state.is_some() || ctx.mentions.iter().any(|m| !m.ignore));
        let kind = self.kind_for(q.first, c.start, s, ctx, per.filter(|_| stated), deadline);
        let area = match self.area_for(q.cue_start, c, ctx) {
            Some((a, true)) => {
                if self.sent_area.is_none() {
                    self.sent_area = Some(a.clone());
                }
                Some(a)
            }
            Some((a, false)) => Some(self.sent_area.clone().unwrap_or(a)),
            None => self.sent_area.clone(),
        };
        let indicator = self.tax.match_metric(&metric).map(|i| i.key.clone());
        let t = &self.t;
        let start = t.toks[q.first].start as usize;
        let end = t.toks[q.num_end.saturating_sub(1).max(q.first)].end as usize;
        let span = self.cursor.span(self.norm, start, end);
        let sentence = excerpt(t, (s.start, s.end), (c.start, c.end), (q.first, q.end));
        let growth = high_override.is_some()
            || value_base.is_some_and(|_| q.unit.class == UnitClass::Percent && value != q.value);
        Fact {
            area: area.as_ref().map(|a| a.name.clone()),
            area_level: area.as_ref().map(|a| a.level.as_str().to_string()),
            area_code: area.as_ref().and_then(|a| a.unit.map(|u| u.code.clone())),
            province: area.as_ref().and_then(|a| a.province.clone()),
            metric,
            indicator,
            value: tidy(value),
            value_high: if growth { high_override } else { q.high },
            unit: q.unit.written.clone(),
            value_base,
            unit_base: q.unit.base.clone(),
            total: q.total,
            year: per.map(|p| p.year()),
            period: per.map(|p| p.label()),
            kind,
            approx: q.approx,
            plan_pct: None,
            yoy_pct: None,
            sentence,
            span,
            from_title: false,
        }
    }

    /// The period of the number at `at`: a mention in its clause (before it, else after it),
    /// else earlier in its sentence, else the governing period.
    pub(super) fn period_for(
        &self,
        at: usize,
        after: usize,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
    ) -> (Option<Period>, bool) {
        // Mentions are in text order: look only at the few nearest ones (linear time even for
        // a megabyte-long sentence).
        let ms = ctx.mentions;
        // "47 triệu đồng (năm 2020)": a period in brackets right after the number is its own.
        if self.t.is_punct(after, '(') {
            let k = ms.partition_point(|m| m.at < after + 1);
            if let Some(m) = ms.get(k).filter(|m| m.at == after + 1 && !m.ignore) {
                return (Some(m.period), m.deadline);
            }
        }
        // "tăng từ 38,98 triệu đồng năm 2018 lên 42,14 triệu đồng năm 2019": a year right
        // after the unit is the number's own, even inside a "từ ... lên" comparison.
        {
            let k = ms.partition_point(|m| m.at < after);
            if let Some(m) = ms
                .get(k)
                .filter(|m| m.at == after && self.t.low(after) == "năm")
            {
                return (Some(m.period), m.deadline);
            }
        }
        let split = ms.partition_point(|m| m.at < at);
        let before = ms[..split].iter().rev().take(64).filter(|m| !m.ignore);
        let in_clause_before = before.clone().find(|m| m.at >= c.start);
        // A period after the number is its own only within the same stretch of the clause
        // ("đạt 500 tỷ đồng năm 2023"), not past a comma that starts another figure.
        let in_clause_after = ms[split..]
            .iter()
            .take(64)
            .find(|m| !m.ignore && m.at > at)
            .filter(|m| m.at < c.end)
            .filter(|m| !(after..m.at).any(|k| self.t.is_punct(k, ',')))
            // ... and close to it: "giảm ở mức dưới 2% và đạt chuẩn nâng cao vào năm 2022"
            // dates the second item, not the 2%.
            .filter(|m| m.at <= after + 3);
        let in_sent_before = before.clone().find(|m| m.at >= s.start && self.governs(m));
        match in_clause_before.or(in_clause_after).or(in_sent_before) {
            Some(m) => (Some(m.period), m.deadline),
            None => match ctx.state {
                Some(p) => (Some(p), false),
                None => (self.published.map(|d| Period::Year(d.year())), false),
            },
        }
    }

    pub(super) fn kind_for(
        &self,
        at: usize,
        clause_start: usize,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        per: Option<Period>,
        deadline: bool,
    ) -> Kind {
        let split = ctx.cues.partition_point(|(p, _)| *p < at);
        let last = |tag: u8| {
            ctx.cues[..split]
                .iter()
                .rev()
                .take(256)
                .find(|(_, tg)| *tg == tag)
                .map(|(p, _)| *p)
                .filter(|p| *p >= s.start)
        };
        // A goal stated inside an earlier clause ("..., dự kiến đến 31/01/2023 sẽ giải ngân
        // 100%; tổng sản lượng lúa đạt 34.596 tấn") is that clause's; one that opens the
        // sentence ("Năm 2025, tỉnh phấn đấu ...; thu ngân sách ...") governs all of it.
        let target = last(TAG_TARGET).filter(|&p| p >= clause_start || p <= s.start + 8);
        let actual = last(TAG_ACTUAL);
        if ctx.in_target_list && actual.is_none() {
            return Kind::Target;
        }
        if let Some(tp) = target {
            if actual.is_none_or(|ap| ap < tp) {
                return Kind::Target;
            }
        }
        let future = |p: Period| self.published.is_none_or(|d| p.year() > d.year());
        if deadline && actual.is_none() && per.is_some_and(future) {
            return Kind::Target;
        }
        if let (Some(p), Some(d)) = (per, self.published) {
            if p.year() > d.year() {
                return Kind::Target;
            }
            if p.is_full_year() && p.year() == d.year() && d.month() <= 3 && actual.is_none() {
                return Kind::Target;
            }
        }
        Kind::Actual
    }
}

/// Longest `sentence` stored with a fact, in bytes; longer sentences (lists run together,
/// garbage) give their clause or a window around the number, so that output stays linear in
/// the input.
const MAX_SENTENCE: usize = 1500;

/// The sentence of a fact, or a shorter excerpt around the number when the sentence is huge.
pub(super) fn excerpt(t: &Toks<'_>, sent: Range, clause: Range, num: Range) -> String {
    let bytes = |r: Range| -> usize {
        if r.1 <= r.0 {
            return 0;
        }
        (t.toks[r.1 - 1].end - t.toks[r.0].start) as usize
    };
    if bytes(sent) <= MAX_SENTENCE {
        return metric::text_of(t, sent);
    }
    if bytes(clause) <= MAX_SENTENCE {
        return metric::text_of(t, clause);
    }
    let from = clause.0.max(num.0.saturating_sub(30));
    let to = clause.1.min(num.1 + 30).max(num.1.min(t.len()));
    metric::text_of(t, (from, to))
}

/// Tokens taken by a scale word at `i` (`nghìn`, `triệu`, `nghìn tỷ`).
pub(super) fn scale_len(t: &Toks<'_>, i: usize) -> usize {
    crate::extract::number::SCALES
        .iter()
        .find_map(|(w, _)| t.phrase_at(i, w).map(|e| e - i))
        .unwrap_or(0)
}
