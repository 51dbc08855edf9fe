//! What a backfill shows while it runs: a progress bar when stderr is a terminal (pages read of
//! those known so far, articles stored, facts, rate, ETA), otherwise one summary log line per
//! minute.

use super::Report;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Interval of the summary lines written when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// The progress display of one source's backfill.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Mutex<Instant>,
}

impl Progress {
    /// A bar on a terminal, log lines otherwise.
    pub fn new(source: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:24}] {pos}/{len} pages · {msg} · {elapsed} ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(source.to_string());
            bar.enable_steady_tick(Duration::from_millis(500));
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            last_log: Mutex::new(Instant::now()),
        }
    }

    /// Shows the counts of `report`; `pages_known` is how many documents are known to be read.
    pub(crate) fn update(&self, report: &Report, pages_known: u64) {
        let hours = self.started.elapsed().as_secs_f64() / 3600.0;
        let rate = if hours > 0.0 {
            report.stored as f64 / hours
        } else {
            0.0
        };
        if let Some(bar) = &self.bar {
            bar.set_length(pages_known.max(report.pages).max(1));
            bar.set_position(report.pages);
            bar.set_message(format!(
                "{} articles fetched, {} stored, {} facts, {rate:.0} stored/h",
                report.fetched, report.stored, report.facts
            ));
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(|p| p.into_inner());
        if last.elapsed() >= LOG_EVERY {
            *last = Instant::now();
            tracing::info!(
                source = %report.source,
                pages = report.pages,
                pages_known,
                fetched = report.fetched,
                stored = report.stored,
                facts = report.facts,
                known = report.known,
                skipped = report.out_of_range + report.set_aside,
                errors = report.errors,
                per_hour = format!("{rate:.0}"),
                "backfill progress"
            );
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
