//! `chiso trend`, `chiso query` and `chiso export`: reading the series back.

use clap::Args;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `chiso trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// Arguments of the command.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Arguments of `chiso query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Arguments of the command.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Arguments of `chiso export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Arguments of the command.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Runs `chiso trend`.
pub fn trend(_config: Option<&Path>, _args: &TrendArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("trend"))
}

/// Runs `chiso query`.
pub fn query(_config: Option<&Path>, _args: &QueryArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("query"))
}

/// Runs `chiso export`.
pub fn export(_config: Option<&Path>, _args: &ExportArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("export"))
}
