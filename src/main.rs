use std::process::ExitCode;

use clap::Parser;
use partner_portal::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    partner_portal::cli::run(Cli::parse()).await
}
