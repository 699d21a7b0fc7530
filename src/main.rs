use std::process::ExitCode;

use clap::Parser;
use partner_portal::cli::Cli;

/// Measured in bench/pages.sh: allocation-heavy rendering runs faster on mimalloc than on glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    partner_portal::cli::run(Cli::parse()).await
}
