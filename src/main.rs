//! The `chiso` binary: parse the command line, run one command, map the outcome to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    chiso::cli::main(chiso::cli::Cli::parse())
}
