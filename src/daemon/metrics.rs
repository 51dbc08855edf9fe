//! Counters of the daemon, rendered in the Prometheus text format at `/metrics`. Names end in
//! `_total` or `_seconds`; labels are source, host, status, channel and outcome.

use crate::crawl::SourceReport;
use crate::fetch::FetchStats;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Per-source counters since the daemon started.
#[derive(Debug, Default, Clone)]
struct SourceCounters {
    runs_by_status: BTreeMap<String, u64>,
    articles_new: i64,
    articles_updated: i64,
    facts: i64,
    not_modified: i64,
    duration_sum: f64,
    duration_last: f64,
    consecutive_failures: u64,
    last_success_unix: Option<i64>,
    skipped_ticks: u64,
    selector_fallbacks: i64,
}

/// The daemon's counters, shared by the jobs and the `/metrics` handler.
#[derive(Debug, Default)]
pub struct Metrics {
    sources: Mutex<BTreeMap<String, SourceCounters>>,
}

/// What the store says at scrape time, rendered next to the counters.
#[derive(Debug, Default, Clone)]
pub struct StoreGauges {
    /// Alerts by (channel, status).
    pub alerts: Vec<(String, String, i64)>,
}

impl Metrics {
    /// Records a finished crawl run.
    pub fn record_run(&self, report: &SourceReport, consecutive_failures: u64) {
        let mut map = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        let c = map.entry(report.source.clone()).or_default();
        *c.runs_by_status
            .entry(report.stats.status.clone())
            .or_default() += 1;
        c.articles_new += report.stats.new_articles;
        c.articles_updated += report.stats.updated_articles;
        c.facts += report.stats.facts;
        c.not_modified += report.stats.not_modified;
        c.selector_fallbacks += report.stats.selector_fallbacks;
        c.duration_sum += report.seconds;
        c.duration_last = report.seconds;
        c.consecutive_failures = consecutive_failures;
        if matches!(report.stats.status.as_str(), "ok" | "partial") {
            c.last_success_unix = Some(chrono::Utc::now().timestamp());
        }
    }

    /// Records a tick skipped because the previous run was still going or backing off.
    pub fn record_skip(&self, source: &str) {
        let mut map = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(source.to_string()).or_default().skipped_ticks += 1;
    }

    /// Makes a source appear with zero counters before its first run.
    pub fn register(&self, source: &str) {
        let mut map = self.sources.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(source.to_string()).or_default();
    }

    /// The Prometheus text exposition.
    pub fn render(&self, fetch: &FetchStats, gauges: &StoreGauges) -> String {
        let mut out = String::new();
        let map = self
            .sources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut family = |name: &str, kind: &str, help: &str, rows: Vec<(String, String)>| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in rows {
                if labels.is_empty() {
                    let _ = writeln!(out, "{name} {value}");
                } else {
                    let _ = writeln!(out, "{name}{{{labels}}} {value}");
                }
            }
        };
        family(
            "chiso_fetch_requests_total",
            "counter",
            "HTTP requests sent, by host (retries, redirects and robots.txt included).",
            fetch
                .by_host
                .iter()
                .map(|(h, s)| (format!("host=\"{}\"", esc(h)), s.requests.to_string()))
                .collect(),
        );
        family(
            "chiso_fetch_responses_total",
            "counter",
            "HTTP responses, by status.",
            fetch
                .by_status
                .iter()
                .map(|(st, n)| (format!("status=\"{st}\""), n.to_string()))
                .collect(),
        );
        family(
            "chiso_fetch_not_modified_total",
            "counter",
            "304 Not Modified answers, by host.",
            fetch
                .by_host
                .iter()
                .map(|(h, s)| (format!("host=\"{}\"", esc(h)), s.not_modified.to_string()))
                .collect(),
        );
        family(
            "chiso_fetch_errors_total",
            "counter",
            "Fetches that ended in an error, by host.",
            fetch
                .by_host
                .iter()
                .map(|(h, s)| (format!("host=\"{}\"", esc(h)), s.errors.to_string()))
                .collect(),
        );
        let per_source = |f: &dyn Fn(&SourceCounters) -> String| -> Vec<(String, String)> {
            map.iter()
                .map(|(s, c)| (format!("source=\"{}\"", esc(s)), f(c)))
                .collect()
        };
        family(
            "chiso_crawl_runs_total",
            "counter",
            "Crawl runs, by source and outcome.",
            map.iter()
                .flat_map(|(s, c)| {
                    c.runs_by_status.iter().map(move |(st, n)| {
                        (
                            format!("source=\"{}\",status=\"{}\"", esc(s), esc(st)),
                            n.to_string(),
                        )
                    })
                })
                .collect(),
        );
        family(
            "chiso_articles_new_total",
            "counter",
            "Articles stored for the first time.",
            per_source(&|c| c.articles_new.to_string()),
        );
        family(
            "chiso_articles_updated_total",
            "counter",
            "Known articles whose content changed.",
            per_source(&|c| c.articles_updated.to_string()),
        );
        family(
            "chiso_facts_extracted_total",
            "counter",
            "Facts stored from new and updated articles.",
            per_source(&|c| c.facts.to_string()),
        );
        family(
            "chiso_crawl_duration_seconds_sum",
            "counter",
            "Total wall time of crawl runs.",
            per_source(&|c| format!("{:.3}", c.duration_sum)),
        );
        family(
            "chiso_crawl_last_duration_seconds",
            "gauge",
            "Wall time of the last crawl run.",
            per_source(&|c| format!("{:.3}", c.duration_last)),
        );
        family(
            "chiso_source_consecutive_failures",
            "gauge",
            "Failed runs in a row (the source backs off while this is above 0).",
            per_source(&|c| c.consecutive_failures.to_string()),
        );
        family(
            "chiso_source_last_success_timestamp_seconds",
            "gauge",
            "Unix time of the last successful run (0: none since start).",
            per_source(&|c| c.last_success_unix.unwrap_or(0).to_string()),
        );
        family(
            "chiso_crawl_skipped_ticks_total",
            "counter",
            "Scheduled ticks skipped (previous run still going, or backing off).",
            per_source(&|c| c.skipped_ticks.to_string()),
        );
        family(
            "chiso_selector_fallback_total",
            "counter",
            "Pages scraped with the generic extractor because the source's body selector matched \
             nothing or far less text (a site redesign).",
            per_source(&|c| c.selector_fallbacks.to_string()),
        );
        family(
            "chiso_alerts",
            "gauge",
            "Alerts in the outbox, by channel and status (sent and failed are delivery outcomes).",
            gauges
                .alerts
                .iter()
                .map(|(ch, st, n)| {
                    (
                        format!("channel=\"{}\",status=\"{}\"", esc(ch), esc(st)),
                        n.to_string(),
                    )
                })
                .collect(),
        );
        family(
            "chiso_alerts_pending",
            "gauge",
            "Alerts waiting for delivery.",
            vec![(
                String::new(),
                gauges
                    .alerts
                    .iter()
                    .filter(|(_, st, _)| st == "pending" || st == "sending")
                    .map(|(_, _, n)| n)
                    .sum::<i64>()
                    .to_string(),
            )],
        );
        out
    }
}

/// Escapes a label value.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RunStats;

    #[test]
    fn selector_fallbacks_are_counted_per_source() {
        let m = Metrics::default();
        m.register("quiet");
        let report = |n| SourceReport {
            source: "drifted".into(),
            stats: RunStats {
                status: "ok".into(),
                selector_fallbacks: n,
                ..RunStats::default()
            },
            seconds: 0.5,
        };
        m.record_run(&report(2), 0);
        m.record_run(&report(3), 0);
        let text = m.render(&FetchStats::default(), &StoreGauges::default());
        assert!(
            text.contains("# TYPE chiso_selector_fallback_total counter"),
            "{text}"
        );
        assert!(
            text.contains("chiso_selector_fallback_total{source=\"drifted\"} 5"),
            "{text}"
        );
        assert!(
            text.contains("chiso_selector_fallback_total{source=\"quiet\"} 0"),
            "{text}"
        );
    }
}
