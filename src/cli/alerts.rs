//! `chiso alerts`: list, test, dispatch and retry alerts.
//!
//! `list` and `retry` only read and write the outbox; `dispatch` runs the same dispatcher as the
//! daemon (one pass with `--once`, else until Ctrl-C); `test` sends a made-up sample report to a
//! channel URL without touching the database.

use crate::alert::{self, AlertPayload, Delivery, Target};
use crate::app::{load_config, prepare_store, runtime};
use crate::config::{redact_url, Config};
use crate::extract::{Fact, Kind};
use clap::{Args, Subcommand, ValueEnum};
use std::path::Path;
use std::process::ExitCode;

/// Rows `chiso alerts list` shows unless told otherwise.
pub const DEFAULT_LIST_LIMIT: i64 = 50;

/// Arguments of `chiso alerts`.
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AlertsCommand,
}

/// The `chiso alerts` subcommands.
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Lists alerts, newest first (channels by name: URLs never appear).
    List {
        /// Only alerts in this state.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        /// Most rows shown.
        #[arg(long, default_value_t = DEFAULT_LIST_LIMIT)]
        limit: i64,
    },
    /// Sends a sample report to a channel URL (nothing is stored).
    Test {
        /// Channel URL, as in `[[alert]] url`.
        url: String,
        /// HMAC key for the webhook signature, as `[[alert]] secret`.
        #[arg(long, env = "CHISO_ALERT_SECRET", hide_env_values = true)]
        secret: Option<String>,
    },
    /// Delivers due alerts: one pass with `--once`, else every few seconds until Ctrl-C.
    Dispatch {
        /// One pass, then exit (exit code 1 when an alert failed for good in it).
        #[arg(long)]
        once: bool,
        /// Name of this dispatcher in leases; must be unique among running dispatchers. A
        /// restarted dispatcher with the same name takes its own leases back at once.
        #[arg(long)]
        instance: Option<String>,
    },
    /// Puts a failed alert back in the queue with a fresh set of attempts.
    Retry {
        /// Alert id (first column of `chiso alerts list`).
        id: i64,
    },
}

/// Alert states accepted by `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// Waiting for delivery or for a retry.
    Pending,
    /// Being delivered right now.
    Sending,
    /// Acknowledged by the receiver.
    Sent,
    /// Given up after the last attempt.
    Failed,
}

impl StatusArg {
    fn as_str(self) -> &'static str {
        match self {
            StatusArg::Pending => "pending",
            StatusArg::Sending => "sending",
            StatusArg::Sent => "sent",
            StatusArg::Failed => "failed",
        }
    }
}

/// Runs `chiso alerts`.
pub fn run(config: Option<&Path>, args: &AlertsArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        AlertsCommand::List { status, limit } => list(config, *status, *limit),
        AlertsCommand::Test { url, secret } => test(config, url, secret.as_deref()),
        AlertsCommand::Dispatch { once, instance } => dispatch(config, *once, instance.clone()),
        AlertsCommand::Retry { id } => retry(config, *id),
    }
}

fn list(
    explicit: Option<&Path>,
    status: Option<StatusArg>,
    limit: i64,
) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    runtime()?.block_on(async {
        let (store, _) = prepare_store(&config).await?;
        let rows = store
            .list_alerts(status.map(StatusArg::as_str), limit.max(1))
            .await?;
        println!(
            "{:>6}  {:<8} {:<24} {:<8} {:>3}  {:<20} article / last error",
            "id", "status", "channel", "event", "try", "when"
        );
        for r in &rows {
            let when = match (r.status.as_str(), r.sent_at) {
                ("sent", Some(t)) => t,
                _ => r.next_attempt_at,
            };
            println!(
                "{:>6}  {:<8} {:<24} {:<8} {:>3}  {:<20} {}",
                r.id,
                r.status,
                r.channel,
                r.event,
                r.attempts,
                when.format("%Y-%m-%d %H:%M:%S"),
                r.article_url
            );
            if let Some(e) = &r.last_error {
                let e: String = e.chars().take(160).collect();
                println!("{:>6}  ↳ {e}", "");
            }
        }
        let counts = store.alert_status_counts().await?;
        let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
        println!(
            "{} shown; all alerts: {}",
            rows.len(),
            if summary.is_empty() {
                "none".to_string()
            } else {
                summary.join(", ")
            }
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// A made-up report in the shape of a real one, for `chiso alerts test`.
pub fn sample_payload() -> AlertPayload {
    let fact = |metric: &str, value: f64, unit: &str, plan: Option<f64>, yoy: Option<f64>| Fact {
        area: Some("huyện Mẫu Sơn".into()),
        area_level: Some("district".into()),
        area_code: None,
        province: Some("Hà Tĩnh".into()),
        metric: metric.into(),
        indicator: None,
        value,
        value_high: None,
        unit: unit.into(),
        value_base: None,
        unit_base: None,
        total: None,
        year: Some(2024),
        period: Some("2024".into()),
        kind: Kind::Actual,
        approx: false,
        plan_pct: plan,
        yoy_pct: yoy,
        sentence: String::new(),
        span: [0, 0],
        from_title: false,
    };
    AlertPayload {
        event: "test".into(),
        source: "chiso".into(),
        province: "Hà Tĩnh".into(),
        url: "https://example.org/chiso-test-report.html".into(),
        title: Some("Thử kênh cảnh báo chiso: báo cáo mẫu".into()),
        published_at: Some(chrono::Utc::now().fixed_offset()),
        areas: vec!["huyện Mẫu Sơn".into()],
        facts: vec![
            fact(
                "tổng giá trị sản xuất",
                8850.26,
                "tỷ đồng",
                Some(107.79),
                Some(14.62),
            ),
            fact("thu ngân sách", 312.5, "tỷ đồng", Some(101.2), None),
            fact("tỷ lệ hộ nghèo", 2.1, "%", None, Some(-0.8)),
        ],
    }
}

fn test(explicit: Option<&Path>, url: &str, secret: Option<&str>) -> anyhow::Result<ExitCode> {
    // A channel can be tried before any configuration exists.
    let config = match (explicit, load_config(explicit)) {
        (_, Ok(c)) => c,
        (Some(_), Err(e)) => return Err(e),
        (None, Err(_)) => Config::default(),
    };
    let target = Target::parse(url)?;
    let payload = sample_payload();
    let opts = alert::DispatchOptions::from_config(&config);
    let shown = redact_url(url);
    runtime()?.block_on(async {
        let client = alert::http_client(&config, opts.timeout)?;
        let d = Delivery {
            payload: &payload,
            channel: "test",
            dedupe_key: &format!("test-{}", chrono::Utc::now().timestamp_millis()),
            secret,
            max_facts: 5,
        };
        match alert::deliver(&client, &target, &d).await {
            Ok(()) => {
                println!("{shown}: sample report delivered");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("{shown}: delivery failed: {e}");
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

fn dispatch(
    explicit: Option<&Path>,
    once: bool,
    instance: Option<String>,
) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    let instance = instance.unwrap_or_else(crate::store::instance_name);
    runtime()?.block_on(async {
        let (store, _) = prepare_store(&config).await?;
        if once {
            let r = alert::dispatch_once(store.as_ref(), &config, &instance).await?;
            println!(
                "claimed {}, sent {}, to retry {}, failed {}, taken over {}",
                r.claimed, r.sent, r.retried, r.failed, r.lost
            );
            return Ok(if r.failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            });
        }
        let (tx, rx) = tokio::sync::watch::channel(false);
        // Nothing reloads this one: the sender stays here until the end.
        let (_config_tx, config) = tokio::sync::watch::channel(std::sync::Arc::new(config));
        let task = tokio::spawn(alert::run_dispatcher(store, config, instance, rx));
        tokio::signal::ctrl_c().await?;
        let _ = tx.send(true);
        task.await?;
        Ok(ExitCode::SUCCESS)
    })
}

fn retry(explicit: Option<&Path>, id: i64) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    runtime()?.block_on(async {
        let (store, _) = prepare_store(&config).await?;
        match store.retry_alert(id, chrono::Utc::now()).await {
            Ok(true) => {
                println!("alert {id} queued again");
                Ok(ExitCode::SUCCESS)
            }
            Ok(false) => {
                eprintln!("alert {id} was not queued again: it is sent or being sent");
                Ok(ExitCode::FAILURE)
            }
            Err(crate::store::StoreError::NotFound) => {
                eprintln!("no alert with id {id}");
                Ok(ExitCode::FAILURE)
            }
            Err(e) => Err(e.into()),
        }
    })
}
