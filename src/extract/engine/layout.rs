//! Layout-level passes: flattened tables and the headline line.

use super::*;

impl<'a, 'g> Article<'a, 'g> {
    /// A first line without a full stop is the headline; its numbers are repeated in the body,
    /// so a headline fact that the body states again is dropped.
    pub(super) fn drop_title_repeats(&mut self, sents: &[Sentence]) {
        let Some(first) = sents.first() else { return };
        let t = &self.t;
        let para_end = sents
            .iter()
            .take_while(|s| s.para == first.para)
            .map(|s| s.end)
            .last()
            .unwrap_or(first.end);
        let ends_with_stop =
            para_end > 0 && (t.is_punct(para_end - 1, '.') || t.is_punct(para_end - 1, ';'));
        let bytes = t
            .toks
            .get(para_end.saturating_sub(1))
            .map(|x| x.end as usize)
            .unwrap_or(0);
        let bytes = if self.title_end > 0 {
            // The title given apart is the headline whatever its shape.
            let end = self.title_end.min(t.len());
            t.toks
                .get(end.saturating_sub(1))
                .map_or(0, |x| x.end as usize)
        } else {
            if ends_with_stop || bytes > 250 || para_end >= t.len() {
                return;
            }
            bytes
        };
        let title_end_char = self.cursor.span(self.norm, bytes, bytes)[0];
        let (head, body): (Vec<&Fact>, Vec<&Fact>) =
            self.out.iter().partition(|f| f.span[0] < title_end_char);
        // Headlines round ("trên 460 tỉ đồng" for the body's 464): a body figure of the same
        // unit within 5 % (10 % when the headline says "trên", "gần", "hơn") is the same one.
        let repeated: Vec<bool> = head
            .iter()
            .map(|h| {
                // A rate is exact: 11,5% and 12,1% are two figures.
                let tol = match (h.unit.as_str(), h.approx) {
                    ("%", _) => 0.0,
                    (_, true) => 0.10,
                    _ => 0.05,
                };
                body.iter().any(|b| {
                    b.unit == h.unit
                        && (b.value - h.value).abs() <= tol * b.value.abs().max(h.value.abs())
                })
            })
            .collect();
        let mut i = 0;
        self.out.retain(|f| {
            if f.span[0] < title_end_char {
                i += 1;
                !repeated[i - 1]
            } else {
                true
            }
        });
    }

    /// Facts from tables flattened into lines of `|`-separated cells.
    pub(super) fn tables(&mut self, sents: &[Sentence]) {
        let mut paras: Vec<(usize, usize)> = Vec::new();
        let mut last_para = usize::MAX;
        for s in sents {
            match paras.last_mut() {
                Some(p) if s.para == last_para => p.1 = s.end,
                _ => paras.push((s.start, s.end)),
            }
            last_para = s.para;
        }
        if !(0..self.t.len()).any(|k| self.t.is_punct(k, '|')) {
            return;
        }
        let rows = table::find_tables(&self.t, &paras);
        let mut state_year = self.published.map(|d| d.year());
        for (heading, row) in rows {
            let t = &self.t;
            let head = heading.and_then(|h| paras.get(h)).copied();
            let area = head
                .and_then(|(a, b)| (a..b).find_map(|k| area::raw_mention_at(t, k)))
                .map(|m| self.res.resolve(t, &m, self.subject.as_ref()))
                .or_else(|| self.subject.clone());
            if let Some((a, b)) = head {
                let mut ms = Vec::new();
                period::find_mentions(t, a, b, self.published, state_year, &mut ms);
                if let Some(m) = ms.iter().find(|m| !m.ignore) {
                    state_year = Some(m.period.year());
                }
            }
            let (unit, base, factor) = match match_unit(t, row.unit.0) {
                Some(u) if u.end == row.unit.1 => (u.written.clone(), u.base.clone(), u.factor),
                _ if row.unit.1 > row.unit.0 => {
                    (metric::text_of(t, row.unit).to_lowercase(), None, 1.0)
                }
                _ => continue,
            };
            let metric_r = metric::trim(t, row.metric, &|_| None);
            let metric = metric::text_of(t, metric_r);
            if metric.is_empty() {
                continue;
            }
            let indicator = self.tax.match_metric(&metric).map(|i| i.key.clone());
            let sentence = super::facts::excerpt(t, row.span, row.span, (row.span.0, row.span.0));
            for c in &row.cells {
                let year = c.year.or(state_year);
                let future = matches!((year, self.published), (Some(y), Some(d)) if y > d.year());
                let tok = t.toks[c.tok];
                let span = self
                    .cursor
                    .span(self.norm, tok.start as usize, tok.end as usize);
                self.out.push(Fact {
                    area: area.as_ref().map(|a| a.name.clone()),
                    area_level: area.as_ref().map(|a| a.level.as_str().to_string()),
                    area_code: area.as_ref().and_then(|a| a.unit.map(|u| u.code.clone())),
                    province: area.as_ref().and_then(|a| a.province.clone()),
                    metric: metric.clone(),
                    indicator: indicator.clone(),
                    value: c.value,
                    value_high: None,
                    unit: unit.clone(),
                    value_base: base.as_ref().map(|_| tidy(c.value * factor)),
                    unit_base: base.clone(),
                    total: None,
                    year,
                    period: year.map(|y| Period::Year(y).label()),
                    kind: if c.target || future {
                        Kind::Target
                    } else {
                        Kind::Actual
                    },
                    approx: false,
                    plan_pct: c.plan_pct,
                    yoy_pct: c.yoy_pct,
                    sentence: sentence.clone(),
                    span,
                    from_title: false,
                });
            }
        }
    }
}
