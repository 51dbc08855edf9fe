//! `chiso alerts`: list, test, dispatch and retry alerts.

use clap::Args;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `chiso alerts` (the alerts issue defines the subcommands).
#[derive(Debug, Args)]
pub struct AlertsArgs {
    /// Arguments of the command.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Runs `chiso alerts`.
pub fn run(_config: Option<&Path>, _args: &AlertsArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("alerts"))
}
