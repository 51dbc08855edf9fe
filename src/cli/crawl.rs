//! `chiso crawl --once` and `chiso run`: the crawler, once or on schedule.

use super::CrawlArgs;
use crate::app::{load_config, runtime};
use std::path::Path;
use std::process::ExitCode;

/// `chiso crawl --once [--source NAME]`: one crawl of every (or one) source, then a summary.
/// Exit 1 when a source failed outright (its discovery produced nothing but errors).
pub fn crawl(explicit: Option<&Path>, args: &CrawlArgs) -> anyhow::Result<ExitCode> {
    if !args.once {
        anyhow::bail!(
            "`chiso crawl` needs --once (the daemon, `chiso run`, crawls on each source's schedule)"
        );
    }
    let config = load_config(explicit)?;
    if let Some(name) = &args.source {
        if config.source(name).is_none() {
            anyhow::bail!("no source named {name:?} in {}", config.path.display());
        }
    }
    let reports =
        runtime()?.block_on(crate::daemon::crawl_once(&config, args.source.as_deref()))?;
    println!(
        "{:<16} {:<12} {:>6} {:>6} {:>5} {:>7} {:>6} {:>6} {:>7}",
        "source", "status", "pages", "304", "new", "updated", "facts", "errors", "seconds"
    );
    let mut failed = false;
    for r in &reports {
        let s = &r.stats;
        failed |= s.status == "failed";
        println!(
            "{:<16} {:<12} {:>6} {:>6} {:>5} {:>7} {:>6} {:>6} {:>7.1}",
            r.source,
            s.status,
            s.pages_fetched,
            s.not_modified,
            s.new_articles,
            s.updated_articles,
            s.facts,
            s.errors,
            r.seconds
        );
        if let Some(m) = &s.message {
            println!("    {m}");
        }
    }
    Ok(if failed {
        ExitCode::from(super::EXIT_FAILURE)
    } else {
        ExitCode::SUCCESS
    })
}

/// `chiso run`: the daemon, until SIGTERM or SIGINT.
pub fn run(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    super::init_logging(&config.daemon.log_level);
    // The web pages and API are built here, above the daemon, which only mounts them.
    let taxonomy = crate::app::taxonomy_for(&config)?;
    let pages: crate::daemon::Routes = Box::new(move |store| {
        crate::web::router(crate::web::Web {
            store,
            gazetteer: crate::gazetteer::Gazetteer::embedded,
            taxonomy,
        })
    });
    runtime()?.block_on(crate::daemon::run(config, Some(pages)))?;
    Ok(ExitCode::SUCCESS)
}
