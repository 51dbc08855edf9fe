//! The daemon's metrics, kept and rendered by `prometheus-client` in the Prometheus text format
//! (0.0.4) at `/metrics`: counters end in `_total`, crawl durations are a `_seconds` histogram
//! (`_bucket`, `_sum`, `_count`), the rest are gauges. Labels are source, host, status and
//! channel. What the fetcher and the store know (requests per host, alerts in the outbox) is read
//! at scrape time through a collector.

use crate::crawl::SourceReport;
use crate::fetch::FetchStats;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

/// The `source` label.
type BySource = [(&'static str, String); 1];
/// The `source` and `status` labels.
type BySourceStatus = [(&'static str, String); 2];
/// The `source` and `reason` labels.
type BySourceReason = [(&'static str, String); 2];

/// Upper bounds (seconds) of the crawl duration histogram's buckets.
const DURATION_BUCKETS: [f64; 11] = [
    0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0,
];

fn duration_histogram() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

/// The daemon's metrics, shared by the jobs and the `/metrics` handler.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    runs: Family<BySourceStatus, Counter>,
    articles_new: Family<BySource, Counter>,
    articles_updated: Family<BySource, Counter>,
    facts: Family<BySource, Counter>,
    duration: Family<BySource, Histogram, fn() -> Histogram>,
    last_duration: Family<BySource, Gauge<f64, AtomicU64>>,
    consecutive_failures: Family<BySource, Gauge>,
    last_success: Family<BySource, Gauge>,
    skipped_ticks: Family<BySource, Counter>,
    runs_skipped: Family<BySourceReason, Counter>,
    selector_fallbacks: Family<BySource, Counter>,
}

/// What the store says at scrape time, rendered next to the counters.
#[derive(Debug, Default, Clone)]
pub struct StoreGauges {
    /// Alerts by (channel, status).
    pub alerts: Vec<(String, String, i64)>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Self {
            registry: Registry::default(),
            runs: Family::default(),
            articles_new: Family::default(),
            articles_updated: Family::default(),
            facts: Family::default(),
            duration: Family::new_with_constructor(duration_histogram as fn() -> Histogram),
            last_duration: Family::default(),
            consecutive_failures: Family::default(),
            last_success: Family::default(),
            skipped_ticks: Family::default(),
            runs_skipped: Family::default(),
            selector_fallbacks: Family::default(),
        };
        // Counter names are given without `_total`: the encoder appends it. The registry ends
        // help texts with a period (the collector's texts below carry their own).
        let r = &mut m.registry;
        r.register(
            "chiso_crawl_runs",
            "Crawl runs, by source and outcome",
            m.runs.clone(),
        );
        r.register(
            "chiso_articles_new",
            "Articles stored for the first time",
            m.articles_new.clone(),
        );
        r.register(
            "chiso_articles_updated",
            "Known articles whose content changed",
            m.articles_updated.clone(),
        );
        r.register(
            "chiso_facts_extracted",
            "Facts stored from new and updated articles",
            m.facts.clone(),
        );
        r.register_with_unit(
            "chiso_crawl_duration",
            "Wall time of crawl runs",
            Unit::Seconds,
            m.duration.clone(),
        );
        r.register_with_unit(
            "chiso_crawl_last_duration",
            "Wall time of the last crawl run",
            Unit::Seconds,
            m.last_duration.clone(),
        );
        r.register(
            "chiso_source_consecutive_failures",
            "Failed runs in a row (the source backs off while this is above 0)",
            m.consecutive_failures.clone(),
        );
        r.register(
            "chiso_source_last_success_timestamp_seconds",
            "Unix time of the last successful run (0: none since start)",
            m.last_success.clone(),
        );
        r.register(
            "chiso_crawl_skipped_ticks",
            "Scheduled ticks skipped (previous run still going, or backing off)",
            m.skipped_ticks.clone(),
        );
        r.register(
            "chiso_runs_skipped",
            "Scheduled runs that did not start, by source and reason (running: its previous run \
             still going; queued: its previous run still waiting for a free worker; backoff: \
             failing source backing off)",
            m.runs_skipped.clone(),
        );
        r.register(
            "chiso_selector_fallback",
            "Pages scraped with the generic extractor because the source's body selector matched \
             nothing or far less text (a site redesign)",
            m.selector_fallbacks.clone(),
        );
        m
    }
}

fn source(name: &str) -> BySource {
    [("source", name.to_string())]
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Metrics {
    /// Records a finished crawl run.
    pub fn record_run(&self, report: &SourceReport, consecutive_failures: u64) {
        let s = source(&report.source);
        self.runs
            .get_or_create(&[
                ("source", report.source.clone()),
                ("status", report.stats.status.clone()),
            ])
            .inc();
        self.articles_new
            .get_or_create(&s)
            .inc_by(count(report.stats.new_articles));
        self.articles_updated
            .get_or_create(&s)
            .inc_by(count(report.stats.updated_articles));
        self.facts
            .get_or_create(&s)
            .inc_by(count(report.stats.facts));
        self.selector_fallbacks
            .get_or_create(&s)
            .inc_by(count(report.stats.selector_fallbacks));
        self.duration.get_or_create(&s).observe(report.seconds);
        self.last_duration.get_or_create(&s).set(report.seconds);
        self.consecutive_failures
            .get_or_create(&s)
            .set(i64::try_from(consecutive_failures).unwrap_or(i64::MAX));
        if matches!(report.stats.status.as_str(), "ok" | "partial") {
            self.last_success
                .get_or_create(&s)
                .set(chrono::Utc::now().timestamp());
        }
    }

    /// Records a due run that did not start, and why (`running`, `queued`, `backoff`).
    pub fn record_skip(&self, source_name: &str, reason: &str) {
        self.skipped_ticks.get_or_create(&source(source_name)).inc();
        self.runs_skipped
            .get_or_create(&[
                ("source", source_name.to_string()),
                ("reason", reason.to_string()),
            ])
            .inc();
    }

    /// Makes a source appear with zero counters before its first run.
    pub fn register(&self, source_name: &str) {
        let s = source(source_name);
        let _ = self.articles_new.get_or_create(&s);
        let _ = self.articles_updated.get_or_create(&s);
        let _ = self.facts.get_or_create(&s);
        let _ = self.duration.get_or_create(&s);
        let _ = self.last_duration.get_or_create(&s);
        let _ = self.consecutive_failures.get_or_create(&s);
        let _ = self.last_success.get_or_create(&s);
        let _ = self.skipped_ticks.get_or_create(&s);
        let _ = self.selector_fallbacks.get_or_create(&s);
    }

    /// The Prometheus text exposition: the daemon's metrics, then the fetcher's and the store's
    /// figures of this scrape.
    pub fn render(&self, fetch: &FetchStats, gauges: &StoreGauges) -> String {
        use prometheus_client::encoding::prometheus_text::encode;
        let mut out = String::new();
        let _ = encode(&mut out, &self.registry);
        let mut scrape = Registry::default();
        scrape.register_collector(Box::new(Scrape {
            fetch: fetch.clone(),
            gauges: gauges.clone(),
        }));
        let _ = encode(&mut out, &scrape);
        out
    }
}

/// The figures read at scrape time.
#[derive(Debug)]
struct Scrape {
    fetch: FetchStats,
    gauges: StoreGauges,
}

/// Encodes one family of constant samples.
fn family<L: EncodeLabelSet, M: EncodeMetric>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    rows: impl IntoIterator<Item = (L, M)>,
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, value) in rows {
        value.encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

impl Collector for Scrape {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let hosts = &self.fetch.by_host;
        let per_host = |f: fn(&crate::fetch::HostStats) -> u64| {
            hosts
                .iter()
                .map(move |(h, s)| ([("host", h.as_str())], ConstCounter::new(f(s))))
        };
        family(
            &mut encoder,
            "chiso_fetch_requests",
            "HTTP requests sent, by host (retries, redirects and robots.txt included).",
            MetricType::Counter,
            per_host(|s| s.requests),
        )?;
        family(
            &mut encoder,
            "chiso_fetch_responses",
            "HTTP responses, by status.",
            MetricType::Counter,
            self.fetch
                .by_status
                .iter()
                .map(|(st, n)| ([("status", *st)], ConstCounter::new(*n))),
        )?;
        family(
            &mut encoder,
            "chiso_fetch_not_modified",
            "304 Not Modified answers, by host.",
            MetricType::Counter,
            per_host(|s| s.not_modified),
        )?;
        family(
            &mut encoder,
            "chiso_fetch_errors",
            "Fetches that ended in an error, by host.",
            MetricType::Counter,
            per_host(|s| s.errors),
        )?;
        let alerts = &self.gauges.alerts;
        family(
            &mut encoder,
            "chiso_alerts",
            "Alerts in the outbox, by channel and status (sent and failed are delivery outcomes).",
            MetricType::Gauge,
            alerts.iter().map(|(ch, st, n)| {
                (
                    [("channel", ch.as_str()), ("status", st.as_str())],
                    ConstGauge::new(*n),
                )
            }),
        )?;
        let pending: i64 = alerts
            .iter()
            .filter(|(_, st, _)| st == "pending" || st == "sending")
            .map(|(_, _, n)| n)
            .sum();
        let gauge = ConstGauge::new(pending);
        gauge.encode(encoder.encode_descriptor(
            "chiso_alerts_pending",
            "Alerts waiting for delivery.",
            None,
            MetricType::Gauge,
        )?)
    }
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

    /// A daemon that crawled one source, fetched from one host and has alerts in the outbox.
    fn busy() -> String {
        let m = Metrics::default();
        m.register("quiet");
        m.record_run(
            &SourceReport {
                source: "site \"a\"".into(),
                stats: RunStats {
                    status: "ok".into(),
                    new_articles: 3,
                    facts: 7,
                    ..RunStats::default()
                },
                seconds: 4.0,
            },
            0,
        );
        m.record_run(
            &SourceReport {
                source: "site \"a\"".into(),
                stats: RunStats {
                    status: "failed".into(),
                    ..RunStats::default()
                },
                seconds: 0.25,
            },
            1,
        );
        m.record_skip("quiet", "running");
        let mut fetch = FetchStats::default();
        fetch.by_host.insert(
            "example.vn".into(),
            crate::fetch::HostStats {
                requests: 9,
                not_modified: 2,
                errors: 1,
                bytes: 100,
            },
        );
        fetch.by_status.insert(200, 8);
        let gauges = StoreGauges {
            alerts: vec![
                ("ops".into(), "pending".into(), 2),
                ("ops".into(), "sent".into(), 5),
                ("mail".into(), "sending".into(), 1),
            ],
        };
        m.render(&fetch, &gauges)
    }

    #[test]
    fn counts_and_durations_have_the_right_types_and_values() {
        let text = busy();
        for want in [
            "chiso_crawl_runs_total{source=\"site \\\"a\\\"\",status=\"ok\"} 1",
            "chiso_articles_new_total{source=\"site \\\"a\\\"\"} 3",
            "chiso_facts_extracted_total{source=\"site \\\"a\\\"\"} 7",
            "chiso_crawl_skipped_ticks_total{source=\"quiet\"} 1",
            "chiso_runs_skipped_total{source=\"quiet\",reason=\"running\"} 1",
            "chiso_source_consecutive_failures{source=\"site \\\"a\\\"\"} 1",
            "# TYPE chiso_crawl_duration_seconds histogram",
            "chiso_crawl_duration_seconds_count{source=\"site \\\"a\\\"\"} 2",
            "chiso_crawl_duration_seconds_sum{source=\"site \\\"a\\\"\"} 4.25",
            "chiso_crawl_duration_seconds_bucket{source=\"site \\\"a\\\"\",le=\"0.5\"} 1",
            "chiso_crawl_duration_seconds_bucket{source=\"site \\\"a\\\"\",le=\"5\"} 2",
            "chiso_crawl_duration_seconds_count{source=\"quiet\"} 0",
            "chiso_crawl_last_duration_seconds{source=\"site \\\"a\\\"\"} 0.25",
            "chiso_fetch_requests_total{host=\"example.vn\"} 9",
            "chiso_fetch_not_modified_total{host=\"example.vn\"} 2",
            "chiso_fetch_errors_total{host=\"example.vn\"} 1",
            "chiso_fetch_responses_total{status=\"200\"} 8",
            "chiso_alerts{channel=\"ops\",status=\"sent\"} 5",
            "chiso_alerts_pending 3",
        ] {
            assert!(
                text.lines().any(|l| l == want),
                "no line {want:?} in:\n{text}"
            );
        }
        // Counters end in _total, histograms in _seconds, and nothing else is a `_sum` family.
        for line in text.lines().filter(|l| l.starts_with("# TYPE ")) {
            let mut parts = line.split(' ').skip(2);
            let (name, kind) = (parts.next().unwrap(), parts.next().unwrap());
            match kind {
                "counter" => assert!(name.ends_with("_total"), "{line}"),
                "histogram" => assert!(name.ends_with("_seconds"), "{line}"),
                "gauge" => assert!(
                    !name.ends_with("_total") && !name.ends_with("_sum"),
                    "{line}"
                ),
                other => panic!("unexpected type {other}: {line}"),
            }
        }
    }

    #[test]
    fn every_metric_the_readme_names_is_served() {
        let readme = include_str!("../../README.md");
        let start = readme.find("## Health and metrics").unwrap();
        let end = start + readme[start + 3..].find("\n## ").unwrap();
        let section = &readme[start..end];
        let text = busy();
        let mut names: Vec<&str> = section
            .match_indices("chiso_")
            .map(|(i, _)| {
                let rest = &section[i..];
                let len = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..len]
            })
            .collect();
        names.sort_unstable();
        names.dedup();
        assert!(names.len() >= 16, "{names:?}");
        for name in names {
            let typed = text.contains(&format!("# TYPE {name} "));
            let sampled = text.lines().any(|l| {
                l.strip_prefix(name)
                    .is_some_and(|r| r.starts_with(['{', ' ']) || r.starts_with("_count{"))
            });
            assert!(
                typed && sampled,
                "README names {name}, /metrics does not serve it:\n{text}"
            );
        }
    }
}
