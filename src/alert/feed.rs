//! The Atom feed of the latest reports (served by the daemon at `/feed.atom`), for feed readers
//! that want reports without a push channel.

use super::format;
use crate::store::Store;
use chrono::Utc;

/// Facts quoted in an entry's summary.
const SUMMARY_FACTS: usize = 5;

/// Escapes text for XML content and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An Atom 1.0 document of the `limit` latest stored reports with facts, newest first; each
/// entry links to the article and sums up its first facts the Vietnamese way.
pub async fn atom_feed(store: &dyn Store, base_url: &str, limit: i64) -> anyhow::Result<String> {
    let entries = store.recent_reports(limit.max(1)).await?;
    let base = base_url.trim_end_matches('/');
    let updated = entries
        .first()
        .map(|e| e.first_seen_at)
        .unwrap_or_else(Utc::now);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str("  <title>chiso: báo cáo mới</title>\n");
    out.push_str(&format!("  <id>{}/feed.atom</id>\n", xml(base)));
    out.push_str(&format!(
        "  <link rel=\"self\" href=\"{}/feed.atom\"/>\n",
        xml(base)
    ));
    out.push_str(&format!("  <updated>{}</updated>\n", updated.to_rfc3339()));
    out.push_str("  <generator>chiso</generator>\n");
    for e in &entries {
        let facts = store.article_facts(e.article_id).await?;
        let mut summary: Vec<String> = facts
            .iter()
            .take(SUMMARY_FACTS)
            .map(format::fact_line)
            .collect();
        if facts.len() > SUMMARY_FACTS {
            summary.push(format!("… và {} chỉ số khác", facts.len() - SUMMARY_FACTS));
        }
        let title = e
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or("(không có tiêu đề)");
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <title>{}</title>\n", xml(title)));
        out.push_str(&format!("    <id>{}</id>\n", xml(&e.url)));
        out.push_str(&format!("    <link href=\"{}\"/>\n", xml(&e.url)));
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            e.first_seen_at.to_rfc3339()
        ));
        if let Some(p) = e.published_at {
            out.push_str(&format!("    <published>{}</published>\n", p.to_rfc3339()));
        }
        let author = match &e.province {
            Some(p) => format!("{} ({p})", e.source),
            None => e.source.clone(),
        };
        out.push_str(&format!(
            "    <author><name>{}</name></author>\n",
            xml(&author)
        ));
        out.push_str(&format!(
            "    <summary type=\"text\">{}</summary>\n",
            xml(&summary.join("\n"))
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(xml("a<b>&\"c\u{1}"), "a&lt;b&gt;&amp;&quot;c");
    }
}
