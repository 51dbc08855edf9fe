//! Messages: numbers written the Vietnamese way, a plain-text, a Markdown and a Slack form, and
//! each channel's length limit met by dropping facts and then shortening, always keeping the link.

use super::AlertPayload;
use crate::extract::{Fact, Kind};

/// Telegram's limit on a message's text.
pub const TELEGRAM_LIMIT: usize = 4096;
/// Discord's limit on a webhook message's `content`.
pub const DISCORD_LIMIT: usize = 2000;
/// Slack truncates `text` beyond 40 000 characters and recommends staying under 4 000.
pub const SLACK_LIMIT: usize = 4000;
/// ntfy turns larger bodies into attachments (bytes).
pub const NTFY_LIMIT_BYTES: usize = 4096;
/// An e-mail subject line longer than this is shortened.
pub const SUBJECT_LIMIT: usize = 180;

/// The markup a channel understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// No markup (e-mail, Telegram, the webhook's `text`).
    Plain,
    /// CommonMark links and bold (Discord, ntfy with `Markdown: yes`, the webhook's `markdown`).
    Markdown,
    /// Slack's mrkdwn (`<url|text>`, `*bold*`).
    Slack,
}

/// How a channel counts its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// No limit.
    None,
    /// UTF-16 code units, as Telegram, Discord and Slack count "characters".
    Utf16(usize),
    /// Bytes of UTF-8.
    Bytes(usize),
}

impl Limit {
    fn fits(self, s: &str) -> bool {
        match self {
            Limit::None => true,
            Limit::Utf16(n) => s.encode_utf16().count() <= n,
            Limit::Bytes(n) => s.len() <= n,
        }
    }
}

/// A number with `.` between thousands and `,` before decimals (`8.850,26`), at most four
/// decimals, trailing zeros dropped.
pub fn vn_number(v: f64) -> String {
    crate::text::vn_number(v, 4)
}

/// A value with its unit: `8.850,26 tỷ đồng`, `7,5%`, a range `5–7%`, `khoảng` when approximate.
pub fn vn_quantity(f: &Fact) -> String {
    let mut s = String::new();
    if f.approx {
        s.push_str("khoảng ");
    }
    s.push_str(&vn_number(f.value));
    if let Some(h) = f.value_high {
        s.push('–');
        s.push_str(&vn_number(h));
    }
    if let Some(t) = f.total {
        s.push('/');
        s.push_str(&vn_number(t));
    }
    if !f.unit.is_empty() {
        if f.unit != "%" {
            s.push(' ');
        }
        s.push_str(&f.unit);
    }
    s
}

/// One fact: `tổng giá trị sản phẩm (huyện Kỳ Anh, 2023): 8.850,26 tỷ đồng (đạt 107,79% KH,
/// tăng 14,62%)`; targets are marked `kế hoạch`.
pub fn fact_line(f: &Fact) -> String {
    let mut ctx: Vec<String> = Vec::new();
    if let Some(a) = &f.area {
        ctx.push(a.clone());
    }
    if let Some(p) = &f.period {
        ctx.push(p.clone());
    }
    if f.kind == Kind::Target {
        ctx.push("kế hoạch".into());
    }
    let mut s = f.metric.clone();
    if !ctx.is_empty() {
        s.push_str(&format!(" ({})", ctx.join(", ")));
    }
    s.push_str(": ");
    s.push_str(&vn_quantity(f));
    let mut extra: Vec<String> = Vec::new();
    if let Some(p) = f.plan_pct {
        extra.push(format!("đạt {}% KH", vn_number(p)));
    }
    if let Some(y) = f.yoy_pct {
        if y < 0.0 {
            extra.push(format!("giảm {}%", vn_number(-y)));
        } else {
            extra.push(format!("tăng {}%", vn_number(y)));
        }
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s
}

/// The headline shown for a report (`(không có tiêu đề)` when the page had none).
pub fn headline(p: &AlertPayload) -> String {
    match p.title.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => "(không có tiêu đề)".to_string(),
    }
}

/// An e-mail subject: `[chiso] ` and the headline, shortened to [`SUBJECT_LIMIT`] characters.
pub fn subject(p: &AlertPayload) -> String {
    let kind = if p.event == "updated" {
        "Cập nhật"
    } else {
        "Báo cáo mới"
    };
    shorten_chars(&format!("[chiso] {kind}: {}", headline(p)), SUBJECT_LIMIT)
}

fn shorten_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes what would break Markdown link text or Slack's `<url|text>`.
fn escape(flavor: Flavor, s: &str) -> String {
    match flavor {
        Flavor::Plain => s.to_string(),
        Flavor::Markdown => s
            .replace('\\', "\\\\")
            .replace('[', "\\[")
            .replace(']', "\\]")
            .replace('*', "\\*")
            .replace('_', "\\_"),
        Flavor::Slack => s
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    }
}

/// The message for a report in one flavor, with at most `max_facts` facts, shortened to fit
/// `limit` (facts dropped first, then the headline cut); the link is always kept.
pub fn message(p: &AlertPayload, flavor: Flavor, max_facts: usize, limit: Limit) -> String {
    let mut shown = max_facts.min(p.facts.len());
    loop {
        let m = render(p, flavor, shown, None);
        if limit.fits(&m) {
            return m;
        }
        if shown == 0 {
            break;
        }
        shown -= 1;
    }
    // Even without facts the message is too long: cut the headline until it fits.
    let mut title_chars = headline(p).chars().count();
    while title_chars > 1 {
        title_chars /= 2;
        let m = render(p, flavor, 0, Some(title_chars));
        if limit.fits(&m) {
            return m;
        }
    }
    // A limit smaller than the link itself: the link alone is the most useful thing to send.
    p.url.clone()
}

fn render(p: &AlertPayload, flavor: Flavor, shown: usize, title_max: Option<usize>) -> String {
    let title = match title_max {
        Some(n) => shorten_chars(&headline(p), n),
        None => headline(p),
    };
    let kind = if p.event == "updated" {
        "Cập nhật"
    } else {
        "Báo cáo mới"
    };
    let mut out = String::new();
    match flavor {
        Flavor::Plain => out.push_str(&format!("{kind}: {title}\n")),
        Flavor::Markdown => out.push_str(&format!(
            "**{kind}: [{}]({})**\n",
            escape(flavor, &title),
            p.url
        )),
        Flavor::Slack => out.push_str(&format!(
            "*{kind}: <{}|{}>*\n",
            p.url,
            escape(flavor, &title)
        )),
    }
    let mut meta = format!("Nguồn: {}", p.source);
    if !p.province.is_empty() {
        meta.push_str(&format!(" ({})", p.province));
    }
    if let Some(d) = p.published_at {
        meta.push_str(&format!(" · {}", d.format("%d/%m/%Y %H:%M")));
    }
    out.push_str(&escape(flavor, &meta));
    out.push('\n');
    if !p.areas.is_empty() {
        out.push_str(&escape(flavor, &format!("Địa bàn: {}", p.areas.join(", "))));
        out.push('\n');
    }
    for f in p.facts.iter().take(shown) {
        out.push_str("• ");
        out.push_str(&escape(flavor, &fact_line(f)));
        out.push('\n');
    }
    let hidden = p.facts.len() - shown;
    if hidden > 0 {
        out.push_str(&format!("… và {hidden} chỉ số khác trong bài\n"));
    }
    out.push_str(&p.url);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact() -> Fact {
        Fact {
            area: Some("huyện Kỳ Anh".into()),
            area_level: Some("district".into()),
            area_code: None,
            province: Some("Hà Tĩnh".into()),
            metric: "tổng giá trị sản phẩm".into(),
            indicator: Some("gross_output".into()),
            value: 8850.26,
            value_high: None,
            unit: "tỷ đồng".into(),
            value_base: None,
            unit_base: None,
            total: None,
            year: Some(2023),
            period: Some("2023".into()),
            kind: Kind::Actual,
            approx: false,
            plan_pct: Some(107.79),
            yoy_pct: Some(14.62),
            sentence: String::new(),
            span: [0, 0],
            from_title: false,
        }
    }

    fn payload(n: usize, title: &str) -> AlertPayload {
        AlertPayload {
            event: "new".into(),
            source: "baohatinh".into(),
            province: "Hà Tĩnh".into(),
            url: "https://example.vn/bai-viet-1.html".into(),
            title: Some(title.into()),
            published_at: None,
            areas: vec!["huyện Kỳ Anh".into()],
            facts: vec![fact(); n],
        }
    }

    #[test]
    fn numbers_the_vietnamese_way() {
        assert_eq!(vn_number(8850.26), "8.850,26");
        assert_eq!(vn_number(1234567.0), "1.234.567");
        assert_eq!(vn_number(0.5), "0,5");
        assert_eq!(vn_number(-3.25), "-3,25");
        assert_eq!(vn_number(100.0), "100");
    }

    #[test]
    fn fact_line_as_issue_shows() {
        assert_eq!(
            fact_line(&fact()),
            "tổng giá trị sản phẩm (huyện Kỳ Anh, 2023): 8.850,26 tỷ đồng (đạt 107,79% KH, tăng 14,62%)"
        );
        let mut f = fact();
        f.unit = "%".into();
        f.value = 7.5;
        f.plan_pct = None;
        f.yoy_pct = Some(-2.0);
        f.kind = Kind::Target;
        assert!(
            fact_line(&f).ends_with(": 7,5% (giảm 2%)"),
            "{}",
            fact_line(&f)
        );
        assert!(fact_line(&f).contains("kế hoạch"));
    }

    #[test]
    fn long_messages_are_shortened_keeping_the_link() {
        let p = payload(200, "Kỳ Anh tổng kết năm");
        let m = message(&p, Flavor::Markdown, 200, Limit::Utf16(DISCORD_LIMIT));
        assert!(m.encode_utf16().count() <= DISCORD_LIMIT);
        assert!(m.ends_with(&p.url));
        assert!(m.contains("chỉ số khác"));
        let long_title = "Tiêu đề rất dài ".repeat(500);
        let p = payload(3, &long_title);
        let m = message(&p, Flavor::Plain, 10, Limit::Utf16(TELEGRAM_LIMIT));
        assert!(m.encode_utf16().count() <= TELEGRAM_LIMIT);
        assert!(m.ends_with(&p.url));
        let m = message(&p, Flavor::Plain, 10, Limit::Bytes(NTFY_LIMIT_BYTES));
        assert!(m.len() <= NTFY_LIMIT_BYTES);
    }

    #[test]
    fn max_facts_caps_the_list() {
        let p = payload(5, "Báo cáo");
        let m = message(&p, Flavor::Plain, 2, Limit::None);
        assert_eq!(m.matches("• ").count(), 2);
        assert!(m.contains("… và 3 chỉ số khác"));
    }

    #[test]
    fn markup_is_escaped() {
        let p = payload(0, "Giá <lúa> [tăng]");
        let slack = message(&p, Flavor::Slack, 0, Limit::None);
        assert!(slack.contains("&lt;lúa&gt;"));
        let md = message(&p, Flavor::Markdown, 0, Limit::None);
        assert!(md.contains("\\[tăng\\]"));
    }
}
